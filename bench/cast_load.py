"""Casting under load: gunicorn + PostgreSQL + a load generator on loopback, and a fault run.

What it does, in order (every step bounded; only 127.0.0.1 traffic):

1. Makes sure a PostgreSQL cluster is up. By default a dedicated cluster ``15/bench`` on port
   5433 (created with trust auth on first use), so the fault run's restarts do not disturb
   anyone else using the main cluster on 5432. ``--cluster 15/main --pg-port 5432`` uses that.
2. Drops and recreates the database ``grassroots_bench_cast`` and migrates it.
3. Seeds, through the real services: the demo organisation (``grassroots.demo.people``, 500
   members, which gives a National Office login), ``--voters`` more members with logins, a
   national ballot (an STV question, 8 candidates, 3 seats, at least one woman; a yes/no
   motion), three tellers who collect their shares, and opens it (the roll is frozen).
   Each voter gets a logged-in session row written directly with Django's session store,
   so the load measures casting, not logging in.
4. Starts gunicorn with ``grassroots.settings.prod`` unchanged (SECRET_KEY, ALLOWED_HOSTS,
   SECURE_SSL_REDIRECT=false and DATABASE_URL from the environment). The load generator sends
   ``X-Forwarded-Proto: https`` and a same-origin ``Referer``, as the TLS proxy and a browser
   would, so production's secure cookies and HTTPS CSRF checks are exercised as deployed.
5. Load: ``--clients`` threads, each a voter at a time: GET the vote page (CSRF token and the
   form's idempotency key), then POST a random paper. A vote is acknowledged only by a 200
   receipt page with its trackers. Any error, 5xx or timeout is not acknowledged and the same
   form (same key, same token) is posted again after a short back-off, like a browser retry.
   Runs for ``--duration`` seconds; the sealer (``seal_pending``, batches of at least 10)
   runs every ``--seal-every`` seconds meanwhile, as the task worker would.
6. With ``--faults N``: during the load, N faults evenly spaced: SIGKILL to a random gunicorn
   worker and a PostgreSQL restart, alternately (restarts alternate ``-m fast`` and
   ``-m immediate``, i.e. crash recovery from the WAL).
7. Checks, then counts: every acknowledged tracker is in the box (0 lost); each voter's
   acknowledgements all carry the same trackers, no member has two roll marks, and papers in
   the box = 2 x roll marks (0 duplicates); then close, two tellers reveal their shares, count,
   publish, ``manage.py export_record`` and ``python -m grassroots.ledger verify`` on it.

Run (about 3 minutes each; figures go in docs/benchmarks/ballots.md). `--mode lean` (the default)
casts with one POST per voter to the JSON endpoint from a pre-computed request set; `--mode page`
GETs the vote page and POSTs the form, as step 5 describes:

    .venv/bin/python bench/cast_load.py --workers 4 --clients 16 --duration 60 --voters 45000
    .venv/bin/python bench/cast_load.py --faults 24 --duration 120 --clients 16

With ``--e2e`` the ballot is end-to-end verifiable (issue 14; bench/cast_load_e2e.py): each
voter's request carries their papers encrypted for their roll credential with the proofs, as
the vote page's script posts them (made before the load: the browsers' work), and the server
checks every proof as it casts; after the close two mix stages and two tellers' decryption
shares come before the count, and the verifier checks all of them again. Target: 300/s.

    .venv/bin/python bench/cast_load.py --e2e --workers 4 --clients 16 --duration 60
    .venv/bin/python bench/cast_load.py --e2e --faults 24 --duration 120 --workers 3 --clients 16

Exit status 0 only if every check passed (and, without --faults, the targets were met when
``--strict`` is given). Never part of ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import re
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

TARGET_RATE = 400.0  # ballots/s
TARGET_RATE_E2E = 300.0  # ballots/s, each with its proofs checked (issue 14)
TARGET_P99 = 0.250  # seconds
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 10.0
MAX_ATTEMPTS = 40  # per voter: a browser user pressing "submit" again, then giving up


# --- PostgreSQL ------------------------------------------------------------------------------


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kwargs)


def pg_ready(port: int) -> bool:
    result = subprocess.run(
        ["pg_isready", "-q", "-h", HOST, "-p", str(port)],
        check=False,
    )
    return result.returncode == 0


def wait_for_pg(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not pg_ready(port):
        if time.monotonic() > deadline:
            raise SystemExit(f"PostgreSQL on {HOST}:{port} did not come up in {seconds:.0f} s")
        time.sleep(0.2)


def ensure_cluster(version: str, name: str, port: int) -> None:
    listed = run(["pg_lsclusters", "-h"]).stdout.split("\n")
    known = {(f[0], f[1]): f for f in (line.split() for line in listed) if len(f) >= 4}
    if (version, name) not in known:
        print(f"creating PostgreSQL cluster {version}/{name} on port {port} (trust auth)")
        run(
            ["pg_createcluster", version, name, "-p", str(port), "--", "--auth=trust"],
        )
    elif known[(version, name)][2] != str(port):
        raise SystemExit(f"cluster {version}/{name} listens on {known[(version, name)][2]}")
    if not pg_ready(port):
        run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"])
    wait_for_pg(port)


def restart_pg(version: str, name: str, mode: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart", "-m", mode],
        check=False,
        capture_output=True,
        timeout=120,
    )


def recreate_database(port: int, database: str) -> None:
    psql = ["psql", "-h", HOST, "-p", str(port), "-U", "postgres", "-d", "postgres", "-qc"]
    run([*psql, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'])
    run([*psql, f'CREATE DATABASE "{database}"'])


# --- Django: settings, seeding, checks --------------------------------------------------------


def database_url(args: argparse.Namespace) -> str:
    """TCP to 127.0.0.1 by default; with ``--pg-socket`` the cluster's Unix socket, as an app
    node on the database's own machine would connect (docs/deploy.md)."""
    if getattr(args, "pg_socket", False):
        return f"postgres://postgres@%2Fvar%2Frun%2Fpostgresql:{args.pg_port}/{args.database}"
    return f"postgres://postgres@{HOST}:{args.pg_port}/{args.database}"


