"""A question whose every paper is blank is declared void and the rest of the ballot is
counted (issue 15): the results page, the report, the API's results and the record all say
that it had no valid papers and nobody was elected, and the verifier agrees."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.models import Ballot, BallotStatus, QuestionKind
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ledger.recount import NO_VALID_PAPERS
from grassroots.ledger.verify import verify_directory
from grassroots.people.models import Member
from tests.api.conftest import Api
from tests.ballots.conftest import (
    Clock,
    SetUp,
    candidate_ids,
    close_count_publish,
    make_ballot,
    open_with_voters,
)

pytestmark = pytest.mark.django_db

VOID_HEADLINE = "No valid papers: this question is void and nobody was elected."


def _verified(client: Client, ballot: Ballot, tmp_path: Path) -> None:
    record = client.get(reverse("ballot_record", args=[ballot.pk]))
    zipfile.ZipFile(io.BytesIO(b"".join(record.streaming_content))).extractall(tmp_path)
    checks = verify_directory(tmp_path / ballot.election_id)
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]


def _cast(setup: SetUp, voters: list[Member], *, say_yes: bool) -> None:
    yes = candidate_ids(setup.motion)[0] if say_yes else None
    for voter in voters:
        answers: dict[int, list[int]] = {setup.stv.pk: []}
        if yes is not None:
            answers[setup.motion.pk] = [yes]
        cast_ballot(
            actor=voter.user,
            ballot=setup.ballot,
            answers=answers,
            idempotency_key=secrets.token_urlsafe(24),
        )


def test_a_question_with_only_blank_papers_is_void_and_the_others_are_counted(
    client: Client, frozen_clock: Clock, tmp_path: Path
):
    setup = make_ballot()
    _cast(setup, open_with_voters(setup, 4), say_yes=True)
    ballot = close_count_publish(setup, frozen_clock)
    assert ballot.status == BallotStatus.PUBLISHED
    setup.stv.refresh_from_db()
    setup.motion.refresh_from_db()
    assert setup.motion.result is not None and setup.motion.result["elected"] == [0]
    void = setup.stv.result
    assert void is not None
    assert (void["elected"], void["stages"], void["valid_poll"]) == ([], [], "0")
    assert void["notes"] == [NO_VALID_PAPERS]
    assert NO_VALID_PAPERS in setup.stv.report_html and "<table" not in setup.stv.report_html

    page = client.get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert VOID_HEADLINE in page
    assert NO_VALID_PAPERS in page
    assert "Carried" in page  # the motion's result is published beside it

    body = Api().get(f"/ballots/{ballot.pk}/results").json()
    (shown,) = [q for q in body["questions"] if q["id"] == setup.stv.pk]
    assert shown["result"]["elected"] == [] and shown["result"]["notes"] == [NO_VALID_PAPERS]

    _verified(client, ballot, tmp_path)


def _stv_only(ballot: Ballot, officer: Member) -> None:
    ballot.questions.filter(kind=QuestionKind.YESNO).delete()


def test_a_single_question_ballot_of_blank_papers_publishes_a_plain_statement(
    client: Client, frozen_clock: Clock, tmp_path: Path
):
    setup = make_ballot(while_draft=_stv_only)
    assert list(setup.ballot.questions.all()) == [setup.stv]
    _cast(setup, open_with_voters(setup, 3), say_yes=False)
    ballot = close_count_publish(setup, frozen_clock)
    assert ballot.status == BallotStatus.PUBLISHED and not ballot.count_error
    page = client.get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert VOID_HEADLINE in page
    _verified(client, ballot, tmp_path)
