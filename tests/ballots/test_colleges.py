"""Electoral colleges on a ballot (issue 16): the returning officer names the colleges and
their weights and imports their lists; each voter's paper carries their college, the count
weighs each college exactly, and the record's college figures are checked by the verifier."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import replace
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, BallotBoxEntry, CollegeMember, Question
from grassroots.ballots.publication import election_private_key, election_record
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.colleges import (
    import_college_members,
    parse_colleges,
    set_colleges,
)
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.ledger.record import CollegeTurnout, sign_record, write_record
from grassroots.ledger.verify import verify_directory, verify_record
from grassroots.organisation.models import Role
from grassroots.organisation.permissions import NATION
from grassroots.people.models import Member
from tests.ballots.conftest import Clock, candidate_ids
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db

COLLEGES = [("Elected members", "1/3"), ("Public office holders", "2/3")]


def _college_ballot(*, opens_in: datetime.timedelta = datetime.timedelta(minutes=-5)):
    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="National chair",
        description="",
        level="nation",
        scope=NATION,
        opens_at=now + opens_in,
        closes_at=now + opens_in + datetime.timedelta(hours=1),
        tellers_count=3,
        threshold=2,
    )
    question = add_question(actor=officer.user, ballot=ballot, title="National chair", kind="irv")
    for name in ("Gita Rao", "Harry Lane"):
        add_candidate(actor=officer.user, question=question, name=name)
    return group, officer, ballot, question


def test_two_office_holders_outweigh_six_members_and_the_record_verifies(
    frozen_clock: Clock, tmp_path: Path
):
    group, officer, ballot, question = _college_ballot()
    members = [MemberWithLoginFactory(home_group=group) for _ in range(6)]
    holders = [MemberWithLoginFactory(home_group=group) for _ in range(2)]
    set_colleges(actor=officer.user, question=question, colleges=COLLEGES, everyone_else=0)
    assert (
        import_college_members(
            actor=officer.user,
            question=question,
            college=1,
            text="\n".join(m.membership_number for m in holders),
        )
        == 2
    )
    tellers = [MemberWithLoginFactory(home_group=group) for _ in range(3)]
    set_up_tellers(actor=officer.user, ballot=ballot, members=tellers)
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    open_ballot(actor=officer.user, ballot=ballot)
    ballot = Ballot.objects.get(pk=ballot.pk)
    client = Client()
    client.force_login(holders[0].user)
    page = client.get(reverse("ballot_vote", args=[ballot.pk])).content.decode()
    assert (
        "you vote in the college Public office holders, whose valid papers share a weight of 2/3"
        in page
    )
    gita, harry = candidate_ids(question)
    for voter, choice in [(m, gita) for m in members] + [(h, harry) for h in holders]:
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers={question.pk: [choice]},
            idempotency_key=secrets.token_urlsafe(24),
        )
    frozen_clock.advance(hours=2)
    close_ballot(actor=officer.user, ballot=ballot)
    for teller, share in list(zip(tellers, shares, strict=True))[:2]:
        reveal_share(actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share)
    count_ballot(actor=officer.user, ballot=ballot)
    publish_results(actor=officer.user, ballot=ballot)
    ballot = Ballot.objects.get(pk=ballot.pk)

    result = Question.objects.get(pk=question.pk).result
    assert [result["candidates"][i] for i in result["elected"]] == ["Harry Lane"]
    # 6 members share 1/3 (1/18 each), 2 office holders share 2/3 (1/3 each): 6 and 12 of 18.
    assert result["stages"][0]["totals"] == ["6", "12"]
    assert "units of 1/18" in result["notes"][0]

    papers = sorted(bytes(p) for p in BallotBoxEntry.objects.values_list("plaintext", flat=True))
    assert papers.count(b'{"college":1,"question":"q1","ranking":[1]}') == 2
    assert papers.count(b'{"college":0,"question":"q1","ranking":[0]}') == 6

    record = election_record(ballot)
    assert [c.weight for c in record.parameters.questions[0].colleges] == ["1/3", "2/3"]
    # Everyone else on the roll: the 6 members, the officer and the 3 tellers.
    assert record.roll.colleges == (
        CollegeTurnout(question="q1", college=0, roll_size=10, voted=6),
        CollegeTurnout(question="q1", college=1, roll_size=2, voted=2),
    )
    write_record(record, tmp_path / "record")
    assert all(check.passed for check in verify_directory(tmp_path / "record"))

    key = election_private_key(ballot)
    fewer = tuple(replace(c, voted=1) if c.college == 1 else c for c in record.roll.colleges)
    forged = sign_record(replace(record, roll=replace(record.roll, colleges=fewer)), key)
    reason = next(c for c in verify_record(forged) if c.number == 9).reason
    assert reason == "college 1 of question q1 has 2 marked papers but 1 of its members voted"

    page = Client().get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert "units of 1/18" in page


def test_a_voter_in_no_college_has_no_paper_for_it_and_the_list_import_names_each_bad_row():
    group, officer, ballot, question = _college_ballot(opens_in=datetime.timedelta(days=1))
    holder, other = (MemberWithLoginFactory(home_group=group) for _ in range(2))
    lapsed = MemberWithLoginFactory(home_group=group, status="lapsed")
    set_colleges(actor=officer.user, question=question, colleges=COLLEGES)
    with pytest.raises(BallotError) as refused:
        import_college_members(
            actor=officer.user,
            question=question,
            college=1,
            text=f"{holder.membership_number}\n\nNOPE1\n{holder.membership_number}\n"
            f"{lapsed.membership_number}",
        )
    assert str(refused.value) == (
        "Nothing was imported: line 3: no member has the number NOPE1; "
        f"line 4: {holder.membership_number} is listed twice; "
        f"line 5: {lapsed.membership_number} may not vote in this ballot."
    )
    assert not CollegeMember.objects.exists()
    import_college_members(
        actor=officer.user, question=question, college=0, text=holder.membership_number
    )
    with pytest.raises(BallotError, match="is already in Elected members"):
        import_college_members(
            actor=officer.user, question=question, college=1, text=holder.membership_number
        )
    assert AuditEntry.objects.filter(action="import_college_members").count() == 1

    from grassroots.ballots.queries import ballot_paper, voter_place

    ballot = Ballot.objects.get(pk=ballot.pk)
    paper = ballot_paper(ballot)
    assert [q.title for q in paper.questions_for(voter_place(ballot, holder.pk))] == [
        "National chair"
    ]
    assert paper.questions_for(voter_place(ballot, other.pk)) == ()


@pytest.mark.parametrize(
    ("colleges", "message"),
    [
        ([("A", "1/3"), ("B", "1/3")], "add up to 2/3, not 1"),
        ([("A", "1/2"), ("A", "1/2")], "each college has a name of its own"),
        ([("A", "half"), ("B", "1/2")], "a fraction such as 1/3"),
    ],
)
def test_colleges_that_cannot_be_weighed_are_refused_and_nothing_is_stored(colleges, message):
    _, officer, _, question = _college_ballot(opens_in=datetime.timedelta(days=1))
    with pytest.raises(BallotError, match=message):
        set_colleges(actor=officer.user, question=question, colleges=colleges)
    assert Question.objects.get(pk=question.pk).colleges == []


def test_only_one_seat_questions_take_colleges_and_the_form_reads_its_lines():
    _, officer, ballot, _ = _college_ballot(opens_in=datetime.timedelta(days=1))
    stv = add_question(
        actor=officer.user, ballot=ballot, title="Committee", kind="stv", stv_rule="scottish"
    )
    with pytest.raises(BallotError, match="elects one seat"):
        set_colleges(actor=officer.user, question=stv, colleges=COLLEGES)
    assert parse_colleges("Elected members:  1/3\n\nPublic office holders: 2/3") == COLLEGES
    with pytest.raises(BallotError, match="Line 1: write a college as its name"):
        parse_colleges("Elected members 1/3")


def test_the_returning_officer_sets_the_colleges_and_imports_a_list_through_the_page():
    from tests.web.roles import give_authenticator_app

    group, officer, ballot, question = _college_ballot(opens_in=datetime.timedelta(days=1))
    holder: Member = MemberWithLoginFactory(home_group=group)
    give_authenticator_app(officer.user)
    client = Client()
    client.force_login(officer.user)
    url = reverse("ballot_question_colleges", args=[ballot.pk, question.pk])
    assert (
        "Electoral colleges of this question"
        in client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    )
    refused = client.post(
        url, {"action": "colleges", "colleges": "A: 1/3\nB: 1/3", "everyone_else": ""}
    )
    assert refused.status_code == 400 and "add up to 2/3, not 1" in refused.content.decode()
    saved = client.post(
        url,
        {
            "action": "colleges",
            "colleges": "Elected members: 1/3\nPublic office holders: 2/3",
            "everyone_else": "Elected members",
        },
    )
    assert saved.status_code == 302
    imported = client.post(
        url, {"action": "members", "college": "0", "membership_numbers": holder.membership_number}
    )
    assert imported.status_code == 302
    page = client.get(url).content.decode()
    assert "everyone else on the roll" in page and "1 listed" in page
    assert CollegeMember.objects.get().college == 1
