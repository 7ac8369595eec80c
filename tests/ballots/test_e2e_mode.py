"""The per-ballot mode (issue 14): end-to-end verifiable or server-side encryption."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots import clock
from grassroots.ballots.models import Ballot
from grassroots.organisation.models import Role
from tests.factories import GroupFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _create(client: Client, **extra: str) -> Ballot:
    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    give_authenticator_app(officer.user)
    client.force_login(officer.user)
    now = clock.now()
    response = client.post(
        reverse("ballot_create"),
        {
            "title": "Steering committee 2026",
            "scope": f"group:{group.pk}",
            "opens_at": _local(now + datetime.timedelta(hours=1)),
            "closes_at": _local(now + datetime.timedelta(hours=9)),
            "eligible_statuses": ["member"],
            "tellers_count": "3",
            "threshold": "2",
            **extra,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Ballot.objects.get()


def test_the_returning_officer_chooses_end_to_end_mode_and_the_ballot_page_says_so(
    client: Client,
):
    ballot = _create(client, end_to_end="on")
    assert ballot.is_end_to_end
    html = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    assert "End-to-end verifiable: papers are encrypted in the voter's browser" in html


def test_unticking_end_to_end_keeps_server_side_encryption(client: Client):
    ballot = _create(client)
    assert not ballot.is_end_to_end
    html = client.get(reverse("ballot_manage", args=[ballot.pk])).content.decode()
    assert "Server-side encryption: the server seals each paper" in html


def test_end_to_end_is_ticked_by_default_on_the_create_form(client: Client):
    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    give_authenticator_app(officer.user)
    client.force_login(officer.user)
    html = client.get(reverse("ballot_create")).content.decode()
    assert re.search(r"<input[^>]*name=\"end_to_end\"[^>]*checked", html)
