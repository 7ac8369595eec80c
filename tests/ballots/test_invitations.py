"""Invitations at opening and reminders: one mail per member on the roll, each with a personal
link that votes in that ballot only; nobody's address is shown to anyone."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client

from grassroots.ballots.models import Ballot
from grassroots.ballots.services.reminders import send_reminder
from tests.ballots.conftest import Clock, SetUp, cast_orders, open_with_voters
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/ballots/\d+/vote/link/[^/\s]+/)")


def test_opening_mails_each_member_on_the_roll_their_own_link(
    client: Client, ready_ballot: SetUp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        voters = open_with_voters(ready_ballot, 3)
    ballot = Ballot.objects.get(pk=ready_ballot.ballot.pk)
    assert ballot.invitations_sent_at is not None
    roll_emails = set(ballot.roll.values_list("member__email", flat=True))
    assert {m.to[0] for m in mail.outbox} == roll_emails and len(mail.outbox) == len(roll_emails)
    links = set()
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
        assert ballot.title in message.subject
        links.add(LINK.search(message.body).group(1))
    assert len(links) == len(mail.outbox)
    by_voter = next(m for m in mail.outbox if m.to == [voters[0].email])
    page = client.get(LINK.search(by_voter.body).group(1))
    assert page.status_code == 200 and "Review my vote" in page.content.decode()


def test_reminder_goes_to_everyone_on_the_roll_voted_or_not(
    ready_ballot: SetUp, django_capture_on_commit_callbacks
):
    voters = open_with_voters(ready_ballot, 3)
    cast_orders(ready_ballot, voters[:1], [[0]])
    with pytest.raises(PermissionDenied):
        send_reminder(actor=MemberWithLoginFactory().user, ballot=ready_ballot.ballot)
    with django_capture_on_commit_callbacks(execute=True):
        size = send_reminder(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    assert len(mail.outbox) == size == ready_ballot.ballot.roll.count()
    assert voters[0].email in {m.to[0] for m in mail.outbox}
    assert all("If you have already voted" in m.body for m in mail.outbox)
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).reminders_sent == 1


def test_reminder_command_refuses_a_closed_ballot(ready_ballot: SetUp, frozen_clock: Clock):
    open_with_voters(ready_ballot, 1)
    frozen_clock.advance(hours=2)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not open"):
        call_command("send_ballot_reminder", ready_ballot.ballot.election_id)


def test_other_groups_officer_cannot_send_a_reminder(ready_ballot: SetUp):
    open_with_voters(ready_ballot, 1)
    outsider = RoleFactory(role="secretary", group=GroupFactory()).member
    with pytest.raises(PermissionDenied):
        send_reminder(actor=outsider.user, ballot=ready_ballot.ballot)
