""" "Email me this receipt": sent at once over real SMTP from the request, only the voter's
genuine receipt, and nothing written to the database that links the member to a tracker."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from grassroots.ballots.forms import VoteForm, field_name
from grassroots.ballots.links import personal_link_token, roll_entry_for_link
from grassroots.ballots.models import RollEntry
from tests.ballots.conftest import Clock, SetUp, open_with_voters
from tests.mail import Mailbox, mailbox

__all__ = ["mailbox"]

pytestmark = pytest.mark.django_db

TRACKER = re.compile(r"\b[0-9a-f]{64}\b")
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _every_row() -> dict[str, list[str]]:
    """Every row of every table, as text: what the database holds, whatever the model."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # table names from the schema
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows


def _cast(client: Client, setup: SetUp, url: str) -> str:
    page = client.get(url).content.decode()
    candidate = setup.stv.candidates.get(position=2)
    data = {
        "idempotency_key": KEY.search(page).group(1),
        field_name(setup.stv, candidate.pk): "1",
        "step": "cast",
    }
    receipt = client.post(url, data)
    assert receipt.status_code == 200
    return receipt.content.decode()


def test_logged_in_voter_gets_the_receipt_by_mail_and_nothing_is_stored(
    client: Client, ready_ballot: SetUp, mailbox: Mailbox
):
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    page = _cast(client, ready_ballot, reverse("ballot_vote", args=[ready_ballot.ballot.pk]))
    trackers = TRACKER.findall(page)
    assert len(trackers) == 2
    assert "Email me this receipt" in page and "the mail servers it passes through" in page
    before = _every_row()
    response = client.post(
        reverse("ballot_receipt_email", args=[ready_ballot.ballot.pk]),
        {"idempotency_key": KEY.search(page).group(1)},
    )
    assert response.status_code == 200
    assert f"sent to {voter.email}" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    delivered = mailbox.last_to(voter.email)
    assert ready_ballot.ballot.title in delivered.subject
    for value in trackers:
        assert value in delivered.text
    assert reverse("ballot_receipt_check", args=[ready_ballot.ballot.pk]) in delivered.text
    # Nothing was written: no task, no mail row, no audit entry, no session change.
    assert _every_row() == before
    # The trackers are only in the box's outbox, whose rows name no member.
    holding = {
        table for table, rows in before.items() for row in rows for t in trackers if t in row
    }
    assert holding == {"ballots_unsealedballot"}
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "ballots_unsealedballot")
    assert {c.name for c in columns} == {"id", "ballot_id", "ciphertext", "tracker"}


def test_voter_by_personal_link_gets_the_receipt_by_mail(
    client: Client, ready_ballot: SetUp, mailbox: Mailbox
):
    (voter,) = open_with_voters(ready_ballot, 1)
    entry = RollEntry.objects.select_related("ballot").get(ballot=ready_ballot.ballot, member=voter)
    url = reverse("ballot_vote_by_link", args=[ready_ballot.ballot.pk, personal_link_token(entry)])
    page = _cast(client, ready_ballot, url)
    # The page carries the voter's own link token (signed with a timestamp, so compared by
    # what it opens, not by its text, which changes from one second to the next).
    assert roll_entry_for_link(ready_ballot.ballot, TOKEN.search(page).group(1)) == entry
    response = client.post(
        reverse("ballot_receipt_email", args=[ready_ballot.ballot.pk]),
        {"idempotency_key": KEY.search(page).group(1), "token": TOKEN.search(page).group(1)},
    )
    assert response.status_code == 200
    assert set(TRACKER.findall(page)) <= set(TRACKER.findall(mailbox.last_to(voter.email).text))


def test_only_a_genuine_receipt_is_mailed_and_a_failed_send_is_a_clear_page(
    client: Client, ready_ballot: SetUp, mailbox: Mailbox, frozen_clock: Clock
):
    voter, other = open_with_voters(ready_ballot, 2)
    client.force_login(voter.user)
    page = _cast(client, ready_ballot, reverse("ballot_vote", args=[ready_ballot.ballot.pk]))
    key = KEY.search(page).group(1)
    url = reverse("ballot_receipt_email", args=[ready_ballot.ballot.pk])
    # Another key, or another member with this key: no such receipt.
    fresh_key = VoteForm(ballot=ready_ballot.ballot).initial["idempotency_key"]
    assert client.post(url, {"idempotency_key": fresh_key}).status_code == 409
    client.force_login(other.user)
    response = client.post(url, {"idempotency_key": key})
    assert response.status_code == 409 and "can no longer be mailed" in response.content.decode()
    assert client.get(url).status_code == 405
    client.logout()
    assert client.post(url, {"idempotency_key": key}).status_code == 404
    assert client.post(url, {"idempotency_key": key, "token": "forged"}).status_code == 404
    # The mail server refuses the address: said on the page, never a 500.
    client.force_login(voter.user)
    mailbox.refuse.add(voter.email)
    response = client.post(url, {"idempotency_key": key})
    assert response.status_code == 503 and "could not be sent" in response.content.decode()
    assert not mailbox.delivered
    # After the close the receipt keepers are gone, so nothing can be mailed.
    mailbox.refuse.clear()
    frozen_clock.advance(hours=2)
    from grassroots.ballots.services.lifecycle import close_ballot

    close_ballot(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    response = client.post(url, {"idempotency_key": key})
    assert response.status_code == 409 and not mailbox.delivered
