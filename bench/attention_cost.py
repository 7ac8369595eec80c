"""Benchmark: the CPU of the home page's attention probes and the header's unread count.

Run from a checkout's root against a database seeded by ``bench/pages.py`` (the demo logins)::

    .venv/bin/python bench/attention_cost.py [--requests 200] [--database-url URL]

For each demo login it times, in one process, ``_sources_to_ask(user, member)`` (the probes'
one statement) and the context processor's unread count, ``--requests`` times after 10
warm-up, and prints the median thread CPU of each in milliseconds and how many sources the
probes asked. Run it from two checkouts in turn (A B A B) to compare code under the same load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path.cwd()
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/grassroots_bench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from grassroots.accounts.models import User
    from grassroots.notifications.context_processors import unread_notifications
    from grassroots.people.attention import _sources_to_ask

    out = []
    for role in ("member", "datamanager", "coordinator", "national"):
        user = User.objects.select_related("member__home_group__area").get(
            email=f"{role}@demo.grassroots.example"
        )
        member = user.member
        for _ in range(10):
            asked = _sources_to_ask(user, member)
        probes, counts = [], []
        for _ in range(args.requests):
            started = time.thread_time()
            _sources_to_ask(user, member)
            probes.append(time.thread_time() - started)
            started = time.thread_time()
            unread_notifications(SimpleNamespace(user=user))
            counts.append(time.thread_time() - started)
        out.append(
            f"{role}: probes {statistics.median(probes) * 1000:.2f} ms ({len(asked)} asked), "
            f"unread {statistics.median(counts) * 1000:.3f} ms"
        )
    print(ROOT.name, f"load {os.getloadavg()[0]:.1f}", " | ".join(out))


if __name__ == "__main__":
    main()
