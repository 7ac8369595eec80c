"""A member edits their own profile: validated by the form, written by the service, audited."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grassroots.audit.models import AuditEntry
from grassroots.people.models import ConsentSource
from grassroots.people.services import update_own_profile
from tests.factories import MemberWithLoginFactory, UserFactory

pytestmark = pytest.mark.django_db

EARLIER = datetime.datetime(2022, 5, 1, 9, 30, tzinfo=datetime.UTC)


def profile_form(member, **changes):
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "phone": member.phone,
        "postcode": member.postcode,
    }
    if member.consent_to_contact:
        data["consent_to_contact"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_giving_consent_records_when_and_that_the_member_gave_it_on_their_profile():
    member = MemberWithLoginFactory(consent_to_contact=False)
    before = timezone.now()
    update_own_profile(
        actor=member.user,
        first_name=member.first_name,
        last_name=member.last_name,
        phone="",
        postcode=member.postcode,
        consent_to_contact=True,
    )
    member.refresh_from_db()
    assert member.consent_to_contact is True
    assert before <= member.consent_recorded_at <= timezone.now()
    assert member.consent_source == ConsentSource.PROFILE
    entry = AuditEntry.objects.get(action="update_own_profile")
    assert entry.subject_id == member.membership_number
    assert entry.actor == member.user
    assert entry.detail["fields"] == ["consent_to_contact", "consent_recorded_at", "consent_source"]


def test_withdrawing_consent_is_dated_too():
    member = MemberWithLoginFactory(
        consent_to_contact=True, consent_recorded_at=EARLIER, consent_source=ConsentSource.PAPER
    )
    update_own_profile(
        actor=member.user,
        first_name=member.first_name,
        last_name=member.last_name,
        phone="",
        postcode=member.postcode,
        consent_to_contact=False,
    )
    member.refresh_from_db()
    assert member.consent_to_contact is False
    assert member.consent_recorded_at > EARLIER
    assert member.consent_source == ConsentSource.PROFILE


def test_saving_an_unchanged_profile_keeps_the_consent_date_and_writes_no_audit_row():
    member = MemberWithLoginFactory(
        consent_to_contact=True,
        consent_recorded_at=EARLIER,
        consent_source=ConsentSource.JOIN_FORM,
        phone="",
    )
    update_own_profile(
        actor=member.user,
        first_name=member.first_name,
        last_name=member.last_name,
        phone="",
        postcode=member.postcode,
        consent_to_contact=True,
    )
    member.refresh_from_db()
    assert member.consent_recorded_at == EARLIER
    assert member.consent_source == ConsentSource.JOIN_FORM
    assert not AuditEntry.objects.filter(action="update_own_profile").exists()


def test_profile_page_saves_a_normalised_postcode_and_audits_the_change(client):
    member = MemberWithLoginFactory(postcode="NE1 1AA")
    client.force_login(member.user)
    response = client.post(reverse("profile_edit"), profile_form(member, postcode="ne8  1ad"))
    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    member.refresh_from_db()
    assert member.postcode == "NE8 1AD"
    assert AuditEntry.objects.get(action="update_own_profile").detail == {"fields": ["postcode"]}


def test_bad_postcode_is_refused_with_an_error_summary_linked_to_the_field(client):
    member = MemberWithLoginFactory(postcode="NE1 1AA")
    client.force_login(member.user)
    response = client.post(reverse("profile_edit"), profile_form(member, postcode="NE1 ZZZ"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Edit my profile" in html
    assert '<a href="#id_postcode">Postcode: Enter a real UK postcode, like SW1A 1AA.</a>' in html
    assert 'id="id_postcode_error"' in html
    assert 'aria-describedby="id_postcode_error"' in html
    member.refresh_from_db()
    assert member.postcode == "NE1 1AA"
    assert not AuditEntry.objects.exists()


def test_person_without_member_record_has_no_profile_to_edit(client):
    client.force_login(UserFactory())
    assert client.get(reverse("profile_edit")).status_code == 404
    assert client.post(reverse("profile_edit"), {"first_name": "X"}).status_code == 404
