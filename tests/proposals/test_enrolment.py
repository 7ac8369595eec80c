"""Who may take part in a proposal is written by one INSERT ... SELECT from the standing rule's
own query (issue 19): held here to the rule as it stands (``members_in_good_standing_on``) and
to the rule worked out member by member in Python, on every mix of status histories, joining,
renewal and erasure dates, and home groups in and out of the body; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.people.models import Member, MembershipStatus, MemberStatusChange, StatusCause
from grassroots.people.standing import good_standing_select, members_in_good_standing_on
from grassroots.proposals.models import Participant
from tests.factories import MemberFactory
from tests.proposals.conftest import Branch, propose

pytestmark = pytest.mark.django_db

DAYS = st.integers(min_value=-4, max_value=4)
MEMBER = st.fixed_dictionaries(
    {
        "in_body": st.booleans(),
        "joined": DAYS,
        "history": st.lists(
            st.tuples(st.sampled_from(MembershipStatus.values), DAYS), min_size=1, max_size=3
        ),
        "renewal": st.none() | DAYS,
        "erased": st.none() | DAYS,
    }
)


def _make(branch: Branch, spec: dict, today: datetime.date) -> Member:
    day = datetime.timedelta(days=1)
    history = spec["history"]
    # The record's status is its latest entry's (the PostgreSQL trigger holds it so).
    latest = max(range(len(history)), key=lambda i: (history[i][1], i))
    with transaction.atomic():
        member = MemberFactory(
            home_group=branch.group if spec["in_body"] else branch.other_group,
            joined_on=today + spec["joined"] * day,
            status=history[latest][0],
            renewal_due_on=None if spec["renewal"] is None else today + spec["renewal"] * day,
        )
        MemberStatusChange.objects.filter(member=member).delete()
        MemberStatusChange.objects.bulk_create(
            MemberStatusChange(
                member=member,
                status=status,
                effective_on=today + offset * day,
                cause=StatusCause.IMPORT,
                recorded_at=clock.now(),
            )
            for status, offset in history
        )
    if spec["erased"] is not None:
        moment = clock.now() + spec["erased"] * day
        Member.objects.filter(pk=member.pk).update(erased_at=moment)
    return member


def _by_hand(member: Member, spec: dict, today: datetime.date) -> bool:
    """The standing rule, member by member (docs/proposals.md, "Who may do what")."""
    day = datetime.timedelta(days=1)
    then = [
        (offset, i, status)
        for i, (status, offset) in enumerate(spec["history"])
        if today + offset * day <= today
    ]
    status_then = max(then)[2] if then else None
    erased = None if spec["erased"] is None else clock.now() + spec["erased"] * day
    return (
        spec["in_body"]
        and member.joined_on <= today
        and (member.renewal_due_on is None or member.renewal_due_on >= today)
        and (erased is None or erased.date() > today)
        and status_then == MembershipStatus.MEMBER
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(MEMBER, min_size=1, max_size=6))
def test_the_participants_are_the_members_the_standing_rule_names(branch: Branch, specs):
    today = clock.today()
    made = [(_make(branch, spec, today), spec) for spec in specs]
    proposal = propose(branch)
    enrolled = set(Participant.objects.filter(proposal=proposal).values_list("member", flat=True))
    rule = set(
        members_in_good_standing_on(today, home_group_ids=[branch.group.pk]).values_list(
            "pk", flat=True
        )
    )
    assert enrolled == rule
    assert proposal.eligible_count == len(enrolled)
    mine = {member.pk for member, _ in made}
    assert enrolled & mine == {m.pk for m, spec in made if _by_hand(m, spec, today)}


def test_a_body_without_groups_enrols_nobody_without_asking_the_database():
    assert good_standing_select(clock.today(), home_group_ids=[]) is None
