"""Sessions: a new session key at every login, and "log out everywhere" ending every session
of the person on every node (the session store is shared, so two clients stand for two devices
on two nodes)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.mail import Mailbox, code_in

pytestmark = pytest.mark.django_db


def test_logging_in_with_a_password_gives_a_new_session_key(client: Client):
    member = MemberWithLoginFactory()
    # A session that exists before login (as one an attacker planted would).
    session = client.session
    session["planted"] = "yes"
    session.save()
    before = session.session_key
    assert before
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    fixed = Client()
    fixed.cookies["sessionid"] = before
    assert not get_user(fixed).is_authenticated


def test_logging_in_with_an_emailed_code_gives_a_new_session_key(client: Client, mailbox: Mailbox):
    member = MemberWithLoginFactory()
    client.post(reverse("account_request_login_code"), {"email": member.email})
    before = client.cookies["sessionid"].value
    code = code_in(mailbox.last_to(member.email).text)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert get_user(client) == member.user
    assert client.cookies["sessionid"].value != before


def log_in(email: str) -> Client:
    device = Client()
    response = device.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return device


def test_log_out_everywhere_ends_every_session_of_that_person_only():
    member, other = MemberWithLoginFactory(), MemberWithLoginFactory()
    phone, laptop, stolen = log_in(member.email), log_in(member.email), log_in(member.email)
    someone_else = log_in(other.email)
    assert phone.get(reverse("home")).status_code == 200

    page = laptop.get(reverse("account_logout_everywhere"))
    assert page.status_code == 200
    assert "Log out on every device" in page.content.decode()
    response = laptop.post(reverse("account_logout_everywhere"), follow=True)
    assert response.redirect_chain[-1] == (reverse("account_login"), 302)
    assert "logged out everywhere" in response.content.decode()

    for device in (phone, laptop, stolen):
        assert not get_user(device).is_authenticated
        profile = device.get(reverse("profile"))
        assert profile.status_code == 302
        assert profile["Location"].startswith(reverse("account_login"))
        # The home page is the visitors' front page again, not the member's dashboard.
        assert "Find your local group" in device.get(reverse("home")).content.decode()
    assert someone_else.get(reverse("home")).status_code == 200

    entry = AuditEntry.objects.get(action="end_all_sessions")
    assert entry.actor_id == member.user.pk and entry.subject_id == str(member.user.pk)

    # Logging in again afterwards works as usual, and a second "everywhere" ends that too.
    again = log_in(member.email)
    assert again.get(reverse("home")).status_code == 200
    log_in(member.email).post(reverse("account_logout_everywhere"))
    assert not get_user(again).is_authenticated


def test_log_out_everywhere_needs_a_post():
    member = MemberWithLoginFactory()
    device = log_in(member.email)
    device.get(reverse("account_logout_everywhere"))
    assert get_user(device).is_authenticated
    assert not AuditEntry.objects.filter(action="end_all_sessions").exists()


def test_security_page_links_to_log_out_everywhere():
    member = MemberWithLoginFactory()
    page = log_in(member.email).get(reverse("mfa_index")).content.decode()
    assert reverse("account_logout_everywhere") in page
