"""An outcome is kept as its marked sentence and figures, and shown in the reader's language;
a proposal closed before sentences were kept shows the English words stored with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from django.utils.html import escape

from grassroots.people.models import Language
from grassroots.proposals.models import Proposal, say_outcome
from grassroots.proposals.rules import Option, Stance, majority_outcome
from grassroots.proposals.services.closing import close_proposal_now
from grassroots.proposals.services.positions import take_position
from tests.proposals.conftest import Branch, propose


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    translation.deactivate()


def test_a_closed_proposal_keeps_its_sentence_and_shows_it_in_the_readers_language(
    branch: Branch,
):
    proposal = propose(branch)
    take_position(actor=branch.blocker.user, proposal=proposal, choice="block", reason="No")
    close_proposal_now(actor=branch.proposer.user, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.outcome_sentence["params"]["block"] == 1
    with translation.override("en-gb"):
        english = proposal.outcome_shown
    assert english == proposal.outcome_words
    assert english.startswith("Blocked: at least one member blocked it (blocked: 1,")
    with translation.override("cy"):
        welsh = proposal.outcome_shown
    assert welsh != english
    assert "1" in welsh and "Blocked" not in welsh


def test_the_proposal_page_shows_the_outcome_in_welsh(branch: Branch, client):
    proposal = propose(branch)
    close_proposal_now(actor=branch.proposer.user, proposal=proposal)
    proposal.refresh_from_db()
    branch.proposer.language = Language.WELSH
    branch.proposer.save(update_fields=["language"])
    client.force_login(branch.proposer.user)
    with translation.override("cy"):
        welsh = proposal.outcome_shown
    page = client.get(f"/proposals/{proposal.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert escape(welsh) in text and escape(proposal.outcome_words) not in text


def test_an_old_row_without_its_sentence_shows_its_stored_words(branch: Branch):
    proposal = propose(branch)
    close_proposal_now(actor=branch.proposer.user, proposal=proposal)
    Proposal.objects.filter(pk=proposal.pk).update(
        outcome_sentence={}, outcome_words="Passed by consent: nobody blocked it (2 consented)."
    )
    proposal.refresh_from_db()
    with translation.override("cy"):
        assert proposal.outcome_shown == "Passed by consent: nobody blocked it (2 consented)."


def test_a_sentence_whose_figures_do_not_fit_falls_back_to_the_stored_words():
    broken = {"msgid": "“%(option)s” won", "params": {"votes": 3}}
    assert say_outcome(broken, fallback="stored") == "stored"
    assert say_outcome({}, fallback="stored") == "stored"


def test_an_option_label_is_quoted_as_given_in_every_language():
    options = [Option(key=1, label="Market 100%"), Option(key=2, label="Park")]
    found = majority_outcome([Stance("1"), Stance("1"), Stance("2")], options, 5)
    assert found.words.startswith("“Market 100%” won a majority (votes for it: 2 of 3;")
    with translation.override("cy"):
        welsh = say_outcome(found.sentence.as_json())
    assert "“Market 100%”" in welsh and welsh != found.words
