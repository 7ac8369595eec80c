"""The election record is written as the box is read (issue 22): in keyset batches of plain
rows, no model instance per paper, into a scratch file at publication, and the files it
writes are the files the whole record in memory writes."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from grassroots.ballots import publication
from grassroots.ballots.models import Ballot, BallotBoxEntry, PublishedFile
from grassroots.ballots.publication import election_record, record_files, write_record_zip
from grassroots.ballots.services import publishing
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.tellers import reveal_share
from grassroots.ledger.record import write_record, write_record_files
from grassroots.ledger.verify import verify_directory
from tests.ballots.conftest import Clock, SetUp, cast_orders, open_with_voters

pytestmark = pytest.mark.django_db


def _counted(setup: SetUp, clock_: Clock, voters: int) -> Ballot:
    members = open_with_voters(setup, voters)
    cast_orders(setup, members, [[i % 4, (i + 1) % 4] for i in range(voters)])
    clock_.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:2]:
        reveal_share(
            actor=teller.user, teller=setup.ballot.tellers.get(member=teller), share_text=share
        )
    count_ballot(actor=setup.officer.user, ballot=setup.ballot)
    return Ballot.objects.get(pk=setup.ballot.pk)


def test_the_streamed_record_is_the_whole_record_file_for_file(
    ready_ballot: SetUp, frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    ballot = _counted(ready_ballot, frozen_clock, 7)
    whole = tmp_path / "whole"
    write_record(election_record(ballot), whole)
    monkeypatch.setattr(publication, "BOX_BATCH", 3)  # 14 papers: five batches
    made = {"n": 0}
    real_init = BallotBoxEntry.__init__

    def counting(self, *args, **kwargs):
        made["n"] += 1
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(BallotBoxEntry, "__init__", counting)
    streamed = tmp_path / "streamed"
    write_record_files(record_files(ballot), streamed)
    buffer = io.BytesIO()
    write_record_zip(ballot, buffer)
    assert made["n"] == 0, "no model instance per paper"
    names = sorted(p.name for p in whole.iterdir())
    assert names == sorted(p.name for p in streamed.iterdir())
    for name in names:
        assert (whole / name).read_bytes() == (streamed / name).read_bytes(), name
    with zipfile.ZipFile(buffer) as archive:
        for name in names:
            assert archive.read(f"{ballot.election_id}/{name}") == (whole / name).read_bytes()
    assert len((whole / "ballots.jsonl").read_bytes().splitlines()) == 14
    assert all(check.passed for check in verify_directory(streamed))


def test_a_record_not_yet_decrypted_is_refused_before_anything_is_written(
    ready_ballot: SetUp, frozen_clock: Clock
):
    ballot = _counted(ready_ballot, frozen_clock, 3)
    BallotBoxEntry.objects.filter(ballot=ballot, log_index=1).update(plaintext=None)
    with pytest.raises(ValueError, match="not been decrypted"):
        record_files(ballot)


def test_publication_stores_the_zip_from_a_scratch_file_with_its_hash(
    ready_ballot: SetUp, frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    ballot = _counted(ready_ballot, frozen_clock, 5)
    monkeypatch.setattr(publication, "BOX_BATCH", 2)
    publish_results(actor=ready_ballot.officer.user, ballot=ballot)
    stored = PublishedFile.objects.get(ballot=ballot, name="record.zip")
    data = stored.file.open("rb").read()
    assert stored.size == len(data) > 0
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(tmp_path)
    assert all(check.passed for check in verify_directory(tmp_path / ballot.election_id))


def test_a_ballot_published_before_files_were_stored_gets_them_built_once_on_first_download(
    client, ready_ballot: SetUp, frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch
):
    """An old ballot's record and BLT are never built in memory on a request: the first
    download streams the zip into a scratch file and stores it, later ones are served it."""
    ballot = _counted(ready_ballot, frozen_clock, 5)
    publish_results(actor=ready_ballot.officer.user, ballot=ballot)
    for old in PublishedFile.objects.filter(ballot=ballot):  # as published before issue 22
        old.file.delete(save=False)
        old.delete()

    def in_memory(*args, **kwargs):
        raise AssertionError("the record was built in memory")

    monkeypatch.setattr(publication, "record_zip", in_memory)
    monkeypatch.setattr(publication, "BOX_BATCH", 2)
    built = []
    real_write = publishing.write_record_zip

    def counted_write(*args, **kwargs):
        built.append(1)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(publishing, "write_record_zip", counted_write)
    url = reverse("ballot_record", args=[ballot.pk])
    bodies = []
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and response.streaming
        bodies.append(b"".join(response.streaming_content))
        sha = response["X-Content-SHA256"]
    assert built == [1], "built once, on the first download"
    assert bodies[0] == bodies[1] and sha == hashlib.sha256(bodies[0]).hexdigest()
    stored = PublishedFile.objects.get(ballot=ballot, name="record.zip")
    assert stored.sha256 == sha
    stv = ballot.questions.get(kind="stv")
    blt_url = reverse("ballot_blt", args=[ballot.pk, stv.pk])
    blt = b"".join(client.get(blt_url).streaming_content)
    assert blt.decode() == publication.question_blt(stv)
    assert PublishedFile.objects.filter(ballot=ballot, name=f"{stv.ledger_id}.blt").exists()
    motion = ballot.questions.get(kind="yesno")
    assert client.get(reverse("ballot_blt", args=[ballot.pk, motion.pk])).status_code == 404
