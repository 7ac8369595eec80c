"""The login cache's table (issue 20, item 8): `migrate` makes it whatever settings it runs
under, so a database migrated under the demo settings (a per-process cache, no table) and then
served under production's (the database cache) logs people in; and a missing table answers 503,
never 500."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from grassroots.settings import base
from tests.factories import PASSWORD, MemberWithLoginFactory

ROOT = Path(__file__).resolve().parents[2]

LOGIN_UNDER_PRODUCTION = """
import django
django.setup()
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
user = get_user_model().objects.create_user(email="ada@example.org", password="a long passphrase")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
client = Client(raise_request_exception=False)
response = client.post(
    "/accounts/login/", {"login": "ada@example.org", "password": "a long passphrase"}, secure=True
)
print(response.status_code, response.get("Location", ""))
"""


def run(settings_module: str, database: str, *argv: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environ.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        DATABASE_URL=database,
        SECRET_KEY="a-test-key-only-for-this-test-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="testserver",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return subprocess.run(
        [sys.executable, *argv], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow(seconds=45)
def test_a_database_migrated_under_demo_settings_logs_people_in_under_production(tmp_path):
    database = f"sqlite:///{tmp_path / 'grassroots.sqlite3'}"
    migrated = run("grassroots.settings.dev", database, "manage.py", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    login = run("grassroots.settings.prod", database, "-c", LOGIN_UNDER_PRODUCTION)
    assert login.returncode == 0, login.stderr
    assert login.stdout.split() == ["302", "/"], login.stdout + login.stderr


@pytest.mark.django_db
@override_settings(ACCOUNT_RATE_LIMITS=base.ACCOUNT_RATE_LIMITS)  # login throttling reads the cache
def test_a_missing_cache_table_answers_503_not_500():
    member = MemberWithLoginFactory()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE grassroots_cache")  # rolled back with the test
    client = Client(raise_request_exception=False)
    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Nothing you sent has been lost" in response.content.decode()
