"""What the member list draws in each of its 50 rows, made once rather than once a row.

- ``{{ number|member_url }}``: a member's record page, the URL ``member_detail`` gives.
  ``{% url %}`` resolved the pattern again for each row; here the pattern is reversed once per
  process (for each script prefix and URL configuration) around a marker, and each row's
  number is quoted into it as ``reverse`` quotes it.
- ``{{ status|membership_status }}``: the status's name in the page's language, what
  ``get_status_display`` gives. That built a dictionary of the five lazily translated choices
  for every row, hashing and translating each: a sixth of the list's CPU (issue 13).

tests/people/test_member_rows.py holds each equal to Django's own answer.
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language

from grassroots.people.models import MembershipStatus

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


_status_names: dict[str | None, dict[str, str]] = {}


def membership_status_name(status: str) -> str:
    """The status's name in the active language; a value that is no status is shown as it is
    (as ``get_FOO_display`` does)."""
    language = get_language()
    names = _status_names.get(language)
    if names is None:
        names = {value: str(label) for value, label in MembershipStatus.choices}
        _status_names[language] = names
    return names.get(status, status)


@register.filter
def membership_status(status: str) -> str:
    return membership_status_name(status)
