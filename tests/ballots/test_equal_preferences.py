"""Equal preferences on the ballot paper (issue 15): the returning officer allows them for a
Meek question; a voter gives two candidates the same number on the paper form, without
JavaScript; the count and the published record's recount (the verifier, no Django) agree."""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from grassroots.ballots.forms import QuestionForm, field_name
from grassroots.ballots.models import Ballot, Question, QuestionKind
from grassroots.ballots.papers import PaperError, ranking_from_numbers, ranks_from_numbers
from grassroots.ballots.result_display import show_paper
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.setup import add_candidate, add_question
from grassroots.ledger.verify import verify_directory
from grassroots.people.models import Member
from grassroots.tally import count
from grassroots.tally.blt import read_blt
from grassroots.tally.types import Ballot as TallyBallot
from grassroots.tally.types import Election, EqualBallot
from tests.ballots.conftest import (
    Clock,
    SetUp,
    candidate_ids,
    close_count_publish,
    make_ballot,
    open_with_voters,
)

MEEK_CANDIDATES = ["Ana Lima", "Bo Hart", "Cy Moss", "Di Vance"]


# Reading the numbers


def _entries(numbers: list[str]) -> list[tuple[int, str, str]]:
    return [(10 + i, f"Candidate {i}", text) for i, text in enumerate(numbers)]


def test_the_same_number_beside_two_candidates_makes_them_equal():
    assert ranks_from_numbers(_entries(["2", "1", "2", "3"])) == [[11], [10, 12], [13]]
    assert ranks_from_numbers(_entries(["1", "1", "", ""])) == [[10, 11]]
    assert ranks_from_numbers(_entries(["", "", "", ""])) == []


def test_equal_numbers_still_need_no_gap_and_the_message_says_how_to_go_on():
    with pytest.raises(PaperError) as error:
        ranks_from_numbers(_entries(["1", "2", "2", "4"]))
    assert "you used 4 but not 3" in error.value.message
    assert "(1, 2, 2, 3)" in error.value.message
    assert error.value.candidate == 13


def test_a_question_without_equal_preferences_still_refuses_a_repeated_number():
    with pytest.raises(PaperError) as error:
        ranking_from_numbers(_entries(["1", "2", "2", ""]))
    assert "You gave the number 2 to both Candidate 1 and Candidate 2" in error.value.message


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=8))
def test_any_numbering_without_gaps_reads_back_as_its_groups(levels: list[int]):
    # Each candidate's level (0: left empty); renumber the used levels 1, 2, 3... densely.
    used = sorted({level for level in levels if level})
    numbers = [str(used.index(level) + 1) if level else "" for level in levels]
    ranks = ranks_from_numbers(_entries(numbers))
    assert ranks == [
        [10 + i for i, level in enumerate(levels) if level == wanted] for wanted in used
    ]
    if all(len(rank) == 1 for rank in ranks):
        assert ranking_from_numbers(_entries(numbers)) == [rank[0] for rank in ranks]


# Allowing them: Meek only, server mode only


@pytest.mark.parametrize(
    ("kind", "rule", "named"),
    [
        ("stv", "scottish", "The Scottish STV (SSI 2007/42) rule"),
        ("stv", "ers97", "The ERS97 rule"),
        ("irv", "", "not by “Rank the candidates, one seat (alternative vote)”"),
        ("approval", "", "not by “Choose any number (approval)”"),
    ],
)
def test_the_question_form_refuses_equal_preferences_naming_the_rule(kind, rule, named):
    form = QuestionForm(
        {
            "title": "Committee",
            "kind": kind,
            "stv_rule": rule,
            "seats": 2,
            "equal_preferences": "on",
        }
    )
    assert not form.is_valid()
    message = form.errors["equal_preferences"][0]
    assert named in message and "only Meek" in message.replace("only by Meek", "only Meek")