def app_environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings.prod",
        "SECRET_KEY": args.secret_key,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(args),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }


@dataclass
class Seeded:
    ballot_id: int
    election_id: str
    officer_email: str
    teller_emails: list[str]
    shares: list[str]
    stv_fields: list[str]  # one preference box per candidate
    motion_field: str
    motion_choices: list[str]
    voters: list[str]  # session keys, one per voter
    e2e_bodies: list[bytes] = field(default_factory=list)  # --e2e: each voter's encrypted cast
    secret_shares: dict[int, int] = field(default_factory=dict)  # --e2e: tellers' key shares


def seed(voter_count: int, *, e2e: bool = False, seed_number: int = 4) -> Seeded:
    """The demo organisation, ``voter_count`` voters with logins and sessions, and the
    national ballot, opened in this process (the roll frozen). With ``e2e``, the ballot is
    end-to-end verifiable and every voter's encrypted papers are made now (bench/cast_load_e2e)."""
    from django.db import connection

    started = time.monotonic()
    officer, users = seed_voters(voter_count)
    secret_shares: dict[int, int] = {}
    if e2e:
        from bench.cast_load_e2e import seed_e2e_ballot

        ballot, tellers, secret_shares = seed_e2e_ballot(officer, users)
        shares: list[str] = []
    else:
        ballot, tellers, shares = seed_ballot(officer, users)
    from grassroots.ballots.services.lifecycle import open_ballot

    roll = open_ballot(actor=officer, ballot=ballot)
    print(f"seeded: roll of {roll}, {voter_count} voters with logins")
    sessions = make_sessions(users)
    bodies: list[bytes] = []
    if e2e:
        from bench.cast_load_e2e import encrypted_bodies

        encrypting = time.monotonic()
        bodies = encrypted_bodies(ballot.pk, users, seed_number)
        print(
            f"{len(bodies)} voters' papers encrypted with their proofs (the browsers' work) in "
            f"{time.monotonic() - encrypting:.1f} s"
        )
    # A live database has planner statistics; a just-seeded one has none until autovacuum gets
    # round to it (about a minute in), and plans made without them are not what production
    # runs. So analyse once, as a restore or a migration run would be followed by.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seeded in {time.monotonic() - started:.1f} s")
    seeded = seeded_for(ballot, officer, tellers, shares, sessions)
    seeded.e2e_bodies, seeded.secret_shares = bodies, secret_shares
    return seeded


