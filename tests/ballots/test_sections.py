"""Sections of a selection ballot (issue 16, docs/slates.md): one ballot, a question per
region with its own roll, seats, quota rules, nomination threshold and count, published with
its own report and checked by the verifier against the section's own roll figures."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.ballots.models import Ballot, Question, RollEntry
from grassroots.ballots.publication import election_private_key, election_record
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.errors import BallotError, NotEligible
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.nominations import (
    nominate,
    open_nominations,
    support_nomination,
)
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.ledger.record import SectionTurnout, sign_record, write_record
from grassroots.ledger.verify import verify_directory, verify_record
from grassroots.organisation.models import Group, Region, Role
from grassroots.organisation.permissions import NATION
from grassroots.people.models import Member
from tests.ballots.conftest import Clock, candidate_ids
from tests.factories import AreaFactory, GroupFactory, MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db


@dataclass
class Selection:
    ballot: Ballot
    officer: Member
    tellers: list[Member]
    midlands: Region
    south_west: Region
    midlands_group: Group
    south_west_group: Group
    midlands_q: Question
    south_west_q: Question
    chair_q: Question


def _selection(*, candidates: bool = True, opens_in: datetime.timedelta | None = None) -> Selection:
    midlands_group = GroupFactory(area=AreaFactory(region__name="Midlands"))
    south_west_group = GroupFactory(area=AreaFactory(region__name="South West"))
    midlands = midlands_group.area.region
    south_west = south_west_group.area.region
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=midlands_group).member
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="National committee slate 2026",
        description="",
        level="nation",
        scope=NATION,
        opens_at=now + (opens_in or datetime.timedelta(minutes=-5)),
        closes_at=now + (opens_in or datetime.timedelta(0)) + datetime.timedelta(hours=1),
        joined_before=datetime.date(2025, 1, 1),
        tellers_count=3,
        threshold=2,
    )
    midlands_q = add_question(
        actor=officer.user,
        ballot=ballot,
        title="Midlands",
        kind="stv",
        stv_rule="scottish",
        seats=2,
        constraints=[{"category": "bame", "minimum": 1, "maximum": None}],
        section=midlands,
        supporters_needed=1,
    )
    south_west_q = add_question(
        actor=officer.user,
        ballot=ballot,
        title="South West",
        kind="stv",
        stv_rule="scottish",
        seats=1,
        constraints=[{"category": "women or bame", "minimum": 1, "maximum": None}],
        section=south_west,
    )
    chair_q = add_question(
        actor=officer.user, ballot=ballot, title="Chair", kind="stv", stv_rule="scottish", seats=1
    )
    if candidates:
        for name, categories in [
            ("Amara Okafor", ["bame", "women"]),
            ("Brian Hughes", []),
            ("Chen Wei", ["bame"]),
            ("Dafydd Jones", []),
        ]:
            add_candidate(actor=officer.user, question=midlands_q, name=name, categories=categories)
        for name, categories in [("Eve Tremayne", ["women"]), ("Frank Penrose", [])]:
            add_candidate(
                actor=officer.user, question=south_west_q, name=name, categories=categories
            )
        for name in ("Gita Rao", "Harry Lane"):
            add_candidate(actor=officer.user, question=chair_q, name=name)
    tellers = [MemberWithLoginFactory(home_group=midlands_group) for _ in range(3)]
    return Selection(
        ballot=ballot,
        officer=officer,
        tellers=tellers,
        midlands=midlands,
        south_west=south_west,
        midlands_group=midlands_group,
        south_west_group=south_west_group,
        midlands_q=midlands_q,
        south_west_q=south_west_q,
        chair_q=chair_q,
    )


def _open(selection: Selection) -> list[str]:
    ballot = selection.ballot
    set_up_tellers(actor=selection.officer.user, ballot=ballot, members=selection.tellers)
    shares = [
        collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in selection.tellers
    ]
    open_ballot(actor=selection.officer.user, ballot=ballot)
    selection.ballot = Ballot.objects.get(pk=ballot.pk)
    return shares


def _cast(selection: Selection, voter: Member, answers: dict[Question, list[int]]) -> None:
    cast_ballot(
        actor=voter.user,
        ballot=selection.ballot,
        answers={q.pk: [candidate_ids(q)[i] for i in order] for q, order in answers.items()},
        idempotency_key=secrets.token_urlsafe(24),
    )


def _publish(selection: Selection, shares: list[str], frozen_clock: Clock) -> Ballot:
    frozen_clock.advance(hours=2)
    close_ballot(actor=selection.officer.user, ballot=selection.ballot)
    for teller, share in list(zip(selection.tellers, shares, strict=True))[:2]:
        reveal_share(
            actor=teller.user,
            teller=selection.ballot.tellers.get(member=teller),
            share_text=share,
        )
    count_ballot(actor=selection.officer.user, ballot=selection.ballot)
    publish_results(actor=selection.officer.user, ballot=selection.ballot)
    return Ballot.objects.get(pk=selection.ballot.pk)


def test_each_section_is_counted_from_its_own_regions_votes_and_the_record_verifies(
    frozen_clock: Clock, tmp_path: Path
):
    selection = _selection()
    midlanders = [MemberWithLoginFactory(home_group=selection.midlands_group) for _ in range(5)]
    south_westers = [
        MemberWithLoginFactory(home_group=selection.south_west_group) for _ in range(3)
    ]
    shares = _open(selection)
    frozen = dict(
        RollEntry.objects.filter(ballot=selection.ballot).values_list("member_id", "region_id")
    )
    assert {frozen[m.pk] for m in midlanders} == {selection.midlands.pk}
    assert {frozen[m.pk] for m in south_westers} == {selection.south_west.pk}

    # The Midlands elect Brian and Dafydd on first preferences, but the quota needs one BAME.
    for voter in midlanders:
        _cast(selection, voter, {selection.midlands_q: [1, 3, 0], selection.chair_q: [0]})
    # Every South West vote is for Frank; the rule "women and/or BAME" makes Eve the one seat.
    for voter in south_westers:
        _cast(selection, voter, {selection.south_west_q: [1, 0], selection.chair_q: [1]})
    ballot = _publish(selection, shares, frozen_clock)

    results = {q.title: q.result for q in ballot.questions.all()}
    assert results["Midlands"]["valid_poll"].startswith("5")
    assert results["South West"]["valid_poll"].startswith("3")
    assert results["Chair"]["valid_poll"].startswith("8")
    names = {
        q.title: [q.result["candidates"][i] for i in q.result["elected"]]
        for q in ballot.questions.all()
    }
    assert "Brian Hughes" in names["Midlands"] and len(names["Midlands"]) == 2
    assert {"Amara Okafor", "Chen Wei"} & set(names["Midlands"])
    assert names["South West"] == ["Eve Tremayne"]
    assert names["Chair"] == ["Gita Rao"]
    assert all(q.report_html for q in ballot.questions.all())

    record = election_record(ballot)
    assert {q.id: q.section for q in record.parameters.questions} == {
        "q1": "Midlands",
        "q2": "South West",
        "q3": "",
    }
    assert record.roll.sections == (
        SectionTurnout(question="q1", roll_size=5 + 4, voted=5),  # the officer and tellers too
        SectionTurnout(question="q2", roll_size=3, voted=3),
    )
    write_record(record, tmp_path / "record")
    assert all(check.passed for check in verify_directory(tmp_path / "record"))

    # The results page shows each section with its own round-by-round report.
    page = Client().get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    for title in ("Midlands", "South West", "Chair"):
        assert f">{title}<" in page


def test_a_section_record_whose_figures_do_not_hold_fails_check_9(frozen_clock: Clock):
    selection = _selection()
    voters = [MemberWithLoginFactory(home_group=selection.south_west_group) for _ in range(2)]
    shares = _open(selection)
    for voter in voters:
        _cast(selection, voter, {selection.south_west_q: [0], selection.chair_q: [0]})
    _cast(selection, selection.tellers[0], {selection.midlands_q: [0, 1], selection.chair_q: [1]})
    ballot = _publish(selection, shares, frozen_clock)
    record = election_record(ballot)
    key = election_private_key(ballot)

    def check_9(roll_sections: tuple[SectionTurnout, ...]) -> str:
        forged = sign_record(
            replace(record, roll=replace(record.roll, sections=roll_sections)), key
        )
        return next(c for c in verify_record(forged) if c.number == 9).reason

    assert check_9(record.roll.sections) == ""
    fewer = tuple(replace(s, voted=1) if s.question == "q2" else s for s in record.roll.sections)
    assert check_9(fewer) == (
        "section 'South West' (question q2) has 2 marked papers but 1 of its members voted"
    )
    assert "not one per section question" in check_9(record.roll.sections[:1])


def test_a_voter_sees_and_answers_only_their_own_sections(frozen_clock: Clock):
    selection = _selection()
    voter = MemberWithLoginFactory(home_group=selection.south_west_group)
    _open(selection)
    client = Client()
    client.force_login(voter.user)
    page = client.get(reverse("ballot_vote", args=[selection.ballot.pk])).content.decode()
    assert "South West" in page and "Chair" in page
    assert "Midlands" not in page and "Brian Hughes" not in page

    with pytest.raises(BallotError, match="“Midlands” is not on your ballot paper"):
        _cast(selection, voter, {selection.midlands_q: [0]})
    assert not RollEntry.objects.get(ballot=selection.ballot, member=voter).has_voted

    posted = client.post(
        reverse("ballot_vote", args=[selection.ballot.pk]),
        {
            "idempotency_key": secrets.token_urlsafe(24),
            f"q{selection.midlands_q.pk}_c{candidate_ids(selection.midlands_q)[0]}": "1",
        },
    )
    assert posted.status_code == 400
    assert "“Midlands” is not on your ballot paper." in posted.content.decode()
    assert not RollEntry.objects.get(ballot=selection.ballot, member=voter).has_voted


def test_sections_need_a_national_or_regional_ballot():
    selection = _selection(candidates=False)
    group = GroupFactory()
    now = clock.now()
    for level, scope, end_to_end, message in [
        ("group", group, False, "need a national or regional ballot"),
        ("region", selection.south_west, False, "Midlands is not in this ballot's scope"),
    ]:
        ballot = create_ballot(
            actor=selection.officer.user,
            title="Another",
            description="",
            level=level,
            scope=scope,
            opens_at=now + datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=2),
            end_to_end=end_to_end,
        )
        with pytest.raises(BallotError, match=message):
            add_question(
                actor=selection.officer.user,
                ballot=ballot,
                title="Midlands",
                kind="stv",
                stv_rule="scottish",
                seats=1,
                section=selection.midlands,
            )
        assert not ballot.questions.exists()


def test_only_a_sections_members_stand_and_support_in_it_against_its_own_threshold():
    selection = _selection(candidates=False, opens_in=datetime.timedelta(days=1))
    now = clock.now()
    open_nominations(
        actor=selection.officer.user,
        ballot=selection.ballot,
        close_at=now + datetime.timedelta(minutes=1),
        supporters_needed=3,
    )
    midlander = MemberWithLoginFactory(home_group=selection.midlands_group)
    south_wester = MemberWithLoginFactory(home_group=selection.south_west_group)
    with pytest.raises(NotEligible, match="section for members in Midlands"):
        nominate(actor=south_wester.user, question=selection.midlands_q, nominee=south_wester)
    nomination = nominate(
        actor=midlander.user, question=selection.midlands_q, nominee=midlander, categories=["bame"]
    )
    with pytest.raises(NotEligible, match="only they can support its nominations"):
        support_nomination(actor=south_wester.user, nomination=nomination)

    from grassroots.ballots.queries import nomination_line

    ballot = Ballot.objects.get(pk=selection.ballot.pk)
    assert not nomination_line(nomination, ballot).meets_threshold
    support_nomination(
        actor=MemberWithLoginFactory(home_group=selection.midlands_group).user,
        nomination=nomination,
    )
    # The Midlands section needs one supporter; the ballot's other questions need three.
    assert nomination_line(nomination, ballot).meets_threshold
    assert Question.objects.get(pk=selection.chair_q.pk).threshold_text == "3 supporting members"
    midlands = Question.objects.get(pk=selection.midlands_q.pk)
    assert midlands.threshold_text == "1 supporting members"

    client = Client()
    client.force_login(midlander.user)
    page = client.get(reverse("ballot_nominations", args=[ballot.pk])).content.decode()
    assert "only members in Midlands stand, support and vote in it" in page
    assert "To stand in this section, a nomination needs 1 supporting members." in page


def test_the_returning_officer_adds_a_section_with_its_own_threshold_through_the_form():
    from tests.web.roles import give_authenticator_app

    selection = _selection(candidates=False, opens_in=datetime.timedelta(days=1))
    give_authenticator_app(selection.officer.user)
    client = Client()
    client.force_login(selection.officer.user)
    url = reverse("ballot_question_add", args=[selection.ballot.pk])
    page = client.get(url).content.decode()
    assert "Members in South West" in page and "Every member on the roll" in page
    response = client.post(
        url,
        {
            "title": "South West (second list)",
            "kind": "stv",
            "stv_rule": "scottish",
            "seats": "1",
            "quota_rules": "women and/or bame: at least 1",
            "section": str(selection.south_west.pk),
            "section_supporters": "4",
            "section_groups": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    added = Question.objects.get(ballot=selection.ballot, title="South West (second list)")
    assert added.section_region == selection.south_west
    assert (added.nomination_supporters, added.nomination_groups) == (4, None)
