"""Officers must set up an authenticator app (TOTP) before anything else; members never are."""

from __future__ import annotations

import html
import importlib
import re
import sys
import time
import types

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user
from django.test import Client
from django.urls import reverse

from grassroots.organisation.models import Role
from tests.accounts.test_pages import assert_site_page
from tests.factories import PASSWORD, GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox, code_in

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/2fa/totp/activate/"


def totp_now(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238, 30-second steps), via allauth's HOTP."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client: Client, email: str) -> None:
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()


def secret_on(page: str) -> str:
    match = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', page)
    if match is None:
        match = re.search(r'value="([A-Z2-7=]+)"[^>]*id="authenticator_secret"', page)
    assert match, "no authenticator secret on the set-up page"
    return match.group(1)


def confirm_password(client: Client) -> None:
    """allauth asks for the password again before an authenticator is added or removed."""
    response = client.get(SETUP_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


def activate_totp(client: Client) -> str:
    confirm_password(client)
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    secret = secret_on(page.content.decode())
    response = client.post(SETUP_URL, {"code": totp_now(secret)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    return secret


@pytest.fixture
def officer():
    return RoleFactory(role=Role.DATA_MANAGER, group=GroupFactory()).member


def test_setup_url_is_allauths_totp_activation():
    assert reverse("mfa_activate_totp") == SETUP_URL


@pytest.mark.parametrize(
    "url_name",
    ["home", "profile", "group_list", "member_list", "national_overview"],
)
def test_officer_without_totp_is_sent_to_setup_from_every_page(client, officer, url_name):
    log_in(client, officer.email)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


def test_officer_without_totp_is_sent_to_setup_from_the_admin(client, officer):
    log_in(client, officer.email)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


def test_landing_after_login_sends_officer_to_setup_with_an_explanation(client, officer):
    log_in(client, officer.email)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0] == (SETUP_URL, 302)
    page = response.content.decode()
    assert "two-factor authentication" in page
    assert '<label for="id_password">' in page

    confirm_password(client)
    page = client.get(SETUP_URL).content.decode()
    assert "<h1>Set up an authenticator app</h1>" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert '<label for="id_code">' in page


@pytest.mark.parametrize(
    "url_name",
    ["mfa_index", "account_change_password", "account_email", "account_reauthenticate"],
)
def test_officer_without_totp_can_still_reach_account_pages(client, officer, url_name):
    log_in(client, officer.email)
    assert client.get(reverse(url_name)).status_code == 200


def test_officer_without_totp_can_log_out(client, officer):
    log_in(client, officer.email)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert not get_user(client).is_authenticated


def test_htmx_request_is_redirected_by_htmx(client, officer):
    log_in(client, officer.email)
    response = client.get(
        reverse("member_list"), headers={"HX-Request": "true", "HX-Current-URL": "/members/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == SETUP_URL


def test_officer_activates_totp_continues_where_going_and_is_asked_for_it_next_login(
    client, officer
):
    log_in(client, officer.email)
    assert client.get("/members/?q=smith")["Location"] == SETUP_URL

    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=officer.user, type=Authenticator.Type.TOTP).exists()

    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert 'href="/members/?q=smith"' in html.unescape(codes_page)
    assert re.search(r"recovery_codes.*?>\s*\w+", codes_page, re.DOTALL)
    assert client.get("/members/?q=smith").status_code == 200
    assert client.get(reverse("home")).status_code == 200

    client.post(reverse("account_logout"))
    response = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not get_user(client).is_authenticated
    prompt = client.get(reverse("mfa_authenticate")).content.decode()
    assert '<label for="id_code">' in prompt
    assert_site_page(prompt)

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "There is a problem" in wrong.content.decode()
    assert not get_user(client).is_authenticated

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert get_user(client) == officer.user
    assert client.get(reverse("home")).status_code == 200


def test_login_by_emailed_code_still_asks_for_the_authenticator_code(
    client, officer, mailbox: Mailbox
):
    log_in(client, officer.email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))

    client.post(reverse("account_request_login_code"), {"email": officer.email})
    code = code_in(mailbox.last_to(officer.email).text)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not get_user(client).is_authenticated

    response = client.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert get_user(client) == officer.user


def test_recovery_code_logs_in_instead_of_the_app(client, officer):
    log_in(client, officer.email)
    activate_totp(client)
    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    codes = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.DOTALL)
    assert codes
    first_code = codes.group(1).split()[0]

    client.post(reverse("account_logout"))
    log_in(client, officer.email)
    response = client.post(reverse("mfa_authenticate"), {"code": first_code})
    assert response.status_code == 302
    assert get_user(client) == officer.user


def test_member_without_a_role_is_never_asked_for_mfa(client):
    member = MemberWithLoginFactory()
    log_in(client, member.email)
    for url_name in ("home", "profile", "group_list"):
        assert client.get(reverse(url_name)).status_code == 200


def test_ended_role_no_longer_requires_mfa(client):
    import datetime

    role = RoleFactory(
        role=Role.DATA_MANAGER,
        group=GroupFactory(),
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    log_in(client, role.member.email)
    assert client.get(reverse("home")).status_code == 200


def test_when_mfa_is_not_required_officers_are_only_offered_it(client, officer, settings):
    settings.GRASSROOTS_REQUIRE_OFFICER_MFA = False
    log_in(client, officer.email)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200


def test_demo_settings_offer_mfa_without_forcing_it(monkeypatch):
    monkeypatch.delenv("GRASSROOTS_REQUIRE_OFFICER_MFA", raising=False)
    dev = importlib.import_module("grassroots.settings.dev")
    dev = importlib.reload(dev)
    assert dev.GRASSROOTS_REQUIRE_OFFICER_MFA is False
    assert "allauth.mfa" in dev.INSTALLED_APPS


def test_production_settings_force_mfa_for_officers(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test-only")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/grassroots")
    monkeypatch.setenv("GRASSROOTS_REQUIRE_OFFICER_MFA", "false")
    prod = importlib.reload(importlib.import_module("grassroots.settings.prod"))
    assert prod.GRASSROOTS_REQUIRE_OFFICER_MFA is True


def test_test_settings_force_mfa_for_officers(settings):
    assert settings.GRASSROOTS_REQUIRE_OFFICER_MFA is True


def _views(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield pattern.name, pattern.callback


def test_no_page_skips_the_middlewares_officer_mfa_decision():
    """Every page is decided by the middleware. Two hand it the flags from their own query
    (grassroots.ballots.views.voting: ballot_vote and ballot_cast, the middleware calling
    their loader); only the JSON API decides in its authentication, which answers a JSON 403
    instead of the pages' redirect (grassroots.api.errors.guard_view, tested in
    tests/api/test_auth.py). No other opt-out exists."""
    from django.urls import get_resolver

    from grassroots.accounts.middleware import API_AUTH_ATTR, OWN_QUERY_ATTR

    views = list(_views(get_resolver().url_patterns))
    own_query = {name for name, view in views if getattr(view, OWN_QUERY_ATTR, None)}
    assert own_query == {"ballot_vote", "ballot_cast"}
    in_api_auth = {
        getattr(getattr(view, "__code__", None), "co_qualname", "")
        for _, view in views
        if getattr(view, API_AUTH_ATTR, False)
    }
    assert in_api_auth == {"guard_view.<locals>.guarded"}


def _probe(load):
    """A view that hands the middleware a loader and then ignores the flags entirely."""
    from django.http import HttpResponse

    from grassroots.accounts.middleware import officer_mfa_from_own_query

    calls = []

    @officer_mfa_from_own_query(load)
    def view(request, thing_id):
        calls.append(thing_id)
        return HttpResponse("ran")

    return view, calls


@pytest.mark.parametrize("flags", ["officer without app", "no row"])
def test_a_view_with_its_own_query_that_never_checks_is_still_protected(
    client, officer, settings, flags
):
    """The decision cannot be left to the view: the middleware calls the loader and decides
    from its flags (or, with no row, from its own query), before the view runs."""
    from django.urls import include, path

    from grassroots.accounts.middleware import MfaFlags

    answer = MfaFlags(is_officer=True, has_totp=False) if flags == "officer without app" else None
    seen = []

    def load(request, view_kwargs):
        seen.append(view_kwargs["thing_id"])
        return answer

    view, calls = _probe(load)
    module = types.ModuleType("probe_urls")
    module.urlpatterns = [
        path("probe/<int:thing_id>/", view, name="probe"),
        path("", include("grassroots.urls")),
    ]
    sys.modules["probe_urls"] = module
    settings.ROOT_URLCONF = "probe_urls"
    try:
        log_in(client, officer.email)
        response = client.get("/probe/7/")
    finally:
        del sys.modules["probe_urls"]
    assert response.status_code == 302 and response["Location"] == SETUP_URL
    assert seen == [7] and calls == []


def test_officer_without_totp_is_sent_to_setup_from_a_personal_voting_link(client, officer):
    log_in(client, officer.email)
    response = client.get("/ballots/1/vote/link/not-a-token/")
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL
