"""Every page a person may use is linked from somewhere they can reach: a test walks the site
from the home page as each person in the access table (tests/web/test_access_matrix.py) and
fails for any URL name that answers them 200 but that no page they can reach links to.

A page reached only from outside the site (a link in an email, a machine endpoint) is listed in
NOT_LINKED with the reason; everything else must be reachable by clicking.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from tests.web.access import ACTORS
from tests.web.roles import build_movement
from tests.web.test_access_matrix import ACCESS, client_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Pages nobody reaches by clicking inside the site, and why.
NOT_LINKED = {
    "healthz": "the load balancer's health check",
    "set_language": "the footer's language buttons post to it from every page",
    "messaging:unsubscribe": "the link at the foot of each mail to members",
    "ballot_vote_by_link": "the personal voting link in the invitation mail",
    "account_inactive": "allauth shows it after a login to a deactivated account",
    "account_reset_password_done": "allauth's page after the reset form is sent",
    "account_reset_password_from_key": "the link in the password-reset mail",
    "account_reset_password_from_key_done": "allauth's page after a new password is set",
    "account_reauthenticate": "allauth sends a person here before a sensitive change",
    "mfa_reauthenticate": "allauth sends an officer here before a sensitive change",
    "account_logout": "the Log out button posts straight to it; the page is its no-JS confirmation",
    "account_email_verification_sent": "allauth's page after an address is added",
    "account_signup": "allauth's sign-up, which only says that sign-up is closed",
    "join_verify": "the verification link in the mail the join form sends",
    "join_sent": "shown after the join form is sent",
    "data_protection_agreement": (
        "only a Data Manager who has not yet accepted it needs it, and their home page links it"
    ),
}
# The JSON API's endpoints are for programs: its documentation (api:openapi-view), linked from
# the API tokens page, lists them.
MACHINE_PREFIXES = ("api:",)
MACHINE_PAGES_LINKED = {"api:openapi-view"}

# Pages not yet linked for these people (issue 21, "every page reachable"), as found on
# 6 December 2026: mostly pages of an object in one state (a held meeting's minutes, a closed
# ballot's teller page) that the walk may not reach within its limits, and officers' pages linked
# only from a form's result. The list may only shrink: the test fails for a page missing from
# here, and warns for one listed that is now linked.
KNOWN_GAPS: dict[str, set[str]] = {
    "anonymous": {
        # 6 December, afternoon: an unpublished ballot's result page now says when the result
        # comes (200, not 404); visitors reach a ballot only once its result is published.
        "ballot_results",
        "ballot_head_file",
        "api:openapi-view",
        "ballot_log",
        "ballot_receipt_check",
    },
    "member": {
        # A proposal's discussion is the meetings' debate thread (issue 19): its per-comment
        # pages are linked from a comment, as a motion's are, and the walk's proposals have none.
        "proposals:comment_edit",
        "proposals:comment_history",
        "proposals:comment_report",
        "ballot_teller_reveal",
        "ballot_teller_share",
        "delegation_body",
        "delegation_composite_detail",
        "delegation_forward_detail",
        "meetings:comment_edit",
        "meetings:comment_history",
        "meetings:comment_report",
        "meetings:minutes",
        "oversight_teller_share",
        "oversight_teller_shares",
    },
    "other_member": {
        # As for visitors: an open ballot's results page says the result is not yet published
        # (issue 21), and a member not on its roll reaches the ballot once it is published.
        "ballot_results",
        "ballot_head_file",
        "ballot_log",
        "ballot_receipt_check",
    },
    "data_manager": {
        # A proposal's discussion is the meetings' debate thread (issue 19): its per-comment
        # pages are linked from a comment, as a motion's are, and the walk's proposals have none.
        "proposals:comment_history",
        "proposals:comment_report",
        "delegation_body",
        "delegation_composite_detail",
        "delegation_forward_detail",
        "meetings:comment_history",
        "meetings:comment_report",
        "meetings:minutes",
    },
    "secretary": {
        # A proposal's discussion is the meetings' debate thread (issue 19): its per-comment
        # pages are linked from a comment, as a motion's are, and the walk's proposals have none.
        "proposals:comment_hide",
        "proposals:comment_history",
        "proposals:comment_report",
        "proposals:reports",
        "ballot_candidate_add",
        "ballot_nominations_open",
        "ballot_question_add",
        "ballot_reminders",
        "ballot_tellers",
        "delegation_body",
        "delegation_composite_detail",
        "delegation_forward_detail",
        "meetings:amendment_rule",
        "meetings:comment_hide",
        "meetings:comment_history",
        "meetings:comment_report",
        "meetings:minutes_edit",
        "messaging:mailout_detail",
    },
    "coordinator": {
        # A proposal's discussion is the meetings' debate thread (issue 19): its per-comment
        # pages are linked from a comment, as a motion's are, and the walk's proposals have none.
        "proposals:comment_hide",
        "proposals:comment_history",
        "proposals:comment_report",
        "proposals:reports",
        # The outcome is recorded once the meeting has started; the walk's meeting has not.
        "meetings:motion_outcome",
        "ballot_nominations_open",
        "ballot_tellers",
        "delegation_composite_propose",
        "meetings:amendment_outcome",
        "meetings:amendment_rule",
        "meetings:comment_hide",
        "meetings:comment_history",
        "meetings:comment_report",
        "meetings:minutes_edit",
        "messaging:mailout_detail",
    },
    "regional": {
        # A proposal's discussion is the meetings' debate thread (issue 19): its per-comment
        # pages are linked from a comment, as a motion's are, and the walk's proposals have none.
        "proposals:comment_hide",
        "proposals:comment_history",
        "proposals:comment_report",
        "proposals:reports",
        # The outcome is recorded once the meeting has started; the walk's meeting has not.
        "meetings:motion_outcome",
        "ballot_nominations_open",
        "ballot_tellers",
        "delegation_composite_propose",
        "meetings:amendment_outcome",
        "meetings:amendment_rule",
        "meetings:comment_hide",
        "meetings:comment_history",
        "meetings:comment_report",
        "meetings:minutes_edit",
        "meetings:quorum_rule",
        "messaging:mailout_detail",
    },
    "national": {
        # A proposal's discussion is the meetings' debate thread (issue 19): its per-comment
        # pages are linked from a comment, as a motion's are, and the walk's proposals have none.
        "proposals:comment_hide",
        "proposals:comment_history",
        "proposals:comment_report",
        "proposals:reports",
        # The outcome is recorded once the meeting has started; the walk's meeting has not.
        "meetings:motion_outcome",
        "ballot_nominations_open",
        "ballot_tellers",
        "delegation_composite_detail",
        "delegation_composite_propose",
        "delegation_forward_detail",
        "meetings:amendment_outcome",
        "meetings:amendment_rule",
        "meetings:comment_hide",
        "meetings:comment_history",
        "meetings:comment_report",
        "meetings:minutes_edit",
        "meetings:quorum_rule_national",
    },
    "auditor": {
        # A proposal's discussion is the meetings' debate thread (issue 19): its per-comment
        # pages are linked from a comment, as a motion's are, and the walk's proposals have none.
        "proposals:comment_history",
        "proposals:comment_report",
        "delegation_body",
        "delegation_composite_detail",
        "delegation_forward_detail",
        "meetings:comment_history",
        "meetings:comment_report",
        "meetings:minutes",
    },
}

MAX_PAGES = 500
MAX_PER_NAME = 6  # pages of one URL name fetched (a list of 50 members needs only a few)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client) -> set[str]:
    """URL names of every link on every page reachable from the home page (GET only)."""
    reached: set[str] = set()
    fetched: Counter[str] = Counter()
    queue = deque(["/"])
    seen = {"/"}
    pages = 0
    while queue and pages < MAX_PAGES:
        path = queue.popleft()
        name = _url_name(path)
        if name is None or fetched[name] >= MAX_PER_NAME:
            continue
        fetched[name] += 1
        response = client.get(path, follow=True)
        pages += 1
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for redirect, _ in response.redirect_chain:
            redirected = _url_name(urlsplit(redirect).path)
            if redirected:
                reached.add(redirected)
        final = urlsplit(response.request["PATH_INFO"]).path
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            parts = urlsplit(urljoin(final, href))
            if parts.scheme not in ("", "http") or (parts.netloc not in ("", "testserver")):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            target_name = _url_name(parts.path)
            if target_name is None or parts.path.startswith(("/admin/", "/static/", "/media/")):
                continue
            reached.add(target_name)
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return reached


def _gets_a_page(expected: object) -> bool:
    return expected == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_every_page_a_person_may_use_is_linked_for_them(actor):
    movement = build_movement()
    for case in ACCESS:  # make the objects the table's pages are about (a ballot, a mailout...)
        case.kwargs(movement)
    column = ACTORS.index(actor)
    usable = {
        case.url_name
        for case in ACCESS
        if _gets_a_page(case.expect[column])
        and case.url_name not in NOT_LINKED
        and (
            not case.url_name.startswith(MACHINE_PREFIXES) or case.url_name in MACHINE_PAGES_LINKED
        )
    }
    reached = crawl(client_for(movement, actor))
    known = KNOWN_GAPS.get(actor, set())
    missing = sorted(usable - reached - known)
    assert not missing, (
        f"{actor} may use these pages, but no page they can reach links to them: {missing}. "
        "Link them from the navigation or the dashboard, or say in NOT_LINKED why not."
    )
    now_linked = sorted(known & reached)
    if now_linked:
        warnings.warn(
            f"{actor} now reaches {now_linked}: take them out of KNOWN_GAPS", stacklevel=1
        )


def test_not_linked_names_real_pages():
    names = {case.url_name for case in ACCESS}
    assert set(NOT_LINKED) <= names, sorted(set(NOT_LINKED) - names)
    assert all(re.search(r"\w", reason) for reason in NOT_LINKED.values())
