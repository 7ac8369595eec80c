"""Quota rules (issue 16): every stored rule in the one form ``grassroots.ballots.quotas``
reads, so that the form's single "category with a minimum" questions keep their rule.

The rules were already a JSON list of ``{"category", "minimum", "maximum"}``; older rows could
hold a category in capitals or with stray spaces, a minimum as text, or no ``maximum`` key. A
rule with no category said nothing and is dropped. The reverse leaves the rules as they are
(they stay readable by the old code)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _normalised(item: Any) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        return None
    category = " ".join(str(item.get("category") or "").lower().split())
    if not category:
        return None
    minimum = int(item.get("minimum") or 0)
    maximum = item.get("maximum")
    return {
        "category": category,
        "minimum": minimum,
        "maximum": None if maximum in (None, "") else int(maximum),
    }


def normalise_rules(apps: Any, schema_editor: Any) -> None:
    Question = apps.get_model("ballots", "Question")
    for question in Question.objects.exclude(constraints=[]).only("pk", "constraints"):
        raw = question.constraints if isinstance(question.constraints, list) else []
        rules = [rule for rule in (_normalised(item) for item in raw) if rule is not None]
        if rules != question.constraints:
            question.constraints = rules
            question.save(update_fields=["constraints"])


class Migration(migrations.Migration):
    dependencies = [("ballots", "0012_end_to_end_mode")]

    operations = [migrations.RunPython(normalise_rules, migrations.RunPython.noop)]
