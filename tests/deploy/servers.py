"""Real processes for the deployment tests: gunicorn app nodes, a task worker, and a TCP relay
that stands between a node and PostgreSQL so a test can cut the database off and bring it back
(as a failed-over or restarted server looks to the node)."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection

from grassroots.accounts.sessions import SessionStore
from grassroots.people.models import Member

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url(port: int | None = None) -> str:
    """The URL of the test database, optionally through another port (a relay)."""
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    user = s["USER"] or "postgres"
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port or s['PORT'] or 5432}/{s['NAME']}"


def node_environment(database: str, **extra: str) -> dict[str, str]:
    """A production-settings node on plain HTTP, as behind the TLS proxy."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environ.update(
        DJANGO_SETTINGS_MODULE="grassroots.settings.prod",
        # The same key on every node and in the test, which writes sessions the nodes accept.
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        GRASSROOTS_SITE_URL="http://127.0.0.1",
    )
    environ.update(extra)
    return environ


@dataclass
class Node:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@contextlib.contextmanager
def gunicorn_node(environ: dict[str, str], log: Path, workers: int = 2) -> Iterator[Node]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "grassroots.wsgi",
                "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            ],
            cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    node = Node(process, port, log)
    try:
        wait_for(f"{node.url}/healthz", process, log)
        yield node
    finally:
        stop(process)


@contextlib.contextmanager
def task_worker(environ: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--queue-name", "*"],
            cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer: {log.read_text(errors='replace')[-3000:]}")


def get(url: str) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class Relay:
    """A TCP relay on a free loopback port to ``target``; ``cut()`` refuses new connections and
    severs open ones (the database is gone), ``restore()`` listens again."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    close = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.update({client, upstream})
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(r'name="idempotency_key" value="([^"]+)"')
TRACKER = re.compile(r'<code class="tracker">([0-9a-f]{64})</code>')


def session_for(member: Member) -> str:
    """A logged-in session, written the way Django's login writes it."""
    user = member.user
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


class Browser:
    """One member's browser talking to one node, as behind the TLS proxy."""

    def __init__(self, base: str, session: str, path: str) -> None:
        self.base, self.path = base, path
        self.cookies = {"__Host-sessionid": session}

    def request(self, data: dict[str, str] | None = None) -> tuple[int, str]:
        port = urllib.parse.urlsplit(self.base).port
        headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Referer"] = f"https://127.0.0.1:{port}{self.path}"
            headers["Origin"] = f"https://127.0.0.1:{port}"
        request = urllib.request.Request(self.base + self.path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text, cookies = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, cookies = error.code, error.read().decode(), error.headers
        for cookie in cookies.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, text

    def form(self) -> dict[str, str]:
        """The ballot paper's hidden fields, posted as the review page's "Cast my vote" posts
        them (``step=cast``: without it the paper is shown back for review, not cast)."""
        status, text = self.request()
        assert status == 200, text[:500]
        token, key = CSRF_INPUT.search(text), KEY_INPUT.search(text)
        assert token and key, text[:500]
        return {"csrfmiddlewaretoken": token[1], "idempotency_key": key[1], "step": "cast"}
