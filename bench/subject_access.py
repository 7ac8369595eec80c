"""Benchmark (issue 5): a subject-access export for a member with a long history, "produced in
under a minute".

Run after ``bench/groups.py`` has built its database (it adds to it)::

    .venv/bin/python bench/subject_access.py [--database-url URL] [--runs 5]

It takes one member of the benchmark movement's Big Town and gives them a long history:
20,000 reads of their record by three officers over ten years (the audit log), 300 contact
outcomes, 1,000 mailouts received, twelve past and present roles, unsubscribes from every
group of their area. Then the member downloads their JSON export and opens the printable
HTML copy through Django's test Client (the whole stack, as the member), ``--runs`` times
each; reported: each run's seconds and the size of the file.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gr_groups5_bench"
VIEWS, OUTCOMES, MAILOUTS, ROLES = 20_000, 300, 1_000, 12


def give_history(member, officers) -> None:
    from django.db import transaction

    from grassroots.audit.models import AuditEntry
    from grassroots.messaging.models import Delivery, DeliveryState, MailKind, Mailout, Unsubscribe
    from grassroots.messaging.models import ScopeLevel as MailScope
    from grassroots.organisation.models import Group, Role, RoleAssignment, ScopeLevel
    from grassroots.people.models import ContactOutcome, ContactOutcomeKind

    now = datetime.datetime.now(datetime.UTC)
    with transaction.atomic():
        AuditEntry.objects.bulk_create(
            (
                AuditEntry(
                    at=now - datetime.timedelta(hours=4 * i),
                    actor=officers[i % 3],
                    actor_label=officers[i % 3].email,
                    action="view_member",
                    subject_type="member",
                    subject_id=member.membership_number,
                    scope=member.home_group.name,
                    purpose="member record page",
                )
                for i in range(VIEWS)
            ),
            batch_size=5_000,
        )
        kinds = list(ContactOutcomeKind)
        ContactOutcome.objects.bulk_create(
            ContactOutcome(
                member=member,
                outcome=kinds[i % 4],
                note=f"Call {i}",
                recorded_by=officers[0],
                recorded_at=now - datetime.timedelta(days=i),
            )
            for i in range(OUTCOMES)
        )
        mailouts = Mailout.objects.bulk_create(
            Mailout(
                sender_label="system",
                kind=MailKind.NOTICE,
                scope_level=MailScope.MEMBERS,
                subject=f"Notice {i}",
                body="Dear $first_name, ...",
                purpose="bench",
                created_at=now - datetime.timedelta(days=i),
                state="sent",
                recipients=1,
                sent=1,
            )
            for i in range(MAILOUTS)
        )
        Delivery.objects.bulk_create(
            Delivery(mailout=m, member=member, state=DeliveryState.SENT, sent_at=m.created_at)
            for m in mailouts
        )
        start = datetime.date.today() - datetime.timedelta(days=3650)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(
                member=member,
                role=(Role.TREASURER, Role.CHAIR)[i % 2],
                level=ScopeLevel.GROUP,
                group=member.home_group,
                starts_on=start + datetime.timedelta(days=300 * i),
                ends_on=start + datetime.timedelta(days=300 * i + 10),
                ended_reference="bench",
            )
            for i in range(ROLES)
        )
        Unsubscribe.objects.bulk_create(
            Unsubscribe(member=member, scope_key=f"group:{g}", created_at=now, via="page")
            for g in Group.objects.filter(area=member.home_group.area).values_list("pk", flat=True)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.contrib.auth.hashers import make_password
    from django.test import Client
    from django.urls import reverse

    from grassroots.accounts.models import User
    from grassroots.people.models import Member

    member = (
        Member.objects.select_related("home_group")
        .filter(home_group__slug="big-town", user__isnull=True)
        .order_by("pk")[10]
    )
    user = User.objects.create(
        email=f"long-history-{member.pk}@bench.example", password=make_password("x")
    )
    member.user = user
    member.save(update_fields=["user"])
    officers = [
        User.objects.get(email=f"{name}@bench.example")
        for name in ("datamanager", "area", "national")
    ]
    started = time.perf_counter()
    give_history(member, officers)
    print(f"history written in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    for name in ("my_data_export_json", "my_data_export_html"):
        seconds, size = [], 0
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(reverse(name))
            seconds.append(time.perf_counter() - started)
            assert response.status_code == 200
            size = len(response.content)
        print(
            f"{name}: {', '.join(f'{s:.2f}' for s in seconds)} s "
            f"(median {statistics.median(seconds):.2f} s); {size / 1e6:.1f} MB"
        )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
