"""axe-core on the main journeys (issue 21): for each demo role (member, group officer,
coordinator, national office, auditor) at a desktop width and at 375 px, every page reached from
the home page's navigation and dashboard, and the pages of a ballot, a meeting and a motion, is
checked with axe-core (vendored: tests/browser/vendor/README.md) against WCAG 2.2 A and AA, and
must not scroll sideways (``scrollWidth <= innerWidth``). Any violation fails the test, naming
the page, the rule and the elements.

Pages are found by following links, not listed by hand, so a new page on a role's dashboard is
checked without anyone adding it here. Each path is checked once per viewport and kind (by the
first role that reaches it: one group's officers page stands for every group's) to keep the run
short; a test plants a violation to show the vendored axe runs and reports.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from grassroots.accounts.models import User
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.demo import ballots as demo_ballots
from grassroots.demo import people as demo_people
from grassroots.meetings.models import Motion
from tests.browser.conftest import Login, log_in
from tests.web.roles import TOTP_SECRET, give_authenticator_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Read once: given as a path, Playwright reads the 650 kB file again for every page checked.
AXE_SOURCE = AXE.read_text(encoding="utf-8")
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWPORTS = [{"width": 1280, "height": 900}, {"width": 375, "height": 800}]
PAGES_PER_ROLE = 18
# Links that are not pages to check: files, feeds, the logout, the admin, other sites.
SKIPPED = re.compile(
    r"(\.(csv|json|zip|blt|ics|pdf|png|jpg|svg)$)|^/(accounts/logout|admin|api|static|media)/"
)


def axe_version() -> str:
    found = re.search(r"axe v(\d+\.\d+\.\d+)", AXE_SOURCE[:200])
    assert found, "tests/browser/vendor/axe.min.js is not axe-core"
    return found.group(1)


def check_page(page, path: str) -> list[str]:
    """axe's WCAG 2.2 A/AA violations on ``path`` and whether it scrolls sideways; a server
    error is a problem of its own (axe would pass a tidy error page)."""
    response = page.goto(path)
    if response is not None and response.status >= 500:
        return [f"{path}: the server answered {response.status}"]
    return check_here(page, path)


def check_here(page, path: str) -> list[str]:
    """The same checks on the page as it is now (a rejected form, an opened menu)."""
    problems = []
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    if scroll > inner:
        problems.append(f"{path}: {scroll}px wide on a {inner}px screen")
    if not page.evaluate("typeof axe !== 'undefined'"):  # a page opened without with_axe()
        page.add_script_tag(content=AXE_SOURCE)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))",
        WCAG_22_AA,
    )
    problems.extend(
        f"{path}: {v['id']} ({v['impact']}): {v['help']} at {'; '.join(v['nodes'])}" for v in result
    )
    return problems


def with_axe(context):  # type: ignore[no-untyped-def]
    """Give every page the context opens axe, as it loads. Sent once: add_script_tag sent the
    650 kB again for each page checked, about 0.7 s a page on a loaded machine."""
    context.add_init_script(AXE_SOURCE)
    return context


def links_from(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if SKIPPED.search(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in found:
            found.append(path)
    return found


def page_kind(path: str) -> str:
    """One page of each kind: ``/groups/leeds/officers/`` stands for every group's officers,
    one member's record for every member's."""
    kind = re.sub(r"/\d+(?=/|$)", "/N", path.split("?")[0])
    return re.sub(r"^/(groups|members|proposals/body)/[^/]+/", r"/\1/S/", kind)


def test_axe_finds_a_planted_violation(browser):
    """The vendored axe runs and reports: an image with no text alternative fails."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
        page.add_script_tag(content=AXE_SOURCE)
        found = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => v.id)",
            WCAG_22_AA,
        )
        assert "image-alt" in found
    finally:
        context.close()


def _logins() -> dict[str, Login]:
    password = demo_people.DEMO_PASSWORD
    officers = {
        "national office": demo_people.NATIONAL_LOGIN,
        "coordinator": demo_people.COORDINATOR_LOGIN,
        "group officer": demo_people.DATA_MANAGER_LOGIN,
        "auditor": demo_people.AUDITOR_LOGIN,
    }
    for login in officers.values():
        user = User.objects.get(email=login.email)
        if not user.authenticator_set.exists():
            give_authenticator_app(user)
    # Officers first: they reach the pages of running a ballot or a meeting, which a member
    # would reach as a 404; every page a member reaches is still checked in their turn.
    return {
        **{role: Login(login.email, password, TOTP_SECRET) for role, login in officers.items()},
        "member": Login(demo_people.MEMBER_LOGIN.email, password, None),
    }


