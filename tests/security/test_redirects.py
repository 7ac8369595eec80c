"""``next`` after login and logout only ever leads to a page of this site."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    "https://evil.example/",
    "http://evil.example/members/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example/",
    "https://testserver@evil.example/",
]


@pytest.mark.parametrize("next_url", HOSTILE)
def test_login_ignores_a_next_that_leaves_the_site(client: Client, next_url: str):
    member = MemberWithLoginFactory()
    # The login page carries ``next`` in a hidden field; what matters is where the login leads.
    login = f"{reverse('account_login')}?next={next_url}"
    response = client.post(login, {"login": member.email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_follows_a_next_within_the_site(client: Client):
    member = MemberWithLoginFactory()
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD, "next": "/groups/?page=2"},
    )
    assert response["Location"] == "/groups/?page=2"


@pytest.mark.parametrize("next_url", HOSTILE)
def test_logout_ignores_a_next_that_leaves_the_site(client: Client, next_url: str):
    member = MemberWithLoginFactory()
    client.force_login(member.user)
    response = client.post(reverse("account_logout"), {"next": next_url})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith(("//", "javascript:", "data:"))
