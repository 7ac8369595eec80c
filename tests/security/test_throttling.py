"""Login throttling per client address and per account, for passwords and emailed codes, with
the production limits (grassroots.settings.base.ACCOUNT_RATE_LIMITS). The per-account password
limit is in tests/accounts/test_throttling.py."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import Client, override_settings
from django.urls import reverse

from grassroots.settings import base
from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.mail import Mailbox, code_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("production_limits"),
]


@pytest.fixture
def production_limits():
    with override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS):
        yield


def fail_login(client: Client, email: str, **extra: str) -> str:
    response = client.post(reverse("account_login"), {"login": email, "password": "guess"}, **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_one_address_failing_on_many_accounts_is_refused_after_twenty():
    members = [MemberWithLoginFactory() for _ in range(5)]
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(20):
        page = fail_login(attacker, members[attempt % 5].email)
        assert "Too many failed login attempts" not in page
    fresh = MemberWithLoginFactory()
    page = fail_login(attacker, fresh.email)
    assert "Too many failed login attempts" in page
    # The right password from that address is refused too; from another address it works.
    response = attacker.post(reverse("account_login"), {"login": fresh.email, "password": PASSWORD})
    assert not get_user(attacker).is_authenticated
    neighbour = Client(REMOTE_ADDR="198.51.100.2")
    response = neighbour.post(
        reverse("account_login"), {"login": fresh.email, "password": PASSWORD}
    )
    assert response.status_code == 302


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_a_forged_forwarded_for_does_not_escape_the_address_limit():
    members = [MemberWithLoginFactory() for _ in range(5)]
    attacker = Client(REMOTE_ADDR="10.0.0.1")  # the proxy
    for attempt in range(20):
        # nginx appends the real client address to whatever the client sent.
        forged = f"192.0.2.{attempt}, 203.0.113.7"
        fail_login(attacker, members[attempt % 5].email, HTTP_X_FORWARDED_FOR=forged)
    page = fail_login(
        attacker, MemberWithLoginFactory().email, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7"
    )
    assert "Too many failed login attempts" in page
    other_client = fail_login(
        attacker, MemberWithLoginFactory().email, HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert "Too many failed login attempts" not in other_client


def request_code(client: Client, email: str):
    return client.post(reverse("account_request_login_code"), {"email": email})


def test_login_codes_for_one_account_are_limited_to_three_a_minute(mailbox: Mailbox):
    member = MemberWithLoginFactory()
    for i in range(3):
        assert request_code(Client(REMOTE_ADDR=f"198.51.100.{i}"), member.email).status_code == 302
    sent = len(mailbox.to(member.email))
    refused = request_code(Client(REMOTE_ADDR="198.51.100.50"), member.email)
    assert refused.status_code in (200, 429)
    assert "Too many" in refused.content.decode()
    assert len(mailbox.to(member.email)) == sent


def test_login_codes_from_one_address_are_limited_to_twenty_a_minute():
    members = [MemberWithLoginFactory() for _ in range(7)]
    for i in range(20):
        response = request_code(Client(REMOTE_ADDR="203.0.113.9"), members[i % 7].email)
        assert response.status_code == 302, i
    refused = request_code(Client(REMOTE_ADDR="203.0.113.9"), MemberWithLoginFactory().email)
    assert "Too many" in refused.content.decode()


def test_a_login_code_dies_after_three_wrong_guesses(client: Client, mailbox: Mailbox):
    member = MemberWithLoginFactory()
    request_code(client, member.email)
    code = code_in(mailbox.last_to(member.email).text)
    for _ in range(3):
        client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert not get_user(client).is_authenticated
    assert response.status_code in (200, 302)
