"""Words every template may use without ``{% load %}`` (settings: TEMPLATES' ``builtins``)."""

from __future__ import annotations

from django import template
from django.db.models import Choices
from django.utils.translation import get_language, gettext

register = template.Library()

# What the models' ``scope_name`` gives for a national body; the audit log keeps it in English.
NATION = "National"


@register.filter
def scope_words(name: object) -> str:
    """A body's name as ``scope_name`` gives it, the nation's in the reader's language."""
    text = str(name)
    return gettext("National") if text == NATION else text


_choice_names: dict[tuple[type[Choices], str | None], dict[object, str]] = {}


def choice_name(value: object, choices: type[Choices]) -> str:
    """A stored choice's name in the reader's language, what ``get_FOO_display`` gives (a value
    that is no choice shown as it is), from a table made once per enum and language.
    ``get_FOO_display`` builds a dictionary of the lazily translated names, hashing and
    translating each, on every call: on the member list's 50 rows that was a sixth of the
    page's CPU (issue 13)."""
    key = (choices, get_language())
    names = _choice_names.get(key)
    if names is None:
        names = {choice_value: str(label) for choice_value, label in choices.choices}
        _choice_names[key] = names
    return names.get(value, str(value))


@register.filter(name="choice_name")
def choice_name_filter(value: object, choices: type[Choices]) -> str:
    """``{{ member.status|choice_name:MembershipStatus }}`` (the enums come from the
    ``status_enums`` context processor)."""
    return choice_name(value, choices)
