"""``{{ number|member_url }}``: a member's record page, the URL ``member_detail`` gives.

The member list draws 50 of these a page; ``{% url %}`` resolved the pattern again for each row.
Here the pattern is reversed once per process (for each script prefix and URL configuration)
around a marker, and each row's number is quoted into it as ``reverse`` quotes it
(tests/people/test_member_links.py holds the two equal).
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

register = template.Library()

_MARKER = "0"
# reverse() quotes an argument with these characters left as they are (django.urls.resolvers).
_SAFE = RFC3986_SUBDELIMS + "/~:@"
_made: dict[tuple[str, str | None], tuple[str, str]] = {}


def member_detail_url(number: str) -> str:
    key = (get_script_prefix(), get_urlconf())
    around = _made.get(key)
    if around is None:
        url = reverse("member_detail", args=[_MARKER])
        at = url.rindex(f"/{_MARKER}/") + 1
        around = (url[:at], url[at + len(_MARKER) :])
        _made[key] = around
    return f"{around[0]}{quote(str(number), safe=_SAFE)}{around[1]}"


@register.filter
def member_url(number: str) -> str:
    return member_detail_url(number)
