"""Every word a member reads on the ballots', slates', sortition's and organisation's pages is
marked for translation (issue 21): a template's visible text outside {% translate %} and
{% blocktranslate %} is English that a Welsh reader would meet untranslated.

How it checks: template comments, translated text, template tags and variables, and the
contents of <script>, <style>, <pre> and <code> (commands and keys, the same in any language)
are taken out; so are HTML tags, except the attributes a reader meets (alt, title, aria-label,
placeholder). Any word left is untranslated. A string argument of `default` is visible text
too. A planted English sentence shows the check fails."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "grassroots"
APPS = (
    "ballots",
    "slates",
    "sortition",
    "organisation",
    "people",
    "oversight",
    "messaging",
    "notifications",
    "accounts",
    "api",
    "assembly",
    "meetings",
    "proposals",
    "delegation",
    "surveys",
)

_REMOVED = (
    re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S),
    re.compile(r"{#.*?#}", re.S),
    re.compile(r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}", re.S),
)
_VISIBLE_ATTRIBUTE = re.compile(r"""\b(?:alt|title|aria-label|placeholder)\s*=\s*"([^"]*)\"""")
# File names shown as link text (head-3.json) are not words.
_FILE_NAME = re.compile(r"[\w.-]*\.(?:json|zip|blt)\b")
# Names of standards and formats, the same in Welsh.
_NAMES = frozenset(["SHA", "JSON", "BLT", "STV", "UTC"])


def untranslated(source: str) -> list[str]:
    """The English words in a template's source that no translate tag covers."""
    for pattern in _REMOVED:
        source = pattern.sub(" ", source)
    defaults = [
        text for text in re.findall(r'default:"([^"]*)"', source) if re.search("[A-Za-z]", text)
    ]
    source = re.sub(r"{%.*?%}", " ", source, flags=re.S)
    source = re.sub(r"{{.*?}}", "", source, flags=re.S)
    source = re.sub(r"<(script|style|pre|code)\b.*?</\1>", " ", source, flags=re.S | re.I)
    attributes = _VISIBLE_ATTRIBUTE.findall(source)
    text = " ".join([re.sub(r"<[^>]*>", " ", source), *attributes])
    text = _FILE_NAME.sub(" ", html.unescape(text))
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z']*", text) if w not in _NAMES]
    return defaults + words


def _templates(app: str) -> list[Path]:
    return sorted((ROOT / app / "templates").rglob("*.html"))


def test_the_check_finds_untranslated_text():
    marked = '{% load i18n %}<h1 title="{% translate "Ballots" %}">{% translate "Ballots" %}</h1>'
    assert untranslated(marked) == []
    assert untranslated(marked + "<p>Check your receipt</p>") == ["Check", "your", "receipt"]
    assert untranslated('<img alt="Photo of {{ name }}">') == ["Photo", "of"]
    assert untranslated('{{ quota|default:"none" }}') == ["none"]
    assert untranslated("<pre><code>python -m grassroots.ledger</code></pre>{# a note #}") == []
    assert untranslated("{% blocktranslate trimmed %}Run <b>this</b>{% endblocktranslate %}") == []


@pytest.mark.parametrize("app", APPS)
def test_every_visible_word_of_the_apps_templates_is_marked_for_translation(app: str):
    found = {
        str(path.relative_to(ROOT)): words
        for path in _templates(app)
        if (words := untranslated(path.read_text(encoding="utf-8")))
    }
    assert _templates(app)
    assert not found, found


PROJECT_TEMPLATES = ROOT.parent / "templates"
# allauth's message tags (a CSS hook, never shown) are the one word a project template may keep.
_EXTRA_TAGS = re.compile(r"{%\s*block extra_tags\s*%}.*?{%\s*endblock extra_tags\s*%}", re.S)


def test_every_visible_word_of_the_project_templates_is_marked_for_translation():
    paths = sorted(PROJECT_TEMPLATES.rglob("*.html"))
    found = {
        str(path.relative_to(PROJECT_TEMPLATES)): words
        for path in paths
        if (words := untranslated(_EXTRA_TAGS.sub(" ", path.read_text(encoding="utf-8"))))
    }
    assert paths
    assert not found, found
