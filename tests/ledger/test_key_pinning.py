"""Issue 20, item 2: a forged record re-signed with a new key passed every check unless the
election key was pinned, and the instructions on the results page did not pin it; the record
downloaded as a zip, or unzipped into its own folder, was refused."""

from __future__ import annotations

import random
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grassroots.ledger.__main__ import EXIT_KEY_NOT_PINNED, main
from grassroots.ledger.build import build_record, election_parameters, new_election_keys
from grassroots.ledger.heads import key_fingerprint
from grassroots.ledger.record import ElectionRecord, write_record
from grassroots.ledger.recount import ballot_plaintext, parse_plaintext

from .conftest import QUESTIONS


def forged_copy(record: ElectionRecord, changed: int = 40) -> ElectionRecord:
    """The same election rebuilt by someone without its key: ``changed`` ncm papers rewritten
    to put Bryn first, every ballot re-sealed to a new tellers' key, everything re-signed."""
    questions = {q.id: q for q in QUESTIONS}
    plaintexts = list(record.plaintexts)
    rewritten = 0
    for position, plaintext in enumerate(plaintexts):
        paper = parse_plaintext(plaintext, questions)
        if paper.question == "ncm" and paper.marks[:1] != (1,) and rewritten < changed:
            plaintexts[position] = ballot_plaintext(questions["ncm"], [1])
            rewritten += 1
    assert rewritten == changed
    keys = new_election_keys(tellers=5, threshold=3)
    parameters = election_parameters(
        election_id=record.parameters.election_id,
        title=record.parameters.title,
        questions=QUESTIONS,
        keys=keys,
    )
    return build_record(
        parameters=parameters,
        election_private_key=keys.election.private,
        revealed_shares=keys.shares[:3],
        plaintexts=plaintexts,
        roll=record.roll,
        opened_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        head_every=20,
    )


def test_a_forged_re_signed_record_is_caught_only_with_the_key_pinned(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = forged_copy(election_record)
    assert forged.results["ncm"]["elected"] != election_record.results["ncm"]["elected"]
    write_record(forged, tmp_path)
    genuine_key = election_record.parameters.election_public_key.hex()

    assert main(["verify", str(tmp_path), "--election-key", genuine_key]) == 1
    assert "FAILED: check(s) 4 of 9" in capsys.readouterr().out

    # Without the key every check passes, so the verifier will not call it verified.
    assert main(["verify", str(tmp_path)]) == EXIT_KEY_NOT_PINNED
    captured = capsys.readouterr()
    assert "NOT against a pinned election key: not verified" in captured.out
    assert "WARNING: no --election-key was given" in captured.err
    assert main(["verify", str(tmp_path), "--no-key-pinning"]) == 0
    assert "WARNING" in capsys.readouterr().err


def test_the_pinned_key_and_its_fingerprint_are_printed(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_record(election_record, tmp_path)
    key = election_record.parameters.election_public_key
    assert main(["verify", str(tmp_path), "--election-key", key.hex()]) == 0
    out = capsys.readouterr().out
    assert f"election key pinned: {key.hex()} (fingerprint {key_fingerprint(key)})" in out
    assert len(key_fingerprint(key)) == 24


def _download(record: ElectionRecord, tmp_path: Path) -> Path:
    """The zip as the results page serves it: the four files in a folder named after the
    election (grassroots.ballots.publication.record_zip)."""
    election_id = record.parameters.election_id
    files = tmp_path / "written"
    write_record(record, files)
    path = tmp_path / f"{election_id}-record.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(files.iterdir()):
            archive.write(file, f"{election_id}/{file.name}")
    return path


def test_the_downloaded_zip_is_verified_as_it_is(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    download = _download(election_record, tmp_path)
    key = election_record.parameters.election_public_key.hex()
    assert main(["verify", str(download), "--election-key", key]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "all 9 checks passed"


def test_the_folder_the_zip_unpacks_to_is_verified(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    download = _download(election_record, tmp_path)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(download) as archive:
        archive.extractall(unpacked)
    key = election_record.parameters.election_public_key.hex()
    assert main(["verify", str(unpacked), "--election-key", key]) == 0
    assert main(["verify", str(unpacked / "2026-national"), "--election-key", key]) == 0


def test_a_damaged_or_foreign_zip_is_refused_plainly(
    election_record: ElectionRecord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    download = _download(election_record, tmp_path)
    data = download.read_bytes()
    with zipfile.ZipFile(download) as archive:
        infos = archive.infolist()
    rng = random.Random(7)
    for _ in range(40):
        # A changed byte inside a file's compressed data (not the zip's own bookkeeping, such
        # as a file's date, which changes no record file).
        info = rng.choice(infos)
        name_length, extra_length = (
            int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
            int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
        )
        start = info.header_offset + 30 + name_length + extra_length
        damaged = bytearray(data)
        damaged[start + rng.randrange(info.compress_size)] ^= rng.randint(1, 255)
        download.write_bytes(bytes(damaged))
        assert main(["verify", str(download), "--no-key-pinning"]) == 1
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("notes.txt", "hello")
    assert main(["verify", str(other), "--no-key-pinning"]) == 1
    out = capsys.readouterr().out
    assert "the zip holds no record.json" in out
    assert "Traceback" not in out
