"""What one vote costs, pinned, and the officer-MFA rule on the vote page that now decides it
from its own query instead of the middleware's (grassroots.accounts.middleware).

Query counts leave out SAVEPOINT/RELEASE: the test wraps each test in a transaction, so the
service's durable transaction shows up as a savepoint here; in production on PostgreSQL the
cast's one statement runs in autocommit, with no BEGIN or COMMIT (tests/ballots/test_sql.py).
docs/benchmarks/ballots.md has the profile these numbers come from.
"""

from __future__ import annotations

import datetime
import re
import secrets

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grassroots import clock
from grassroots.ballots import queries
from grassroots.ballots.forms import VoteForm, field_name
from grassroots.ballots.models import (
    Ballot,
    BallotStatus,
    Candidate,
    RollEntry,
    UnsealedBallot,
)
from grassroots.organisation.models import Role
from grassroots.people.models import Language, Member
from tests.ballots.conftest import SetUp, candidate_ids, open_with_voters
from tests.factories import MemberWithLoginFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/2fa/totp/activate/"
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')

# GET: session, user, roll entry (with its ballot and the officer-MFA flags); the questions
# and candidates of an open ballot come from the per-process paper after the first page.
GET_QUERIES = 3
# POST: session, user, roll entry, then the cast: ballot status under FOR KEY SHARE, the
# conditional roll-mark UPDATE, the papers' INSERT, the receipt keeper's INSERT. (It was 18.)
# On PostgreSQL the cast's four are one statement (services.casting._cast_in_one_statement).
POST_QUERIES = {"sqlite": 7, "postgresql": 4}
# A retry: the same, then the roll entry and the kept receipt, read to answer it.
RETRY_QUERIES = {"sqlite": 7, "postgresql": 6}


def _counted(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _paper(setup: SetUp, page: str) -> dict[str, str]:
    match = KEY.search(page)
    assert match, "no idempotency key on the vote page"
    data = {"idempotency_key": match.group(1), "step": "cast"}
    yes = candidate_ids(setup.motion)[0]
    data[field_name(setup.motion)] = str(yes)
    for number, candidate in enumerate(candidate_ids(setup.stv)[:3], start=1):
        data[field_name(setup.stv, candidate)] = str(number)
    return data


def log_in_returning(client: Client, member: Member) -> None:
    """A member who has logged in before: their language is stored, and the login puts it in
    the session (a first-ever login stores the browser's choice once: two queries more)."""
    Member.objects.filter(pk=member.pk).update(language=Language.ENGLISH)
    client.force_login(member.user)


def _vote(client: Client, setup: SetUp):
    url = reverse("ballot_vote", args=[setup.ballot.pk])
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, _paper(setup, page.content.decode()))


def test_vote_page_and_cast_query_counts_are_pinned(client: Client, ready_ballot: SetUp):
    first, second = open_with_voters(ready_ballot, 2)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    client.force_login(first.user)
    assert _vote(client, ready_ballot).status_code == 200  # warms the per-process paper

    log_in_returning(client, second)
    with CaptureQueriesContext(connection) as get:
        page = client.get(url)
    assert page.status_code == 200
    data = _paper(ready_ballot, page.content.decode())
    with CaptureQueriesContext(connection) as post:
        receipt = client.post(url, data)
    assert receipt.status_code == 200
    assert "Your vote is recorded" in receipt.content.decode()
    assert len(_counted(get)) <= GET_QUERIES, "\n".join(_counted(get))
    assert len(_counted(post)) <= POST_QUERIES[connection.vendor], "\n".join(_counted(post))
    # The one-member-one-vote write is there, and the member was looked up once.
    statements = [q.lower() for q in _counted(post)]
    assert not [q for q in statements if q.startswith('select "people_member"')]
    assert len([q for q in statements if 'update "ballots_rollentry"' in q]) == 1
    assert RollEntry.objects.get(ballot=ready_ballot.ballot, member=second).has_voted
    assert UnsealedBallot.objects.filter(ballot=ready_ballot.ballot).count() == 4