def seed_voters(voter_count: int, *, demo_members: int = 500) -> tuple[Any, list[Any]]:
    """The demo organisation (``demo_members`` members, a National Office login) and
    ``voter_count`` more members with logins, spread over its groups. Returns the National
    Office login and the voters' logins."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from grassroots.accounts.models import User
    from grassroots.demo.people import NATIONAL_LOGIN
    from grassroots.demo.seed import seed_demo
    from grassroots.organisation.models import Group
    from grassroots.people.models import Member, MembershipStatus, StatusCause
    from grassroots.people.standing import record_joined

    seed_demo(members=demo_members)
    officer = User.objects.get(email=NATIONAL_LOGIN.email)
    groups = list(Group.objects.order_by("pk"))
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"voter{i}@bench.grassroots.example", password=unusable)
            for i in range(voter_count)
        ],
        batch_size=5000,
    )
    # Members and their status history in one transaction (the PostgreSQL trigger's check).
    with transaction.atomic():
        voters = Member.objects.bulk_create(
            [
                Member(
                    membership_number=f"BV{i:07d}",
                    user=user,
                    first_name="Bench",
                    last_name=f"Voter {i}",
                    email=user.email,
                    status=MembershipStatus.MEMBER,
                    joined_on=datetime.date(2020, 1, 1),
                    home_group=groups[i % len(groups)],
                )
                for i, user in enumerate(users)
            ],
            batch_size=5000,
        )
        record_joined(voters, cause=StatusCause.SEED)
    return officer, users


def seed_ballot(
    officer: Any, users: list[Any], *, opens_in: float = -60, closes_in: float = 86400
) -> tuple[Any, list[Any], list[str]]:
    """The national ballot (an STV question, 8 candidates, 3 seats, at least one woman; a
    yes/no motion), ready to open: three tellers (the first three voters) hold their shares.
    Returns the ballot, the tellers and their shares."""
    import datetime

    from grassroots import clock
    from grassroots.ballots.models import Ballot, QuestionKind
    from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
    from grassroots.ballots.services.tellers import collect_share, set_up_tellers
    from grassroots.people.models import Member

    now = clock.now()
    ballot = create_ballot(
        actor=officer,
        title="National committee election (load test)",
        description="Eight candidates for three seats, and a motion.",
        level="nation",
        scope=None,
        opens_at=now + datetime.timedelta(seconds=opens_in),
        closes_at=now + datetime.timedelta(seconds=closes_in),
        tellers_count=3,
        threshold=2,
    )
    stv = add_question(
        actor=officer,
        ballot=ballot,
        title="National committee",
        kind=QuestionKind.STV,
        stv_rule="scottish",
        seats=3,
        constraints=[{"category": "women", "minimum": 1, "maximum": None}],
    )
    names = ["Aisha", "Ben", "Carys", "Dev", "Efua", "Finn", "Grace", "Hamza"]
    for number, name in enumerate(names):
        add_candidate(
            actor=officer,
            question=stv,
            name=f"{name} Candidate",
            categories=["women"] if number % 2 == 0 else [],
        )
    add_question(actor=officer, ballot=ballot, title="Adopt the new constitution?", kind="yesno")
    tellers = list(Member.objects.filter(user__in=users[:3]))
    set_up_tellers(actor=officer, ballot=ballot, members=tellers)
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    return Ballot.objects.get(pk=ballot.pk), tellers, shares


def make_sessions(users: list[Any]) -> list[str]:
    """A logged-in session row for each login, written with Django's session store, so the
    load measures casting, not logging in. Returns the session keys.

    Each session holds what a login through the site leaves in it, the member's language too:
    at login ``people.languages.remember_at_login`` stores the browser's choice on a member
    who has none yet and keeps it in the session. A session without it makes the voter's next
    request, here the cast, look the language up, write it to the member and save the session
    again (two more statements and two more commits a ballot: 7 Dec, issue 22)."""
    import datetime

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from grassroots import clock
    from grassroots.accounts.models import Session
    from grassroots.accounts.sessions import SessionStore
    from grassroots.people.languages import SESSION_KEY as LANGUAGE_KEY
    from grassroots.people.models import Member

    # language_at_login's choice for a browser that asks for none (the load sends no
    # Accept-Language, so LocaleMiddleware settles on the default)
    chosen = settings.LANGUAGE_CODE
    languages: dict[int, str] = {}
    for start in range(0, len(users), 5000):
        ids = [user.pk for user in users[start : start + 5000]]
        Member.objects.filter(user_id__in=ids, language="").update(language=chosen)
        languages.update(Member.objects.filter(user_id__in=ids).values_list("user_id", "language"))
    expires = clock.now() + datetime.timedelta(days=1)
    store = SessionStore()
    sessions = []
    backend = "django.contrib.auth.backends.ModelBackend"
    for user in users:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            LANGUAGE_KEY: languages.get(user.pk, ""),
        }
        key = secrets.token_hex(16)
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=expires,
                user_id=user.pk,
            )
        )
    Session.objects.bulk_create(sessions, batch_size=5000)
    return [s.session_key for s in sessions]


def seeded_for(
    ballot: Any, officer: Any, tellers: list[Any], shares: list[str], sessions: list[str]
) -> Seeded:
    from grassroots.ballots.forms import field_name

    stv, motion = list(ballot.questions.order_by("position"))
    candidates = list(stv.candidates.order_by("position"))
    return Seeded(
        ballot_id=ballot.pk,
        election_id=ballot.election_id,
        officer_email=officer.email,
        teller_emails=[t.user.email for t in tellers],
        shares=shares,
        stv_fields=[field_name(stv, c.pk) for c in candidates],
        motion_field=field_name(motion),
        motion_choices=[str(c.pk) for c in motion.candidates.order_by("position")],
        voters=sessions,
    )


# --- gunicorn ---------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.args = args
        cmd = [
            PYTHON,
            "-m",
            "gunicorn",
            "grassroots.wsgi:application",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        if args.worker_class == "gthread":
            cmd += ["--threads", str(args.threads)]
        self.log = tempfile.NamedTemporaryFile(prefix="cast_load_gunicorn_", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + getattr(args, "start_seconds", 30)
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection(HOST, args.port, timeout=2)
                conn.request("GET", "/ballots/about/", headers=BASE_HEADERS(args.port))
                if conn.getresponse().status == 200:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start; see its log:\n" + self.read_log())

    def worker_pids(self) -> list[int]:
        return _children(self.process.pid)

    def kill_a_worker(self, rng: random.Random) -> int | None:
        pids = self.worker_pids()
        if not pids:
            return None
        pid = rng.choice(pids)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        return pid

    def read_log(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# --- CPU accounting: what one ballot costs, whatever else the machine is doing -------------


def _children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                    pids.append(int(entry.name))
    return pids


def _cpu_ticks(pids: list[int]) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def postmaster_pid(cluster: str) -> int:
    version, name = cluster.split("/")
    with contextlib.suppress(OSError, ValueError):
        return int(Path(f"/var/run/postgresql/{version}-{name}.pid").read_text().split()[0])
    return 0


def cpu_snapshot(app_master: int, postmaster: int) -> dict[str, dict[int, int]]:
    return {
        "app": _cpu_ticks([app_master, *_children(app_master)]),
        "db": _cpu_ticks([postmaster, *_children(postmaster)]),
    }


def cpu_used(
    before: dict[str, dict[int, int]], after: dict[str, dict[int, int]]
) -> dict[str, float]:
    """CPU seconds used between two snapshots by the app's and the database's processes."""
    hz = os.sysconf("SC_CLK_TCK")
    return {
        part: sum(t - before[part].get(pid, 0) for pid, t in after[part].items()) / hz
        for part in ("app", "db")
    }


# --- the load generator -----------------------------------------------------------------------


def BASE_HEADERS(port: int) -> dict[str, str]:
    return {"Host": f"{HOST}:{port}", "X-Forwarded-Proto": "https", "Connection": "close"}


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(r'name="idempotency_key" value="([^"]+)"')
TRACKER = re.compile(r'<code class="tracker">([0-9a-f]{64})</code>')
REPEAT = "Your vote was already recorded"


class NotAcknowledged(Exception):
    pass


@dataclass
class Stats:
    post_latency: list[float] = field(default_factory=list)  # acknowledged POSTs
    failed_post_latency: list[float] = field(default_factory=list)
    acked_at: list[float] = field(default_factory=list)  # time of each first acknowledgement
    receipts: dict[int, list[tuple[str, ...]]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    gave_up: int = 0
    repeats: int = 0  # acknowledged by a retry that found the original receipt
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


class Voter:
    """One member in one browser: a session cookie, then the form, then the POST (and retries)."""

    def __init__(self, number: int, session: str, seeded: Seeded, port: int) -> None:
        self.number = number
        self.session = session
        self.seeded = seeded
        self.port = port
        self.path = f"/ballots/{seeded.ballot_id}/vote/"
        self.csrf_cookie = ""

    def _request(
        self, method: str, body: str | None = None
    ) -> tuple[int, http.client.HTTPResponse, str]:
        headers = BASE_HEADERS(self.port)
        cookies = [f"__Host-sessionid={self.session}"]
        if self.csrf_cookie:
            cookies.append(f"__Host-csrftoken={self.csrf_cookie}")
        headers["Cookie"] = "; ".join(cookies)
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{HOST}:{self.port}{self.path}"
            headers["Origin"] = f"https://{HOST}:{self.port}"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, self.path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            if name == "__Host-csrftoken":
                self.csrf_cookie = rest.split(";", 1)[0]
        return response.status, response, text

    def paper(self, rng: random.Random) -> dict[str, str]:
        fields = list(self.seeded.stv_fields)
        rng.shuffle(fields)
        ranked = fields[: rng.randint(1, len(fields))]
        answers = {name: str(n) for n, name in enumerate(ranked, start=1)}
        if rng.random() < 0.9:
            answers[self.seeded.motion_field] = rng.choice(self.seeded.motion_choices)
        return answers

    def vote(self, rng: random.Random, stats: Stats, give_up_at: float) -> None:
        form: dict[str, str] | None = None
        for attempt in range(MAX_ATTEMPTS):
            if time.monotonic() > give_up_at:
                break
            if attempt:
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + rng.random()))
            try:
                if form is None:
                    status, _, text = self._request("GET")
                    if status != 200:
                        raise NotAcknowledged(f"GET {status}")
                    token, key = CSRF_INPUT.search(text), KEY_INPUT.search(text)
                    if not token or not key:
                        raise NotAcknowledged("GET without form")
                    form = {"csrfmiddlewaretoken": token[1], "idempotency_key": key[1]}
                    form.update(self.paper(rng))
                started = time.perf_counter()
                try:
                    status, _, text = self._request("POST", urllib.parse.urlencode(form))
                except BaseException:
                    stats.failed_post_latency.append(time.perf_counter() - started)
                    raise
                elapsed = time.perf_counter() - started
                trackers = tuple(TRACKER.findall(text))
                if status == 200 and len(trackers) == 2:
                    with stats.lock:
                        stats.post_latency.append(elapsed)
                        stats.receipts.setdefault(self.number, []).append(trackers)
                        if REPEAT not in text:
                            stats.acked_at.append(time.monotonic())
                        else:
                            stats.repeats += 1
                    return
                stats.failed_post_latency.append(elapsed)
                if status == 409 and "already voted" in text:
                    # A new form after a vote: only if our first form was lost with its key.
                    with stats.lock:
                        stats.refused += 1
                    return
                raise NotAcknowledged(f"POST {status}")
            except NotAcknowledged as error:
                stats.error(str(error))
            except (OSError, http.client.HTTPException) as error:
                stats.error(type(error).__name__)
        with stats.lock:
            stats.gave_up += 1


LEAN_TRACKER = re.compile(rb'"tracker": "([0-9a-f]{64})"')
CSRF_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class LeanVoter:
    """One member casting through the lean endpoint (``ballot_cast``): one POST per ballot.

    The request is built once, before the load, as the exact bytes to send: the session
    cookie, a CSRF cookie with the same secret in ``X-CSRFToken`` (how a script or an enhanced
    page sends Django's token), a random idempotency key made by the client, and the paper. A
    retry sends the same bytes (same key), as a browser resubmitting would. Raw sockets, no
    HTTP library: the generator shares the two cores with the app, so it should cost little.
    """

    def __init__(
        self, number: int, session: str, seeded: Seeded, port: int, rng: random.Random
    ) -> None:
        self.number = number
        self.port = port
        csrf = "".join(rng.choice(CSRF_ALPHABET) for _ in range(32))
        if seeded.e2e_bodies:  # the vote page's script's JSON: encrypted papers and proofs
            body, content_type = seeded.e2e_bodies[number], "application/json"
        else:
            form = {"idempotency_key": secrets.token_urlsafe(24)}
            form.update(Voter(number, session, seeded, port).paper(rng))
            body = urllib.parse.urlencode(form).encode()
            content_type = "application/x-www-form-urlencoded"
        path = f"/ballots/{seeded.ballot_id}/cast/"
        head = (
            f"POST {path} HTTP/1.1\r\n"
            f"Host: {HOST}:{port}\r\n"
            "X-Forwarded-Proto: https\r\n"
            "Connection: close\r\n"
            f"Cookie: __Host-sessionid={session}; __Host-csrftoken={csrf}\r\n"
            f"X-CSRFToken: {csrf}\r\n"
            f"Referer: https://{HOST}:{port}/ballots/{seeded.ballot_id}/vote/\r\n"
            f"Origin: https://{HOST}:{port}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.request = head.encode() + body

    def _send(self) -> tuple[int, bytes]:
        with socket.create_connection((HOST, self.port), timeout=REQUEST_TIMEOUT) as conn:
            conn.sendall(self.request)
            chunks = []
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        reply = b"".join(chunks)
        if not reply.startswith(b"HTTP/1."):
            raise NotAcknowledged("no HTTP reply")
        return int(reply[9:12]), reply

    def vote(self, rng: random.Random, stats: Stats, give_up_at: float) -> None:
        for attempt in range(MAX_ATTEMPTS):
            if time.monotonic() > give_up_at:
                break
            if attempt:
                time.sleep(min(2.0, 0.05 * 2**attempt) * (0.5 + rng.random()))
            started = time.perf_counter()
            try:
                try:
                    status, reply = self._send()
                except BaseException:
                    stats.failed_post_latency.append(time.perf_counter() - started)
                    raise
                elapsed = time.perf_counter() - started
                trackers = tuple(t.decode() for t in LEAN_TRACKER.findall(reply))
                if status == 200 and len(trackers) == 2:
                    with stats.lock:
                        stats.post_latency.append(elapsed)
                        stats.receipts.setdefault(self.number, []).append(trackers)
                        if b'"repeat": true' not in reply:
                            stats.acked_at.append(time.monotonic())
                        else:
                            stats.repeats += 1
                    return
                stats.failed_post_latency.append(elapsed)
                if status == 409 and b"already voted" in reply:
                    with stats.lock:
                        stats.refused += 1
                    return
                raise NotAcknowledged(f"POST {status}")
            except NotAcknowledged as error:
                stats.error(str(error))
            except (OSError, ValueError) as error:
                stats.error(type(error).__name__)
        with stats.lock:
            stats.gave_up += 1


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare_lean(args: argparse.Namespace, seeded: Seeded) -> list[LeanVoter]:
    """Every voter's request, built before the load starts (the pre-computed request set)."""
    rng = random.Random(args.fault_seed)
    return [
        LeanVoter(number, session, seeded, args.port, rng)
        for number, session in enumerate(seeded.voters)
    ]


def load(
    args: argparse.Namespace,
    seeded: Seeded,
    stats: Stats,
    stop_at: float,
    give_up_at: float,
    lean: list[LeanVoter],
) -> None:
    numbers: Iterator[int] = iter(range(len(seeded.voters)))
    take = threading.Lock()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            with take:
                number = next(numbers, None)
            if number is None:
                return
            if args.mode == "lean":
                lean[number].vote(rng, stats, give_up_at)
            else:
                Voter(number, seeded.voters[number], seeded, args.port).vote(rng, stats, give_up_at)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, give_up_at - time.monotonic() + REQUEST_TIMEOUT + 5))


