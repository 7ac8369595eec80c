"""``python -m grassroots.sortition``: rerun a record, and say exactly what does not match."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from grassroots.sortition.cli import main
from grassroots.sortition.draw import Pool, Quota, Volunteer, draw
from grassroots.sortition.record import DrawRecord, commitment_of, record_to_json

SEED = bytes.fromhex("8c5e2f0a9b7d4c3e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80")
ROOT = Path(__file__).resolve().parents[2]


def write_record(tmp_path: Path, **changes) -> Path:
    pool = Pool(
        seats=4,
        categories=("gender",),
        volunteers=tuple(
            Volunteer(f"v-{i:02d}", {"gender": "woman" if i % 3 == 0 else "man"}) for i in range(12)
        ),
        quotas=(Quota("gender", "woman", 2, None),),
    )
    data = record_to_json(
        DrawRecord(
            title="Council",
            pool=pool,
            commitment=commitment_of(SEED),
            seed=SEED.hex(),
            selection=draw(pool, SEED).selected,
        )
    )
    data.update(changes)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(data))
    return path


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_faithful_record_reruns_to_the_same_selection(tmp_path):
    code, out, err = run("rerun", str(write_record(tmp_path)))
    assert code == 0, err
    assert "matches" in out and "The rerun matches the published record." in out


def test_a_wrong_seed_is_named_against_the_commitment(tmp_path):
    code, _, err = run("rerun", str(write_record(tmp_path)), "--seed", "ab" * 32)
    assert code == 1
    assert "MISMATCH seed: SHA-256 of the seed is" in err
    assert "not the one the record reveals" in err


def test_a_changed_selection_is_named(tmp_path):
    path = write_record(tmp_path)
    data = json.loads(path.read_text())
    dropped = data["selection"][3]
    swapped_in = next(v["id"] for v in data["volunteers"] if v["id"] not in data["selection"])
    data["selection"][3] = swapped_in
    path.write_text(json.dumps(data))
    code, _, err = run("rerun", str(path))
    assert code == 1
    assert (
        f"MISMATCH selection differs: published but not drawn ['{swapped_in}'], "
        f"drawn but not published ['{dropped}']"
    ) in err


def test_a_record_before_the_reveal_needs_the_seed(tmp_path):
    path = write_record(tmp_path, seed=None, selection=None)
    code, _, err = run("rerun", str(path))
    assert code == 2 and "give it with --seed HEX" in err
    code, out, _ = run("rerun", str(path), "--seed", SEED.hex())
    assert code == 0 and "no selection yet" in out


def test_damaged_input_is_one_line_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert run("rerun", str(bad))[0] == 2
    bad.write_text(json.dumps({"format": "something else"}))
    code, _, err = run("rerun", str(bad))
    assert code == 2 and "not a sortition record" in err
    code, _, err = run("rerun", str(write_record(tmp_path)), "--seed", "xyz")
    assert code == 2 and "hexadecimal" in err
    assert "Traceback" not in err


def test_commit_prints_the_sha256():
    assert run("commit", "--seed", SEED.hex())[1].strip() == commitment_of(SEED)


def test_the_cli_runs_without_django(tmp_path):
    """As a member would run it: a fresh interpreter, with Django made unimportable."""
    path = write_record(tmp_path)
    code = (
        "import sys; sys.modules['django'] = None; sys.argv = ['x', 'rerun', sys.argv[1]]; "
        "import runpy; runpy.run_module('grassroots.sortition', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "The rerun matches the published record." in done.stdout
