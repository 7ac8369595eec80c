"""Access rows for ballot URLs added after the first table (the rest are in
tests/web/test_access_matrix.py)."""

from __future__ import annotations

import datetime

from tests.web.access import LOGIN, Case
from tests.web.roles import Movement

AREA_BALLOT_TITLE = "North-East area committee"


def nomination_in_area_ballot(m: Movement) -> dict[str, str]:
    """An area ballot (group A's area) taking nominations, run by national office, in which the
    plain member of group A has nominated themselves. Made once per database."""
    from grassroots import clock
    from grassroots.ballots.models import Ballot, Nomination
    from grassroots.ballots.services.nominations import nominate, open_nominations
    from grassroots.ballots.services.setup import add_question, create_ballot

    area = m.group_a.area
    ballot = Ballot.objects.filter(title=AREA_BALLOT_TITLE).first()
    if ballot is None:
        now = clock.now()
        ballot = create_ballot(
            actor=m.national.user,
            title=AREA_BALLOT_TITLE,
            description="",
            level="area",
            scope=area,
            opens_at=now + datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=10),
        )
        question = add_question(
            actor=m.national.user,
            ballot=ballot,
            title="Area committee",
            kind="stv",
            stv_rule="scottish",
            seats=2,
        )
        open_nominations(
            actor=m.national.user, ballot=ballot, close_at=now + datetime.timedelta(days=1)
        )
        nominate(actor=m.member.user, question=question, nominee=m.member)
    nomination = Nomination.objects.get(question__ballot=ballot, member=m.member)
    return {"ballot_id": str(ballot.pk), "nomination_id": str(nomination.pk)}


def open_ballot_in_group_a(m: Movement) -> dict[str, str]:
    """The access table's open group-A ballot (tests/web/test_access_matrix.py)."""
    from tests.ballots.conftest import open_group_ballot

    ballot = open_group_ballot(group=m.group_a, officer=m.national, teller=m.member)
    return {"ballot_id": str(ballot.pk)}


# fmt: off
CASES = [
    Case("ballot_receipt_email", (405,) * 9, open_ballot_in_group_a, about="POST only"),
    Case("ballot_reminders", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         open_ballot_in_group_a, about="those who run the ballot"),
    Case("ballot_nomination_reject", (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404),
         nomination_in_area_ballot,
         about="those who run the area ballot; group A's secretary runs only group ballots"),
]
# fmt: on
CASES += [
    Case("ballot_cast", (405,) * 9, open_ballot_in_group_a, about="POST only (JSON cast)"),
]
CASES += [
    # Real photos, before and after the opening: tests/ballots/test_paper_photos.py.
    Case(
        "ballot_candidate_photo",
        (404,) * 9,
        lambda m: {**open_ballot_in_group_a(m), "candidate_id": "999999"},
        about="no such candidate; no login needed (personal links open the paper)",
    ),
]
CASES += [
    Case(
        "ballot_nomination_group_support",
        (LOGIN, 404, 404, 404, 200, 404, 404, 404, 404),
        nomination_in_area_ballot,
        about="a group's Chair or Secretary (NOMINATE_BY_RESOLUTION), for a group in scope",
    ),
    Case(
        "ballot_nomination_group_support_withdraw",
        (LOGIN, *(405,) * 8),
        lambda m: {**nomination_in_area_ballot(m), "support_id": "1"},
        about="POST only",
    ),
]


def stv_question_in_area_ballot(m: Movement) -> dict[str, str]:
    """The area ballot's STV question (taking nominations): its quota rules page."""
    from grassroots.ballots.models import Question

    ids = nomination_in_area_ballot(m)
    question = Question.objects.get(ballot_id=ids["ballot_id"], kind="stv")
    return {"ballot_id": ids["ballot_id"], "question_id": str(question.pk)}


def irv_question_in_area_ballot(m: Movement) -> dict[str, str]:
    """An alternative-vote question added to the area ballot: its electoral colleges page."""
    from grassroots.ballots.models import Ballot, Question
    from grassroots.ballots.services.setup import add_question

    ids = nomination_in_area_ballot(m)
    question = Question.objects.filter(ballot_id=ids["ballot_id"], kind="irv").first()
    if question is None:
        question = add_question(
            actor=m.national.user,
            ballot=Ballot.objects.get(pk=ids["ballot_id"]),
            title="Area chair",
            kind="irv",
        )
    return {"ballot_id": ids["ballot_id"], "question_id": str(question.pk)}


CASES += [
    Case(
        "ballot_question_quotas",
        (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404),
        stv_question_in_area_ballot,
        about="those who run the area ballot change an STV question's quota rules",
    ),
    Case(
        "ballot_question_colleges",
        (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404),
        irv_question_in_area_ballot,
        about="those who run the area ballot set a one-seat question's electoral colleges",
    ),
]
CASES += [
    Case(
        "ballot_resume",
        (LOGIN, *(405,) * 8),
        open_ballot_in_group_a,
        about="POST only (start a stopped background step again)",
    ),
]
CASES += [
    Case(
        "ballot_organisation_rule",
        (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
        open_ballot_in_group_a,
        about="those who run the ballot read (and, before it opens, set) its rule on "
        "membership of another organisation",
    ),
]
