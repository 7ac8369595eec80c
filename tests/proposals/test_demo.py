from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from grassroots.accounts.models import User
from grassroots.demo import people as demo
from grassroots.proposals.models import Proposal, ProposalStatus
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_adds_proposals_once_and_the_demo_member_is_asked_to_respond():
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    decided = Proposal.objects.get(title="Where to hold the January stall")
    assert decided.status == ProposalStatus.CLOSED and decided.chosen_option is not None
    assert decided.chosen_option.label == "Kirkgate Market"
    assert decided.outcome_statement
    letter = Proposal.objects.get(title__startswith="Co-sign the tenants' union letter")
    assert letter.status == ProposalStatus.OPEN and letter.positions.count() == 1

    client = Client()
    client.force_login(User.objects.get(email=demo.MEMBER_LOGIN.email))
    home = client.get("/").content.decode()
    assert "Take your position on “Co-sign the tenants&#x27; union letter" in home or (
        "Take your position on “Co-sign the tenants' union letter" in home
    )
    call_command("seed_demo", "--members", str(demo.MINIMUM_MEMBERS), stdout=io.StringIO())
    assert Proposal.objects.count() == 2
