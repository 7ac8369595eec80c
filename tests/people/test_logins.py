"""Logins for members the movement already holds (people.logins.issue_logins)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.people.logins import issue_logins
from grassroots.people.models import Member
from tests.factories import MemberFactory, MemberWithLoginFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_named_members_get_a_verified_login_at_their_address_once():
    first = MemberFactory(email="Ada.Lovelace@Example.org")
    second = MemberFactory()
    bystander = MemberFactory()

    made = issue_logins(
        actor=None,
        membership_numbers=[first.membership_number.lower(), second.membership_number],
        source="officers elected at the AGM",
        password="correct horse battery",
    )

    assert made == 2
    for member in (first, second):
        member.refresh_from_db()
        assert member.user is not None
        assert member.user.email == member.email.lower()
        assert member.user.check_password("correct horse battery")
        assert EmailAddress.objects.filter(
            user=member.user, email=member.user.email, verified=True, primary=True
        ).exists()
    assert Member.objects.get(pk=bystander.pk).user is None
    entry = AuditEntry.objects.get(action=AuditAction.ISSUE_LOGINS)
    assert entry.purpose == "officers elected at the AGM"
    assert entry.detail == {"asked": 2, "made": 2, "with_password": True}

    again = issue_logins(
        actor=None, membership_numbers=[first.membership_number], source="the same again"
    )
    assert again == 0
    assert User.objects.count() == 2


def test_a_member_with_a_login_or_whose_address_has_one_is_left_alone():
    has_login = MemberWithLoginFactory()
    before = has_login.user_id
    UserFactory(email="taken@example.org")
    address_taken = MemberFactory(email="TAKEN@example.org")

    made = issue_logins(
        actor=None,
        membership_numbers=[has_login.membership_number, address_taken.membership_number],
        source="a second import",
    )

    assert made == 0
    assert Member.objects.get(pk=has_login.pk).user_id == before
    assert Member.objects.get(pk=address_taken.pk).user is None


def test_without_a_password_the_login_has_none_to_guess():
    member = MemberFactory()
    issue_logins(actor=None, membership_numbers=[member.membership_number], source="import")
    member.refresh_from_db()
    assert member.user is not None and not member.user.has_usable_password()


def test_only_the_national_office_gives_logins_and_a_reason_is_required():
    chair = RoleFactory(role=Role.CHAIR, group=MemberFactory().home_group).member
    member = MemberFactory()
    with pytest.raises(PermissionDenied):
        issue_logins(actor=chair.user, membership_numbers=[member.membership_number], source="x")
    national = RoleFactory(role=Role.NATIONAL_OFFICE).member
    with pytest.raises(ValueError, match="Say why"):
        issue_logins(actor=national.user, membership_numbers=[member.membership_number], source=" ")
    assert (
        issue_logins(
            actor=national.user,
            membership_numbers=[member.membership_number],
            source="new officers",
        )
        == 1
    )
    assert Member.objects.get(pk=member.pk).user is not None
