"""Unsubscribing: RFC 8058 one-click from the mail client, or the page, with no login."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.messaging.mail import unsubscribe_token
from grassroots.messaging.models import Unsubscribe
from grassroots.messaging.queries import Scope
from grassroots.messaging.services import send_mailout
from tests.mail import Mailbox
from tests.messaging.helpers import Town, build_town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town() -> Town:
    return build_town()


def mail_group_a(town: Town, capture) -> None:
    with capture(execute=True):
        send_mailout(
            actor=town.secretary_a.user,
            scope=Scope(level="group", group=town.group_a),
            statuses=["member"],
            subject="Meeting",
            body="See you there.",
            purpose="meeting notice",
        )


def unsubscribe_path(mailbox: Mailbox, address: str) -> str:
    header = " ".join(str(mailbox.last_to(address).message["List-Unsubscribe"]).split())
    match = re.fullmatch(r"<http://testserver(/messages/unsubscribe/[^>]+)>", header)
    assert match, header
    return match.group(1)


def test_one_click_post_from_the_mail_client_unsubscribes_without_login(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    member = town.consenting_a[0]
    mail_group_a(town, django_capture_on_commit_callbacks)
    path = unsubscribe_path(mailbox, member.email)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Unsubscribe.objects.filter(
        member=member, scope_key=f"group:{town.group_a.pk}", via="one-click"
    ).exists()
    audit = AuditEntry.objects.get(action="unsubscribe")
    assert audit.subject_id == member.membership_number

    mailbox.delivered.clear()
    mail_group_a(town, django_capture_on_commit_callbacks)
    assert not mailbox.to(member.email)
    assert mailbox.last_to(town.consenting_a[1].email)


def test_get_shows_a_page_and_changes_nothing(town: Town):
    member = town.consenting_a[0]
    path = reverse(
        "messaging:unsubscribe",
        kwargs={"token": unsubscribe_token(member.pk, f"group:{town.group_a.pk}")},
    )
    response = Client().get(path)
    assert response.status_code == 200
    assert "Stop messages from Gateshead" in response.content.decode()
    assert not Unsubscribe.objects.exists()


def test_page_can_stop_all_campaign_mail(town: Town):
    member = town.consenting_a[0]
    path = reverse(
        "messaging:unsubscribe",
        kwargs={"token": unsubscribe_token(member.pk, f"group:{town.group_a.pk}")},
    )
    response = Client(enforce_csrf_checks=True).post(path, {"everything": "on"})
    assert response.status_code == 200
    assert "from any group, area or region" in response.content.decode()
    assert Unsubscribe.objects.filter(member=member, scope_key="all", via="page").exists()


def test_page_stops_this_groups_mail_with_the_box_left_unticked(town: Town):
    # An unticked checkbox posts no fields at all; the form must still be read as submitted.
    member = town.consenting_a[0]
    scope_key = f"group:{town.group_a.pk}"
    path = reverse(
        "messaging:unsubscribe", kwargs={"token": unsubscribe_token(member.pk, scope_key)}
    )
    response = Client(enforce_csrf_checks=True).post(path, {})
    assert response.status_code == 200
    assert Unsubscribe.objects.filter(member=member, scope_key=scope_key, via="page").exists()
    assert not Unsubscribe.objects.filter(member=member, scope_key="all").exists()


def test_unsubscribing_twice_is_harmless(town: Town):
    member = town.consenting_a[0]
    path = reverse(
        "messaging:unsubscribe", kwargs={"token": unsubscribe_token(member.pk, "nation")}
    )
    for _ in range(2):
        assert (
            Client()
            .post(
                path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
            )
            .status_code
            == 200
        )
    assert Unsubscribe.objects.filter(member=member).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_forged_or_damaged_token_gets_a_clear_400(town: Town, method: str):
    member = town.consenting_a[0]
    good = unsubscribe_token(member.pk, f"group:{town.group_a.pk}")
    other = unsubscribe_token(town.consenting_a[1].pk, f"group:{town.group_a.pk}")
    forged = other.split(":")[0] + ":" + ":".join(good.split(":")[1:])
    for token in [forged, good[:-3], "not-a-token", good + "x"]:
        path = reverse("messaging:unsubscribe", kwargs={"token": token})
        response = getattr(Client(), method)(path)
        assert response.status_code == 400, token
        assert "This unsubscribe link does not work" in response.content.decode()
    assert not Unsubscribe.objects.exists()


def test_ballot_mail_still_reaches_a_member_who_unsubscribed_from_everything(
    town: Town, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    from grassroots.messaging.services import send_to_members

    member = town.consenting_a[0]
    Unsubscribe.objects.create(
        member=member, scope_key="all", created_at=member.created_at, via="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_to_members(
            actor=None,
            members=[member.pk],
            subject="Your ballot",
            body="Vote, $first_name.",
            purpose="ballot invitation",
        )
    assert f"Vote, {member.first_name}." in mailbox.last_to(member.email).text
