"""The ballot pages: the paper-style vote form, and the whole journey through the test client."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots import clock
from grassroots.ballots.forms import VoteForm, field_name
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ledger.verify import verify_directory
from grassroots.organisation.models import Role
from tests.ballots.conftest import SetUp, open_with_voters
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.web.roles import give_authenticator_app

CONFIRMED = {"confirmed": "yes"}  # the confirmation step before an irreversible action

pytestmark = pytest.mark.django_db

SHARE = re.compile(r"\b\d+:[0-9a-f]{132}\b")
TRACKER = re.compile(r"\b[0-9a-f]{64}\b")


def _stv_data(setup: SetUp, numbers: dict[int, str]) -> dict[str, str]:
    form = VoteForm(ballot=setup.ballot)
    data = {"idempotency_key": form.initial["idempotency_key"]}
    for position, text in numbers.items():
        candidate = setup.stv.candidates.get(position=position)
        data[field_name(setup.stv, candidate.pk)] = text
    return data


@pytest.mark.parametrize(
    ("numbers", "message"),
    [
        ({1: "1", 2: "3"}, "There is a gap in your numbers: you used 3 but not 2"),
        ({1: "1", 2: "1"}, "You gave the number 1 to both"),
        ({1: "one"}, "Use whole numbers only"),
        ({1: "9"}, "Number the candidates from 1 to 4"),
        ({1: "2"}, "you used 2 but not 1"),
    ],
    ids=["gap", "repeat", "not-a-number", "too-big", "no-first-choice"],
)
def test_vote_form_explains_numbering_mistakes(ready_ballot: SetUp, numbers, message):
    form = VoteForm(_stv_data(ready_ballot, numbers), ballot=ready_ballot.ballot)
    assert not form.is_valid()
    errors = [e for errs in form.errors.values() for e in errs]
    assert any(message in e for e in errors), errors


def test_vote_form_reads_preferences_in_number_order(ready_ballot: SetUp):
    form = VoteForm(_stv_data(ready_ballot, {3: "1", 1: "2", 4: " 3 "}), ballot=ready_ballot.ballot)
    assert form.is_valid(), form.errors
    by_position = {c.pk: c.position for c in ready_ballot.stv.candidates.all()}
    ranking = form.cleaned_data["answers"][ready_ballot.stv.pk]
    assert [by_position[c] for c in ranking] == [3, 1, 4]


def test_vote_page_shows_errors_in_a_linked_summary_and_casts_nothing(
    client: Client, ready_ballot: SetUp
):
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    data = _stv_data(ready_ballot, {1: "1", 2: "1"})
    response = client.post(reverse("ballot_vote", args=[ready_ballot.ballot.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    # The summary names the repeat once, linking to its first box; both boxes are marked.
    first, second = ready_ballot.stv.candidates.filter(position__in=[1, 2]).order_by("position")
    assert f'href="#id_{field_name(ready_ballot.stv, first.pk)}"' in html
    assert html.count("You gave the number 1 to both") == 3  # the summary and each box
    for box in (first, second):
        name = field_name(ready_ballot.stv, box.pk)
        tag = re.search(rf'<input[^>]*id="id_{name}"[^>]*>', html)
        assert tag and 'aria-invalid="true"' in tag.group(0), box
        assert f'aria-describedby="id_{name}_error q{ready_ballot.stv.pk}-hint"' in tag.group(0)


def test_member_not_on_roll_gets_404_for_the_vote_page(client: Client, ready_ballot: SetUp):
    open_with_voters(ready_ballot, 1)
    client.force_login(MemberWithLoginFactory().user)
    assert client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk])).status_code == 404


def test_unknown_candidate_posted_gets_a_clear_4xx(client: Client, ready_ballot: SetUp):
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    data = _stv_data(ready_ballot, {})
    data[field_name(ready_ballot.motion)] = "999999"
    response = client.post(reverse("ballot_vote", args=[ready_ballot.ballot.pk]), data)
    assert response.status_code == 400


def test_guarantees_page_says_plainly_what_is_not_guaranteed(client: Client):
    html = client.get(reverse("ballot_guarantees")).content.decode()
    assert "No protection against coercion" in html
    assert "server sees your ballot at the moment it is cast" in html


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _idempotency_key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, "no idempotency key on the vote page"
    return match.group(1)


def test_whole_journey_create_tell_open_vote_close_count_publish_verify(
    client: Client, frozen_clock, tmp_path: Path, django_capture_on_commit_callbacks
):
    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    give_authenticator_app(officer.user)
    tellers = [MemberWithLoginFactory(home_group=group) for _ in range(3)]
    voters = [MemberWithLoginFactory(home_group=group) for _ in range(3)]
    now = clock.now()

    client.force_login(officer.user)
    response = client.post(
        reverse("ballot_create"),
        {
            "title": "Steering committee 2026",
            "description": "Two seats, at least one woman.",
            "scope": f"group:{group.pk}",
            "opens_at": _local(now - datetime.timedelta(minutes=5)),
            "closes_at": _local(now + datetime.timedelta(hours=1)),
            "eligible_statuses": ["member"],
            "tellers_count": "3",
            "threshold": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ballot = Ballot.objects.get()
    manage = reverse("ballot_manage", args=[ballot.pk])
    assert response["Location"] == manage
    response = client.post(
        reverse("ballot_question_add", args=[ballot.pk]),
        {
            "title": "Steering committee",
            "kind": "stv",
            "stv_rule": "scottish",
            "seats": "2",
            "quota_rules": "women: at least 1",
        },
    )
    assert response.status_code == 302
    question = ballot.questions.get()
    for name, categories in [("Ann", "women"), ("Bob", ""), ("Cat", "women"), ("Dan", "")]:
        response = client.post(
            reverse("ballot_candidate_add", args=[ballot.pk, question.pk]),
            {"name": name, "statement": f"I am {name}.", "categories": categories},
        )
        assert response.status_code == 302
    response = client.post(
        reverse("ballot_tellers", args=[ballot.pk]),
        {"membership_numbers": "\n".join(t.membership_number for t in tellers)},
    )
    assert response.status_code == 302
    assert "Voting is open" not in client.get(manage).content.decode()

    shares = []
    for teller in tellers:
        client.force_login(teller.user)
        url = reverse("ballot_teller_share", args=[ballot.pk])
        shown = client.post(url)
        assert shown["Cache-Control"] == "no-store"
        shares.append(SHARE.search(shown.content.decode()).group(0))
        again = client.post(url)
        assert again.status_code == 409 and not SHARE.search(again.content.decode())

    client.force_login(officer.user)
    with django_capture_on_commit_callbacks(execute=True):  # the open's task runs after commit
        response = client.post(reverse("ballot_open", args=[ballot.pk]), follow=True)
    assert "The roll is being frozen" in response.content.decode()
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN and ballot.invitations_sent_at is not None
    assert not ballot.background_step and ballot.background_done == ballot.roll_size

    trackers = []
    orders = [{1: "1", 2: "2"}, {3: "1", 1: "2", 4: "3"}, {2: "1"}]
    for voter, order in zip(voters, orders, strict=True):
        client.force_login(voter.user)
        vote_url = reverse("ballot_vote", args=[ballot.pk])
        page = client.get(vote_url).content.decode()
        data = {"idempotency_key": _idempotency_key(page), "step": "cast"}
        for position, text in order.items():
            candidate = question.candidates.get(position=position)
            data[field_name(question, candidate.pk)] = text
        receipt = client.post(vote_url, data)
        assert receipt.status_code == 200
        trackers.append(TRACKER.search(receipt.content.decode()).group(0))
    # The last voter tries again from a fresh page: refused, nothing added.
    page = client.get(vote_url).content.decode()
    assert "already voted" in page
    second = client.post(vote_url, {"idempotency_key": "A" * 32, "step": "cast"})
    assert second.status_code == 409

    check = reverse("ballot_receipt_check", args=[ballot.pk])
    assert "in the ballot box" in client.get(check, {"tracker": trackers[0]}).content.decode()

    frozen_clock.advance(hours=2)
    client.force_login(officer.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("ballot_close", args=[ballot.pk]), CONFIRMED).status_code == 302
    reveal = reverse("ballot_teller_reveal", args=[ballot.pk])
    for teller, share in list(zip(tellers, shares, strict=True))[:2]:
        client.force_login(teller.user)
        # Issue 20, item 10: a share with its last byte changed was thanked and stored.
        mistyped = share[:-2] + ("00" if share[-2:] != "00" else "01")
        refused = client.post(reveal, {"share": mistyped})
        assert refused.status_code == 200
        number = share.split(":")[0]
        assert f"This is not the share you were given as teller {number}" in (
            refused.content.decode()
        )
        assert ballot.tellers.get(member=teller).revealed_share == ""
        response = client.post(reveal, {"share": share})
        assert response.status_code == 302
    client.force_login(officer.user)
    with django_capture_on_commit_callbacks(execute=True):  # the count task runs after commit
        assert client.post(reverse("ballot_count", args=[ballot.pk])).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(reverse("ballot_publish", args=[ballot.pk]), CONFIRMED).status_code == 302
        )
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.PUBLISHED

    client.logout()
    results = client.get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert "<svg" in results and "Stage 1" in results
    # Issue 20, item 2: the key, its fingerprint and the exact command, key pinned.
    key = bytes(ballot.election_public_key).hex()
    assert ballot.election_key_fingerprint in results
    assert (
        f"python -m grassroots.ledger verify {ballot.election_id}-record.zip --election-key {key}"
        in results
    )
    about = client.get(reverse("ballot_guarantees")).content.decode()
    assert key in about and ballot.election_key_fingerprint in about
    assert "--election-key" in about
    looked_up = client.get(check, {"tracker": trackers[1]}).content.decode()
    assert "in the public log" in looked_up and "decrypted to" in looked_up
    assert "[2,0,3]" in looked_up
    # Issue 21: the paper as names in preference order, not only the JSON.
    paper = re.search(r'<ol class="decrypted-paper">(.*?)</ol>', looked_up, re.S)
    assert paper is not None
    assert re.findall(r"<li>([^<]+)</li>", paper.group(1)) == ["Cat", "Ann", "Dan"]
    assert "Elected: " in results and "Counting rule" in results

    call_command("export_record", "--latest-published", str(tmp_path))
    checks = verify_directory(tmp_path)
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]
    ballots_file = tmp_path / "ballots.jsonl"
    data = bytearray(ballots_file.read_bytes())
    data[20] = ord("0") if data[20] != ord("0") else ord("1")
    ballots_file.write_bytes(bytes(data))
    assert not all(c.passed for c in verify_directory(tmp_path))


def test_results_are_not_public_before_publication(client: Client, ready_ballot: SetUp):
    results = reverse("ballot_results", args=[ready_ballot.ballot.pk])
    # Not yet opened: a 404, as for a ballot that does not exist.
    assert client.get(results).status_code == 404
    assert client.get(reverse("ballot_results", args=[987654])).status_code == 404
    open_with_voters(ready_ballot, 1)
    # Open (its log is public): the page says the result is not yet published, and no more.
    pending = client.get(results)
    assert pending.status_code == 200
    page = pending.content.decode()
    assert "the result is not yet published" in page and "Voting is open until" in page
    assert "Elected" not in page and "<table" not in page
    assert client.get(reverse("ballot_log", args=[ready_ballot.ballot.pk])).status_code == 200


def test_officer_of_another_group_gets_404_on_the_manage_page(client: Client, ready_ballot):
    other = RoleFactory(role=Role.SECRETARY, group=GroupFactory()).member
    give_authenticator_app(other.user)
    client.force_login(other.user)
    response = client.get(reverse("ballot_manage", args=[ready_ballot.ballot.pk]))
    assert response.status_code == 404


def test_bad_tracker_in_lookup_is_a_400_with_a_message(client: Client, ready_ballot: SetUp):
    open_with_voters(ready_ballot, 1)
    response = client.get(
        reverse("ballot_receipt_check", args=[ready_ballot.ballot.pk]), {"tracker": "xyz"}
    )
    assert response.status_code == 400
    assert "A tracker is 64 letters" in response.content.decode()
