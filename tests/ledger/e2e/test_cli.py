"""A whole end-to-end ballot through the teller CLI, then tampering, each caught by its check."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import nacl.public
import pytest

from grassroots.ledger.__main__ import main as ledger_main
from grassroots.ledger.e2e.ceremony import deal, election_public_key
from grassroots.ledger.e2e.checks import cast_trackers, check_e2e, decrypted_papers
from grassroots.ledger.e2e.cli import main
from grassroots.ledger.e2e.files import (
    E2EElection,
    E2EFileError,
    E2EQuestion,
    cast_from_json,
    cast_to_json,
    election_to_json,
    read_deals,
    write_json,
)
from grassroots.ledger.e2e.group import scalar_hex
from grassroots.ledger.e2e.papers import Encoding, Paper, PaperForm, PaperKind
from grassroots.ledger.e2e.voter import (
    audit_ballot,
    ballot_tracker,
    cast_ballot_failure,
    encrypt_paper,
)

ELECTION = "2026-ncm-e2e"
STV = E2EQuestion("ncm", PaperForm(PaperKind.RANKED, 6), Encoding.PACKED)
MOTION = E2EQuestion("motion-7", PaperForm(PaperKind.YESNO, 2), Encoding.SLOTS)
PAPERS = {
    "ncm": [Paper((0, 2, 1)), Paper((4,)), Paper(()), Paper((5, 4, 3, 2, 1, 0)), Paper((2, 0))],
    "motion-7": [Paper((0,)), Paper((1,)), Paper((0,)), Paper(()), Paper((0,))],
}


def _run(*argv: str | Path) -> int:
    return main([str(a) for a in argv])


def _ceremony(tmp: Path) -> tuple[Path, bytes]:
    keys = tmp / "keys"
    keys.mkdir()
    record = tmp / "e2e"
    (record / "tellers").mkdir(parents=True)
    recipients = {}
    for teller in (1, 2, 3):
        assert _run("teller", "transport-key", "--out", keys / f"transport-{teller}") == 0
        private = bytes.fromhex((keys / f"transport-{teller}").read_text().strip())
        recipients[str(teller)] = bytes(nacl.public.PrivateKey(private).public_key).hex()
    write_json(tmp / "recipients.json", recipients)
    common = ("--election-id", ELECTION, "--threshold", "2", "--tellers", "3")
    for teller in (1, 2, 3):
        out = record / "tellers" / f"deal-{teller}.json"
        assert (
            _run(
                "teller",
                "deal",
                *common,
                "--teller",
                teller,
                "--recipients",
                tmp / "recipients.json",
                "--out",
                out,
            )
            == 0
        )
    for teller in (1, 2, 3):
        assert (
            _run(
                "teller",
                "receive",
                *common,
                "--teller",
                teller,
                "--transport-key",
                keys / f"transport-{teller}",
                "--deals",
                record / "tellers",
                "--out",
                keys / f"share-{teller}",
            )
            == 0
        )
    public = election_public_key([d.commitment for d in read_deals(record / "tellers")])
    election = E2EElection(ELECTION, 2, 3, public, (STV, MOTION))
    write_json(record / "election.json", election_to_json(election))
    return record, public


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("e2e")
    record, public = _ceremony(tmp)
    for question in (STV, MOTION):
        folder = record / question.id
        folder.mkdir()
        lines = []
        for voter, paper in enumerate(PAPERS[question.id]):
            cast, randomness = encrypt_paper(
                election_id=ELECTION,
                question=question,
                credential=f"roll-{voter}",
                public_key=public,
                paper=paper,
            )
            assert (
                audit_ballot(
                    question=question, public_key=public, ballot=cast.ballot, randomness=randomness
                )
                == paper
            )
            lines.append(json.dumps(cast_to_json(cast)) + "\n")
        (folder / "cast.jsonl").write_text("".join(lines))
        assert _run("teller", "mix", record, "--question", question.id, "--mixer", "teller-1") == 0
        assert (
            _run(
                "teller",
                "mix",
                record,
                "--question",
                question.id,
                "--mixer",
                "teller-2",
                "--workers",
                "2",
            )
            == 0
        )
        for teller in (1, 3):
            share = tmp / "keys" / f"share-{teller}"
            assert (
                _run(
                    "teller",
                    "decrypt",
                    record,
                    "--question",
                    question.id,
                    "--teller",
                    teller,
                    "--share",
                    share,
                    "--workers",
                    teller,  # teller 3 decrypts with three processes
                )
                == 0
            )
        assert _run("teller", "publish", record, "--question", question.id, "--workers", 2) == 0
    return record


def _copy(published: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(published, tmp_path / "e2e"))


def _first_failure(record: Path) -> tuple[int, str]:
    results = check_e2e(record)
    failed = [r for r in results if not r.passed]
    assert failed, "the tampering was not caught"
    return failed[0].number, failed[0].reason


def test_a_whole_e2e_ballot_verifies_and_decrypts_to_the_cast_papers(published, capsys):
    assert all(r.passed for r in check_e2e(published)), [r.line() for r in check_e2e(published)]
    papers = decrypted_papers(published)
    for question_id, cast in PAPERS.items():
        assert sorted(p.marks for p in papers[question_id]) == sorted(p.marks for p in cast)
    assert ledger_main(["teller", "verify", str(published)]) == 0
    assert "all 5 e2e checks passed" in capsys.readouterr().out


def test_a_share_that_does_not_match_its_commitment_is_refused_naming_the_teller(
    published, tmp_path, capsys
):
    record = _copy(published, tmp_path)
    keys = published.parent / "keys"
    wrong = tmp_path / "wrong-share"
    wrong.write_text(scalar_hex(12345))
    assert (
        _run("teller", "decrypt", record, "--question", "ncm", "--teller", "2", "--share", wrong)
        == 1
    )
    assert "refused: this is not the share teller 2 committed to" in capsys.readouterr().out
    # The right share from another teller is also refused under this teller's number.
    assert (
        _run(
            "teller",
            "decrypt",
            record,
            "--question",
            "ncm",
            "--teller",
            "2",
            "--share",
            keys / "share-1",
        )
        == 1
    )


def _mutate_json(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize("tampering", ["drop", "duplicate", "replace"])
def test_a_mix_stage_that_drops_duplicates_or_replaces_a_ballot_fails_check_12(
    published, tmp_path, tampering
):
    record = _copy(published, tmp_path)
    mix = record / "ncm" / "mix-2.json"

    def change(data):
        ballots = data["ballots"]
        if tampering == "drop":
            ballots.pop()
        elif tampering == "duplicate":
            ballots[0] = ballots[1]
        else:
            ballots[0] = json.loads((record / "ncm" / "cast.jsonl").read_text().split("\n")[0])[
                "ballot"
            ]

    _mutate_json(mix, change)
    assert _first_failure(record)[0] == 12


def test_a_forged_shuffle_proof_fails_check_12(published, tmp_path):
    record = _copy(published, tmp_path)
    other = json.loads((record / "ncm" / "mix-1.json").read_text())["proof"]["t_hat"][0]
    _mutate_json(record / "ncm" / "mix-2.json", lambda d: d["proof"]["t_hat"].__setitem__(0, other))
    number, reason = _first_failure(record)
    assert number == 12 and "mix-2.json (teller-2)" in reason


def test_a_single_mix_stage_is_not_enough(published, tmp_path):
    record = _copy(published, tmp_path)
    (record / "ncm" / "mix-2.json").unlink()
    number, reason = _first_failure(record)
    assert number == 12 and "at least 2 are required" in reason


def test_a_ballot_copied_from_another_voter_fails_check_11(published, tmp_path):
    record = _copy(published, tmp_path)
    cast = record / "ncm" / "cast.jsonl"
    lines = cast.read_text().splitlines()
    copied = json.loads(lines[0])
    copied["credential"] = "roll-99"
    cast.write_text("\n".join([*lines, json.dumps(copied)]) + "\n")
    number, reason = _first_failure(record)
    assert number == 11 and "line 6" in reason and "credential" in reason


def test_a_wrong_partial_decryption_fails_check_13(published, tmp_path):
    record = _copy(published, tmp_path)
    swap = json.loads((record / "ncm" / "decryption-1.json").read_text())["shares"][0]
    _mutate_json(record / "ncm" / "decryption-3.json", lambda d: d["shares"].__setitem__(0, swap))
    number, reason = _first_failure(record)
    assert number == 13 and "teller 3's decryption shares" in reason


def test_a_changed_published_paper_fails_check_14(published, tmp_path):
    record = _copy(published, tmp_path)
    path = record / "motion-7" / "plaintexts.jsonl"
    lines = path.read_text().splitlines()
    lines[0] = (
        json.dumps({"marks": [1]})
        if lines[0] != json.dumps({"marks": [1]})
        else json.dumps({"marks": [0]})
    )
    path.write_text("\n".join(lines) + "\n")
    assert _first_failure(record)[0] == 14


def test_every_random_hex_digit_change_in_the_e2e_files_is_caught(published, tmp_path):
    # Names and whitespace are covered by the record's signature (check 9), not by these checks.
    files = sorted(p for p in published.rglob("*.json*") if HEX.search(p.read_text()))
    rng = random.Random(20261206)
    for trial in range(12):
        record = Path(shutil.copytree(published, tmp_path / f"e2e-{trial}"))
        path = record / rng.choice(files).relative_to(published)
        text = path.read_text()
        value = rng.choice(list(HEX.finditer(text)))
        i = rng.randrange(value.start(), value.end())
        replacement = rng.choice([c for c in "0123456789abcdef" if c != text[i]])
        path.write_text(text[:i] + replacement + text[i + 1 :])
        assert not all(r.passed for r in check_e2e(record)), f"{path.name} at {i}"


HEX = re.compile(r"(?<=\")[0-9a-f]{64}(?=\")")


def test_a_posted_ballot_is_parsed_with_the_servers_credential_or_refused_with_a_reason():
    public = election_public_key([deal(election_id=ELECTION, teller=1, threshold=1, tellers=1)[0]])
    cast, _ = encrypt_paper(
        election_id=ELECTION,
        question=STV,
        credential="roll-7",
        public_key=public,
        paper=Paper((1, 0)),
    )
    posted = {"ballot": cast_to_json(cast)["ballot"], "proof": cast_to_json(cast)["proof"]}
    parsed = cast_from_json(posted, width=STV.width, credential="roll-7")
    assert parsed == cast
    assert (
        cast_ballot_failure(election_id=ELECTION, question=STV, public_key=public, cast=parsed)
        is None
    )
    stolen = cast_from_json(posted, width=STV.width, credential="roll-8")
    assert "does not hold" in str(
        cast_ballot_failure(election_id=ELECTION, question=STV, public_key=public, cast=stolen)
    )
    bad_point = {**posted, "ballot": [["00" * 32, posted["ballot"][0][1]]]}
    for value, message in [
        ([], "must be"),
        ({**posted, "credential": "x"}, "must be"),
        (bad_point, "not an element of the prime-order"),
        ({**posted, "ballot": posted["ballot"] * 2}, "has 1 ciphertexts, not 2"),
        ({**posted, "proof": {"c": "zz", "s": []}}, "scalar"),
    ]:
        with pytest.raises(E2EFileError, match=message):
            cast_from_json(value, width=STV.width, credential="roll-7")


def test_a_sealed_share_that_does_not_match_its_commitment_is_refused_naming_its_sender(
    published, tmp_path, capsys
):
    tellers = tmp_path / "tellers"
    shutil.copytree(published / "tellers", tellers)
    keys = published.parent / "keys"
    recipient = nacl.public.PrivateKey(bytes.fromhex((keys / "transport-3").read_text().strip()))
    forged = nacl.public.SealedBox(recipient.public_key).encrypt(scalar_hex(42).encode())
    _mutate_json(tellers / "deal-2.json", lambda d: d["shares"].__setitem__("3", forged.hex()))
    common = ("--election-id", ELECTION, "--threshold", "2", "--tellers", "3", "--teller", "3")
    out = tmp_path / "share-3"
    transport = keys / "transport-3"
    assert (
        _run(
            "teller",
            "receive",
            *common,
            "--transport-key",
            transport,
            "--deals",
            tellers,
            "--out",
            out,
        )
        == 1
    )
    assert (
        "refused: the share teller 2 sent to teller 3 is not the share teller 2 committed to"
        in capsys.readouterr().out
    )
    assert not out.exists()
    wrong_key = keys / "transport-1"
    assert (
        _run(
            "teller",
            "receive",
            *common,
            "--transport-key",
            wrong_key,
            "--deals",
            tellers,
            "--out",
            out,
        )
        == 1
    )
    assert "teller 1 sealed to you cannot be opened with your key" in capsys.readouterr().out


def test_a_malformed_file_fails_check_10_naming_it(published, tmp_path):
    record = _copy(published, tmp_path)
    (record / "ncm" / "mix-1.json").write_text('{"stage": 1,')
    number, reason = _first_failure(record)
    assert number == 10 and "mix-1.json: not valid JSON" in reason
    record = _copy(published, tmp_path / "again")
    _mutate_json(record / "election.json", lambda d: d.__setitem__("public_key", "ab" * 32))
    number, reason = _first_failure(record)
    assert number == 10 and "not an element of the prime-order" in reason


def test_cast_trackers_are_the_trackers_of_the_cast_ciphertexts(published):
    trackers = cast_trackers(published)
    first = json.loads((published / "ncm" / "cast.jsonl").read_text().splitlines()[0])
    cast = cast_from_json(
        {"ballot": first["ballot"], "proof": first["proof"]}, width=STV.width, credential="x"
    )
    assert trackers["ncm"][0] == ballot_tracker(ELECTION, cast.ballot)
    assert len(trackers["ncm"]) == len(PAPERS["ncm"]) and len(set(trackers["ncm"])) == 5


def test_a_teller_file_under_another_tellers_name_fails_check_10(published, tmp_path):
    record = _copy(published, tmp_path)
    (record / "ncm" / "decryption-2.json").write_text(
        (record / "ncm" / "decryption-1.json").read_text()
    )
    number, reason = _first_failure(record)
    assert number == 10 and "decryption-2.json: holds teller 1's decryption shares" in reason


def test_teller_steps_out_of_order_are_refused_with_a_reason(published, tmp_path, capsys):
    record = _copy(published, tmp_path)
    keys = published.parent / "keys"
    assert _run("teller", "mix", record, "--question", "ncm", "--mixer", "teller-1") == 1
    assert "teller-1 has already mixed this question" in capsys.readouterr().out
    for name in ("mix-1.json", "mix-2.json", "decryption-1.json", "decryption-3.json"):
        (record / "ncm" / name).unlink()
    share = keys / "share-1"
    assert (
        _run("teller", "decrypt", record, "--question", "ncm", "--teller", 1, "--share", share) == 1
    )
    assert "has not been mixed yet" in capsys.readouterr().out
    assert _run("teller", "mix", record, "--question", "ncm", "--mixer", "a") == 0
    assert (
        _run("teller", "decrypt", record, "--question", "ncm", "--teller", 1, "--share", share) == 0
    )
    capsys.readouterr()
    assert _run("teller", "publish", record, "--question", "ncm") == 1
    assert "2 tellers' decryption shares are needed" in capsys.readouterr().out
    assert _run("teller", "mix", record, "--question", "nope", "--mixer", "b") == 1
    assert "no question 'nope'" in capsys.readouterr().out
    (tmp_path / "bad.json").write_text('{"1": "zz"}')
    common = ("--election-id", ELECTION, "--threshold", "1", "--tellers", "1", "--teller", "1")
    out = tmp_path / "deal.json"
    assert _run("teller", "deal", *common, "--recipients", tmp_path / "bad.json", "--out", out) == 1
    assert "teller 1's transport key is not 64 hex digits" in capsys.readouterr().out
    assert not out.exists()
    assert _run("teller", "transport-key", "--out", keys / "transport-1") == 1
    assert "a key is never overwritten" in capsys.readouterr().out