def test_second_vote_and_retry_cost_little_and_change_nothing(client: Client, ready_ballot):
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    page = client.get(url).content.decode()
    data = _paper(ready_ballot, page)
    first = client.post(url, data)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as retry:
        again = client.post(url, data)
    assert again.status_code == 200
    assert "Your vote was already recorded" in again.content.decode()
    assert trackers_on(first) == trackers_on(again)
    assert len(_counted(retry)) <= RETRY_QUERIES[connection.vendor]
    assert "You have already voted" in client.get(url).content.decode()
    other = dict(data, idempotency_key=secrets.token_urlsafe(24))  # another tab's form
    assert client.post(url, other).status_code == 409
    assert UnsealedBallot.objects.filter(ballot=ready_ballot.ballot).count() == 2


def trackers_on(response) -> list[str]:
    return re.findall(r'<code class="tracker">([0-9a-f]{64})</code>', response.content.decode())


def test_paper_is_kept_only_while_the_ballot_is_open(ready_ballot: SetUp):
    ballot = ready_ballot.ballot
    assert ballot.status == BallotStatus.READY
    assert queries.ballot_paper(ballot) is not queries.ballot_paper(ballot)
    open_with_voters(ready_ballot, 1)
    ballot = ready_ballot.ballot
    assert ballot.status == BallotStatus.OPEN
    kept = queries.ballot_paper(ballot)
    assert queries.ballot_paper(ballot) is kept
    assert [q.pk for q in kept.questions] == [ready_ballot.stv.pk, ready_ballot.motion.pk]
    assert [c.pk for c in kept.questions[0].candidates.all()] == candidate_ids(ready_ballot.stv)


def test_a_paper_kept_before_a_restore_is_not_served_after_it(ready_ballot: SetUp):
    """A database restored from a copy (the demo's reset between browser tests did this)
    brings back the same ballot id and election id with other candidates; the next opening
    has its own moment, so the paper kept from the first opening is not served for it."""
    open_with_voters(ready_ballot, 1)
    ballot = ready_ballot.ballot
    first = queries.ballot_paper(ballot)
    renamed = ready_ballot.stv.candidates.order_by("pk").first()
    assert renamed is not None
    Candidate.objects.filter(pk=renamed.pk).update(name="Restored Name")
    Ballot.objects.filter(pk=ballot.pk).update(
        opened_at=ballot.opened_at + datetime.timedelta(hours=1)
    )
    ballot.refresh_from_db()
    again = queries.ballot_paper(ballot)
    assert again is not first
    assert "Restored Name" in [c.name for c in again.questions[0].candidates.all()]
    assert "Restored Name" not in [c.name for c in first.questions[0].candidates.all()]


# --- officer MFA on the vote page --------------------------------------------------------------


def test_voter_made_officer_between_page_and_cast_is_sent_to_setup_and_casts_nothing(
    client: Client, ready_ballot: SetUp
):
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    page = client.get(url)
    assert page.status_code == 200
    RoleFactory(
        role=Role.SECRETARY, member=voter, group=ready_ballot.group, starts_on=clock.today()
    )

    response = client.post(url, _paper(ready_ballot, page.content.decode()))
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL
    assert not RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter).has_voted
    assert not UnsealedBallot.objects.filter(ballot=ready_ballot.ballot).exists()
    # ... and the same on the very next page of any kind.
    assert client.get(url)["Location"] == SETUP_URL
    assert client.get(reverse("home"))["Location"] == SETUP_URL

    give_authenticator_app(voter.user)
    assert _vote(client, ready_ballot).status_code == 200


