"""Words every template may use without ``{% load %}`` (settings: TEMPLATES' ``builtins``)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()

# What the models' ``scope_name`` gives for a national body; the audit log keeps it in English.
NATION = "National"


@register.filter
def scope_words(name: object) -> str:
    """A body's name as ``scope_name`` gives it, the nation's in the reader's language."""
    text = str(name)
    return gettext("National") if text == NATION else text
