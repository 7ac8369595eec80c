"""Joining on the public page: the group by postcode district, the consent wording kept, a
signed link to verify the address, the new member in the group's new-joiner list; duplicates
found; a honeypot, a minimum fill time and a per-address limit keep bots out."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.organisation import join_views, joining
from grassroots.people.models import (
    ConsentSource,
    JoinApplication,
    Member,
    MembershipStatus,
    MemberStatusChange,
)
from grassroots.people.queries import FollowUp, MemberFilters, search_members
from tests.factories import GroupFactory, MemberFactory, RoleFactory
from tests.mail import Mailbox, link_in, mailbox

__all__ = ["mailbox"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(join_views, "MIN_FILL_SECONDS", 0)


@pytest.fixture
def leeds():
    return GroupFactory(name="Leeds North", postcode_districts="LS6 LS7")


def apply(client: Client, **changes: str):
    data = {
        "first_name": "Amara",
        "last_name": "Okonkwo",
        "email": "amara@example.org",
        "postcode": "ls6 3ab",
        "group": "",
        "consent_to_contact": "on",
        "website": "",
        "started": join_views._started_token(),
    }
    data.update(changes)
    return client.post(reverse("join") + "?postcode=" + data["postcode"], data)


def test_a_visitor_joins_verifies_and_appears_in_the_groups_new_joiners(
    client: Client, leeds, mailbox: Mailbox, no_wait, django_capture_on_commit_callbacks
) -> None:
    page = client.get(reverse("join"), {"postcode": "LS6 3AB"}).content.decode()
    assert "Leeds North" in page and joining.CONSENT_WORDING in page
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(client, group=leeds.slug)
    assert response.status_code == 302 and response["Location"] == reverse("join_sent")
    application = JoinApplication.objects.get()
    assert application.consent_wording == joining.CONSENT_WORDING
    assert application.postcode == "LS6 3AB" and application.group == leeds
    assert not Member.objects.exists()

    link = link_in(mailbox.last_to("amara@example.org").text)
    confirm = client.get(link)
    assert "Confirm and join" in confirm.content.decode()
    assert not Member.objects.exists()  # a mail scanner opening the link joins nobody
    response = client.post(link)
    assert response.status_code == 302
    member = Member.objects.get()
    assert (member.home_group, member.status) == (leeds, MembershipStatus.MEMBER)
    assert member.consent_to_contact and member.consent_source == ConsentSource.JOIN_FORM
    assert member.renewal_due_on == member.joined_on + joining.MEMBERSHIP_TERM
    assert member.user is not None and member.user.emailaddress_set.get().verified
    assert MemberStatusChange.objects.get(member=member).cause == "joined"
    assert AuditEntry.objects.filter(action="verify_join").exists()
    assert "Welcome" in client.get(reverse("home")).content.decode()

    data_manager = RoleFactory(role="data_manager", group=leeds).member
    new = search_members(data_manager.user, MemberFilters(follow_up=FollowUp.NEW))
    assert member in new
    # The link works once.
    assert "already belongs" in client.post(link).content.decode()
    assert Member.objects.count() == 2  # the member and the Data Manager


def test_an_address_that_is_already_a_members_makes_no_second_record(
    client: Client, leeds, mailbox: Mailbox, no_wait, django_capture_on_commit_callbacks
) -> None:
    existing = MemberFactory(email="Amara@Example.org", home_group=leeds)
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, group=leeds.slug)
    application = JoinApplication.objects.get()
    assert application.duplicate_of == existing
    page = client.post(link_in(mailbox.last_to("amara@example.org").text)).content.decode()
    assert "already belongs to a membership" in page
    assert Member.objects.count() == 1


def test_same_name_and_postcode_is_marked_as_a_possible_duplicate(
    client: Client, leeds, no_wait
) -> None:
    twin = MemberFactory(first_name="Amara", last_name="Okonkwo", postcode="LS6 3AB")
    apply(client, group=leeds.slug, email="other@example.org")
    assert JoinApplication.objects.get().duplicate_of == twin


def test_bots_are_kept_out_without_a_third_party(client: Client, leeds, no_wait) -> None:
    response = apply(client, group=leeds.slug, website="http://spam.example")
    assert response.status_code == 302  # told nothing
    assert not JoinApplication.objects.exists()
    response = apply(client, group=leeds.slug, started="forged")
    assert "take a moment" in response.content.decode()
    for n in range(join_views.PER_ADDRESS_LIMIT):
        assert apply(client, group=leeds.slug, email=f"p{n}@example.org").status_code == 302
    response = apply(client, group=leeds.slug, email="last@example.org")
    assert "Too many applications" in response.content.decode()
    assert JoinApplication.objects.count() == join_views.PER_ADDRESS_LIMIT
    # Another address is not limited.
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert apply(other, group=leeds.slug, email="elsewhere@example.org").status_code == 302


def test_the_form_is_filled_too_fast(client: Client, leeds) -> None:
    response = apply(client, group=leeds.slug)
    assert "take a moment" in response.content.decode()
    assert not JoinApplication.objects.exists()


def test_bad_postcodes_and_links_get_clear_errors(client: Client, leeds) -> None:
    page = client.get(reverse("join"), {"postcode": "hello"}).content.decode()
    assert "is not a UK postcode" in page
    page = client.get(reverse("join"), {"postcode": "ZE1 0AA"}).content.decode()
    assert "No group covers that postcode" in page
    page = client.get(reverse("join_verify", args=["nonsense"])).content.decode()
    assert "not one we sent" in page
    token = signing.dumps({"a": 999}, salt="grassroots.people.join", compress=True)
    assert "no longer exists" in client.post(reverse("join_verify", args=[token])).content.decode()