# --- background: the sealer and the faults ----------------------------------------------------


def sealer(ballot_id: int, every: float, stop: threading.Event, counts: dict[str, int]) -> None:
    from django.db import connection

    from grassroots.ballots.models import Ballot
    from grassroots.ballots.services.sealing import seal_pending

    while not stop.wait(every):
        try:
            sealed = seal_pending(Ballot.objects.get(pk=ballot_id), min_batch=10)
            counts["sealed"] = counts.get("sealed", 0) + sealed
            counts["heads"] = counts.get("heads", 0) + 1
        except Exception:
            counts["failed"] = counts.get("failed", 0) + 1
            connection.close()


def chaos(
    args: argparse.Namespace,
    app: Gunicorn,
    stop_at: float,
    log: list[str],
) -> None:
    rng = random.Random(args.fault_seed)
    version, name = args.cluster.split("/")
    gap = args.duration / (args.faults + 1)
    for number in range(args.faults):
        pause = (number + 1) * gap - (args.duration - (stop_at - time.monotonic()))
        if pause > 0:
            time.sleep(pause)
        if time.monotonic() >= stop_at:
            break
        at = f"{args.duration - (stop_at - time.monotonic()):6.1f} s"
        if number % 2 == 0:
            pid = app.kill_a_worker(rng)
            log.append(f"{at} SIGKILL gunicorn worker {pid}")
        else:
            mode = "fast" if number % 4 == 1 else "immediate"
            started = time.monotonic()
            restart_pg(version, name, mode)
            log.append(f"{at} PostgreSQL restart -m {mode} ({time.monotonic() - started:.1f} s)")
    wait_for_pg(args.pg_port)


# --- checks and the count ---------------------------------------------------------------------


def check_and_count(
    seeded: Seeded, stats: Stats, record_dir: Path, *, count: bool = True
) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from grassroots import clock
    from grassroots.accounts.models import User
    from grassroots.ballots.models import Ballot, BallotBoxEntry, RollEntry, UnsealedBallot
    from grassroots.ballots.services.counting import count_ballot
    from grassroots.ballots.services.lifecycle import close_ballot
    from grassroots.ballots.services.publishing import publish_results
    from grassroots.ballots.services.tellers import reveal_share

    connection.close()
    ballot = Ballot.objects.get(pk=seeded.ballot_id)
    # Close first: while the poll is open the sealer holds back a random minimum batch (so no
    # batch is smaller than the minimum), and only the close seals the last of them. Reading the
    # box before the close counted those held-back papers as lost.
    started = time.monotonic()
    Ballot.objects.filter(pk=ballot.pk).update(closes_at=clock.now())  # rather than wait a day
    officer = User.objects.get(email=seeded.officer_email)
    close_ballot(actor=officer, ballot=Ballot.objects.get(pk=ballot.pk))
    box = list(BallotBoxEntry.objects.filter(ballot=ballot).values_list("tracker", flat=True))
    box_set = set(box)
    marks = RollEntry.objects.filter(ballot=ballot, has_voted=True).count()
    double_marks = (
        RollEntry.objects.filter(ballot=ballot, has_voted=True)
        .values("member")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    acknowledged = {t for receipts in stats.receipts.values() for r in receipts for t in r}
    differing = sum(1 for receipts in stats.receipts.values() if len(set(receipts)) > 1)
    result: dict[str, Any] = {
        "acknowledged_voters": len(stats.receipts),
        "roll_marks": marks,
        "papers_in_box": len(box),
        "unsealed_left": UnsealedBallot.objects.filter(ballot=ballot).count(),
        "lost_acknowledged_trackers": len(acknowledged - box_set),
        "voters_with_two_different_receipts": differing,
        "members_with_two_marks": double_marks,
        "duplicate_trackers_in_box": len(box) - len(box_set),
        "papers_minus_two_per_mark": len(box) - 2 * marks,
        "marks_never_acknowledged": marks - len(stats.receipts),
    }
    result["voted_count_at_close"] = Ballot.objects.get(pk=ballot.pk).voted_count
    print("after the close:", json.dumps(result), flush=True)
    if not count:
        result["verifier_summary"] = "not run (--no-count)"
        return result
    # The tellers (for an e2e ballot the mix-net and their decryption shares first), the
    # count, the record and the verifier.
    mixing = time.monotonic()
    if seeded.secret_shares:
        from bench.cast_load_e2e import mix_and_decrypt

        mix_and_decrypt(ballot.pk, officer, seeded.secret_shares)
        result["mix_and_decrypt_seconds"] = round(time.monotonic() - mixing, 1)
    for email, share in list(zip(seeded.teller_emails, seeded.shares, strict=False))[:2]:
        teller = User.objects.get(email=email)
        reveal_share(actor=teller, teller=ballot.tellers.get(member__user=teller), share_text=share)
    ballot = Ballot.objects.get(pk=ballot.pk)
    count_ballot(actor=officer, ballot=ballot)
    publish_results(actor=officer, ballot=Ballot.objects.get(pk=ballot.pk))
    call_command("export_record", "--election", seeded.election_id, str(record_dir))
    verify = subprocess.run(
        [
            PYTHON,
            "-m",
            "grassroots.ledger",
            "verify",
            str(record_dir),
            "--election-key",
            Ballot.objects.get(pk=ballot.pk).election_key_hex,
        ],
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    result["verifier_exit"] = verify.returncode
    result["verifier_summary"] = (verify.stdout.strip().splitlines() or ["(no output)"])[-1]
    result["count_and_verify_seconds"] = round(time.monotonic() - started, 1)
    return result


def integrity_ok(result: dict[str, Any]) -> bool:
    zero = (
        "unsealed_left",
        "lost_acknowledged_trackers",
        "voters_with_two_different_receipts",
        "members_with_two_marks",
        "duplicate_trackers_in_box",
        "papers_minus_two_per_mark",
    )
    return (
        all(result[k] == 0 for k in zero)
        and result.get("verifier_exit", 0) == 0
        and result["voted_count_at_close"] == (result["roll_marks"])
    )


# --- main -------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": str(os.cpu_count()),
        "cpu_model": model or platform.processor(),
        "python": platform.python_version(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument(
        "--mode",
        default="lean",
        choices=["lean", "page"],
        help="lean: one POST to the JSON cast endpoint per ballot; page: GET the vote page, "
        "then POST the form and read the receipt page",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--clients", type=int, default=16, help="concurrent voters")
    parser.add_argument("--voters", type=int, default=0, help="default: enough for 700/s")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cluster", default="15/bench", help="VERSION/NAME for pg_ctlcluster")
    parser.add_argument("--pg-port", type=int, default=5433)
    parser.add_argument("--database", default="grassroots_bench_cast")
    parser.add_argument(
        "--pg-socket", action="store_true", help="connect over the Unix socket, not TCP"
    )
    parser.add_argument("--seal-every", type=float, default=10.0)
    parser.add_argument("--faults", type=int, default=0, help="worker kills + PG restarts")
    parser.add_argument("--fault-seed", type=int, default=4)
    parser.add_argument("--grace", type=float, default=60, help="retry window after the load")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument(
        "--no-count",
        action="store_true",
        help="check for lost and duplicated votes after the close, but skip the count, the "
        "record and the verifier (an e2e ballot's mix-net takes many minutes under load)",
    )
    parser.add_argument(
        "--e2e",
        action="store_true",
        help="an end-to-end ballot: papers encrypted (before the load) as the vote page's "
        "script does, every proof checked by the server as it casts; mixed and decrypted after",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 600 or not 0 <= args.faults <= 200:
        parser.error("--duration 1..600 s and --faults 0..200")
    if args.e2e and args.mode != "lean":
        parser.error("--e2e casts through the JSON endpoint, as the vote page's script does")
    args.voters = args.voters or int(args.duration * (350 if args.e2e else 700)) + 2000
    args.secret_key = secrets.token_urlsafe(50)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    version, name = args.cluster.split("/")
    ensure_cluster(version, name, args.pg_port)
    recreate_database(args.pg_port, args.database)
    env = app_environment(args)
    os.environ.update(env)
    print("migrating ...")
    run([PYTHON, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env)
    import django

    django.setup()
    from django.db import connections

    seeded = seed(args.voters, e2e=args.e2e, seed_number=args.fault_seed)
    connections.close_all()

    lean = prepare_lean(args, seeded) if args.mode == "lean" else []
    app = Gunicorn(args, env)
    stats = Stats()
    fault_log: list[str] = []
    seal_counts: dict[str, int] = {}
    stop_sealer = threading.Event()
    result: dict[str, Any] = {}
    try:
        seal_thread = threading.Thread(
            target=sealer, args=(seeded.ballot_id, args.seal_every, stop_sealer, seal_counts)
        )
        seal_thread.start()
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        servers_before = cpu_snapshot(app.process.pid, postmaster_pid(args.cluster))
        load_before = os.getloadavg()[0]
        began = time.monotonic()
        stop_at = began + args.duration
        give_up_at = stop_at + (args.grace if args.faults else REQUEST_TIMEOUT * 2)
        chaos_thread = None
        if args.faults:
            chaos_thread = threading.Thread(target=chaos, args=(args, app, stop_at, fault_log))
            chaos_thread.start()
        load(args, seeded, stats, stop_at, give_up_at, lean)
        ended = time.monotonic()
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        servers = cpu_used(
            servers_before, cpu_snapshot(app.process.pid, postmaster_pid(args.cluster))
        )
        load_after = os.getloadavg()[0]
        if chaos_thread is not None:
            chaos_thread.join(timeout=300)
        stop_sealer.set()
        seal_thread.join(timeout=120)
    finally:
        stop_sealer.set()
        app.stop()
        if args.faults:
            wait_for_pg(args.pg_port)

    in_window = [t for t in stats.acked_at if t <= stop_at]
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    result.update(
        {
            "mode": "faults" if args.faults else "throughput",
            "cast": args.mode,
            "ballot": "end-to-end" if args.e2e else "server-side encryption",
            "workers": args.workers,
            "worker_class": args.worker_class,
            "clients": args.clients,
            "duration_s": args.duration,
            "ballots_acknowledged_in_window": len(in_window),
            "ballots_per_s": round(len(in_window) / args.duration, 1),
            # Sustained means no decline: acknowledgements in each minute of the load.
            "acknowledged_per_minute": [
                sum(1 for t in in_window if minute * 60 <= t - began < (minute + 1) * 60)
                for minute in range(int((stop_at - began) // 60) + 1)
            ],
            "post_p50_ms": round(percentile(stats.post_latency, 0.50) * 1000, 1),
            "post_p95_ms": round(percentile(stats.post_latency, 0.95) * 1000, 1),
            "post_p99_ms": round(percentile(stats.post_latency, 0.99) * 1000, 1),
            "post_max_ms": round(max(stats.post_latency, default=0) * 1000, 1),
            "post_mean_ms": round(statistics.fmean(stats.post_latency or [0]) * 1000, 1),
            "failed_posts": len(stats.failed_post_latency),
            "errors": stats.errors,
            "refused_already_voted": stats.refused,
            "acknowledged_by_a_retry_as_repeat": stats.repeats,
            "voters_gave_up": stats.gave_up,
            "load_wall_s": round(ended - began, 1),
            "generator_cpu_s": round(cpu, 1),
            "app_cpu_s": round(servers["app"], 1),
            "db_cpu_s": round(servers["db"], 1),
            "cpu_ms_per_ballot_app_db_generator": [
                round(1000 * x / max(1, len(stats.acked_at)), 2)
                for x in (servers["app"], servers["db"], cpu)
            ],
            "machine_load_1min_before_after": [round(load_before, 1), round(load_after, 1)],
            "sealer": seal_counts,
            "faults": len(fault_log),
            **machine(),
            "postgresql": pg_version(args.pg_port),
        }
    )
    with tempfile.TemporaryDirectory(prefix="cast_load_record_") as record_dir:
        result.update(check_and_count(seeded, stats, Path(record_dir), count=not args.no_count))
    for line in fault_log:
        print("  fault:", line)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps({**result, "fault_log": fault_log}, indent=2) + "\n")
    ok = integrity_ok(result)
    rate = TARGET_RATE_E2E if args.e2e else TARGET_RATE
    met = result["ballots_per_s"] >= rate and result["post_p99_ms"] <= TARGET_P99 * 1000
    print(f"integrity checks: {'passed' if ok else 'FAILED'}")
    if not args.faults:
        print(
            f"target >= {rate:.0f} ballots/s with p99 <= {TARGET_P99 * 1000:.0f} ms: "
            f"{'met' if met else 'missed'}"
        )
    if args.faults and len(fault_log) < args.faults:
        print(f"only {len(fault_log)} of the {args.faults} faults asked for were injected")
    return 0 if ok and (met or not args.strict or args.faults) else 1


def pg_version(port: int) -> str:
    with contextlib.suppress(subprocess.CalledProcessError):
        out = run(
            ["psql", "-h", HOST, "-p", str(port), "-U", "postgres", "-tAc", "SHOW server_version"]
        )
        return out.stdout.strip()
    return "?"


if __name__ == "__main__":
    sys.exit(main())
