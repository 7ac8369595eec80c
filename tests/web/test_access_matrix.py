"""Every URL the project serves, and what each kind of person gets from it.

The table below is the access policy in one place. The test walks Django's URL resolver (our
apps, allauth and the admin) and fails for any URL pattern that has no entry, so a new page
cannot ship without someone deciding who may see it.

Every page but the admin's (ours, and allauth's drawn with our templates) must render without an
undefined template variable: test settings mark one as INVALID_TEMPLATE_VARIABLE.

Officers log in with a second factor already set up (test settings require it of officers, as
production does), so what is tested here is the page's own rule, not the MFA redirect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.web.access import (
    ACTORS,
    ADMIN_LOGIN,
    HOME,
    LOGIN,
    REAUTH,
    Case,
    Expect,
    Redirect,
    everyone,
    logged_in,
    member_in,
)
from tests.web.access_cases import collected_cases
from tests.web.roles import Movement, build_movement

pytestmark = pytest.mark.django_db

# Shaped like a signed export link, but signed with no key of ours.
FORGED_EXPORT_TOKEN = "eyJ1IjoxLCJmIjp7fSwicCI6IngifQ:1uAbCd:forgedsignatureforgedsignature00"


def ballot_in_group_a(m: Movement) -> dict[str, str]:
    """An open ballot in group A run by national office; the plain member is its one teller.
    Everyone logged in but the member of group B is on its roll."""
    from tests.ballots.conftest import open_group_ballot

    ballot = open_group_ballot(group=m.group_a, officer=m.national, teller=m.member)
    return {"ballot_id": str(ballot.pk)}


def question_in_group_a_ballot(m: Movement) -> dict[str, str]:
    kwargs = ballot_in_group_a(m)
    from grassroots.ballots.models import Question

    question = Question.objects.get(ballot_id=int(kwargs["ballot_id"]))
    return {**kwargs, "question_id": str(question.pk)}


def mailout_to_group_a(m: Movement) -> dict[str, str]:
    """A mailout national office sent to group A (queued: the test does not run the task)."""
    from grassroots.messaging.queries import Scope
    from grassroots.messaging.services import send_mailout

    mailout = send_mailout(
        actor=m.national.user,
        scope=Scope(level="group", group=m.group_a),
        statuses=["member"],
        subject="Group A meeting",
        body="Thursday at 7.",
        purpose="access matrix",
    )
    return {"mailout_id": str(mailout.pk)}


def role_of_data_manager_a(m: Movement) -> dict[str, str]:
    assignment = m.data_manager_a.role_assignments.get()
    return {"slug": m.group_a.slug, "assignment_id": str(assignment.pk)}


def unsubscribe_link(m: Movement) -> dict[str, str]:
    from grassroots.messaging.mail import unsubscribe_token

    return {"token": unsubscribe_token(m.member.pk, f"group:{m.group_a.pk}")}


# fmt: off
ACCESS: list[Case] = [
    # Columns:  anonymous, member, other_member, data_manager, secretary, coordinator, regional,
    #           national, auditor
    Case("healthz", everyone(200)),
    # --- our pages ---
    Case("home", everyone(200), about="visitors get the public front page"),
    Case("profile", logged_in(200)),
    Case("profile_edit", logged_in(200)),
    Case("my_data", logged_in(200), about="one's own data and who viewed it"),
    Case("my_data_export_html", logged_in(200), about="one's own, audited"),
    Case("my_data_export_json", logged_in(200), about="one's own, audited"),
    Case("member_erase", (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404),
         member_in("in_group_b"), about="national office only"),
    Case("group_list", everyone(200), about="public"),
    Case("group_detail", everyone(200), lambda m: {"slug": m.group_a.slug}, about="public"),
    Case("national_overview", (LOGIN, 404, 404, 404, 404, 404, 404, 200, 200)),
    # Secretary: 404 by design (no VIEW_MEMBERS). Issue 5 gives a Secretary the contact details
    # of consenting members, which is a page of its own (CONTACT_MEMBERS), not this list.
    Case("member_list", (LOGIN, 404, 404, 200, 404, 200, 200, 200, 404)),
    Case("member_contact_list", (LOGIN, 404, 404, 404, 200, 404, 404, 404, 404),
         about="Secretary only: contact details of consenting members of the group"),
    Case("member_export", logged_in(405), about="POST only (the list's export button)"),
    Case("member_export_download", logged_in(400), lambda m: {"token": FORGED_EXPORT_TOKEN},
         about="a forged link is refused alike for everyone; a real one is bound to its maker"),
    Case("member_detail", (LOGIN, 404, 404, 200, 404, 200, 200, 200, 404),
         member_in("in_group_a"), about="member of group A"),
    Case("member_detail", (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404),
         member_in("in_sibling"), about="member of another group in A's area"),
    Case("member_detail", (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404),
         member_in("in_group_b"), about="member of group B, another region"),
    Case("member_detail", logged_in(404),
         lambda m: {"number": "GR9999999"},
         about="no such member: the same 404 as a forbidden one"),
    # POST-only forms on the record page: 405 to those who may use them, 404 to the rest.
    Case("member_contact_outcome", (LOGIN, 404, 404, 405, 404, 404, 404, 405, 404),
         member_in("in_group_a"), about="EDIT_MEMBERS over the member: A's Data Manager, national"),
    Case("member_contact_outcome", (LOGIN, 404, 404, 404, 404, 404, 404, 405, 404),
         member_in("in_group_b"), about="member of group B: national office only"),
    Case("member_transfer", (LOGIN, 404, 404, 405, 404, 405, 405, 405, 404),
         member_in("in_group_a"),
         about="home group's Data Manager, a coordinator over both groups, national office"),
    Case("member_transfer", (LOGIN, 404, 404, 404, 404, 404, 404, 405, 404),
         member_in("in_group_b"), about="member of group B, another region: national office only"),
    Case("member_import", (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404),
         about="national office only"),
    # --- recognition ---
    Case("group_record_agm", (LOGIN, 404, 404, 404, 200, 200, 404, 200, 404),
         lambda m: {"slug": m.group_a.slug},
         about="Secretary, Chair, area coordinator, national office (not regional)"),
    Case("group_end_role", (LOGIN, 404, 404, 200, 200, 200, 200, 200, 404),
         role_of_data_manager_a,
         about="the holder resigns; A's Secretary records A's vote; MANAGE_OFFICERS over A"),
    Case("group_derecognise", (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404),
         lambda m: {"slug": m.group_a.slug}, about="national office only"),
    Case("group_appeal", (LOGIN, 404, 404, 200, 200, 404, 404, 404, 404),
         lambda m: {"slug": m.group_a.slug}, about="the group's own officers"),
    Case("recognition_dashboard", (LOGIN, 404, 404, 404, 404, 200, 200, 200, 200)),
    Case("recognition_criteria", (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404)),
    Case("recognition_appeal_list", logged_in(404),
         about="the body that hears appeals: national committee by default"),
    Case("recognition_appeal_decide", logged_in(404),
         lambda m: {"appeal_id": "999"}, about="no such appeal"),
    Case("data_protection_agreement", logged_in(200)),
    # --- ballots ---
    Case("ballot_list", logged_in(200)),
    Case("ballot_guarantees", everyone(200), about="public"),
    Case("ballot_create", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         about="needs RUN_BALLOTS somewhere"),
    Case("ballot_manage", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404), ballot_in_group_a),
    Case("ballot_question_add", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404), ballot_in_group_a),
    Case("ballot_candidate_add", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         question_in_group_a_ballot),
    Case("ballot_tellers", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404), ballot_in_group_a),
    Case("ballot_open", logged_in(405), ballot_in_group_a, about="POST only"),
    Case("ballot_close", logged_in(405), ballot_in_group_a, about="POST only"),
    Case("ballot_count", logged_in(405), ballot_in_group_a, about="POST only"),
    Case("ballot_publish", logged_in(405), ballot_in_group_a, about="POST only"),
    Case("ballot_teller_share", (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404),
         ballot_in_group_a, about="the member is the teller"),
    Case("ballot_teller_reveal", (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404),
         ballot_in_group_a),
    Case("ballot_e2e_files", logged_in(404), ballot_in_group_a,
         about="an end-to-end ballot's files for its tellers and runners; this one is not e2e"),
    Case("ballot_vote", (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200),
         ballot_in_group_a, about="everyone in group A is on the roll; B's member is not"),
    Case("ballot_receipt_check", everyone(200), ballot_in_group_a, about="public"),
    Case("ballot_results", everyone(200), ballot_in_group_a, about="says: not published yet"),
    Case("ballot_log", everyone(200), ballot_in_group_a, about="public"),
    Case("ballot_head_file", everyone(200), lambda m: {**ballot_in_group_a(m), "sequence": "0"},
         about="public, as the log: the head signed at opening, as a file to keep"),
    Case("ballot_remind", logged_in(405), ballot_in_group_a, about="POST only"),
    Case("ballot_vote_by_link", everyone(404),
         lambda m: {**ballot_in_group_a(m), "token": "not-a-signed-token"},
         about="a forged link: the same page for everyone, logged in or not"),
    Case("ballot_record", everyone(404), ballot_in_group_a, about="not published yet"),
    Case("ballot_blt", everyone(404), question_in_group_a_ballot, about="not published yet"),
    Case("ballot_nominations_open", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         ballot_in_group_a, about="runners of the ballot"),
    Case("ballot_nominations", logged_in(404),
         ballot_in_group_a, about="this ballot took no nominations"),
    Case("ballot_nominate", logged_in(404),
         ballot_in_group_a, about="this ballot took no nominations"),
    Case("ballot_nominations_confirm", logged_in(405), ballot_in_group_a, about="POST only"),
    Case("ballot_nomination", logged_in(404),
         lambda m: {**ballot_in_group_a(m), "nomination_id": "1"}, about="no such nomination"),
    Case("ballot_nomination_support", logged_in(405),
         lambda m: {**ballot_in_group_a(m), "nomination_id": "1"}, about="POST only"),
    Case("ballot_nomination_withdraw", logged_in(405),
         lambda m: {**ballot_in_group_a(m), "nomination_id": "1"}, about="POST only"),
    Case("ballot_nomination_photo", logged_in(404),
         lambda m: {**ballot_in_group_a(m), "nomination_id": "1"}, about="no such nomination"),
    # --- messaging ---
    Case("messaging:mailout_list", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         about="needs MESSAGE_MEMBERS (or mailouts of one's own)"),
    Case("messaging:mailout_compose", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404)),
    Case("messaging:mailout_detail", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         mailout_to_group_a, about="whoever may message group A sees it"),
    Case("messaging:unsubscribe", everyone(200),
         unsubscribe_link, about="no login: the signed token is the proof"),
    Case("messaging:unsubscribe", everyone(400),
         lambda m: {"token": "forged"}, about="a damaged link says so"),
    # --- the language switcher (Django's set_language) ---
    Case("set_language", everyone(Redirect("/")),
         about="the footer's buttons post here; a GET changes nothing and goes home"),
    # --- allauth: accounts ---
    Case("account_login", (200, HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME)),
    Case("account_logout", logged_in(200), about="GET asks to confirm"),
    Case("account_inactive", everyone(200)),
    Case("account_signup", (200, HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME),
         about="says sign-up is closed"),
    Case("account_reauthenticate", logged_in(200)),
    Case("account_email", logged_in(200)),
    Case("account_email_verification_sent", logged_in(Redirect("/accounts/email/"))),
    Case("account_change_password", logged_in(200)),
    Case("account_set_password", logged_in(Redirect("/accounts/password/change/")),
         about="everyone has a password already"),
    Case("account_reset_password", everyone(200)),
    Case("account_reset_password_done", everyone(200)),
    Case("account_reset_password_from_key", everyone(200),
         lambda m: {"uidb36": "1", "key": "not-a-real-key"}, about="shows 'bad token'"),
    Case("account_reset_password_from_key_done", everyone(200)),
    Case("account_request_login_code", (200, HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME)),
    Case("account_confirm_login_code", (Redirect("/accounts/login/code/"), *[HOME] * 8),
         about="nothing to confirm without a pending login"),
    # --- allauth: second factor ---
    Case("mfa_index", logged_in(200)),
    Case("mfa_authenticate", logged_in(HOME), about="only reachable half way through a login"),
    Case("mfa_reauthenticate", (LOGIN, REAUTH, REAUTH, 200, 200, 200, 200, 200, 200),
         about="plain members have no authenticator, so reauthenticate by password"),
    Case("mfa_activate_totp", logged_in(REAUTH)),
    Case("mfa_deactivate_totp", (LOGIN, 404, 404, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH),
         about="plain members have no authenticator to deactivate"),
    Case("mfa_view_recovery_codes", logged_in(404),
         about="nobody here has generated recovery codes"),
    Case("mfa_generate_recovery_codes", logged_in(REAUTH)),
    Case("mfa_download_recovery_codes", logged_in(404)),
]
# fmt: on

# Rows that apps keep in tests/web/access_cases/<app>.py.
ACCESS += collected_cases()


def admin_expectation(name: str | None) -> Expect:
    """Every admin URL: nobody in the movement's roles is staff, so every admin page sends them
    to the admin's login, except the login page itself and logout (which goes to the index)."""
    if name == "admin:login":
        return 200
    if name == "admin:logout":
        return Redirect("/admin/")
    return ADMIN_LOGIN


