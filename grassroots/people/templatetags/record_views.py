"""``{% record_view_rows views %}``: the rows of "Who viewed your record", drawn in Python.

A member with a long history can have tens of thousands of views; through the template engine
each row cost about 2 ms, so 20,000 of them took 44 s of the one minute the subject-access copy
is allowed under load (docs/benchmarks/groups.md). The cells are the template's, escaped alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

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
                "; ".join(view["roles"]) or "No officer role",
                view["what"],
                view["purpose"] or "None given",
            )
            for view in views
        ),
    )
