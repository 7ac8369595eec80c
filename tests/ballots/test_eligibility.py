"""Eligibility in words (issue 16): a member a ballot's rules leave out is told which rules
and why, and the words agree with the rule the roll is frozen by."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.ballots.eligibility import eligible_members, why_not_eligible
from grassroots.ballots.models import Ballot
from grassroots.ballots.services.errors import NotEligible
from grassroots.ballots.services.lifecycle import open_ballot
from grassroots.ballots.services.nominations import nominate, open_nominations
from grassroots.people.models import DuesRecord, Member, PaidUpRequirement
from tests.ballots.conftest import SetUp, make_ballot
from tests.factories import GroupFactory, MemberWithLoginFactory

pytestmark = pytest.mark.django_db

PAID_UP_BY = datetime.date(2026, 11, 1)


def _require_dues(ballot: Ballot) -> None:
    PaidUpRequirement.objects.create(
        kind="ballot",
        object_id=ballot.pk,
        paid_up_by=PAID_UP_BY,
        reason="Rule 4.2",
        set_by_label="National office",
        set_at=clock.now(),
    )


def _paid(member: Member, to: datetime.date | None) -> Member:
    DuesRecord.objects.create(member=member, paid_up_to=to, source="manual", updated_at=clock.now())
    return member


def test_every_member_the_rules_leave_out_is_told_why_and_only_they(ready_ballot: SetUp):
    ballot, group = ready_ballot.ballot, ready_ballot.group
    _require_dues(ballot)
    joined = datetime.date(2024, 6, 1)
    members = {
        "fine": _paid(MemberWithLoginFactory(home_group=group, joined_on=joined), PAID_UP_BY),
        "lapsed": _paid(
            MemberWithLoginFactory(home_group=group, joined_on=joined, status="lapsed"),
            PAID_UP_BY,
        ),
        "suspended": _paid(
            MemberWithLoginFactory(home_group=group, joined_on=joined, status="suspended"),
            PAID_UP_BY,
        ),
        "late": _paid(
            MemberWithLoginFactory(home_group=group, joined_on=datetime.date(2025, 3, 3)),
            PAID_UP_BY,
        ),
        "unpaid": _paid(
            MemberWithLoginFactory(home_group=group, joined_on=joined), datetime.date(2026, 5, 1)
        ),
        "no dues": MemberWithLoginFactory(home_group=group, joined_on=joined),
        "elsewhere": _paid(
            MemberWithLoginFactory(home_group=GroupFactory(name="Otley"), joined_on=joined),
            PAID_UP_BY,
        ),
    }
    taken = set(eligible_members(ballot).values_list("pk", flat=True))
    said = {
        name: why_not_eligible(ballot, Member.objects.get(pk=m.pk)) for name, m in members.items()
    }
    for name, member in members.items():
        assert (member.pk in taken) == (said[name] == []), name
    assert said["fine"] == []
    assert said["lapsed"] == ["your membership status is “lapsed”; this ballot takes members"]
    assert said["suspended"] == [
        "your membership is suspended, and no ballot takes a suspended member"
    ]
    assert said["late"] == [
        "you joined on 3 March 2025; this ballot takes members who joined before 1 January 2025"
    ]
    assert said["unpaid"] == [
        "your dues are paid up to 1 May 2026; this ballot needs them paid up to 1 November 2026"
    ]
    assert said["no dues"] == [
        "we hold no dues payment for you; this ballot needs them paid up to 1 November 2026"
    ]
    assert said["elsewhere"] == [
        f"your home group (Otley) is not in this ballot's scope ({group.name})"
    ]


def test_a_member_not_on_an_open_ballots_roll_sees_why_on_its_page(ready_ballot: SetUp):
    late = MemberWithLoginFactory(
        home_group=ready_ballot.group, joined_on=datetime.date(2025, 6, 1)
    )
    voter = MemberWithLoginFactory(
        home_group=ready_ballot.group, joined_on=datetime.date(2024, 1, 1)
    )
    open_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    url = reverse("ballot_results", args=[ready_ballot.ballot.pk])
    client = Client()
    client.force_login(late.user)
    page = client.get(url).content.decode()
    assert "not on this ballot" in page, page[page.find("<main") :][:1500]
    assert "you joined on 1 June 2025; this ballot takes members who joined before" in page
    client.force_login(voter.user)
    assert "not on this ballot" not in client.get(url).content.decode()
    assert "not on this ballot" not in Client().get(url).content.decode()


def test_a_nomination_refused_for_eligibility_says_which_rule():
    setup = make_ballot(group=GroupFactory())
    Ballot.objects.filter(pk=setup.ballot.pk).update(
        status="draft",
        opens_at=clock.now() + datetime.timedelta(days=3),
        closes_at=clock.now() + datetime.timedelta(days=4),
    )
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    open_nominations(
        actor=setup.officer.user, ballot=ballot, close_at=clock.now() + datetime.timedelta(days=1)
    )
    member = MemberWithLoginFactory(home_group=setup.group, joined_on=datetime.date(2024, 1, 1))
    lapsed = MemberWithLoginFactory(
        home_group=setup.group, joined_on=datetime.date(2024, 1, 1), status="lapsed"
    )
    with pytest.raises(NotEligible, match="status is “lapsed”; this ballot takes members"):
        nominate(actor=member.user, question=setup.stv, nominee=lapsed)
    with pytest.raises(NotEligible, match="can do this: your membership status is “lapsed”"):
        nominate(actor=lapsed.user, question=setup.stv, nominee=lapsed)
