"""Benchmark: importing 100,000 members into PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication)::

    .venv/bin/python bench/import_members.py [--rows 100000] [--database-url URL]

It drops and re-creates the benchmark database (default
postgres://postgres@127.0.0.1:5432/grassroots_bench), migrates it, seeds the demo structure
(80 groups, with the minimum 500 demo members), writes a deterministic CSV of new members
(fixed seed; real postcode districts of each member's group; a tenth in a second group; most
with consent) and times ``manage.py import_members`` on it as the command runs it: reading and
checking the file, matching against existing members and writing, in one transaction. Then it
imports the same file again (every row matched, nothing written), and a third time with every
phone number changed (about 70,000 members updated), and times those too.

Target (issue 2): the first import of 100,000 rows in <= 10 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/grassroots_bench"


def fresh_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def write_csv(rows: int, seed: int) -> bytes:
    from grassroots.demo.people import FIRST_NAMES, INWARD_LETTERS, LAST_NAMES, STRUCTURE
    from grassroots.people.importing import COLUMNS

    rng = random.Random(seed)
    groups = [
        (name, districts)
        for areas in STRUCTURE.values()
        for area in areas.values()
        for name, districts in area
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for index in range(rows):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        home, districts = rng.choice(groups)
        other = rng.choice(groups)[0] if rng.random() < 0.1 else ""
        consent = rng.random() < 0.85
        joined = f"{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        postcode = (
            f"{rng.choice(districts)} {rng.randint(0, 9)}"
            f"{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        )
        writer.writerow(
            [
                f"BM{index + 1:07d}",
                first,
                last,
                f"{first}.{last}.{index}@bench.example".lower().replace("'", ""),
                f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.7 else "",
                postcode,
                rng.choice(["member"] * 8 + ["supporter", "lapsed"]),
                joined,
                joined.replace(joined[:4], "2027", 1),
                home,
                other if other != home else "",
                "yes" if consent else "no",
                f"{joined}T10:30:00" if consent else "",
                rng.choice(["join_form", "event", "paper"]) if consent else "",
            ]
        )
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()

    fresh_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--members", "500", stdout=io.StringIO())

    started = time.perf_counter()
    data = write_csv(args.rows, args.seed)
    print(
        f"generated {args.rows:,} rows ({len(data) / 1e6:.1f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    # The same members with new phone numbers: every row that has a phone (about 70%) changes.
    changed = data.replace(b"07700 900", b"07700 901")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "members.csv"
        for label, content in (
            ("first import (all new)", data),
            ("re-import (all unchanged)", data),
            ("re-import (phones changed)", changed),
        ):
            path.write_bytes(content)
            out = io.StringIO()
            started, cpu = time.perf_counter(), time.process_time()
            call_command("import_members", str(path), stdout=out)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"{label}: {elapsed:.2f} s (Python process CPU {cpu:.2f} s)")
            print(f"    {out.getvalue().strip()}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_member")
        members = cursor.fetchone()[0]
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    cpu = subprocess.run(
        "lscpu | sed -n 's/^Model name: *//p'", shell=True, capture_output=True, text=True
    ).stdout.strip()
    print(f"members in database: {members:,}; load average now {os.getloadavg()[0]:.1f}")
    print(
        f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"PostgreSQL {version}"
    )


if __name__ == "__main__":
    main()