def journey_pages() -> list[str]:
    """Pages of the main journeys that the dashboard links only once something is under way."""
    pages = ["/", "/groups/", "/meetings/", "/ballots/", "/my-data/"]
    published = Ballot.objects.filter(status=BallotStatus.PUBLISHED).first()
    if published is not None:
        pages += [f"/ballots/{published.pk}/results/", f"/ballots/{published.pk}/check/"]
    running = Ballot.objects.exclude(status=BallotStatus.PUBLISHED).first()
    if running is not None:
        pages += [f"/ballots/{running.pk}/", f"/ballots/{running.pk}/log/"]
    motion = Motion.objects.select_related("meeting").first()
    if motion is not None:
        pages += [
            f"/meetings/{motion.meeting_id}/",
            f"/meetings/{motion.meeting_id}/agenda/",
            f"/meetings/{motion.meeting_id}/motions/{motion.pk}/",
        ]
    return pages


@pytest.mark.slow(seconds=50)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_main_journeys_meet_wcag_22_aa_and_fit_the_screen(browser, live_server, demo, viewport):
    from django.core.cache import cache

    assert axe_version() == "4.14.1"
    checked: set[str] = set()
    problems: list[str] = []
    for role, login in _logins().items():
        cache.clear()  # a TOTP code used by the previous role's login is not a replay
        context = with_axe(
            browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            log_in(page, login)
            page.goto("/")
            # Breadth first from the home page: its links, then the links of those pages.
            queue = [*journey_pages(), *links_from(page)]
            done = 0
            while queue and done < PAGES_PER_ROLE:
                path = queue.pop(0)
                kind = page_kind(path)
                if kind in checked:
                    continue
                checked.add(kind)
                done += 1
                problems.extend(f"[{role}] {p}" for p in check_page(page, path))
                queue.extend(links_from(page))
        finally:
            context.close()
    assert len(checked) >= 25, sorted(checked)
    assert not problems, "\n".join(problems)


def open_phone_menu(page, viewport: dict[str, int]) -> None:
    """On a phone, open the folded navigation (static/js/nav.js), so axe checks it open; on a
    wide screen there is no menu button and every link is listed already."""
    toggle = page.get_by_role("button", name="Menu")
    if viewport["width"] > 640:
        expect(toggle).to_be_hidden()
        return
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#main-menu a").first).to_be_visible()


def expect_rejected(page) -> None:
    """A rejected form as issue 21 asks: the title says "Error:" first and the error summary
    has the focus, so a screen reader reads it at once."""
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".error-summary")).to_be_focused()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_error_states_and_the_open_menu_meet_wcag_22_aa(browser, live_server, demo, viewport):
    """axe on the states the page walk never reaches: the phone's menu opened, a rejected
    ballot paper (with the menu open too), the review step before a cast, a rejected receipt
    check and a rejected profile form (My data), for the member, at both widths."""
    context = with_axe(
        browser.new_context(base_url=live_server.url, viewport=viewport, bypass_csp=True)
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        log_in(page, demo.member)
        page.goto("/")
        open_phone_menu(page, viewport)
        problems += check_here(page, "/ (menu open)")

        ballot = Ballot.objects.get(title=demo_ballots.OPEN_TITLE)
        assert not ballot.is_end_to_end
        page.goto(f"/ballots/{ballot.pk}/vote/")
        boxes = page.locator("input.preference")
        boxes.nth(0).fill("x")
        boxes.nth(1).fill("1")
        boxes.nth(2).fill("1")
        boxes.nth(1).press("Enter")  # Enter in a box asks for the review; nothing is cast
        expect_rejected(page)
        # Every mistake at once: the letter, and the repeat (listed once, both boxes marked).
        expect(page.locator(".error-summary li")).to_have_count(2)
        expect(page.locator("input.preference[aria-invalid=true]")).to_have_count(3)
        problems += check_here(page, "rejected ballot paper")
        open_phone_menu(page, viewport)
        problems += check_here(page, "rejected ballot paper (menu open)")

        boxes.nth(0).fill("")
        boxes.nth(2).fill("2")
        boxes.nth(2).press("Enter")  # a good paper too: Enter shows the review, never casts
        expect(
            page.get_by_role("heading", name="Check your vote before you cast it")
        ).to_be_visible()
        expect(page.locator("#vote-review ol li")).to_have_count(2)
        problems += check_here(page, "ballot paper review")
        page.get_by_role("button", name="Change my choices").click()
        expect(page.locator("input.preference").nth(1)).to_have_value("1")
        assert not ballot.roll.filter(has_voted=True, member__user__email=demo.member.email)

        page.goto(f"/ballots/{ballot.pk}/check/?tracker=not-a-tracker")
        expect_rejected(page)
        problems += check_here(page, "rejected receipt check")

        page.goto("/profile/edit/")
        page.get_by_label("Phone").fill("call me maybe")
        page.get_by_label("Postcode").fill("NOWHERE")
        page.locator("main form button[type=submit]").click()
        expect_rejected(page)
        expect(page.locator("main input[aria-invalid=true]")).to_have_count(2)
        problems += check_here(page, "rejected profile form")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
