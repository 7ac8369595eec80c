"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's live
server (a real HTTP server on a thread, over a database emptied after each test).

Playwright's sync API runs its own event loop in this thread, which makes Django believe it is
in async code and refuse database access from fixtures; the tests never share a connection with
the event loop, so telling Django it is safe is true here.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Debian's chromium by default. GRASSROOTS_CHROMIUM=/usr/bin/chromium-headless-shell runs the
# same tests on Debian's headless shell of the same version (package chromium-headless-shell):
# the 73 browser tests took 40% less time there (docs/benchmarks.md, issue 13).
CHROMIUM = Path(os.environ.get("GRASSROOTS_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
SUBMIT_LOGIN = re.compile(r"^(log in|sign in)$", re.IGNORECASE)
_live_server_url: list[str] = []  # the session's live server, set by the browser fixture


@pytest.fixture(scope="session")
def browser(live_server) -> Iterator[object]:
    # Asking for the live server here makes Chromium close (and drop its keep-alive
    # connections) before the server stops, not after: otherwise the server's request threads
    # finish on a database connection that is no longer shared with them.
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)")
    from playwright.sync_api import sync_playwright

    _live_server_url[:] = [live_server.url]  # for log_in's session cookie

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def is_error(message) -> bool:
    # A failed load is reported by the response listener with its URL; a page a test expects
    # to be refused (a 404 document) is not an error.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    page.on(
        "console", lambda msg: errors.append(f"{page.url}: {msg.text}") if is_error(msg) else None
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} for {r.url}")
            if r.status >= 400 and r.request.resource_type != "document"
            else None
        ),
    )
    yield page
    context.close()
    # A script error or a refused resource (the CSP, a missing file) is a broken page.
    assert not errors, f"the browser reported errors: {errors}"


@pytest.fixture
def phone_page(browser, live_server) -> Iterator[object]:
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    totp_secret: str | None  # officers have an authenticator app


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238: 30-second steps, 6 digits)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in_through_the_form(page, login: Login) -> None:
    """Log in through the real login form, and the second-factor form for officers."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(login.email)
    page.get_by_label("Password").fill(login.password)
    page.get_by_role("button", name=SUBMIT_LOGIN).click()
    if login.totp_secret is not None:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label(re.compile("code", re.IGNORECASE)).fill(
            current_totp_code(login.totp_secret)
        )
        page.get_by_role("button", name=SUBMIT_LOGIN).click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def log_in(page, login: Login) -> None:
    """Log in by posting the same two forms from Django's test client, then give the browser
    the session and open the page the login lands on.

    The forms themselves are driven in the browser by the tests of logging in
    (``log_in_through_the_form``); the other journeys start logged in, as a person who logged
    in a moment ago would. Three browser navigations an officer's login cost about a second
    each time (docs/benchmarks.md, issue 13).
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    response = client.post("/accounts/login/", {"login": login.email, "password": login.password})
    if login.totp_secret is not None:
        assert response.status_code == 302, "the login form refused the password"
        assert response["Location"].endswith("/accounts/2fa/authenticate/"), response["Location"]
        response = client.post(
            "/accounts/2fa/authenticate/", {"code": current_totp_code(login.totp_secret)}
        )
    assert response.status_code == 302, f"the login was refused ({response.status_code})"
    landing = response["Location"]
    assert "/accounts/" not in landing, landing
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": _live_server_url[0]}]
    )
    page.goto(landing)


@dataclass(frozen=True)
class DemoLogins:
    member: Login
    data_manager: Login
    coordinator: Login
    national: Login


@pytest.fixture
def demo(live_server) -> DemoLogins:
    """The demo organisation at its smallest size, with the four demo logins of the README.

    Officers get an authenticator app: the test settings require a second factor of officers,
    so their journeys go through the real second-factor form. (The demo settings relax this.)
    """
    from django.core.cache import cache

    from grassroots.accounts.models import User
    from grassroots.demo import people as demo_organisation
    from tests.demo_database import restore_demo
    from tests.web.roles import TOTP_SECRET, give_authenticator_app

    # allauth remembers used TOTP codes in the cache; a code used by an earlier test's login
    # must not be refused as a replay in this one.
    cache.clear()
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    password = demo_organisation.DEMO_PASSWORD
    officers = (
        demo_organisation.DATA_MANAGER_LOGIN,
        demo_organisation.COORDINATOR_LOGIN,
        demo_organisation.NATIONAL_LOGIN,
    )
    for login in officers:
        give_authenticator_app(User.objects.get(email=login.email))
    return DemoLogins(
        member=Login(demo_organisation.MEMBER_LOGIN.email, password, None),
        data_manager=Login(officers[0].email, password, TOTP_SECRET),
        coordinator=Login(officers[1].email, password, TOTP_SECRET),
        national=Login(officers[2].email, password, TOTP_SECRET),
    )
