"""``{% record_view_rows views %}``: the rows of "Who viewed your record", drawn in Python.

A member with a long history can have tens of thousands of views; through the template engine
each row cost about 2 ms, so 20,000 of them took 44 s of the one minute the subject-access copy
is allowed under load (docs/benchmarks/groups.md). The cells are the template's, escaped alike.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def record_view_rows(views: Iterable[dict[str, Any]]) -> SafeString:
    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                dateformat.format(timezone.localtime(view["at"]), "j M Y, H:i"),
                view["viewer"],
                "; ".join(view["roles"]) or gettext("No officer role"),
                view["what"],
                view["purpose"] or gettext("None given"),
            )
            for view in views
        ),
    )


@register.filter
def labelled(row: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, Any]]:
    """A row of "Other records that name you" as (label, value) pairs a person reads: the
    field's verbose name for its name, Yes/No for a flag, a date as a date."""
    cells = []
    for name, value in row.items():
        if isinstance(value, bool):
            shown: Any = gettext("Yes") if value else gettext("No")
        elif isinstance(value, datetime.datetime):
            shown = dateformat.format(timezone.localtime(value), "j F Y, H:i")
        elif isinstance(value, datetime.date):
            shown = dateformat.format(value, "j F Y")
        else:
            shown = value
        cells.append((labels.get(name, name.replace("_", " ").capitalize()), shown))
    return cells