def test_the_question_form_takes_equal_preferences_for_meek():
    form = QuestionForm(
        {
            "title": "Committee",
            "kind": "stv",
            "stv_rule": "meek",
            "seats": 2,
            "equal_preferences": "on",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["equal_preferences"] is True


def _add(ballot: Ballot, officer: Member, *, rule: str, equal: bool = True) -> Question:
    return add_question(
        actor=officer.user,
        ballot=ballot,
        title="Organising committee",
        kind=QuestionKind.STV,
        stv_rule=rule,
        seats=2,
        equal_preferences=equal,
    )


@pytest.mark.django_db
def test_the_service_and_the_database_refuse_equal_preferences_outside_meek():
    def refused(ballot: Ballot, officer: Member) -> None:
        with pytest.raises(BallotError, match="The ERS97 rule does not define how to count"):
            _add(ballot, officer, rule="ers97")

    setup = make_ballot(while_draft=refused)
    assert list(setup.ballot.questions.values_list("stv_rule", flat=True)) == ["scottish", ""]
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=setup.stv.pk).update(allows_equal_preferences=True)


@pytest.mark.django_db
def test_an_end_to_end_ballot_cannot_take_equal_preferences():
    def refused(ballot: Ballot, officer: Member) -> None:
        with pytest.raises(BallotError, match="end-to-end verifiable ballot cannot take equal"):
            _add(ballot, officer, rule="meek")

    make_ballot(end_to_end=True, while_draft=refused)


# Voting and counting


def _with_meek_question(ballot: Ballot, officer: Member) -> None:
    question = _add(ballot, officer, rule="meek")
    for name in MEEK_CANDIDATES:
        add_candidate(actor=officer.user, question=question, name=name)


def _vote_on_the_page(client: Client, setup: SetUp, numbers: dict[Question, list[str]]):
    page = client.get(reverse("ballot_vote", args=[setup.ballot.pk])).content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert key is not None
    data = {"idempotency_key": key.group(1), "step": "cast"}
    for question, marks in numbers.items():
        for candidate, text in zip(candidate_ids(question), marks, strict=True):
            data[field_name(question, candidate)] = text
    return client.post(reverse("ballot_vote", args=[setup.ballot.pk]), data)


@pytest.mark.django_db
def test_equal_preferences_cast_on_the_paper_form_are_counted_and_the_record_agrees(
    client: Client, frozen_clock: Clock, tmp_path: Path
):
    setup = make_ballot(while_draft=_with_meek_question)
    meek = setup.ballot.questions.get(stv_rule="meek")
    voters = open_with_voters(setup, 5)
    page_voter, *others = voters

    client.force_login(page_voter.user)
    page = client.get(reverse("ballot_vote", args=[setup.ballot.pk])).content.decode()
    assert "You may give two or more candidates the same number" in page
    # The Scottish question on the same paper still refuses a repeated number...
    refused = _vote_on_the_page(client, setup, {setup.stv: ["1", "2", "2", ""]})
    assert refused.status_code == 400
    assert "Give each candidate a different number" in refused.content.decode()
    # ...and the Meek question takes one: Ana first, then Bo and Cy equally, then Di.
    cast = _vote_on_the_page(
        client, setup, {setup.stv: ["1", "2", "", ""], meek: ["1", "2", "2", "3"]}
    )
    assert "Your vote is recorded" in cast.content.decode()

    ids = candidate_ids(meek)
    answers = [
        [[ids[1], ids[2]], ids[3]],
        [ids[1]],
        [[ids[0], ids[1], ids[3]]],
        [ids[2], ids[3]],
    ]
    for voter, answer in zip(others, answers, strict=True):
        cast_ballot(
            actor=voter.user,
            ballot=setup.ballot,
            answers={meek.pk: answer, setup.stv.pk: candidate_ids(setup.stv)[:1]},
            idempotency_key=secrets.token_urlsafe(24),
        )
    ballot = close_count_publish(setup, frozen_clock)
    meek.refresh_from_db()

    expected = count(
        Election(
            candidates=tuple(MEEK_CANDIDATES),
            seats=2,
            ballots=(TallyBallot(ranking=(1,)), TallyBallot(ranking=(2, 3))),
            equal_ballots=(
                EqualBallot(ranks=((0,), (1, 2), (3,))),
                EqualBallot(ranks=((1, 2), (3,))),
                EqualBallot(ranks=((0, 1, 3),)),
            ),
        ),
        rule="meek",
        seed=meek.seed,
    )
    assert meek.result is not None
    assert meek.result["elected"] == list(expected.elected)
    assert meek.result["stages"][0]["totals"] == [format(t, "f") for t in expected.stages[0].totals]

    # The published record recounts to the same result, with the verifier alone.
    record = client.get(reverse("ballot_record", args=[ballot.pk]))
    zipfile.ZipFile(io.BytesIO(b"".join(record.streaming_content))).extractall(tmp_path)
    checks = verify_directory(tmp_path / ballot.election_id)
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]
    # The BLT for other programs carries the equal preferences as droop writes them.
    blt = b"".join(
        client.get(reverse("ballot_blt", args=[ballot.pk, meek.pk])).streaming_content
    ).decode()
    assert "1 1 2=3 4 0" in blt
    assert len(read_blt(blt).equal_ballots) == 3
    # The receipt check shows an opened paper's equal preferences as such.
    opened = f'{{"question":"{meek.ledger_id}","ranking":[0,[1,2],3]}}'
    shown = show_paper(opened, [meek])
    assert shown is not None
    assert shown.choices == ("Ana Lima", "Bo Hart = Cy Moss", "Di Vance")


@pytest.mark.django_db
def test_equal_marks_for_a_question_that_does_not_allow_them_are_refused():
    setup = make_ballot()
    (voter,) = open_with_voters(setup, 1)
    ids = candidate_ids(setup.stv)
    with pytest.raises(BallotError, match="this question takes no equal preferences"):
        cast_ballot(
            actor=voter.user,
            ballot=setup.ballot,
            answers={setup.stv.pk: [[ids[0], ids[1]]]},
            idempotency_key=secrets.token_urlsafe(24),
        )
    assert not setup.ballot.box.exists()