# Values for the admin's URL arguments: the admin refuses before it looks at them.
ADMIN_KWARGS = {
    "object_id": "1",
    "id": "1",
    "content_type_id": "1",
    "app_label": "auth",
    "url": "no-such-admin-page/",
}


@dataclass(frozen=True)
class Pattern:
    name: str | None  # namespaced, e.g. "admin:index"; None for unnamed patterns
    route: str  # the full route, prefixes included

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")


def all_patterns() -> Iterator[Pattern]:
    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Pattern]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                yield from walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                yield Pattern(name=name, route=prefix + str(entry.pattern))

    return walk(get_resolver(), "", "")


def fill_route(route: str, values: dict[str, str]) -> str:
    """A concrete path for an unnamed pattern, from its route or regex text."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m[1]], route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m[1]], path)
    return "/" + path.replace("^", "").replace("$", "")


def cases_for_admin() -> list[tuple[str, str, Expect]]:
    cases = []
    for pattern in all_patterns():
        if not pattern.is_admin:
            continue
        if pattern.name:
            arg_names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern.route)
            names = [a or b for a, b in arg_names]
            url = reverse(pattern.name, kwargs={n: ADMIN_KWARGS[n] for n in names})
        else:
            url = fill_route(pattern.route, ADMIN_KWARGS)
        cases.append((pattern.name or pattern.route, url, admin_expectation(pattern.name)))
    return cases


def describe(response: Any) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} to {urlsplit(response['Location']).path}"
    return str(response.status_code)


def matches(response: Any, expected: Expect) -> bool:
    if isinstance(expected, Redirect):
        return response.status_code == 302 and urlsplit(response["Location"]).path == expected.path
    return response.status_code == expected


def test_every_url_pattern_has_an_entry_in_the_access_table():
    covered = {case.url_name for case in ACCESS}
    problems = []
    for pattern in all_patterns():
        if pattern.is_admin:
            continue  # covered by admin_expectation, a rule for the whole admin
        if pattern.name is None:
            problems.append(f"/{pattern.route} has no name: name it, then add it to ACCESS")
        elif pattern.name not in covered:
            problems.append(
                f"{pattern.name} (/{pattern.route}) has no entry: add a Case to ACCESS in "
                "tests/web/access_cases/<app>.py (or the foundation's table) saying who may see it"
            )
    known = {p.name for p in all_patterns()}
    problems += [f"{name} is in ACCESS but no longer a URL" for name in covered - known]
    assert not problems, "\n".join(problems)


def test_the_matrix_covers_every_url_and_says_how_many(capsys):
    """The review's figure, repeatable: how many URLs are tried as how many people (issue 20).
    Printed even when pytest captures output."""
    patterns = list(all_patterns())
    named = {p.name for p in patterns if not p.is_admin}
    assert named <= {case.url_name for case in ACCESS}
    urls = len(ACCESS) + len(cases_for_admin())
    with capsys.disabled():
        print(
            f"\naccess matrix: {urls} URLs ({len(patterns)} URL patterns) x {len(ACTORS)} roles"
            f" = {urls * len(ACTORS)} requests"
        )
    assert urls >= len(patterns)


def test_every_case_says_what_each_person_gets():
    wrong = [case.url_name for case in ACCESS if len(case.expect) != len(ACTORS)]
    assert not wrong, f"give one expectation per actor ({len(ACTORS)}) to: {wrong}"


def test_admin_url_arguments_are_all_known():
    for pattern in all_patterns():
        if pattern.is_admin:
            for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern.route):
                assert (a or b) in ADMIN_KWARGS, f"add {a or b!r} to ADMIN_KWARGS"


@pytest.fixture
def movement() -> Movement:
    return build_movement()


def client_for(movement: Movement, actor: str) -> Client:
    client = Client()
    if actor != "anonymous":
        member = {
            "member": movement.member,
            "other_member": movement.other_member,
            "data_manager": movement.data_manager_a,
            "secretary": movement.secretary_a,
            "coordinator": movement.coordinator,
            "regional": movement.regional,
            "national": movement.national,
            "auditor": movement.auditor,
        }[actor]
        client.force_login(member.user)
    return client


@pytest.mark.slow
@pytest.mark.parametrize("actor", ACTORS)
def test_each_person_gets_exactly_what_the_access_table_says(movement, actor):
    column = ACTORS.index(actor)
    wrong = []
    for case in ACCESS:
        url = reverse(case.url_name, kwargs=case.kwargs(movement))
        expected = case.expect[column]
        response = client_for(movement, actor).get(url)
        label = f"{case.url_name} {url}" + (f" ({case.about})" if case.about else "")
        if not matches(response, expected):
            wrong.append(f"{label}: expected {expected}, got {describe(response)}")
        # A download streams (the audit log's CSV): it has no template to check.
        content = b"" if response.streaming else response.content
        if b"INVALID_TEMPLATE_VARIABLE" in content:
            found = re.findall(rb"INVALID_TEMPLATE_VARIABLE\([^)]*\)", content)
            wrong.append(f"{label}: undefined template variables {sorted(set(found))}")
    for name, url, expected in cases_for_admin():
        response = client_for(movement, actor).get(url)
        if not matches(response, expected):
            wrong.append(f"{name} {url}: expected {expected}, got {describe(response)}")
    assert not wrong, f"{actor}:\n" + "\n".join(wrong)


def test_member_list_fragment_for_htmx_has_no_undefined_variables(movement):
    client = client_for(movement, "data_manager")
    response = client.get(reverse("member_list"), {"q": "Ash"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"Ashworth" in response.content
    assert b"INVALID_TEMPLATE_VARIABLE" not in response.content
