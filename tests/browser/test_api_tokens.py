"""A member makes a personal API token, sees it once, uses it, and revokes it; the API's
browsable schema page loads under the site's Content-Security-Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Login, log_in
from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_member_makes_uses_and_revokes_an_api_token(page):
    member = MemberWithLoginFactory(first_name="Maya", last_name="Okafor")
    log_in(page, Login(member.user.email, PASSWORD, None))
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("results bot")
    page.get_by_label("Expires after").select_option("30")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    secret = page.get_by_role("textbox", name="Token", exact=True).input_value()
    assert secret.startswith("grt_")

    api = page.context.request
    me = api.get("/api/v1/me/ballots", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200
    assert me.json() == []

    page.goto("/api/tokens/")
    # Never shown again.
    expect(page.get_by_role("textbox", name="Token", exact=True)).to_have_count(0)
    expect(page.get_by_role("cell", name="results bot", exact=True)).to_be_visible()
    page.get_by_role("button", name="Revoke “results bot”").click()
    expect(page.get_by_text("is revoked: it no longer works")).to_be_visible()
    refused = api.get(
        "/api/v1/me/ballots",
        headers={"Authorization": f"Bearer {secret}", "Cookie": ""},
    )
    assert refused.status == 401
    assert refused.json()["code"] == "not_authenticated"


def test_the_api_schema_page_loads_without_csp_errors(page):
    page.goto("/api/v1/docs")
    expect(page.get_by_text("Grassroots API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/ballots/{ballot_id}/votes").first).to_be_visible()
