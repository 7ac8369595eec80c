"""What the member list draws in each of its 50 rows, made once rather than once a row:
``{{ number|member_url }}``: a member's record page, the URL ``member_detail`` gives.
``{% url %}`` resolved the pattern again for each row; here the pattern is reversed once per
process (for each script prefix and URL configuration) around a marker, and each row's number
is quoted into it as ``reverse`` quotes it.

tests/people/test_member_rows.py holds it equal to Django's own answer. (Each row's status
name comes from the builtin ``choice_name`` filter, grassroots/scope_words.py.)
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
