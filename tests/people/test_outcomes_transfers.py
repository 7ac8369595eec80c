"""Officers' follow-up work on a member's record: contact outcomes (EDIT_MEMBERS, audited; "asked
not to be contacted" withdraws consent) and moving a member to another group (national office, a
coordinator over both groups, or the home group's Data Manager), with both groups' Data Managers
told over the real SMTP server of ``tests.mail``."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.people import subject_access
from grassroots.people.models import ConsentSource, ContactOutcome, ContactOutcomeKind, Member
from grassroots.people.services import record_contact_outcome, transfer_member
from tests.factories import MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox, mailbox
from tests.web.roles import Movement, build_movement, give_authenticator_app

__all__ = ["mailbox"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def movement() -> Movement:
    return build_movement()


def data_manager_of_b(movement: Movement) -> Member:
    member = MemberWithLoginFactory(home_group=movement.group_b, first_name="Beca", last_name="Dee")
    RoleFactory(member=member, role=Role.DATA_MANAGER, group=movement.group_b)
    give_authenticator_app(member.user)
    return member


def outcome_url(member: Member) -> str:
    return reverse("member_contact_outcome", args=[member.membership_number])


def transfer_url(member: Member) -> str:
    return reverse("member_transfer", args=[member.membership_number])


# --- contact outcomes ---


def test_data_manager_records_an_outcome_which_is_audited_and_listed(client, movement):
    client.force_login(movement.data_manager_a.user)
    target = movement.in_group_a

    response = client.post(
        outcome_url(target), {"outcome": ContactOutcomeKind.LEFT_MESSAGE, "note": "Try Tuesday"}
    )

    assert response.status_code == 302
    entry = ContactOutcome.objects.get(member=target)
    assert (entry.outcome, entry.note, entry.recorded_by) == (
        ContactOutcomeKind.LEFT_MESSAGE,
        "Try Tuesday",
        movement.data_manager_a.user,
    )
    audit = AuditEntry.objects.get(action="record_contact_outcome")
    assert (audit.actor, audit.subject_id) == (
        movement.data_manager_a.user,
        target.membership_number,
    )
    assert audit.purpose
    page = client.get(reverse("member_detail", args=[target.membership_number])).content.decode()
    assert "Left a message: Try Tuesday" in page


def test_asked_not_to_be_contacted_withdraws_consent_with_date_and_source(movement):
    target = movement.in_group_a
    target.consent_to_contact = True
    target.consent_recorded_at = target.created_at
    target.consent_source = ConsentSource.JOIN_FORM
    target.save()

    record_contact_outcome(
        actor=movement.data_manager_a.user,
        member=target,
        outcome=ContactOutcomeKind.DO_NOT_CONTACT,
        note="",
    )

    target.refresh_from_db()
    assert not target.consent_to_contact
    assert target.consent_source == ConsentSource.CONTACT_OUTCOME
    assert target.consent_recorded_at is not None
    assert target.consent_recorded_at > target.created_at
    assert AuditEntry.objects.get(action="record_contact_outcome").detail["consent_withdrawn"]


def test_only_edit_members_over_the_member_may_record_outcomes(client, movement):
    # The area coordinator sees A's members but does not edit them.
    with pytest.raises(PermissionDenied):
        record_contact_outcome(
            actor=movement.coordinator.user,
            member=movement.in_group_a,
            outcome=ContactOutcomeKind.REACHED,
            note="",
        )
    for person in (movement.coordinator, movement.secretary_a, movement.member):
        client.force_login(person.user)
        response = client.post(outcome_url(movement.in_group_a), {"outcome": "reached"})
        assert response.status_code == 404
    client.force_login(movement.data_manager_a.user)
    assert client.post(outcome_url(movement.in_group_b), {"outcome": "reached"}).status_code == 404
    assert not ContactOutcome.objects.exists()


def test_outcomes_are_in_the_members_subject_access_export(movement):
    record_contact_outcome(
        actor=movement.national.user,
        member=movement.in_group_a,
        outcome=ContactOutcomeKind.REACHED,
        note="Will come to the AGM",
    )
    report = subject_access.collect(movement.in_group_a)
    assert report["contact_outcomes"][0]["note"] == "Will come to the AGM"
    assert report["record_views"][0]["action"] == "record_contact_outcome"


# --- transfers ---


def test_data_manager_moves_a_member_out_and_both_data_managers_are_told(
    client, movement, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    dm_b = data_manager_of_b(movement)
    target = movement.in_group_a
    target.phone = "0191 496 0555"
    target.save()
    client.force_login(movement.data_manager_a.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            transfer_url(target), {"to_group": movement.group_b.pk, "reason": "Moved to Devon"}
        )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.home_group == movement.group_b
    audit = AuditEntry.objects.get(action="transfer_member")
    assert audit.subject_id == target.membership_number
    assert audit.purpose == "Moved to Devon"
    assert audit.detail == {"from_group": "gateshead", "to_group": "plymouth"}
    for dm in (movement.data_manager_a, dm_b):
        notice = mailbox.last_to(dm.email)
        assert "Gateshead" in notice.subject and "Plymouth" in notice.subject
        assert target.full_name in notice.text
        assert target.email not in notice.text
        assert target.phone not in notice.text
    assert not mailbox.to(target.email)
    assert not mailbox.to(movement.secretary_a.email)


def test_data_manager_of_another_group_cannot_transfer_its_members(client, movement):
    dm_b = data_manager_of_b(movement)
    client.force_login(dm_b.user)
    response = client.post(
        transfer_url(movement.in_group_a), {"to_group": movement.group_b.pk, "reason": "Mine now"}
    )
    assert response.status_code == 404
    movement.in_group_a.refresh_from_db()
    assert movement.in_group_a.home_group == movement.group_a
    with pytest.raises(PermissionDenied):
        transfer_member(
            actor=dm_b.user, member=movement.in_group_a, to_group=movement.group_b, reason="x"
        )


def test_same_group_and_unknown_group_are_clear_errors(client, movement):
    client.force_login(movement.data_manager_a.user)
    target = movement.in_group_a

    same = client.post(transfer_url(target), {"to_group": movement.group_a.pk, "reason": "x"})
    assert same.status_code == 200
    assert "already in Gateshead" in same.content.decode()

    unknown = client.post(transfer_url(target), {"to_group": 999_999, "reason": "x"})
    assert unknown.status_code == 200
    assert "no such group" in unknown.content.decode()
    target.refresh_from_db()
    assert target.home_group == movement.group_a
    assert not AuditEntry.objects.filter(action="transfer_member").exists()


def test_a_coordinator_moves_members_only_between_groups_in_their_scope(client, movement):
    client.force_login(movement.coordinator.user)
    target = movement.in_group_a

    refused = client.post(transfer_url(target), {"to_group": movement.group_b.pk, "reason": "x"})
    assert refused.status_code == 200
    assert "no such group" in refused.content.decode()

    moved = client.post(
        transfer_url(target), {"to_group": movement.group_a_sibling.pk, "reason": "Closer"}
    )
    assert moved.status_code == 302
    target.refresh_from_db()
    assert target.home_group == movement.group_a_sibling
    # A member of group B is outside the area: no transfer at all.
    response = client.post(
        transfer_url(movement.in_group_b), {"to_group": movement.group_a.pk, "reason": "x"}
    )
    assert response.status_code == 404


def test_national_office_moves_anyone_and_the_form_is_on_the_record_page(client, movement):
    client.force_login(movement.national.user)
    page = client.get(reverse("member_detail", args=[movement.in_group_b.membership_number]))
    assert 'action="' + transfer_url(movement.in_group_b) + '"' in page.content.decode()
    transfer_member(
        actor=movement.national.user,
        member=movement.in_group_b,
        to_group=movement.group_a,
        reason="Request",
    )
    movement.in_group_b.refresh_from_db()
    assert movement.in_group_b.home_group == movement.group_a
