"""Login throttling: after five wrong passwords for one address, the sixth attempt is refused,
even with the right password, and says why."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user
from django.test import override_settings
from django.urls import reverse

from grassroots.settings import base
from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = pytest.mark.django_db

REFUSAL = "Too many failed login attempts"


@override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS)
def test_sixth_attempt_for_an_account_is_refused_with_a_clear_message(client):
    member = MemberWithLoginFactory()
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": member.email, "password": "guess"}
        )
        assert response.status_code == 200
        assert "not correct" in response.content.decode()

    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSAL in page
    assert "There is a problem" in page
    assert not get_user(client).is_authenticated


@override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS)
def test_throttling_one_account_leaves_another_alone(client):
    target, other = MemberWithLoginFactory(), MemberWithLoginFactory()
    for _ in range(6):
        client.post(reverse("account_login"), {"login": target.email, "password": "guess"})
    response = client.post(reverse("account_login"), {"login": other.email, "password": PASSWORD})
    assert response.status_code == 302
    assert get_user(client) == other.user


@override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS)
def test_successful_logins_do_not_use_up_the_allowance(client):
    member = MemberWithLoginFactory()
    for _ in range(7):
        response = client.post(
            reverse("account_login"), {"login": member.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        client.logout()


def test_tests_run_without_throttling_by_default():
    assert django_settings.ACCOUNT_RATE_LIMITS is False


def test_throttling_counters_live_in_a_cache_every_node_shares():
    assert base.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert django_settings.CACHES["default"]["BACKEND"] == base.CACHES["default"]["BACKEND"]
