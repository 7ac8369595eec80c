"""An address the movement has not yet seen confirmed must be confirmed before the first login."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user
from django.urls import reverse

from tests.factories import PASSWORD, MemberWithLoginFactory
from tests.mail import Mailbox, code_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified_member():
    member = MemberWithLoginFactory()
    EmailAddress.objects.filter(user=member.user).update(verified=False)
    return member


def test_unverified_address_is_confirmed_by_emailed_code_then_logged_in(
    client, mailbox: Mailbox, unverified_member
):
    response = client.post(
        reverse("account_login"), {"login": unverified_member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not get_user(client).is_authenticated

    mail = mailbox.last_to(unverified_member.email)
    assert mail.subject == "Grassroots: Confirm your email address"
    page = client.get(reverse("account_email_verification_sent")).content.decode()
    assert '<label for="id_code">' in page

    response = client.post(reverse("account_email_verification_sent"), {"code": code_in(mail.text)})
    assert response.status_code == 302
    assert get_user(client) == unverified_member.user
    assert EmailAddress.objects.get(user=unverified_member.user).verified


def test_unverified_address_cannot_log_in_without_the_code(
    client, mailbox: Mailbox, unverified_member
):
    client.post(reverse("account_login"), {"login": unverified_member.email, "password": PASSWORD})
    response = client.post(reverse("account_email_verification_sent"), {"code": "AAAA-AAAA"})
    assert response.status_code == 200
    assert not get_user(client).is_authenticated
    # Still a visitor: the front page, not the member's dashboard.
    assert "Find your local group" in client.get(reverse("home")).content.decode()
