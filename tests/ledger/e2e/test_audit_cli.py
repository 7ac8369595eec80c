"""``python -m grassroots.ledger audit-ballot``: the independent check of a Benaloh audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grassroots.ledger.__main__ import main
from grassroots.ledger.e2e.files import E2EQuestion, cast_to_json
from grassroots.ledger.e2e.group import base_mul, random_scalar, scalar_hex
from grassroots.ledger.e2e.papers import Encoding, Paper, PaperForm, PaperKind
from grassroots.ledger.e2e.voter import encrypt_paper

QUESTION = E2EQuestion("q1", PaperForm(PaperKind.RANKED, 20), Encoding.PACKED)


def audit_file(tmp_path: Path, marks: tuple[int, ...], said: list[int]) -> Path:
    key = base_mul(random_scalar())
    cast, randomness = encrypt_paper(
        election_id="audit-2026",
        question=QUESTION,
        credential="v-1",
        public_key=key,
        paper=Paper(marks),
    )
    line = cast_to_json(cast)
    data = {
        "election_id": "audit-2026",
        "public_key": key.hex(),
        "credential": "v-1",
        "questions": [
            {
                "question": {"id": "q1", "kind": "ranked", "candidates": 20, "encoding": "packed"},
                "marks": said,
                "ballot": line["ballot"],
                "proof": line["proof"],
                "randomness": [scalar_hex(r) for r in randomness],
            }
        ],
    }
    path = tmp_path / "audit.json"
    path.write_text(json.dumps(data))
    return path


def test_an_honest_encryption_passes_its_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["audit-ballot", str(audit_file(tmp_path, (3, 0, 19), [3, 0, 19]))]) == 0
    assert "encrypts marks [3, 0, 19], as the page said" in capsys.readouterr().out


def test_a_page_that_encrypted_another_paper_fails_its_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["audit-ballot", str(audit_file(tmp_path, (4, 0), [3, 0]))]) == 1
    assert "it encrypts marks [4, 0], but the page said [3, 0]" in capsys.readouterr().out


def test_wrong_randomness_fails_and_a_malformed_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    path = audit_file(tmp_path, (1,), [1])
    data = json.loads(path.read_text())
    data["questions"][0]["randomness"] = [scalar_hex(random_scalar())]
    path.write_text(json.dumps(data))
    assert main(["audit-ballot", str(path)]) == 1
    assert "the randomness does not match" in capsys.readouterr().out
    path.write_text("{}")
    assert main(["audit-ballot", str(path)]) == 2
    assert capsys.readouterr().out.startswith("refused:")
