"""Membership of other organisations (issue 16): the import that stores nothing on bad input,
confirmation of members' declarations, who may see what, the audit rows, retention, erasure
and the subject-access export. (The list's parser: test_affiliation_list_parser.py.)"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.people import affiliations
from grassroots.people.erasure import erase_member
from grassroots.people.models import (
    DeclaredMembership,
    OrganisationList,
    OrganisationListEntry,
    OtherOrganisation,
)
from grassroots.people.subject_access import collect
from tests.factories import MemberWithLoginFactory, RegionFactory, RoleFactory
from tests.web.roles import give_authenticator_app

# --- The services ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return RoleFactory(role=Role.NATIONAL_OFFICE).member


@pytest.fixture
def unite(office):
    return affiliations.add_organisation(actor=office.user, name="Unite the Union")


def _import(office, organisation, text):
    return affiliations.import_organisation_list(
        actor=office.user, organisation=organisation, text=text
    )


def test_a_declaration_is_confirmed_by_number_and_by_email_where_the_list_gives_one(office, unite):
    by_number = MemberWithLoginFactory(email="ann@example.org")
    by_both = MemberWithLoginFactory(email="bob@example.org")
    wrong_email = MemberWithLoginFactory(email="cat@example.org")
    unlisted = MemberWithLoginFactory()
    for member, number in [
        (by_number, "U-100"),
        (by_both, " u-2 00 "),
        (wrong_email, "U-300"),
        (unlisted, "U-999"),
    ]:
        affiliations.declare_membership(
            actor=member.user, organisation=unite, membership_number=number
        )
    result = _import(
        office,
        unite,
        "membership_number,email\nU-100,\nU-200,BOB@example.org\nU-300,someone@else.org\n",
    )
    assert result.is_stored and result.rows == 3 and result.confirmed == 2
    confirmed = set(
        DeclaredMembership.objects.filter(confirmed_by__isnull=False).values_list(
            "member_id", flat=True
        )
    )
    assert confirmed == {by_number.pk, by_both.pk}
    # A declaration made after the import is checked against the list at once.
    late = MemberWithLoginFactory()
    declared = affiliations.declare_membership(
        actor=late.user, organisation=unite, membership_number="U-300"
    )
    assert not declared.is_confirmed  # the list's row gives another address


def test_a_file_with_any_bad_row_stores_nothing_and_keeps_the_list_held(office, unite):
    member = MemberWithLoginFactory()
    affiliations.declare_membership(actor=member.user, organisation=unite, membership_number="7")
    assert _import(office, unite, "membership_number\n7\n8\n").is_stored
    held = OrganisationList.objects.get(organisation=unite)
    result = _import(office, unite, "membership_number,email\n9,\n9,\n10,nope\n")
    assert not result.is_stored
    assert result.errors == [
        "Row 3: the membership number 9 is also on row 2.",
        "Row 4: the email address “nope” is not an email address.",
    ]
    assert OrganisationList.objects.get(organisation=unite).pk == held.pk
    assert OrganisationListEntry.objects.filter(imported_list=held).count() == 2
    assert DeclaredMembership.objects.get(member=member).confirmed_by_id == held.pk
    # Only the stored import is audited.
    assert AuditEntry.objects.filter(action="import_organisation_list").count() == 1


def test_the_list_keeps_no_plain_number_or_address(office, unite):
    _import(office, unite, "membership_number,email\nU-4242,dora@example.org\n")
    entry = OrganisationListEntry.objects.get()
    assert "4242" not in entry.number_digest and "dora" not in entry.email_digest
    assert len(entry.number_digest) == 64 and len(entry.email_digest) == 64


def test_a_new_list_replaces_the_old_and_confirmations_follow_it(office, unite):
    member = MemberWithLoginFactory()
    affiliations.declare_membership(actor=member.user, organisation=unite, membership_number="1")
    _import(office, unite, "membership_number\n1\n")
    assert DeclaredMembership.objects.get().is_confirmed
    _import(office, unite, "membership_number\n2\n")
    assert OrganisationList.objects.count() == 1
    assert not DeclaredMembership.objects.get().is_confirmed


def test_only_the_national_office_manages_lists_and_reads_declarations(office, unite):
    coordinator = RoleFactory(role=Role.REGIONAL_COORDINATOR, region=RegionFactory()).member
    give_authenticator_app(coordinator.user)
    member = MemberWithLoginFactory()
    for actor in (coordinator.user, member.user):
        with pytest.raises(PermissionDenied):
            affiliations.import_organisation_list(
                actor=actor, organisation=unite, text="membership_number\n1\n"
            )
        with pytest.raises(PermissionDenied):
            affiliations.declarations_for(actor=actor, organisation=unite, purpose="curious")
    for user in (coordinator.user, member.user):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("other_organisations")).status_code == 404
        url = reverse("organisation_declarations", args=[unite.pk])
        assert client.post(url, {"purpose": "x"}).status_code == 404


def test_reading_the_declarations_is_audited_with_its_purpose(office, unite):
    member = MemberWithLoginFactory(first_name="Edna", last_name="Okafor")
    affiliations.declare_membership(actor=member.user, organisation=unite, membership_number="5")
    give_authenticator_app(office.user)
    client = Client()
    client.force_login(office.user)
    url = reverse("organisation_declarations", args=[unite.pk])
    page = client.get(url)
    assert "Edna Okafor" not in page.content.decode()  # nothing shown without a purpose
    page = client.post(url, {"purpose": "Checking the slate ballot's roll"})
    assert page.status_code == 200 and "Edna Okafor" in page.content.decode()
    entry = AuditEntry.objects.get(action="view_membership_declarations")
    assert entry.purpose == "Checking the slate ballot's roll"
    assert entry.detail == {"shown": 1}


def test_a_member_declares_corrects_and_withdraws_on_their_own_page(unite):
    member = MemberWithLoginFactory()
    client = Client()
    client.force_login(member.user)
    url = reverse("my_organisations")
    assert reverse("my_organisations") in client.get(reverse("profile")).content.decode()
    bad = client.post(
        url, {"action": "declare", "organisation": unite.pk, "membership_number": "a b!"}
    )
    assert bad.status_code == 400
    assert "characters other than" in bad.content.decode()
    client.post(url, {"action": "declare", "organisation": unite.pk, "membership_number": "1"})
    client.post(url, {"action": "declare", "organisation": unite.pk, "membership_number": "2"})
    assert DeclaredMembership.objects.get(member=member).membership_number == "2"
    client.post(url, {"action": "withdraw", "organisation": unite.pk})
    assert not DeclaredMembership.objects.filter(member=member).exists()
    assert list(
        AuditEntry.objects.filter(subject_id=member.membership_number)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["declare_membership", "declare_membership", "withdraw_membership_declaration"]


def test_the_import_page_lists_each_bad_row_and_says_nothing_was_stored(office, unite):
    give_authenticator_app(office.user)
    client = Client()
    client.force_login(office.user)
    upload = SimpleUploadedFile(
        "unite.csv", b"membership_number,branch\n1,Leeds\n", content_type="text/csv"
    )
    page = client.post(
        reverse("other_organisations"),
        {"action": "import", "import-organisation": unite.pk, "import-file": upload},
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "nothing was stored" in text
    assert "Row 1: unknown column “branch”" in text
    good = SimpleUploadedFile("unite.csv", b"membership_number\n1\n2\n", content_type="text/csv")
    page = client.post(
        reverse("other_organisations"),
        {"action": "import", "import-organisation": unite.pk, "import-file": good},
    )
    assert page.status_code == 200 and "2 members on the list" in page.content.decode()


def test_lists_past_their_retention_are_deleted_and_stop_confirming(office, unite, settings):
    settings.GRASSROOTS_ORGANISATION_LIST_RETENTION_DAYS = 30
    member = MemberWithLoginFactory()
    affiliations.declare_membership(actor=member.user, organisation=unite, membership_number="1")
    _import(office, unite, "membership_number\n1\n")
    assert affiliations.delete_expired_lists() == 0
    later = clock.now() + datetime.timedelta(days=31)
    assert affiliations.delete_expired_lists(on=later) == 1
    assert not OrganisationList.objects.exists() and not OrganisationListEntry.objects.exists()
    assert not DeclaredMembership.objects.get().is_confirmed
    assert AuditEntry.objects.filter(action="delete_organisation_list").count() == 1


def test_erasure_deletes_declarations_and_subject_access_shows_them(office, unite):
    member = MemberWithLoginFactory()
    affiliations.declare_membership(actor=member.user, organisation=unite, membership_number="U-1")
    _import(office, unite, "membership_number\nU-1\n")
    report = collect(member)
    (row,) = report["declared_memberships"]
    assert row["organisation"] == "Unite the Union" and row["membership_number"] == "U-1"
    assert row["confirmed_by_list_imported_at"] is not None
    erase_member(actor=office.user, member=member, reason="Asked to be forgotten")
    assert not DeclaredMembership.objects.filter(member=member).exists()
    assert OtherOrganisation.objects.filter(pk=unite.pk).exists()
