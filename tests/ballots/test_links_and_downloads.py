"""Personal voting links, the member's roll mark, and the results page's downloads."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.forms import field_name
from grassroots.ballots.links import LINK_MAX_AGE, personal_link_token
from grassroots.ballots.models import RollEntry
from grassroots.ledger.verify import verify_directory
from grassroots.tally import count
from grassroots.tally.blt import read_blt
from grassroots.tally.types import CategoryConstraint
from tests.ballots.conftest import (
    Clock,
    SetUp,
    candidate_ids,
    cast_orders,
    close_count_publish,
    make_ballot,
    open_with_voters,
)
from tests.factories import GroupFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _link(setup: SetUp, entry: RollEntry) -> str:
    return reverse("ballot_vote_by_link", args=[setup.ballot.pk, personal_link_token(entry)])


def _paper(setup: SetUp, page: str) -> dict[str, str]:
    import re

    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    first = candidate_ids(setup.stv)[0]
    return {"idempotency_key": key, field_name(setup.stv, first): "1", "step": "cast"}


def test_personal_link_votes_once_without_logging_in(client: Client, ready_ballot: SetUp):
    (voter,) = open_with_voters(ready_ballot, 1)
    entry = RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter)
    url = _link(ready_ballot, entry)
    page = client.get(url)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert "No vote has been recorded in your name" in html
    receipt = client.post(url, _paper(ready_ballot, html))
    assert receipt.status_code == 200 and "Your vote is recorded" in receipt.content.decode()
    entry.refresh_from_db()
    assert entry.has_voted
    again = client.get(url).content.decode()
    assert "A vote has been recorded in your name" in again and "already voted" in again
    second = client.post(url, {**_paper(ready_ballot, html), "idempotency_key": "B" * 32})
    assert second.status_code == 409
    # The link is not a login: the member's other pages still need one.
    assert client.get(reverse("ballot_list")).status_code == 302


def test_forged_or_other_ballots_link_gets_a_clear_404(client: Client, ready_ballot: SetUp):
    (voter,) = open_with_voters(ready_ballot, 1)
    entry = RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter)
    token = personal_link_token(entry)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = client.get(reverse("ballot_vote_by_link", args=[ready_ballot.ballot.pk, forged]))
    assert response.status_code == 404
    assert "This voting link is not valid" in response.content.decode()
    other = make_ballot(group=GroupFactory())
    open_with_voters(other, 1)
    response = client.get(reverse("ballot_vote_by_link", args=[other.ballot.pk, token]))
    assert response.status_code == 404
    response = client.post(
        reverse("ballot_vote_by_link", args=[other.ballot.pk, token]), {"idempotency_key": "x"}
    )
    assert response.status_code == 404


def test_expired_link_gets_410(client: Client, ready_ballot: SetUp, monkeypatch):
    (voter,) = open_with_voters(ready_ballot, 1)
    entry = RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter)
    url = _link(ready_ballot, entry)
    import time

    later = time.time() + LINK_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.get(url)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_link_after_the_close_shows_the_poll_is_closed(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock
):
    (voter,) = open_with_voters(ready_ballot, 1)
    entry = RollEntry.objects.get(ballot=ready_ballot.ballot, member=voter)
    url = _link(ready_ballot, entry)
    page = client.get(url).content.decode()
    frozen_clock.advance(hours=2)
    response = client.post(url, _paper(ready_ballot, page))
    assert response.status_code == 409 and "not open" in response.content.decode()


def test_member_sees_whether_a_vote_was_recorded_in_their_name(client: Client, ready_ballot: SetUp):
    voted, abstained = open_with_voters(ready_ballot, 2)
    cast_orders(ready_ballot, [voted], [[0, 1]])
    for member, expected in ((voted, "A vote has been recorded"), (abstained, "No vote has")):
        client.force_login(member.user)
        page = client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk]))
        assert expected in page.content.decode()


def test_results_page_offers_the_record_and_blt_and_shows_turnout_by_group(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock, tmp_path: Path
):
    voters = open_with_voters(ready_ballot, 6)
    MemberFactory(home_group=ready_ballot.group)  # joined after the roll froze: not counted
    orders = [[0, 1], [1, 0, 2], [2, 3], [3], [], [0, 2, 1, 3]]
    cast_orders(ready_ballot, voters, orders)
    ballot = close_count_publish(ready_ballot, frozen_clock)
    assert ballot.turnout == [
        {"scope": ready_ballot.group.name, "roll_size": ballot.roll_size, "voted": 6}
    ]
    page = client.get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert "Turnout by group" in page and ready_ballot.group.name in page
    record_url = reverse("ballot_record", args=[ballot.pk])
    blt_url = reverse("ballot_blt", args=[ballot.pk, ready_ballot.stv.pk])
    assert record_url in page and blt_url in page

    # Both are files stored at publication, served as streams (issue 22).
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(record_url).streaming_content)))
    archive.extractall(tmp_path)
    directory = tmp_path / ballot.election_id
    checks = verify_directory(directory)
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]
    roll = json.loads((directory / "record.json").read_text())["roll"]
    assert roll["scopes"] == [
        {"scope": ready_ballot.group.name, "roll_size": ballot.roll_size, "voted": 6}
    ]

    election = read_blt(b"".join(client.get(blt_url).streaming_content).decode())
    assert len(election.ballots) == 5  # the blank paper is left out
    ready_ballot.stv.refresh_from_db()
    # BLT has no categories: add them back (Aisha and Carys are women) for the same count.
    election = replace(election, categories={0: frozenset({"women"}), 2: frozenset({"women"})})
    recount = count(
        election,
        rule="scottish",
        seed=ready_ballot.stv.seed,
        constraints=[CategoryConstraint(category="women", minimum=1)],
    )
    assert list(recount.elected) == ready_ballot.stv.result["elected"]
    yesno = reverse("ballot_blt", args=[ballot.pk, ready_ballot.motion.pk])
    assert client.get(yesno).status_code == 404
