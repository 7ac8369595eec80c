"""Password reset by an emailed link, and changing the password while logged in."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user
from django.urls import reverse

from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.mail import Mailbox, link_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a quite different passphrase 42"


def test_member_resets_password_from_emailed_link_and_logs_in_with_it(client, mailbox: Mailbox):
    member = MemberWithLoginFactory()
    response = client.post(reverse("account_reset_password"), {"email": member.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")

    mail = mailbox.last_to(member.email)
    assert mail.subject.startswith("Grassroots: ")
    link = urlsplit(link_in(mail.text))
    response = client.get(link.path)
    # allauth moves the key out of the address into the session before showing the form.
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url).content.decode()
    assert '<label for="id_password1">' in page

    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    client.logout()
    old = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert old.status_code == 200
    assert not get_user(client).is_authenticated
    new = client.post(reverse("account_login"), {"login": member.email, "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert get_user(client) == member.user


def test_reset_link_works_only_once(client, mailbox: Mailbox):
    member = MemberWithLoginFactory()
    client.post(reverse("account_reset_password"), {"email": member.email})
    link = urlsplit(link_in(mailbox.last_to(member.email).text))
    form_url = client.get(link.path)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(link.path, follow=True)
    assert "Bad token" in again.content.decode() or "invalid" in again.content.decode()


def test_weak_new_password_is_refused_with_the_reason(client, mailbox: Mailbox):
    member = MemberWithLoginFactory()
    client.post(reverse("account_reset_password"), {"email": member.email})
    link = urlsplit(link_in(mailbox.last_to(member.email).text))
    form_url = client.get(link.path)["Location"]
    response = client.post(form_url, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_password1"' in page


def test_member_changes_password_while_logged_in(client):
    member = MemberWithLoginFactory()
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password(NEW_PASSWORD)
    # Still logged in on this device (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False).
    assert get_user(client) == member.user
