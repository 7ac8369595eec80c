"""The count runs as a background task, in batches, with its progress on the ballot's page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus
from grassroots.ballots.publication import election_parameters
from grassroots.ballots.services import counting
from grassroots.ballots.services.counting import request_count, run_count
from grassroots.ballots.services.errors import WrongStage
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.tellers import reveal_share, tellers_private_key
from grassroots.ledger.crypto import ballot_opener
from tests.ballots.conftest import Clock, SetUp, cast_orders, open_with_voters
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _closed_with_shares(setup: SetUp, clock_: Clock, voters: int) -> None:
    people = open_with_voters(setup, voters)
    cast_orders(setup, people, [[i % 4, (i + 1) % 4] for i in range(voters)])
    clock_.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:2]:
        reveal_share(
            actor=teller.user, teller=setup.ballot.tellers.get(member=teller), share_text=share
        )


def test_page_shows_count_progress_and_polls_until_done(
    client: Client,
    ready_ballot: SetUp,
    frozen_clock: Clock,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    _closed_with_shares(ready_ballot, frozen_clock, 7)
    monkeypatch.setattr(counting, "COUNT_BATCH", 4)
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    manage = reverse("ballot_manage", args=[ready_ballot.ballot.pk])
    # Without running the task, the page shows the count waiting at 0 and polls.
    response = client.post(reverse("ballot_count", args=[ready_ballot.ballot.pk]))
    assert response.status_code == 302
    page = client.get(manage).content.decode()
    total = BallotBoxEntry.objects.filter(ballot=ready_ballot.ballot).count()
    assert f"0 of {total} ballots opened" in page and 'hx-trigger="every 2s"' in page
    assert "Refresh</a>" in page
    fragment = client.get(manage, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="count-progress"')
    assert "<html" not in fragment
    # One batch of 4, as the worker would commit it: the fragment shows the progress.
    counting._decrypt_batch(
        ready_ballot.ballot.pk,
        -1,
        ballot_opener(tellers_private_key(ready_ballot.ballot)),
        {
            q.id: q
            for q in election_parameters(Ballot.objects.get(pk=ready_ballot.ballot.pk)).questions
        },
    )
    fragment = client.get(manage, headers={"HX-Request": "true"}).content.decode()
    assert f"4 of {total} ballots opened" in fragment
    run_count(ballot_id=ready_ballot.ballot.pk)
    fragment = client.get(manage, headers={"HX-Request": "true"}).content.decode()
    assert "The count is finished" in fragment and "hx-trigger" not in fragment
    assert Ballot.objects.get(pk=ready_ballot.ballot.pk).status == BallotStatus.COUNTED


def test_count_request_runs_the_task_after_commit(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock, django_capture_on_commit_callbacks
):
    _closed_with_shares(ready_ballot, frozen_clock, 3)
    with django_capture_on_commit_callbacks(execute=True):
        request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    ballot = Ballot.objects.get(pk=ready_ballot.ballot.pk)
    assert ballot.status == BallotStatus.COUNTED and ballot.count_done == ballot.count_total
    with pytest.raises(WrongStage):
        request_count(actor=ready_ballot.officer.user, ballot=ballot)


def test_a_count_cannot_be_started_twice_while_running(ready_ballot: SetUp, frozen_clock: Clock):
    _closed_with_shares(ready_ballot, frozen_clock, 2)
    request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    with pytest.raises(WrongStage, match="already running"):
        request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)


NOSCRIPT_REFRESH = '<noscript><meta http-equiv="refresh" content="5"></noscript>'


def _by_id(ballot: Ballot) -> dict:
    return {q.id: q for q in election_parameters(ballot).questions}


def _decrypt_one_batch(ballot_id: int) -> int | None:
    """The next batch from the start (its first query skips what is decrypted); its last
    log position, or None when nothing is left."""
    ballot = Ballot.objects.get(pk=ballot_id)
    opener = ballot_opener(tellers_private_key(ballot))
    return counting._decrypt_batch(ballot_id, -1, opener, _by_id(ballot))


def test_progress_goes_decrypting_counting_done_on_the_officers_and_tellers_pages(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock, monkeypatch
):
    """Twelve real votes (24 sealed papers: two questions each), batches of 10: the pages show
    each stage as the worker reaches it, and refresh themselves (HTMX, or <noscript>) only
    while the count runs."""
    _closed_with_shares(ready_ballot, frozen_clock, 12)
    monkeypatch.setattr(counting, "COUNT_BATCH", 10)
    ballot_id = ready_ballot.ballot.pk
    officer = Client()
    give_authenticator_app(ready_ballot.officer.user)
    officer.force_login(ready_ballot.officer.user)
    teller = ready_ballot.tellers[2]  # a teller who runs nothing
    client.force_login(teller.user)
    manage = reverse("ballot_manage", args=[ballot_id])
    share_page = reverse("ballot_teller_reveal", args=[ballot_id])
    htmx = {"HX-Request": "true"}

    assert officer.post(reverse("ballot_count", args=[ballot_id])).status_code == 302
    total = BallotBoxEntry.objects.filter(ballot_id=ballot_id).count()
    assert total == 24

    # Decrypting, batch by batch.
    for opened in (0, 10, 20):
        page = officer.get(manage).content.decode()
        assert f"Decrypting: {opened} of 24 ballots opened." in page
        assert f'<progress max="24" value="{opened}"' in page
        assert NOSCRIPT_REFRESH in page and 'hx-trigger="every 2s"' in page
        teller_page = client.get(share_page).content.decode()
        assert f"Decrypting: {opened} of 24 ballots opened." in teller_page
        assert f'hx-get="{share_page}"' in teller_page and NOSCRIPT_REFRESH in teller_page
        assert "Enter my share" not in teller_page  # no share form while the count runs
        fragment = client.get(share_page, headers=htmx)
        assert fragment.content.decode().lstrip().startswith('<section id="count-progress"')
        assert "HX-Refresh" not in fragment
        _decrypt_one_batch(ballot_id)
    assert _decrypt_one_batch(ballot_id) is None

    # Counting: every ballot opened, the questions counted one by one. The pages are read
    # while the real count runs, between its questions.
    seen: list[str] = []
    real_count_question = counting.count_question

    def count_and_look(*args, **kwargs):
        seen.append(officer.get(manage, headers=htmx).content.decode())
        seen.append(client.get(share_page, headers=htmx).content.decode())
        return real_count_question(*args, **kwargs)

    monkeypatch.setattr(counting, "count_question", count_and_look)
    run_count(ballot_id=ballot_id)
    assert "All 24 ballots are decrypted. Counting: 0 of 2 questions counted." in seen[0]
    assert "All 24 ballots are decrypted. Counting: 0 of 2 questions counted." in seen[1]
    assert "Counting: 1 of 2 questions counted." in seen[2]
    assert 'hx-trigger="every 2s"' in seen[2]

    # Done: the fragment says so, stops polling and has HTMX reload the page for the result.
    assert Ballot.objects.get(pk=ballot_id).status == BallotStatus.COUNTED
    fragment = officer.get(manage, headers=htmx)
    assert "The count is finished: 24 ballots counted." in fragment.content.decode()
    assert fragment["HX-Refresh"] == "true"
    page = officer.get(manage).content.decode()
    assert NOSCRIPT_REFRESH not in page and "hx-trigger" not in page
    assert "Publish the result" in page
    teller_page = client.get(share_page).content.decode()
    assert "The count is finished" in teller_page
    assert "The returning officer checks and publishes the result." in teller_page
    assert "hx-trigger" not in teller_page and NOSCRIPT_REFRESH not in teller_page


def test_a_count_that_fails_says_why_and_can_be_started_again(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock
):
    """A ballot altered in the box after the close (one ciphertext byte) stops the count with
    the ballot's place in the log; the pages say so, stop refreshing, and offer a restart."""
    _closed_with_shares(ready_ballot, frozen_clock, 5)
    ballot_id = ready_ballot.ballot.pk
    entry = BallotBoxEntry.objects.filter(ballot_id=ballot_id).order_by("log_index")[3]
    altered = bytearray(entry.ciphertext)
    altered[40] ^= 0x01
    BallotBoxEntry.objects.filter(pk=entry.pk).update(ciphertext=bytes(altered))
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    manage = reverse("ballot_manage", args=[ballot_id])

    request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    run_count(ballot_id=ballot_id)

    ballot = Ballot.objects.get(pk=ballot_id)
    assert ballot.status == BallotStatus.CLOSED
    assert ballot.count_error.startswith("Ballot 4 in the log:")
    fragment = client.get(manage, headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"
    page = client.get(manage).content.decode()
    assert '<p role="alert">The count stopped: Ballot 4 in the log:' in page
    assert "hx-trigger" not in page and NOSCRIPT_REFRESH not in page
    assert "Start the count again" in page
    # Starting again is allowed (and fails again, the same way: the box is still altered).
    request_count(actor=ready_ballot.officer.user, ballot=ballot)
    assert Ballot.objects.get(pk=ballot_id).count_error == ""
    run_count(ballot_id=ballot_id)
    assert Ballot.objects.get(pk=ballot_id).count_error.startswith("Ballot 4 in the log:")


def test_an_unexpected_error_in_the_count_is_shown_not_left_running(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock, monkeypatch
):
    _closed_with_shares(ready_ballot, frozen_clock, 3)
    ballot_id = ready_ballot.ballot.pk

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(counting, "render_html", broken)
    request_count(actor=ready_ballot.officer.user, ballot=ready_ballot.ballot)
    run_count(ballot_id=ballot_id)
    ballot = Ballot.objects.get(pk=ballot_id)
    assert ballot.status == BallotStatus.CLOSED
    assert "unexpected error (RuntimeError)" in ballot.count_error
    assert not any(q.result for q in ballot.questions.all())  # nothing half-stored
    give_authenticator_app(ready_ballot.officer.user)
    client.force_login(ready_ballot.officer.user)
    page = client.get(reverse("ballot_manage", args=[ballot_id])).content.decode()
    assert "The count stopped: an unexpected error (RuntimeError) stopped it." in page