def test_officer_without_authenticator_is_sent_to_setup_on_or_off_the_roll(
    client: Client, ready_ballot: SetUp
):
    (voter,) = open_with_voters(ready_ballot, 1)
    RoleFactory(role=Role.CHAIR, member=voter, group=ready_ballot.group)
    client.force_login(voter.user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL
    assert client.session.get("grassroots_mfa_next") == url

    # Not on the roll: the set-up first, as on every other page, not the 404.
    outsider = RoleFactory(role=Role.AUDITOR).member
    client.force_login(outsider.user)
    assert client.get(url)["Location"] == SETUP_URL
    give_authenticator_app(outsider.user)
    assert client.get(url).status_code == 404


def test_ended_or_future_roles_do_not_count_and_the_setting_relaxes_it(
    client: Client, ready_ballot: SetUp, settings
):
    voter, later = open_with_voters(ready_ballot, 2)
    today = clock.today()
    RoleFactory(
        role=Role.SECRETARY,
        member=voter,
        group=ready_ballot.group,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today - datetime.timedelta(days=1),
    )
    RoleFactory(
        role=Role.SECRETARY,
        member=later,
        group=ready_ballot.group,
        starts_on=today + datetime.timedelta(days=1),
    )
    client.force_login(voter.user)
    assert _vote(client, ready_ballot).status_code == 200
    client.force_login(later.user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    assert client.get(url).status_code == 200

    officer = ready_ballot.officer  # national office, no authenticator
    client.force_login(officer.user)
    assert client.get(url)["Location"] == SETUP_URL
    settings.GRASSROOTS_REQUIRE_OFFICER_MFA = False
    assert client.get(url).status_code == 200  # on the roll of their own group's ballot
    client.force_login(MemberWithLoginFactory().user)
    assert client.get(url).status_code == 404


# --- the lean cast: JSON in and out, no page --------------------------------------------------

# session, user, roll entry (with ballot and MFA flags), then the cast's 4 statements.
LEAN_QUERIES = 7


def _lean_paper(setup: SetUp) -> dict[str, str]:
    data = _paper(setup, f'name="idempotency_key" value="{secrets.token_urlsafe(24)}"')
    return data


def test_lean_cast_answers_json_with_the_same_guarantees_and_query_count(
    client: Client, ready_ballot: SetUp
):
    first, second = open_with_voters(ready_ballot, 2)
    url = reverse("ballot_cast", args=[ready_ballot.ballot.pk])
    client.force_login(first.user)
    assert client.post(url, _lean_paper(ready_ballot)).status_code == 200  # warms the paper
    log_in_returning(client, second)
    data = _lean_paper(ready_ballot)
    with CaptureQueriesContext(connection) as post:
        response = client.post(url, data)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert len(_counted(post)) <= LEAN_QUERIES, "\n".join(_counted(post))
    receipt = response.json()
    assert receipt["election_id"] == ready_ballot.ballot.election_id and not receipt["repeat"]
    trackers = [t["tracker"] for t in receipt["trackers"]]
    assert len(trackers) == 2
    # A retry with the same key gets the same receipt; another key is refused; nothing added.
    again = client.post(url, data).json()
    assert again["repeat"] and [t["tracker"] for t in again["trackers"]] == trackers
    other = client.post(url, dict(data, idempotency_key=secrets.token_urlsafe(24)))
    assert other.status_code == 409 and "already voted" in other.json()["error"]
    assert UnsealedBallot.objects.filter(ballot=ready_ballot.ballot).count() == 4
    # The HTML page agrees.
    assert (
        "You have already voted"
        in client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk])).content.decode()
    )


def test_lean_cast_refuses_bad_input_and_strangers_with_json_errors(
    client: Client, ready_ballot: SetUp
):
    (voter,) = open_with_voters(ready_ballot, 1)
    url = reverse("ballot_cast", args=[ready_ballot.ballot.pk])
    assert client.post(url, _lean_paper(ready_ballot)).status_code == 401
    assert client.get(url).status_code == 405
    outsider = MemberWithLoginFactory()
    client.force_login(outsider.user)
    assert client.post(url, _lean_paper(ready_ballot)).status_code == 404
    client.force_login(voter.user)
    gap = _lean_paper(ready_ballot)
    stv = candidate_ids(ready_ballot.stv)
    gap[field_name(ready_ballot.stv, stv[1])] = "4"
    response = client.post(url, gap)
    assert response.status_code == 400 and "gap" in response.json()["error"]
    no_key = _lean_paper(ready_ballot)
    no_key["idempotency_key"] = "short"
    assert client.post(url, no_key).status_code == 400
    unknown = _lean_paper(ready_ballot)
    unknown[field_name(ready_ballot.motion)] = "999999"
    assert client.post(url, unknown).status_code == 400
    assert not RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter).has_voted


