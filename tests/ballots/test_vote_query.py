"""The hand-written query behind every cast (``queries.get_ballot_to_vote``, made by
``sql.ballot_to_vote_row``) gives the ORM's answer (``sql.ballot_to_vote_orm``): the same
ballot, the same roll entry, and the same officer-MFA flags as ``officer_mfa_annotations``
(what the middleware decides from) over every mix of roll, roles, role dates and
authenticators."""

from __future__ import annotations

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.ballots import queries, sql
from grassroots.ballots.models import Ballot, RollEntry
from grassroots.organisation.models import Role, RoleAssignment
from grassroots.people.models import Member
from tests.ballots.conftest import make_ballot, open_with_voters
from tests.factories import MemberWithLoginFactory, RoleFactory, UserFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def orm_answer(user, ballot_id: int) -> tuple[int, int, bool, bool, bool] | None:
    """The reference: the ORM's form of the query (``sql.ballot_to_vote_orm``)."""
    entry = sql.ballot_to_vote_orm(user.pk, ballot_id)
    if entry is None:
        return None
    return entry.pk, entry.member_id, entry.has_voted, entry.mfa_is_officer, entry.mfa_has_totp


def fast_answer(user, ballot_id: int) -> tuple[int, int, bool, bool, bool] | None:
    try:
        ballot, entry = queries.get_ballot_to_vote(user, ballot_id)
    except Http404:
        return None
    assert ballot.pk == entry.ballot_id == ballot_id
    assert entry.voter_user_id == user.pk
    return entry.pk, entry.member_id, entry.has_voted, entry.mfa_is_officer, entry.mfa_has_totp


def test_ballot_comes_back_whole_and_typed():
    setup = make_ballot()
    (voter,) = open_with_voters(setup, 1)
    ballot, entry = queries.get_ballot_to_vote(voter.user, setup.ballot.pk)
    stored = Ballot.objects.get(pk=setup.ballot.pk)
    for field in Ballot._meta.concrete_fields:
        assert getattr(ballot, field.attname) == getattr(stored, field.attname), field.name
    assert isinstance(ballot.opens_at, datetime.datetime)
    assert ballot.opens_at.tzinfo is not None
    assert entry.group_id == voter.home_group_id
    assert entry.has_voted is False
    assert not entry._state.adding


ROLE_DAYS = st.sampled_from([None, "past", "current", "open-ended", "future", "ends-today"])


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    on_roll=st.booleans(),
    has_member=st.booleans(),
    role_days=st.lists(ROLE_DAYS, min_size=0, max_size=2),
    authenticator=st.sampled_from([None, "totp", "recovery_codes", "someone else's totp"]),
    voted=st.booleans(),
)
def test_same_answer_as_the_orm(on_roll, has_member, role_days, authenticator, voted):
    setup = make_ballot()
    (voter,) = open_with_voters(setup, 1)
    if not on_roll:
        RollEntry.objects.filter(ballot=setup.ballot, member=voter).delete()
    elif voted:
        RollEntry.objects.filter(ballot=setup.ballot, member=voter).update(has_voted=True)
    user = voter.user
    if not has_member:
        user = UserFactory()
    today = clock.today()
    day = datetime.timedelta(days=1)
    member = Member.objects.filter(user=user).first()
    for kind in role_days:
        if kind is None or member is None:
            continue
        starts, ends = {
            "past": (today - 30 * day, today - day),
            "current": (today - 30 * day, today + 30 * day),
            "open-ended": (today - 30 * day, None),
            "future": (today + day, None),
            "ends-today": (today - 30 * day, today),
        }[kind]
        RoleFactory(
            role=Role.SECRETARY, member=member, group=setup.group, starts_on=starts, ends_on=ends
        )
    if authenticator == "totp":
        give_authenticator_app(user)
    elif authenticator == "recovery_codes":
        Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    elif authenticator == "someone else's totp":
        give_authenticator_app(MemberWithLoginFactory().user)

    expected = orm_answer(user, setup.ballot.pk)
    assert fast_answer(user, setup.ballot.pk) == expected
    # And never another ballot's entry.
    other = make_ballot(group=setup.group)
    assert fast_answer(user, other.ballot.pk) == orm_answer(user, other.ballot.pk)
    RoleAssignment.objects.filter(member=member).delete()


def test_anonymous_and_missing_ballot_are_404():
    setup = make_ballot()
    (voter,) = open_with_voters(setup, 1)
    with pytest.raises(Http404):
        queries.get_ballot_to_vote(voter.user, setup.ballot.pk + 1000)

    class Anonymous:
        is_authenticated = False
        pk = None

    with pytest.raises(Http404):
        queries.get_ballot_to_vote(Anonymous(), setup.ballot.pk)
