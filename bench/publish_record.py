"""Publishing a large ballot's record, and downloading it (issue 22): the zip is written as
the box is read into a scratch file and stored, so the publishing process's memory should
not grow with the papers, and the download is the stored file.

Takes a counted ballot from a bench database (``--election``, or the counted ballot with the
most papers, as bench/count_growth.py leaves them), publishes it in this process as the task
does (``publish_results``), and reports the wall and CPU time and this process's peak
resident memory before and after; then downloads the record ``--downloads`` times through
Django's test client (the stored file, read to its end) and checks its SHA-256.

    .venv/bin/python bench/publish_record.py --database gr_national_bench
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import cast_load  # noqa: E402  (bench/ is not a package)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--database", default="gr_national_bench")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--election", help="the ballot's election id")
    parser.add_argument("--downloads", type=int, default=5)
    args = parser.parse_args()
    args.secret_key = os.environ.get("SECRET_KEY", "publish-bench-" + "x" * 40)
    os.environ.update(cast_load.app_environment(args))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from grassroots.ballots.models import Ballot, BallotStatus, PublishedFile
    from grassroots.ballots.services.publishing import publish_results

    ballots = Ballot.objects.filter(status=BallotStatus.COUNTED)
    if args.election:
        ballot = ballots.get(election_id=args.election)
    else:
        ballot = ballots.annotate(papers=Count("box")).order_by("-papers").first()
        if ballot is None:
            raise SystemExit("no counted ballot: run bench/count_growth.py first")
    papers = ballot.box.count()
    officer = ballot.returning_officer.user
    print(f"{ballot.election_id}: {papers} papers; peak RSS before {peak_mb():.0f} MB", flush=True)
    load = os.getloadavg()[0]
    before_cpu, began = cpu(), time.monotonic()
    publish_results(actor=officer, ballot=ballot)
    wall, used = time.monotonic() - began, cpu() - before_cpu
    stored = PublishedFile.objects.get(ballot=ballot, name="record.zip")
    print(
        f"published: {wall:.1f} s wall, {used:.1f} s CPU (this process; PostgreSQL's not "
        f"counted), peak RSS after {peak_mb():.0f} MB; record.zip {stored.size / 1e6:.1f} MB; "
        f"load average {load:.1f} -> {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    client = Client(secure=True)
    url = reverse("ballot_record", args=[ballot.pk])
    for _ in range(args.downloads):
        began = time.monotonic()
        response = client.get(url)
        digest = hashlib.sha256(b"".join(response.streaming_content)).hexdigest()
        took = time.monotonic() - began
        assert response.status_code == 200 and digest == stored.sha256
        print(f"download: {took:.3f} s, SHA-256 matches the stored hash", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