def test_lean_cast_sends_an_officer_without_authenticator_to_setup_and_casts_nothing(
    client: Client, ready_ballot: SetUp
):
    (voter,) = open_with_voters(ready_ballot, 1)
    RoleFactory(role=Role.CHAIR, member=voter, group=ready_ballot.group)
    client.force_login(voter.user)
    response = client.post(
        reverse("ballot_cast", args=[ready_ballot.ballot.pk]), _lean_paper(ready_ballot)
    )
    assert response.status_code == 302 and response["Location"] == SETUP_URL
    assert not RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter).has_voted


def test_validate_only_forms_share_the_papers_fields_without_sharing_errors(ready_ballot):

    open_with_voters(ready_ballot, 1)
    ballot = ready_ballot.ballot
    stv = candidate_ids(ready_ballot.stv)
    key = {"idempotency_key": secrets.token_urlsafe(24)}
    repeated = dict(key, **{field_name(ready_ballot.stv, c): "1" for c in stv[:2]})
    good = dict(key, **{field_name(ready_ballot.stv, c): str(n) for n, c in enumerate(stv, 1)})

    first = VoteForm(repeated, ballot=ballot, validate_only=True)
    assert not first.is_valid()
    second = VoteForm(good, ballot=ballot, validate_only=True)
    assert second.is_valid(), second.errors
    assert not second.errors
    assert second.cleaned_data["answers"][ready_ballot.stv.pk] == stv
    name = field_name(ready_ballot.stv, stv[0])
    assert first.fields[name] is second.fields[name]
    # A form that is drawn has its own copies, as every Django form does.
    drawn = VoteForm(ballot=ballot)
    assert drawn.fields[name] is not second.fields[name]
    assert not first.is_valid()  # still its own errors


def _unknown_candidate_field(setup: SetUp) -> str:
    return field_name(setup.stv, max(candidate_ids(setup.stv)) + 1000)


def test_lean_cast_refuses_a_paper_naming_only_an_unknown_candidate(
    client: Client, ready_ballot: SetUp
):
    """Issue 20, item 5: the unknown field was ignored, so the paper was blank: 200, a receipt,
    and the member's one vote spent."""
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    url = reverse("ballot_cast", args=[ready_ballot.ballot.pk])
    data = {
        "idempotency_key": secrets.token_urlsafe(24),
        _unknown_candidate_field(ready_ballot): "1",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "not a candidate on this ballot" in response.json()["error"]
    assert not RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter).has_voted
    assert not UnsealedBallot.objects.filter(ballot=ready_ballot.ballot).exists()


def test_lean_cast_refuses_an_unknown_later_preference_instead_of_dropping_it(
    client: Client, ready_ballot: SetUp
):
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    url = reverse("ballot_cast", args=[ready_ballot.ballot.pk])
    data = _lean_paper(ready_ballot)  # preferences 1 to 3
    data[_unknown_candidate_field(ready_ballot)] = "4"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "not a candidate on this ballot" in response.json()["error"]
    assert not RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter).has_voted
    assert not UnsealedBallot.objects.filter(ballot=ready_ballot.ballot).exists()


def test_a_paper_naming_a_question_not_on_the_ballot_is_refused_on_the_page_and_lean_cast(
    client: Client, ready_ballot: SetUp
):
    """The ballot page's own POST takes the same form: a question not on the ballot is a 400
    with the reason, and nothing is cast."""
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    unknown_question = dict(_lean_paper(ready_ballot), **{f"q{ready_ballot.stv.pk + 1000}": "1"})
    response = client.post(url, unknown_question)
    assert response.status_code == 400
    assert "not on this ballot" in response.content.decode()
    lean = reverse("ballot_cast", args=[ready_ballot.ballot.pk])
    response = client.post(lean, unknown_question)
    assert response.status_code == 400 and "question" in response.json()["error"]
    assert not RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter).has_voted
