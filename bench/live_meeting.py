"""Benchmark (issue 17): 500 attendees of a delegate meeting polling the live page and voting
within 60 seconds, through gunicorn on PostgreSQL; then the close, and how soon the result is
on everyone's page.

Run from the repository root (PostgreSQL on 127.0.0.1:5432, trust authentication; about two
minutes, most of it the 60 s of load)::

    .venv/bin/python bench/live_meeting.py [--attendees 500] [--duration 60] [--workers 2]

1. Drops and re-creates the database ``gr_live_bench`` and migrates it.
2. Seeds a regional delegate meeting under way with ``tests/assembly/builders.py`` (the test
   suite's builder: three groups sending 250, 150 and 100 delegates, weights by membership),
   signs every delegate in through ``sign_in_member`` and writes each a logged-in session row
   as a login leaves it, with the member's language (the load measures the meeting, not
   logging in). Opens a vote on the motion (the service).
3. Starts gunicorn with ``grassroots.settings.prod`` (``--workers`` sync workers) and runs the
   attendees from ``--clients`` threads, each doing what its page's htmx does: loads the live
   page once (its CSRF token, the pulse's address, its token and its own part's delay), then
   pulses every ``--poll`` seconds (``HX-Request``, ``?v=&k=&t=``; 204 while nothing changed),
   fetches its own part after its delay when a pulse says so (``HX-Trigger: live-mine``), and
   at a random moment within ``--duration`` seconds posts its vote (retried on a 5xx or a
   timeout; "already voted" after a lost answer counts as done). The room's projector polls
   its own page every second.
4. Closes the vote (the service, as the chair's button does) while the pages go on pulsing,
   and records when each phone has the result on its page (the answer that brought it).

Reports p50/p95/max latency by request kind and for the 5 s after the close, gunicorn's CPU
time (user+sys) and the bench's own, the load average before and after (the machine is
shared), votes counted against votes acknowledged, and the delay of the result on each phone
(first, median, p95, last, how many within 1 s). Targets: p95 <= 100 ms; result visible <= 1 s
after the close.
Never part of ``make test``.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
DATABASE = "gr_live_bench"
TIMEOUT = 10.0
GROUPS = (("Leeds Central", 3000, 250), ("Harrogate", 1500, 150), ("Skipton", 500, 100))


def environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "grassroots.settings.prod",
        "SECRET_KEY": "bench-live-meeting-" + "x" * 40,
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DATABASE}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }


def recreate_database(env: dict[str, str]) -> None:
    psql = ["psql", "-h", HOST, "-U", "postgres", "-d", "postgres", "-qc"]
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'], check=True)
    subprocess.run([*psql, f'CREATE DATABASE "{DATABASE}"'], check=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def seed(env: dict[str, str], attendees: int) -> tuple[int, int, list[str], object]:
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    # Seeding only: the bench's members log in by session rows, never by password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection

    from grassroots import clock
    from grassroots.accounts.models import Session
    from grassroots.accounts.sessions import SessionStore
    from grassroots.assembly.services.votes import open_vote
    from grassroots.people.languages import SESSION_KEY as LANGUAGE_SESSION_KEY
    from grassroots.people.models import Member
    from tests.assembly.builders import build_session, sign_in

    scale = attendees / 500
    groups = tuple((name, int(m * scale), max(1, round(d * scale))) for name, m, d in GROUPS)
    session = build_session(groups=groups, extra_members=0)
    sign_in(session, session.delegates)
    store = SessionStore()
    keys = []
    rows = []
    expires = clock.now() + __import__("datetime").timedelta(days=1)
    # As a login through the site's form leaves them: the member's language stored (their
    # browser's, at their first login) and remembered in the session (remember_at_login), so
    # the first page does not read it, store it and save the session (people/languages.py).
    attendees = [*session.delegates, session.chair_member]
    Member.objects.filter(pk__in=[m.pk for m in attendees], language="").update(
        language=settings.LANGUAGE_CODE
    )
    for member in attendees:
        user = member.user
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            LANGUAGE_SESSION_KEY: settings.LANGUAGE_CODE,
        }
        key = os.urandom(16).hex()
        keys.append(key)
        rows.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=expires,
                user_id=user.pk,
            )
        )
    Session.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    vote = open_vote(
        actor=session.chair, meeting=session.meeting, subject="motion", motion=session.motion
    )
    # The last key is the chair's, whose login the room's projector runs under.
    return session.meeting.pk, vote.pk, keys, session


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        # (when it was answered, seconds), for the window after the close.
        self.answered: list[tuple[float, float]] = []

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.answered.append((time.time(), seconds))

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] += 1


def request(
    port: int,
    method: str,
    path: str,
    cookies: str,
    body: str | None = None,
    extra: dict[str, str] | None = None,
) -> tuple[int, str, list[str], dict[str, str]]:
    headers = {
        "Host": f"{HOST}:{port}",
        "X-Forwarded-Proto": "https",
        "Connection": "close",
        "Cookie": cookies,
        **(extra or {}),
    }
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"https://{HOST}:{port}{path}"
        headers["Origin"] = f"https://{HOST}:{port}"
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookies = response.headers.get_all("Set-Cookie") or []
        return response.status, text, cookies, dict(response.headers.items())
    finally:
        conn.close()


def _attribute(text: str, element: str, name: str) -> str | None:
    found = re.search(rf'<div id="{element}" [^>]*?{name}="([^"]*)"', text)
    return found.group(1).replace("&amp;", "&") if found else None


class Schedule:
    """What the pages' htmx would do when: a heap of (moment, task) that running tasks add to
    (a pulse schedules the next, a pulse that says "your part changed" schedules its fetch)."""

    def __init__(self, pool: ThreadPoolExecutor, votes: ThreadPoolExecutor) -> None:
        self.pool = pool
        # Votes are posted from their own threads, as each phone posts its own: never queued
        # behind the bench's pulses.
        self.votes = votes
        self.started = time.monotonic()
        self.heap: list[tuple[float, int, object]] = []
        self.count = 0
        self.condition = threading.Condition()
        self.stopped = False
        self.futures: list[object] = []

    def now(self) -> float:
        return time.monotonic() - self.started

    def at(self, moment: float, task: object) -> None:
        with self.condition:
            if self.stopped:
                return
            self.count += 1
            heapq.heappush(self.heap, (moment, self.count, task))
            self.condition.notify()

    def run(self) -> None:
        while True:
            with self.condition:
                while not self.stopped and (not self.heap or self.heap[0][0] > self.now()):
                    wait = self.heap[0][0] - self.now() if self.heap else 0.5
                    self.condition.wait(max(0.0, min(wait, 0.5)))
                if self.stopped:
                    return
                _, _, task = heapq.heappop(self.heap)
            pool = self.votes if getattr(task, "is_vote", False) else self.pool
            self.futures.append(pool.submit(task))  # type: ignore[arg-type]

    def stop(self) -> None:
        with self.condition:
            self.stopped = True
            self.condition.notify()


class Attendee:
    """One phone: loads the live page, then does what its htmx does. The shared part is polled
    at the pulse every 0.6 s (``hx-trigger="every 600ms"`` on #live-state, the token of
    #live-token included); a pulse that brings a new state may say (``HX-Trigger: live-mine``)
    that the viewer's own part changed too, and the page fetches it after its own delay (the
    ``delay:`` of #live-mine's trigger); ``HX-Refresh`` reloads the page."""

    def __init__(
        self, key: str, meeting_id: int, vote_id: int, port: int, page: str = "live/"
    ) -> None:
        self.cookies = f"__Host-sessionid={key}"
        self.path = f"/meetings/{meeting_id}/{page}"
        self.vote_id = vote_id
        self.port = port
        self.version = ""  # the projector's poll address (?v=...&t=...)
        self.pulse_path = ""
        self.pulse_token = ""
        self.mine_path = ""
        self.mine_delay = 0.0
        self.token = ""
        # htmx sends no new pulse from an element whose last one is still on its way.
        self.pulsing = False
        self.voted = False
        self.saw_result_at: float | None = None
        # The response time of the request that first brought the result.
        self.result_poll_took: float | None = None

    def load(self, stats: Stats) -> None:
        started = time.monotonic()
        try:
            status, text, set_cookies, _ = request(self.port, "GET", self.path, self.cookies)
        except OSError:
            stats.error("page timeout")
            return
        stats.add("page", time.monotonic() - started)
        if status != 200:
            stats.error(f"page {status}")
            return
        for cookie in set_cookies:
            name, _, rest = cookie.partition("=")
            if name == "__Host-csrftoken":
                self.cookies += f"; __Host-csrftoken={rest.split(';', 1)[0]}"
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        self.token = found.group(1) if found else ""
        if "projector" in self.path:
            self.version = (
                re.search(r'hx-get="[^"]*\?([^"]+)"', text).group(1).replace("&amp;", "&")
            )  # type: ignore[union-attr]
            return
        self._read_pulse(text)
        self._read_mine(text)
        trigger = _attribute(text, "live-mine", "hx-trigger") or ""
        delay = re.search(r"delay:(\d+)ms", trigger)
        self.mine_delay = int(delay.group(1)) / 1000 if delay else 0.0

    def _read_pulse(self, text: str) -> None:
        address = _attribute(text, "live-state", "hx-get")
        if address:
            self.pulse_path = address

    def _read_mine(self, text: str) -> None:
        address = _attribute(text, "live-mine", "hx-get")
        if address:
            self.mine_path = address
        found = re.search(r'id="live-token" name="t" value="([^"]*)"', text)
        if found:
            self.pulse_token = found.group(1)

    def _saw(self, text: str, took: float) -> None:
        if "Result:" in text and self.saw_result_at is None:
            self.saw_result_at = time.time()
            self.result_poll_took = took

    def pulse(self, stats: Stats, schedule: Schedule | None = None) -> None:
        """One pulse of the shared part; returns having scheduled what the page does next."""
        if self.pulsing:
            stats.error("pulse skipped (the last still on its way)")
            return
        self.pulsing = True
        try:
            if self.pulse_path:
                self._pulse(stats, schedule)
            else:
                # The page never came (a timeout): as a person would, load it again, and the
                # page's pulses wait for it.
                self.load(stats)
        finally:
            self.pulsing = False

    def _pulse(self, stats: Stats, schedule: Schedule | None) -> None:
        started = time.monotonic()
        address = f"{self.pulse_path}&t={urllib.parse.quote(self.pulse_token)}"
        try:
            status, text, _, headers = request(
                self.port, "GET", address, self.cookies, extra={"HX-Request": "true"}
            )
        except OSError:
            stats.error("pulse timeout")
            return
        took = time.monotonic() - started
        if status == 204:
            stats.add("pulse (204, unchanged)", took)
        elif status == 200 and headers.get("HX-Refresh") == "true":
            stats.add("pulse (reload)", took)
            self.load(stats)
        elif status == 200:
            stats.add("pulse (200, shared part)", took)
            self._read_pulse(text)
            self._saw(text, took)
            if schedule is not None and headers.get("HX-Trigger") == "live-mine":
                schedule.at(schedule.now() + self.mine_delay, lambda: self.mine(stats))
        else:
            stats.error(f"pulse {status}")

    def mine(self, stats: Stats) -> None:
        started = time.monotonic()
        try:
            status, text, _, _ = request(
                self.port, "GET", self.mine_path, self.cookies, extra={"HX-Request": "true"}
            )
        except OSError:
            stats.error("own part timeout")
            return
        if status != 200:
            stats.error(f"own part {status}")
            return
        stats.add("own part (200)", time.monotonic() - started)
        self._read_mine(text)

    def poll(self, stats: Stats) -> None:
        """The projector's poll (its own page, every half second)."""
        if not self.version:
            self.load(stats)
            return
        started = time.monotonic()
        try:
            status, text, _, _ = request(
                self.port,
                "GET",
                f"{self.path}?{self.version}",
                self.cookies,
                extra={"HX-Request": "true"},
            )
        except OSError:
            stats.error("poll timeout")
            return
        took = time.monotonic() - started
        if status == 204:
            stats.add("poll (204, unchanged)", took)
        elif status == 200:
            stats.add("poll (200, fragment)", took)
            found = re.search(r'hx-get="[^"]*\?([^"]+)"', text)
            if found:
                self.version = found.group(1).replace("&amp;", "&")
            self._saw(text, took)
        else:
            stats.error(f"poll {status}")

    def vote(self, stats: Stats, choice: int) -> None:
        if not self.token:
            self.load(stats)
        if not self.token:
            stats.error("vote without a page")
            return
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self.token, "vote": self.vote_id, "choice": choice}
        )
        for _ in range(5):
            started = time.monotonic()
            try:
                status, text, _, _ = request(
                    self.port, "POST", f"{self.path}vote/", self.cookies, body=body
                )
            except OSError:
                stats.error("vote timeout")
                continue
            stats.add("vote", time.monotonic() - started)
            if status == 302 or (status == 400 and "already voted" in text):
                self.voted = True
                return
            stats.error(f"vote {status}")
            if status < 500:
                return


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attendees", type=int, default=500)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument(
        "--poll", type=float, default=0.6, help="seconds between an attendee's pulses"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=48, help="client threads")
    parser.add_argument("--port", type=int, default=8871)
    args = parser.parse_args()
    env = environment(args)
    load_before = os.getloadavg()
    recreate_database(env)
    meeting_id, vote_id, keys, session = seed(env, args.attendees)
    print(f"seeded {len(keys) - 1} attendees and a projector; load average {load_before[0]:.2f}")
    log = tempfile.NamedTemporaryFile(prefix="live_bench_", suffix=".log")  # noqa: SIM115
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "grassroots.wsgi:application",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                if request(args.port, "GET", "/healthz", "")[0] == 200:
                    break
            time.sleep(0.3)
        workers = children(server.pid)
        stats = Stats()
        attendees = [Attendee(k, meeting_id, vote_id, args.port) for k in keys[:-1]]
        # The room's projector: one screen polling every half second, from the start to the end.
        projector = Attendee(keys[-1], meeting_id, vote_id, args.port, page="live/projector/")
        projector_stats = Stats()
        projector_done = threading.Event()

        def run_projector() -> None:
            projector.load(projector_stats)
            while not projector_done.is_set():
                projector.poll(projector_stats)
                projector_done.wait(0.5)

        projector_thread = threading.Thread(target=run_projector, daemon=True)
        projector_thread.start()
        rng = random.Random(17)
        pool = ThreadPoolExecutor(max_workers=args.clients)
        vote_pool = ThreadPoolExecutor(max_workers=16)
        schedule = Schedule(pool, vote_pool)
        cpu_start = cpu_seconds(workers)
        own_cpu_start = time.process_time()

        def pulsing(attendee: Attendee, moment: float) -> object:
            def task() -> None:
                # As htmx's "every 600ms": the next pulse is due a period after this one was.
                schedule.at(moment + args.poll, pulsing(attendee, moment + args.poll))
                attendee.pulse(stats, schedule)

            return task

        def loading(attendee: Attendee, moment: float) -> object:
            def task() -> None:
                attendee.load(stats)
                schedule.at(moment + args.poll, pulsing(attendee, moment + args.poll))

            return task

        def voting(attendee: Attendee, choice: int) -> object:
            def task() -> None:
                attendee.vote(stats, choice)

            task.is_vote = True  # type: ignore[attr-defined]
            return task

        # Everyone opens the page in the first fifteen seconds, then the page pulses every
        # second; each votes once, at a random moment in the window.
        for attendee in attendees:
            first = rng.uniform(0, min(15.0, args.duration / 4))
            schedule.at(first, loading(attendee, first))
            schedule.at(
                rng.uniform(first + 1, args.duration - 1), voting(attendee, rng.randrange(3))
            )
        runner = threading.Thread(target=schedule.run, daemon=True)
        runner.start()
        time.sleep(max(0.0, args.duration - schedule.now()))
        load_seconds = schedule.now()
        # The close (the service, as the chair's button does), while the pages go on pulsing;
        # then until every page has the result, or ten seconds.
        from grassroots.assembly.services.votes import close_vote

        closing = time.time()
        close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote_id)
        closed = time.time()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            projector.saw_result_at is None or any(a.saw_result_at is None for a in attendees)
        ):
            time.sleep(0.1)
        # A little longer, for the own parts the close set off (each page's delay, up to 3 s).
        time.sleep(3.5)
        schedule.stop()
        runner.join(timeout=10)
        for future in list(schedule.futures):
            future.result()  # type: ignore[attr-defined]
        projector_done.set()
        projector_thread.join(timeout=10)
        cpu = cpu_seconds(workers) - cpu_start
        own_cpu = time.process_time() - own_cpu_start
        pool.shutdown()
        vote_pool.shutdown()
    finally:
        server.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
    from grassroots.assembly.models import LiveBallot, LiveVote

    vote = LiveVote.objects.get(pk=vote_id)
    requests_made = sum(len(v) for v in stats.times.values())
    requests_made += sum(len(v) for v in projector_stats.times.values())
    print(
        f"\n{args.attendees} attendees, {load_seconds:.1f} s of load, {requests_made} requests, "
        f"gunicorn {args.workers} workers, pulse every {args.poll:g} s"
    )
    print(f"{'request':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    everything: list[float] = []
    for kind, times in sorted(stats.times.items()):
        everything += times
        ordered = sorted(times)
        p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) > 1 else ordered[0]
        print(
            f"{kind:28} {len(times):6} {statistics.median(times) * 1000:8.1f} "
            f"{p95 * 1000:8.1f} {max(times) * 1000:8.1f}"
        )
    ordered = sorted(everything)
    print(
        f"{'all':28} {len(ordered):6} {statistics.median(ordered) * 1000:8.1f} "
        f"{ordered[int(len(ordered) * 0.95) - 1] * 1000:8.1f} {max(ordered) * 1000:8.1f}"
    )
    print(f"errors: {dict(stats.errors) or 'none'}")
    print(
        f"gunicorn CPU (user+sys): {cpu:.1f} s, {cpu / max(1, requests_made) * 1000:.2f} ms "
        "per request"
    )
    acknowledged = sum(a.voted for a in attendees)
    print(
        f"votes acknowledged {acknowledged}, counted {vote.result['voters']}, papers "
        f"{LiveBallot.objects.filter(vote=vote).count()}"
    )
    print(f"the bench's own CPU (the {args.clients} client threads, same machine): {own_cpu:.1f} s")
    window = sorted(s for at, s in stats.answered if closed <= at <= closed + 5)
    if window:
        print(
            f"requests answered in the 5 s after the close: {len(window)}, p50 "
            f"{statistics.median(window) * 1000:.1f} ms, p95 "
            f"{window[max(0, int(len(window) * 0.95) - 1)] * 1000:.1f} ms, max "
            f"{window[-1] * 1000:.1f} ms"
        )
    # From the chair's click: the count inside the close is part of the wait.
    seen = sorted(a.saw_result_at - closing for a in attendees if a.saw_result_at)
    print(
        f"close and count took {(closed - closing) * 1000:.0f} ms; result on the phones of "
        f"{len(seen)}/{len(attendees)}: first {seen[0]:.2f} s, median "
        f"{statistics.median(seen):.2f} s, p95 {seen[max(0, int(len(seen) * 0.95) - 1)]:.2f} s, "
        f"last {seen[-1]:.2f} s after the chair's close began; within 1 s: "
        f"{sum(1 for x in seen if x <= 1.0)}"
        if seen
        else "result seen by nobody"
    )
    took = sorted(a.result_poll_took for a in attendees if a.result_poll_took is not None)
    if took:
        print(
            "the pulse that brought the result answered in: median "
            f"{statistics.median(took):.3f} s, "
            f"max {took[-1]:.3f} s (the rest of each delay is waiting for that page's next "
            f"pulse, every {args.poll:g} s, and a worker's fingerprint up to 0.1 s old)"
        )
    print(
        f"projector (polls every 0.5 s): result shown {projector.saw_result_at - closing:.2f} s "
        "after the close began"
        if projector.saw_result_at
        else "projector: result not shown"
    )
    print(f"load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
