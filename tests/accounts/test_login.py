"""Logging in: by password, and by a one-time code sent through a real SMTP server."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.mail import Mailbox, code_in

pytestmark = pytest.mark.django_db


def test_member_logs_in_with_password_and_reaches_dashboard(client):
    member = MemberWithLoginFactory()
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert get_user(client) == member.user
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused_with_an_error_summary(client):
    member = MemberWithLoginFactory()
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": "not the password"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "not correct" in page
    assert not get_user(client).is_authenticated


def test_login_page_labels_every_field_and_offers_a_code(client):
    page = client.get(reverse("account_login")).content.decode()
    assert '<label for="id_login">' in page
    assert '<label for="id_password">' in page
    assert reverse("account_request_login_code") in page
    assert reverse("account_reset_password") in page
    assert "sign up" not in page.lower()


def test_member_logs_in_with_a_code_sent_by_email(client, mailbox: Mailbox):
    member = MemberWithLoginFactory()
    response = client.post(reverse("account_request_login_code"), {"email": member.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")

    mail = mailbox.last_to(member.email)
    code = code_in(mail.text)
    assert not get_user(client).is_authenticated

    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert get_user(client) == member.user


def test_a_wrong_login_code_does_not_log_in(client, mailbox: Mailbox):
    member = MemberWithLoginFactory()
    client.post(reverse("account_request_login_code"), {"email": member.email})
    code_in(mailbox.last_to(member.email).text)
    response = client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not get_user(client).is_authenticated


def test_code_request_for_an_unknown_address_reveals_nothing(client, mailbox: Mailbox):
    response = client.post(reverse("account_request_login_code"), {"email": "stranger@example.org"})
    # The same page as for a member, so nobody can probe who is a member.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
