"""`manage.py check --deploy` passes with the production settings as a node would run them,
and fails when a production setting is weakened (so the test can tell the difference)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "SECRET_", "ALLOWED_", "SECURE_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="grassroots.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        # Never connected to: the deploy checks read settings only.
        DATABASE_URL="postgres://grassroots@127.0.0.1:9/grassroots",
        ALLOWED_HOSTS="members.example.org",
    )
    environ.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_a_warning():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_a_weak_secret_key_or_no_https_redirect_fails_check_deploy():
    weak = check_deploy(SECRET_KEY="short")
    assert weak.returncode != 0
    assert "security.W009" in weak.stderr
    no_redirect = check_deploy(SECURE_SSL_REDIRECT="false")
    assert no_redirect.returncode != 0
    assert "security.W008" in no_redirect.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = check_deploy(SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_production_cookies_are_host_only_secure_and_hsts_is_two_years():
    probe = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_NAME,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SESSION_COOKIE_HTTPONLY)"
    )
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings.prod",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://grassroots@127.0.0.1:9/grassroots",
        "ALLOWED_HOSTS": "members.example.org",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {probe}"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "True",
        "__Host-csrftoken",
        "True",
        "63072000",
        "True",
        "True",
    ]
