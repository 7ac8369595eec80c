"""The restore drill: base backup + WAL replay into a scratch cluster, then the ledger verifier.

Needs PostgreSQL's server binaries (``/usr/lib/postgresql/*/bin``: initdb, pg_ctl,
pg_basebackup) and nothing else; traffic stays on 127.0.0.1. As root, PostgreSQL runs as the
``postgres`` user. Steps (docs/deploy.md, section 9):

1. a scratch primary on ``--port`` (5440) with WAL archiving to a scratch archive directory,
   using the archive_command of deploy/postgresql/primary.conf;
2. migrate and seed the demo (``seed_demo``: the organisation and a published national ballot
   of 300 votes), export its election record;
3. ``pg_basebackup`` (plain format, no WAL in the backup: every segment must come from the
   archive, as in a real point-in-time restore);
4. more writes after the backup: a second ballot run through the real services and published;
   its record is exported from the primary: the last published tree head;
5. ``pg_switch_wal()``, wait for the archiver, stop the primary;
6. the base backup into a second scratch cluster on ``--port + 1`` with ``restore_command``
   from the archive and ``recovery.signal``: PostgreSQL replays every archived segment, then
   promotes;
7. export the latest published record from the restored database, ``python -m grassroots.ledger
   verify`` it, and check its final signed tree head (and every file) is the one the primary
   published; the first ballot's record is checked the same way.

    .venv/bin/python bench/restore_drill.py            # or deploy/restore_drill.sh

Exit status 0 only if every check passed. ``--keep`` leaves the scratch directory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECOND_TITLE = "Restore drill: written after the base backup"


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    if not versions:
        raise SystemExit("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return versions[-1].parent


def as_postgres(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    result = subprocess.run(cmd, check=False, text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def step(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f} s] {message}", flush=True)


class Cluster:
    def __init__(self, bindir: Path, data: Path, port: int, socket_dir: Path) -> None:
        self.bindir, self.data, self.port, self.socket_dir = bindir, data, port, socket_dir

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/grassroots"

    def configure(self, lines: list[str]) -> None:
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def start(self) -> None:
        as_postgres(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"),
             "-w", "-t", "300", "start"]
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
            + [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
        )

    def sql(self, query: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-tAc", query],
            check=True, text=True, capture_output=True,
        )  # fmt: skip
        return result.stdout.strip()


def django(cluster: Cluster, *args: str) -> str:
    """Run manage.py or this script's Django phase against ``cluster``."""
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings.prod",
        "SECRET_KEY": "restore-drill-" + "x" * 50,
        "DATABASE_URL": cluster.url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    result = subprocess.run(
        [PYTHON, *args], cwd=ROOT, env=environ, text=True, capture_output=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def publish_second_ballot() -> None:
    """A second national ballot through the real services, published (run inside Django)."""
    import datetime
    import random
    import secrets

    from grassroots import clock
    from grassroots.ballots.links import personal_link_token
    from grassroots.ballots.models import Ballot, QuestionKind, RollEntry
    from grassroots.ballots.services.casting import cast_ballot_with_link
    from grassroots.ballots.services.counting import count_ballot
    from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
    from grassroots.ballots.services.publishing import publish_results
    from grassroots.ballots.services.sealing import seal_pending
    from grassroots.ballots.services.setup import add_question, create_ballot
    from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
    from grassroots.demo.people import (
        AUDITOR_LOGIN,
        COMMITTEE_LOGIN,
        NATIONAL_LOGIN,
        REGIONAL_LOGIN,
    )
    from grassroots.people.models import Member

    rng = random.Random(2026)
    officer = Member.objects.get(email=NATIONAL_LOGIN.email)
    tellers = [
        Member.objects.get(email=e.email) for e in (COMMITTEE_LOGIN, AUDITOR_LOGIN, REGIONAL_LOGIN)
    ]
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user, title=SECOND_TITLE, description="Cast after the base backup.",
        level="nation", scope=None, opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=1), tellers_count=3, threshold=2,
    )  # fmt: skip
    question = add_question(
        actor=officer.user, ballot=ballot, title="Adopt the new constitution?",
        kind=QuestionKind.YESNO,
    )  # fmt: skip
    set_up_tellers(actor=officer.user, ballot=ballot, members=tellers)
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    open_ballot(actor=officer.user, ballot=Ballot.objects.get(pk=ballot.pk))
    ballot = Ballot.objects.get(pk=ballot.pk)
    choices = list(question.candidates.values_list("pk", flat=True))
    roll = list(RollEntry.objects.filter(ballot=ballot).order_by("pk")[:40])
    for entry in roll:
        cast_ballot_with_link(
            actor=None, ballot=ballot, token=personal_link_token(entry),
            answers={question.pk: [rng.choice(choices)]}, idempotency_key=secrets.token_urlsafe(24),
        )  # fmt: skip
    seal_pending(ballot, min_batch=1)
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=clock.now())
    close_ballot(actor=officer.user, ballot=Ballot.objects.get(pk=ballot.pk))
    ballot = Ballot.objects.get(pk=ballot.pk)
    for teller, share in list(zip(tellers, shares, strict=True))[:2]:
        reveal_share(actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share)
    count_ballot(actor=officer.user, ballot=Ballot.objects.get(pk=ballot.pk))
    publish_results(actor=officer.user, ballot=Ballot.objects.get(pk=ballot.pk))
    print(
        json.dumps(
            {
                "election_id": ballot.election_id,
                "votes": len(roll),
                "election_key": ballot.election_key_hex,
            }
        )
    )


