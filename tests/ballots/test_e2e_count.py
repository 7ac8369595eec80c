"""An end-to-end ballot after the close (issue 14): two mixers' stages and two tellers'
decryption shares, made offline with the teller commands and uploaded, each checked at once;
the count, the published record, and the verifier with the election key pinned."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from grassroots.ballots.e2e import e2e_questions
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.publication import record_zip
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.mixing import upload_decryption, upload_mix_stage
from grassroots.ballots.services.publishing import publish_results
from grassroots.ledger.e2e.elgamal import encrypt_points
from grassroots.ledger.e2e.group import base_mul
from grassroots.ledger.e2e.proofs import prove_ballot
from grassroots.ledger.verify import verify_directory
from tests.ballots.e2e_helpers import E2ESetUp, run, teller_row, unzip_e2e
from tests.ballots.test_e2e_casting import credential_of, encrypted_papers, open_e2e, post_cast

pytestmark = pytest.mark.django_db

ORDERS = [(2, 0), (0, 2, 1), (1, 3), (2, 1), (0,), (3, 2, 0)]


def invalid_paper(setup: E2ESetUp, credential: str) -> dict:
    """A paper that is not a ranking (a group element outside the packing), properly proved:
    it can be cast, and is counted as an invalid paper."""
    papers, _ = encrypted_papers(setup, credential, {})
    for _, question in e2e_questions(setup.ballot):
        if question.id == "q1":
            key = bytes(setup.ballot.tellers_public_key)
            ballot, randomness = encrypt_points(key, [base_mul(7)])
            proof = prove_ballot(
                election_id=setup.ballot.election_id,
                question="q1",
                credential=credential,
                public_key=key,
                ballot=ballot,
                randomness=randomness,
            )
            papers["q1"] = {
                "ballot": [c.to_json() for c in ballot],
                "proof": proof.to_json(),
            }
    return papers


def mix(setup: E2ESetUp, tmp_path: Path, number: int, question: str) -> dict:
    e2e = unzip_e2e(setup.ballot, tmp_path / f"mix-{number}-{question}")
    run("teller", "mix", str(e2e), "--question", question, "--mixer", f"Teller {number}")
    stage = max(p for p in (e2e / question).glob("mix-*.json"))
    return json.loads(stage.read_text())


def decryption(setup: E2ESetUp, tmp_path: Path, number: int, question: str) -> dict:
    e2e = unzip_e2e(setup.ballot, tmp_path / f"decrypt-{number}-{question}")
    run(
        "teller",
        "decrypt",
        str(e2e),
        "--question",
        question,
        "--teller",
        str(number),
        "--share",
        str(setup.folder / f"teller-{number}.share"),
    )
    return json.loads((e2e / question / f"decryption-{number}.json").read_text())


def test_mixed_decrypted_counted_published_and_verified(client, tmp_path: Path, frozen_clock):
    setup, voters = open_e2e(tmp_path, len(ORDERS) + 1)
    for voter, order in zip(voters, ORDERS, strict=False):
        papers, _ = encrypted_papers(setup, credential_of(setup, voter), {"q1": order, "q2": (0,)})
        client.force_login(voter.user)
        assert post_cast(client, setup, papers).status_code == 200
    spoilt = voters[-1]
    client.force_login(spoilt.user)
    assert (
        post_cast(client, setup, invalid_paper(setup, credential_of(setup, spoilt))).status_code
        == 200
    )

    frozen_clock.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    setup.ballot.refresh_from_db()
    with pytest.raises(BallotError, match="mix stage"):
        count_ballot(actor=setup.officer.user, ballot=setup.ballot)
    for question in ("q1", "q2"):
        for number in (1, 2):
            stage = mix(setup, tmp_path, number, question)
            member = setup.tellers[number - 1]
            if number == 2 and question == "q1":
                dropped = {**stage, "ballots": stage["ballots"][1:]}
                with pytest.raises(BallotError, match=r"Mix stage 2 .* is refused"):
                    upload_mix_stage(
                        actor=member.user,
                        teller=teller_row(setup, 2),
                        question_id=question,
                        document=dropped,
                    )
            upload_mix_stage(
                actor=member.user,
                teller=teller_row(setup, number),
                question_id=question,
                document=stage,
            )
        for number in (1, 3):
            shares = decryption(setup, tmp_path, number, question)
            member = setup.tellers[number - 1]
            if number == 3:
                with pytest.raises(BallotError, match="not the share teller 3 committed to"):
                    wrong = {
                        **shares,
                        "shares": [shares["shares"][1], shares["shares"][0], *shares["shares"][2:]],
                    }
                    upload_decryption(
                        actor=member.user,
                        teller=teller_row(setup, 3),
                        question_id=question,
                        document=wrong,
                    )
            upload_decryption(
                actor=member.user,
                teller=teller_row(setup, number),
                question_id=question,
                document=shares,
            )

    count_ballot(actor=setup.officer.user, ballot=setup.ballot)
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    assert ballot.status == BallotStatus.COUNTED
    q1 = ballot.questions.get(position=1)
    papers = [json.loads(line) for line in q1.e2e_papers.splitlines()]
    assert sorted(tuple(p["marks"]) for p in papers if "marks" in p) == sorted(ORDERS)
    assert [p for p in papers if "invalid" in p] == [
        {"invalid": "group element 1 does not encode a packed chunk"}
    ]
    assert q1.result["valid_poll"] is not None
    publish_results(actor=setup.officer.user, ballot=ballot)

    blt = client.get(f"/ballots/{ballot.pk}/questions/{q1.pk}/ballots.blt")
    assert blt.status_code == 200
    # The BLT stored at publication, served as a file (issue 22).
    served = b"".join(blt.streaming_content).decode()
    assert served.count("\n1 ") == len(ORDERS)  # valid papers, one line each

    archive = tmp_path / "record.zip"
    archive.write_bytes(record_zip(ballot))
    results = verify_directory(archive, election_key=bytes(ballot.election_public_key))
    assert [r.number for r in results] == list(range(1, 15))
    assert all(r.passed for r in results), [r.line() for r in results if not r.passed]

    # One byte of one mix stage's ciphertext changed: check 12 names it.
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(record_zip(ballot))) as opened:
        opened.extractall(folder)
    stage = folder / ballot.election_id / "e2e" / "q1" / "mix-1.json"
    data = json.loads(stage.read_text())
    data["ballots"][0], data["ballots"][1] = data["ballots"][1], data["ballots"][0]
    stage.write_text(json.dumps(data))
    failed = [r.number for r in verify_directory(folder) if not r.passed]
    assert 12 in failed
