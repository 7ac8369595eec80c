"""The vote endpoint takes equal preferences where the question allows them and refuses
them, saying why, where it does not (issue 15)."""

from __future__ import annotations

import secrets

import pytest

from grassroots.ballots.models import Ballot, QuestionKind, RollEntry
from grassroots.ballots.services.setup import add_candidate, add_question
from grassroots.people.models import Member
from tests.api.conftest import api_as, assert_error
from tests.ballots.conftest import (
    Clock,
    candidate_ids,
    close_count_publish,
    make_ballot,
    open_with_voters,
)

pytestmark = pytest.mark.django_db


def _with_meek_question(ballot: Ballot, officer: Member) -> None:
    question = add_question(
        actor=officer.user,
        ballot=ballot,
        title="Organising committee",
        kind=QuestionKind.STV,
        stv_rule="meek",
        seats=2,
        equal_preferences=True,
    )
    for name in ("Ana Lima", "Bo Hart", "Cy Moss", "Di Vance"):
        add_candidate(actor=officer.user, question=question, name=name)


def _vote(voter: Member, ballot: Ballot, answers: list[dict[str, object]]):
    return api_as(voter).post(
        f"/ballots/{ballot.pk}/votes",
        {"idempotency_key": secrets.token_urlsafe(24), "answers": answers},
    )


def test_equal_preferences_are_cast_through_the_api_where_the_question_allows_them(
    clock_: Clock,
):
    setup = make_ballot(while_draft=_with_meek_question)
    meek = setup.ballot.questions.get(stv_rule="meek")
    first, second = open_with_voters(setup, 2)
    paper = api_as(first).get(f"/ballots/{setup.ballot.pk}/paper").json()
    allows = {q["id"]: q["allows_equal_preferences"] for q in paper["questions"]}
    assert allows == {setup.stv.pk: False, setup.motion.pk: False, meek.pk: True}

    ana, bo, cy, _ = candidate_ids(meek)
    cast = _vote(first, setup.ballot, [{"question_id": meek.pk, "candidate_ids": [[ana, bo]]}])
    assert cast.status_code == 201, cast.content
    cast = _vote(second, setup.ballot, [{"question_id": meek.pk, "candidate_ids": [cy]}])
    assert cast.status_code == 201, cast.content

    close_count_publish(setup, clock_)
    meek.refresh_from_db()
    assert meek.result is not None
    # Ana and Bo share the first voter's paper equally (Meek, docs/tally.md).
    assert meek.result["stages"][0]["totals"] == [
        "0.500000000",
        "0.500000000",
        "1.000000000",
        "0.000000000",
    ]


def test_equal_preferences_where_the_question_does_not_allow_them_are_refused():
    setup = make_ballot()
    (voter,) = open_with_voters(setup, 1)
    a, b, c, _ = candidate_ids(setup.stv)
    response = _vote(
        voter, setup.ballot, [{"question_id": setup.stv.pk, "candidate_ids": [a, [b, c]]}]
    )
    body = assert_error(response, 400, "invalid_ballot")
    assert "this question takes no equal preferences" in body["message"]
    assert setup.stv.title in body["message"]
    assert not RollEntry.objects.get(ballot=setup.ballot, member=voter).has_voted
    assert not setup.ballot.box.exists()


def test_an_empty_group_of_equal_preferences_is_refused_by_the_schema():
    setup = make_ballot(while_draft=_with_meek_question)
    meek = setup.ballot.questions.get(stv_rule="meek")
    (voter,) = open_with_voters(setup, 1)
    response = _vote(voter, setup.ballot, [{"question_id": meek.pk, "candidate_ids": [[]]}])
    body = assert_error(response, 422, "invalid")
    assert body["errors"][0]["location"].startswith("body")
    assert not RollEntry.objects.get(ballot=setup.ballot, member=voter).has_voted
