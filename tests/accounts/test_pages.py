"""Every account page uses the site's layout, renders without undefined variables and respects
the Content-Security-Policy (no inline scripts or styles), so it works without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "account_login",
    "account_request_login_code",
    "account_reset_password",
    "account_reset_password_done",
    "account_signup",
]
MEMBER_PAGES = [
    "account_change_password",
    "account_email",
    "account_reauthenticate",
    "mfa_index",
    "mfa_activate_totp",
]


def assert_site_page(page: str) -> None:
    assert 'class="site-header"' in page
    assert page.count("<h1") == 1
    assert "INVALID_TEMPLATE_VARIABLE" not in page
    assert not re.search(r"\sstyle=", page), "inline style attributes are blocked by the CSP"
    for script in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in script or "nonce=" in script or "application/json" in script, script


@pytest.mark.parametrize("url_name", ANONYMOUS_PAGES)
def test_anonymous_account_page_looks_like_the_site(client: Client, url_name: str):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_site_page(response.content.decode())


@pytest.mark.parametrize("url_name", MEMBER_PAGES)
def test_member_account_page_looks_like_the_site(client: Client, url_name: str):
    member = MemberWithLoginFactory()
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert_site_page(response.content.decode())


def test_sign_up_is_closed(client: Client):
    page = client.get(reverse("account_signup")).content.decode()
    assert "<form" not in page or 'name="password1"' not in page
