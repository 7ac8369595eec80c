"""The counting engine and the verifier install on their own, with no Django, and work.

Both wheels are built from packaging/tally and packaging/ledger (which ship the package
directories grassroots/tally and grassroots/ledger as they stand), installed with one pip
command into a fresh virtualenv that has nothing else, and run there on the demo's published
election record and on a BLT file. Nothing is fetched: the build backend is pinned in
requirements-dev.txt (so `--no-build-isolation` builds with the project's own), and the
wheels of numpy, PyNaCl and what PyNaCl needs come from var/wheelhouse, which `make pytest`
downloads with the rest of the install (`--no-index --find-links`).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from grassroots.ballots.models import Ballot, BallotStatus
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = ROOT / "var" / "wheelhouse"
BLT = ROOT / "tests" / "data" / "stv" / "reference" / "ers97_model.blt"


def _run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Nothing of this checkout or its settings leaks in: run from elsewhere, with no PYTHONPATH.
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV"}
    }
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _wheelhouse() -> Path:
    if not any(WHEELHOUSE.glob("*.whl")):
        message = f"{WHEELHOUSE} has no wheels: `make pytest` downloads them (target wheelhouse)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return WHEELHOUSE


def test_the_verifier_and_the_counting_engine_install_alone_and_check_the_demo_record(
    tmp_path: Path,
):
    wheelhouse = _wheelhouse()
    dist = tmp_path / "dist"
    for project in ("tally", "ledger"):
        built = _run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                dist,
                ROOT / "packaging" / project,
            ],
            cwd=tmp_path,
        )
        assert built.returncode == 0, built.stderr
    assert sorted(wheel.name for wheel in dist.glob("*.whl")) == [
        "grassroots_tally-0.1.0-py3-none-any.whl",
        "grassroots_verifier-0.1.0-py3-none-any.whl",
    ]

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            python,
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            dist,
            "--find-links",
            wheelhouse,
            "grassroots-verifier",
        ],
        cwd=tmp_path,
    )
    assert installed.returncode == 0, installed.stderr

    where = _run(
        [
            python,
            "-c",
            "import importlib.util as u, grassroots.ledger, grassroots.tally;"
            "print(grassroots.ledger.__file__); print(grassroots.tally.__file__);"
            "print(u.find_spec('django'))",
        ],
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    ledger_file, tally_file, django_spec = where.stdout.splitlines()
    assert ledger_file.startswith(str(venv)) and tally_file.startswith(str(venv))
    assert django_spec == "None"

    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    published = Ballot.objects.filter(status=BallotStatus.PUBLISHED).first()
    assert published is not None, "the demo has no published ballot"
    record = tmp_path / "record"
    call_command(
        "export_record", "--election", str(published.election_id), str(record), stdout=io.StringIO()
    )
    verified = _run(
        [
            python,
            "-m",
            "grassroots.ledger",
            "verify",
            record,
            "--election-key",
            bytes(published.election_public_key).hex(),
        ],
        cwd=tmp_path,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert re.fullmatch(r"all \d+ checks passed", verified.stdout.splitlines()[-1])

    counted = _run(
        [python, "-m", "grassroots.tally", "count", BLT, "--rule", "ers97"], cwd=tmp_path
    )
    here = _run([sys.executable, "-m", "grassroots.tally", "count", BLT, "--rule", "ers97"], ROOT)
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout == here.stdout and "elected" in counted.stdout.lower()
