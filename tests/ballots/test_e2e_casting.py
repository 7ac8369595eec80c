"""Casting an end-to-end ballot (issue 14): ciphertexts and proofs in, checked, stored; the
server takes no readable paper, and a ballot copied from another voter is refused."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.ballots.e2e import VENDORED_NOBLE, e2e_questions, voter_credential
from grassroots.ballots.models import BallotBoxEntry, RollEntry, UnsealedBallot
from grassroots.ballots.services.lifecycle import open_ballot
from grassroots.ledger.e2e.files import cast_to_json
from grassroots.ledger.e2e.papers import Paper
from grassroots.ledger.e2e.voter import ballot_tracker, encrypt_paper
from tests.ballots.e2e_helpers import E2ESetUp, make_e2e_ballot
from tests.factories import MemberWithLoginFactory

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "static"


def open_e2e(tmp_path: Path, voters: int) -> tuple[E2ESetUp, list]:
    setup = make_e2e_ballot(tmp_path)
    members = [MemberWithLoginFactory(home_group=setup.group) for _ in range(voters)]
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    setup.ballot.refresh_from_db()
    return setup, members


def encrypted_papers(setup: E2ESetUp, credential: str, marks: dict[str, tuple[int, ...]]):
    """What the vote page's script posts: every question's ballot and proof."""
    papers, trackers = {}, {}
    for _, question in e2e_questions(setup.ballot):
        cast, _ = encrypt_paper(
            election_id=setup.ballot.election_id,
            question=question,
            credential=credential,
            public_key=bytes(setup.ballot.tellers_public_key),
            paper=Paper(marks.get(question.id, ())),
        )
        line = cast_to_json(cast)
        papers[question.id] = {"ballot": line["ballot"], "proof": line["proof"]}
        trackers[question.id] = ballot_tracker(setup.ballot.election_id, cast.ballot)
    return papers, trackers


def post_cast(client: Client, setup: E2ESetUp, papers: dict, key: str | None = None):
    return client.post(
        reverse("ballot_cast", args=[setup.ballot.pk]),
        data=json.dumps({"idempotency_key": key or secrets.token_urlsafe(24), "papers": papers}),
        content_type="application/json",
    )


def credential_of(setup: E2ESetUp, member) -> str:  # type: ignore[no-untyped-def]
    entry = RollEntry.objects.get(ballot=setup.ballot, member=member)
    return voter_credential(setup.ballot, entry.pk)


def test_an_encrypted_paper_with_its_proof_is_cast_and_only_ciphertext_is_stored(
    client: Client, tmp_path: Path
):
    setup, (voter,) = open_e2e(tmp_path, 1)
    papers, trackers = encrypted_papers(
        setup, credential_of(setup, voter), {"q1": (2, 0), "q2": (0,)}
    )
    client.force_login(voter.user)
    response = post_cast(client, setup, papers)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert [t["tracker"] for t in answer["trackers"]] == [trackers["q1"], trackers["q2"]]
    assert RollEntry.objects.get(ballot=setup.ballot, member=voter).has_voted
    stored = [json.loads(bytes(u.ciphertext)) for u in UnsealedBallot.objects.all()]
    assert sorted(s["question"] for s in stored) == ["q1", "q2"]
    for item in stored:
        assert set(item) == {"ballot", "credential", "proof", "question"}
        assert item["credential"] == credential_of(setup, voter)


def test_a_ballot_copied_from_another_voter_is_refused(client: Client, tmp_path: Path):
    setup, (first, second) = open_e2e(tmp_path, 2)
    papers, _ = encrypted_papers(setup, credential_of(setup, first), {"q1": (1,)})
    client.force_login(second.user)
    response = post_cast(client, setup, papers)
    assert response.status_code == 400
    assert "the ballot's proof does not hold for this voter" in response.json()["error"]
    assert not RollEntry.objects.get(ballot=setup.ballot, member=second).has_voted
    assert not UnsealedBallot.objects.exists() and not BallotBoxEntry.objects.exists()


def test_malformed_papers_are_refused_with_a_reason(client: Client, tmp_path: Path):
    setup, (voter,) = open_e2e(tmp_path, 1)
    papers, _ = encrypted_papers(setup, credential_of(setup, voter), {})
    client.force_login(voter.user)
    only_one = {"q1": papers["q1"]}
    assert "for each question" in post_cast(client, setup, only_one).json()["error"]
    bad_point = {**papers, "q1": {**papers["q1"], "ballot": [["00" * 32, "00" * 32]]}}
    response = post_cast(client, setup, bad_point)
    assert response.status_code == 400 and "not an element" in response.json()["error"]
    response = client.post(
        reverse("ballot_cast", args=[setup.ballot.pk]), data="{", content_type="application/json"
    )
    assert response.status_code == 400 and "Send JSON" in response.json()["error"]
    assert not RollEntry.objects.get(ballot=setup.ballot, member=voter).has_voted


def test_the_vote_page_loads_the_pinned_library_and_a_plain_form_post_is_refused(
    client: Client, tmp_path: Path
):
    setup, (voter,) = open_e2e(tmp_path, 1)
    client.force_login(voter.user)
    url = reverse("ballot_vote", args=[setup.ballot.pk])
    html = client.get(url).content.decode()
    assert f'integrity="{VENDORED_NOBLE["integrity"]}"' in html
    assert "This ballot needs JavaScript" in html and 'id="e2e-paper"' in html
    assert credential_of(setup, voter) in html
    response = client.post(url, {"idempotency_key": secrets.token_urlsafe(24)})
    assert response.status_code == 400 and "needs JavaScript" in response.content.decode()
    assert not RollEntry.objects.get(ballot=setup.ballot, member=voter).has_voted


def test_the_pinned_integrity_hash_is_the_vendored_files():
    data = (STATIC / VENDORED_NOBLE["path"]).read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert VENDORED_NOBLE["integrity"] == f"sha384-{digest}"
    assert VENDORED_NOBLE["integrity"] in (STATIC / "vendor" / "README.md").read_text()
