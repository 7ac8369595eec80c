"""The ballots', slates' and sortition's messages from Python (errors, form labels) and their
pages go through the translation catalogue (issue 21), in the reader's language.

How it checks: under a language whose catalogue is made to answer every message as
«message», a sample of each app's messages must come back marked; a plain string or an
f-string never passes through the catalogue and comes back bare."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import trans_real

from grassroots.ballots import quotas
from grassroots.slates.forms import SlateForm
from grassroots.sortition import services as sortition_services
from grassroots.sortition.forms import DrawForm


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", lambda self, m: f"«{m}»")
    monkeypatch.setattr(
        trans_real.DjangoTranslation,
        "ngettext",
        lambda self, singular, plural, n: f"«{singular if n == 1 else plural}»",
    )
    with translation.override("cy"):
        yield


def test_a_plain_string_is_not_marked(marked):
    assert translation.gettext("Ballots") == "«Ballots»"
    assert str(ValueError("Ballots")) == "Ballots"


def test_the_ballots_errors_and_pages_are_marked(marked):
    with pytest.raises(quotas.QuotaError) as refused:
        quotas.parse_rules("women")
    assert str(refused.value).startswith("«"), refused.value
    page = get_template("ballots/count_progress.html").render(
        {"progress": {"stage": "failed", "error": "boom"}, "heading": 2, "is_runner": True}
    )
    assert "«The count stopped: boom»" in page
    assert "«The count»" in page


def test_the_slates_forms_are_marked(marked):
    form = SlateForm()
    assert str(form.fields["body"].label) == "«What it is for»"
    assert str(form.fields["closes_on"].label) == "«Closing date»"


def test_the_sortition_errors_and_forms_are_marked(marked):
    with pytest.raises(sortition_services.DrawError) as refused:
        sortition_services.check_design(
            seats=1, categories=[{"name": "gender", "values": []}], quotas=[]
        )
    assert str(refused.value) == "«The category “gender” needs at least one value.»"
    form = DrawForm({"categories": "gender"}, scope_choices=[])
    assert not form.is_valid()
    assert form.errors["categories"] == [
        "«Line 1: write the category's name, a colon, then its values separated by commas.»"
    ]
