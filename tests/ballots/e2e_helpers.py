"""An end-to-end ballot taken through its key ceremony by its tellers' own offline commands
(``python -m grassroots.ledger teller ...``, run in-process), uploading only public files."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grassroots.ballots.e2e import e2e_zip
from grassroots.ballots.models import Ballot, Question
from grassroots.ballots.services.ceremony import (
    confirm_shares,
    publish_deal,
    publish_transport_key,
)
from grassroots.ledger.e2e.cli import main as teller_main
from grassroots.organisation.models import Group
from grassroots.people.models import Member
from tests.ballots.conftest import make_ballot


@dataclass
class E2ESetUp:
    ballot: Ballot
    officer: Member
    tellers: list[Member]
    group: Group
    stv: Question
    motion: Question
    folder: Path  # each teller's private files: <folder>/teller-<n>.transport, .share


def unzip_e2e(ballot: Ballot, into: Path) -> Path:
    """The ballot's public e2e/ files, fresh from the server, unpacked into ``into``."""
    with zipfile.ZipFile(io.BytesIO(e2e_zip(ballot))) as archive:
        archive.extractall(into)
    return into / "e2e"


def run(*argv: str) -> str:
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        status = teller_main(list(argv))
    assert status == 0, out.getvalue()
    return out.getvalue()


def make_e2e_ballot(tmp_path: Path, *, ceremony: bool = True) -> E2ESetUp:
    """conftest's ballot (an STV question with a women's quota, a yes/no motion) in e2e mode,
    its key made by the tellers' ceremony unless ``ceremony`` is False."""
    made = make_ballot(end_to_end=True)
    setup = E2ESetUp(
        made.ballot,
        made.officer,
        made.tellers,
        made.group,
        made.stv,
        made.motion,
        tmp_path / "tellers",
    )
    setup.folder.mkdir()
    if ceremony:
        hold_ceremony(setup)
    setup.ballot = Ballot.objects.get(pk=made.ballot.pk)
    return setup


def teller_row(setup: E2ESetUp, number: int):  # type: ignore[no-untyped-def]
    return setup.ballot.tellers.get(share_index=number)


def hold_ceremony(setup: E2ESetUp) -> None:
    ballot, n, k = setup.ballot, len(setup.tellers), setup.ballot.threshold
    common = ["--election-id", ballot.election_id, "--threshold", str(k), "--tellers", str(n)]
    for number, member in enumerate(setup.tellers, start=1):
        printed = run(
            "teller", "transport-key", "--out", str(setup.folder / f"teller-{number}.transport")
        )
        key = printed.rsplit("publish: ", 1)[1].strip()
        publish_transport_key(actor=member.user, teller=teller_row(setup, number), key_hex=key)
    for number, member in enumerate(setup.tellers, start=1):
        e2e = unzip_e2e(ballot, setup.folder / f"deal-{number}")
        out = setup.folder / f"deal-{number}.json"
        run(
            "teller",
            "deal",
            *common,
            "--teller",
            str(number),
            "--recipients",
            str(e2e / "recipients.json"),
            "--out",
            str(out),
        )
        publish_deal(
            actor=member.user,
            teller=teller_row(setup, number),
            document=json.loads(out.read_text()),
        )
    for number, member in enumerate(setup.tellers, start=1):
        e2e = unzip_e2e(ballot, setup.folder / f"receive-{number}")
        printed = run(
            "teller",
            "receive",
            *common,
            "--teller",
            str(number),
            "--transport-key",
            str(setup.folder / f"teller-{number}.transport"),
            "--deals",
            str(e2e / "tellers"),
            "--out",
            str(setup.folder / f"teller-{number}.share"),
        )
        key = printed.split("election key: ", 1)[1].split()[0]
        confirm_shares(actor=member.user, teller=teller_row(setup, number), election_key_hex=key)