def first_election_id() -> None:
    from grassroots.ballots.models import Ballot
    from grassroots.demo.ballots import FINISHED_TITLE

    print(Ballot.objects.get(title=FINISHED_TITLE).election_id)


def same_files(a: Path, b: Path) -> list[str]:
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    return [n for n in names if not (a / n).exists() or not (b / n).exists()
            or (a / n).read_bytes() != (b / n).read_bytes()]  # fmt: skip


def last_head(record: Path) -> str:
    return (record / "heads.jsonl").read_text().splitlines()[-1]


def drill(args: argparse.Namespace) -> int:
    started = time.monotonic()
    bindir = pg_bin()
    work = Path(tempfile.mkdtemp(prefix="grassroots-restore-drill-"))
    work.chmod(0o755)
    archive, base = work / "wal-archive", work / "base"
    records = work / "records"
    records.mkdir()
    for directory in (archive, work / "primary", base, work / "restored"):
        directory.mkdir()
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres", "postgres")
        directory.chmod(0o700)
    primary = Cluster(bindir, work / "primary", args.port, work)
    restored = Cluster(bindir, work / "restored", args.port + 1, work)
    checks: dict[str, bool] = {}
    try:
        as_postgres([str(bindir / "initdb"), "-D", str(primary.data), "-U", "postgres",
                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        primary.configure([
            f"port = {primary.port}", "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "wal_level = replica", "archive_mode = on",
            f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'",
            "max_wal_senders = 4",
        ])  # fmt: skip
        primary.start()
        primary.sql("CREATE DATABASE grassroots")
        step(f"primary up on port {primary.port} with WAL archiving to {archive}", started)

        django(primary, "manage.py", "migrate", "--noinput")
        django(primary, "manage.py", "seed_demo", "--members", "500")
        first_id = django(primary, __file__, "_django", "first-election-id").strip()
        django(
            primary, "manage.py", "export_record", "--election", first_id, str(records / "first")
        )
        step(f"seeded the demo and its published ballot {first_id}; record exported", started)

        as_postgres([str(bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                     "-U", "postgres", "-D", str(base), "-Fp", "-X", "none",
                     "-c", "fast"])  # fmt: skip
        step(
            "base backup taken (pg_basebackup -X none: its WAL must come from the archive)", started
        )

        second = json.loads(django(primary, __file__, "_django", "publish-second"))
        django(
            primary, "manage.py", "export_record", "--latest-published", str(records / "published")
        )
        step(
            f"after the backup: ballot {second['election_id']} "
            f"with {second['votes']} votes published",
            started,
        )

        segment = primary.sql("SELECT pg_walfile_name(pg_switch_wal())")
        deadline = time.monotonic() + 60
        while primary.sql("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") < segment:
            if time.monotonic() > deadline:
                raise SystemExit(f"WAL segment {segment} was not archived within 60 s")
            time.sleep(0.2)
        archived = len(list(archive.iterdir()))
        primary.stop()
        step(
            f"WAL switched and archived up to {segment} ({archived} segments); primary stopped",
            started,
        )

        as_postgres(["cp", "-a", f"{base}/.", str(restored.data)])
        restored.configure([
            f"port = {restored.port}", "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''", "archive_mode = off",
            f"restore_command = 'cp {archive}/%f %p'", "recovery_target_timeline = 'latest'",
        ])  # fmt: skip
        as_postgres(["touch", str(restored.data / "recovery.signal")])
        restored.start()
        deadline = time.monotonic() + 300
        while restored.sql("SELECT pg_is_in_recovery()") != "f":
            if time.monotonic() > deadline:
                raise SystemExit("the restored cluster did not finish recovery within 300 s")
            time.sleep(0.2)
        step(f"base backup + WAL replayed into a new cluster on port {restored.port}", started)

        django(
            restored, "manage.py", "export_record", "--latest-published", str(records / "restored")
        )
        django(
            restored,
            "manage.py",
            "export_record",
            "--election",
            first_id,
            str(records / "restored-first"),
        )
        verify = subprocess.run(
            [PYTHON, "-m", "grassroots.ledger", "verify", str(records / "restored"),
             "--election-key", second["election_key"]],
            cwd=ROOT, text=True, capture_output=True, check=False,
        )  # fmt: skip
        print(verify.stdout.rstrip())
        checks["verifier passes on the restored latest record"] = verify.returncode == 0
        checks["restored latest record is the ballot written after the backup"] = (
            json.loads((records / "restored" / "record.json").read_text())["parameters"][
                "election_id"
            ]
            == second["election_id"]
        )
        checks["last tree head matches the one published before the restore"] = last_head(
            records / "restored"
        ) == last_head(records / "published")
        checks["every file of the latest record matches"] = not same_files(
            records / "restored", records / "published"
        )
        checks["every file of the first ballot's record matches"] = not same_files(
            records / "restored-first", records / "first"
        )
        step("checks done", started)
    finally:
        primary.stop()
        restored.stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for name, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}: {name}")
    elapsed = time.monotonic() - started
    ok = bool(checks) and all(checks.values())
    print(f"restore drill {'passed' if ok else 'FAILED'} in {elapsed:.1f} s")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=5440, help="scratch primary; restored +1")
    parser.add_argument("--keep", action="store_true", help="leave the scratch directory")
    parser.add_argument("phase", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase[:1] == ["_django"]:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        {"publish-second": publish_second_ballot, "first-election-id": first_election_id}[
            args.phase[1]
        ]()
        return 0
    return drill(args)


if __name__ == "__main__":
    sys.exit(main())
