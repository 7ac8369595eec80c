"""System mail in each member's language (docs/i18n.md): the site writes the text once per
language it speaks, and each member gets the one in their own (``Mailout.text_for``), so a
roll of 500,000 is still one mailout sent in batches."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

Translations = dict[str, dict[str, str]]


def in_every_language(write: Callable[[], tuple[str, str]]) -> tuple[str, str, Translations]:
    """The subject and body ``write`` gives in the movement's default language, and, for each
    other language the site speaks, its text there when it differs."""
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = write()
    others: Translations = {}
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        with translation.override(code):
            other_subject, other_body = write()
        if (other_subject, other_body) != (subject, body):
            others[code] = {"subject": other_subject, "body": other_body}
    return subject, body, others
