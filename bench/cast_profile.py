"""CPU per lean cast, in one process: the WSGI app called with the load test's own requests.

Seeds a ballot exactly as bench/cast_load.py does (its own database on the bench cluster), then
calls ``grassroots.wsgi.application`` in this process with the raw requests the load generator
would send, and reports the process CPU time per cast (no gunicorn, no sockets; the database
server's CPU is not counted). With ``--profile N`` it also prints a cProfile of N more casts,
timed by CPU rather than wall clock, so it still says where the work goes on a busy machine.

    .venv/bin/python bench/cast_profile.py --voters 1200 --casts 500 --profile 500
    .venv/bin/python bench/cast_profile.py --e2e --voters 1200 --casts 500 --profile 500

Figures in docs/benchmarks/ballots.md. Never part of ``make test``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cast_load


def environ_for(raw: bytes, port: int) -> dict[str, Any]:
    """The WSGI environ gunicorn would build for these request bytes."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    method, path, _ = lines[0].split(" ")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": cast_load.HOST,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": cast_load.HOST,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for line in lines[1:]:
        name, _, value = line.partition(": ")
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    return environ


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=1200)
    parser.add_argument("--casts", type=int, default=500, help="timed casts (after 50 to warm up)")
    parser.add_argument("--profile", type=int, default=0, help="profile this many more casts")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument(
        "--sort", default="cumulative", help="pstats sort keys, comma-separated: one table each"
    )
    parser.add_argument("--dump", type=Path, help="also save the profile here (pstats)")
    parser.add_argument(
        "--show-queries", type=int, default=0, help="print the SQL of this many casts first"
    )
    parser.add_argument("--e2e", action="store_true", help="an end-to-end ballot (cast_load --e2e)")
    parser.add_argument("--cluster", default="15/bench")
    parser.add_argument("--pg-port", default="5433")
    options = parser.parse_args()
    if options.voters < 50 + options.show_queries + options.casts + options.profile:
        parser.error("--voters must cover 50 warm-up casts, --casts and --profile")
    args = cast_load.parse_args(
        ["--voters", str(options.voters), "--database", "gr_cast_profile"]
        + ["--cluster", options.cluster, "--pg-port", options.pg_port]
        + (["--e2e"] if options.e2e else [])
    )
    version, name = args.cluster.split("/")
    cast_load.ensure_cluster(version, name, args.pg_port)
    cast_load.recreate_database(args.pg_port, args.database)
    env = cast_load.app_environment(args)
    os.environ.update(env)
    cast_load.run(
        [cast_load.PYTHON, "manage.py", "migrate", "--noinput"], cwd=cast_load.ROOT, env=env
    )
    import django

    django.setup()
    from django.db import connections

    seeded = cast_load.seed(args.voters, e2e=args.e2e)
    connections.close_all()
    requests = [voter.request for voter in cast_load.prepare_lean(args, seeded)]
    from grassroots.wsgi import application

    status: dict[str, str] = {}

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status["line"] = line

    def cast(raw: bytes) -> None:
        body = b"".join(application(environ_for(raw, args.port), start_response))
        if not status["line"].startswith("200"):
            raise SystemExit(f"cast refused: {status['line']} {body[:300]!r}")

    for raw in requests[:50]:
        cast(raw)
    if options.show_queries:
        from django.db import connection

        seen: list[str] = []

        def log_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(log_sql):
            for raw in requests[50 : 50 + options.show_queries]:
                seen.append("-- a cast")
                cast(raw)
        print("\n".join(line[:300] for line in seen))
        requests = requests[options.show_queries :]
    timed = requests[50 : 50 + options.casts]
    cpu, wall = time.process_time(), time.perf_counter()
    for raw in timed:
        cast(raw)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"{len(timed)} casts: {1000 * cpu / len(timed):.2f} ms CPU and "
        f"{1000 * wall / len(timed):.2f} ms wall per cast (this process; load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    if options.profile:
        rest = requests[50 + options.casts : 50 + options.casts + options.profile]
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for raw in rest:
            cast(raw)
        profile.disable()
        if options.dump:
            profile.dump_stats(options.dump)
        for key in options.sort.split(","):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(key).print_stats(options.lines)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
