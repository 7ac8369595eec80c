from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from grassroots.sortition.models import Draw

MAX_SEATS = 500


class DrawForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy("For example: Members' council 2026"),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "What the body does, how long it serves, what it asks of its members."
        ),
    )
    scope = forms.ChoiceField(
        label=gettext_lazy("Who may volunteer"),
        help_text=gettext_lazy("Members whose home group is here"),
    )
    seats = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1, max_value=MAX_SEATS)
    categories = forms.CharField(
        label=gettext_lazy("Categories"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "One category per line: its name, a colon, then its values separated by commas. "
            "For example “gender: woman, man, non-binary”. Volunteers choose one value in each."
        ),
    )
    quotas = forms.CharField(
        label=gettext_lazy("Quotas"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "One quota per line: category, value, minimum, maximum (leave the maximum empty for "
            "none). For example “gender, woman, 5, 7” or “region, North, 1,”."
        ),
    )

    def __init__(self, *args: Any, scope_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["scope"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = scope_choices

    def clean_categories(self) -> list[dict[str, Any]]:
        categories: list[dict[str, Any]] = []
        seen: set[str] = set()
        for number, raw in enumerate(str(self.cleaned_data["categories"]).splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            name, colon, rest = (part.strip() for part in line.partition(":"))
            values = [v.strip() for v in rest.split(",") if v.strip()]
            if not colon or not name or not values:
                raise forms.ValidationError(
                    gettext(
                        "Line %(number)s: write the category's name, a colon, then its values "
                        "separated by commas."
                    )
                    % {"number": number}
                )
            if name in seen:
                raise forms.ValidationError(
                    gettext("Line %(number)s: “%(name)s” is listed twice.")
                    % {"number": number, "name": name}
                )
            if len(set(values)) != len(values):
                raise forms.ValidationError(
                    gettext("Line %(number)s: a value of “%(name)s” is listed twice.")
                    % {"number": number, "name": name}
                )
            if len(name) > 40 or any(len(v) > 60 for v in values):
                raise forms.ValidationError(
                    gettext("Line %(number)s: names and values must be short.") % {"number": number}
                )
            seen.add(name)
            categories.append({"name": name, "values": values})
        if not categories:
            raise forms.ValidationError(gettext("Give at least one category."))
        return categories

    def clean_quotas(self) -> list[dict[str, Any]]:
        quotas: list[dict[str, Any]] = []
        for number, raw in enumerate(str(self.cleaned_data["quotas"]).splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            parts = [part.strip() for part in line.split(",")]
            if len(parts) == 3:
                parts.append("")
            if len(parts) != 4 or not parts[0] or not parts[1]:
                raise forms.ValidationError(
                    gettext(
                        "Line %(number)s: write category, value, minimum, maximum (for example "
                        "“gender, woman, 5, 7”)."
                    )
                    % {"number": number}
                )
            category, value, low, high = parts
            if not low.isdigit() or (high and not high.isdigit()):
                raise forms.ValidationError(
                    gettext(
                        "Line %(number)s: the minimum and maximum must be whole numbers (or the "
                        "maximum empty)."
                    )
                    % {"number": number}
                )
            quotas.append(
                {
                    "category": category,
                    "value": value,
                    "minimum": int(low),
                    "maximum": int(high) if high else None,
                }
            )
        return quotas

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        categories = {c["name"]: c["values"] for c in data.get("categories") or []}
        for quota in data.get("quotas") or []:
            if categories and quota["category"] not in categories:
                self.add_error(
                    "quotas",
                    gettext(
                        "The quota for “%(category)s” names no category above "
                        "(the categories are %(categories)s)."
                    )
                    % {"category": quota["category"], "categories": ", ".join(categories)},
                )
                break
        return data


class VolunteerForm(forms.Form):
    def __init__(self, *args: Any, draw: Draw, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n, category in enumerate(draw.categories):
            self.fields[f"category_{n}"] = forms.ChoiceField(
                label=str(category["name"]).capitalize(),
                choices=[(v, v) for v in category["values"]],
                widget=forms.RadioSelect,
                error_messages={
                    "required": gettext("Choose your %(category)s.")
                    % {"category": category["name"]}
                },
            )
        self.draw = draw

    def stated(self) -> dict[str, str]:
        return {
            str(category["name"]): str(self.cleaned_data[f"category_{n}"])
            for n, category in enumerate(self.draw.categories)
        }


class ReplaceForm(forms.Form):
    standing_down = forms.MultipleChoiceField(
        label=gettext_lazy("Who is standing down"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one member of the body.")},
    )

    def __init__(self, *args: Any, seats: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["standing_down"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = seats
