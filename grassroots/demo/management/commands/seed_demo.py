"""``manage.py seed_demo [--members N]``: the demo organisation, built once."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from grassroots.demo import people as demo
from grassroots.demo.seed import seed_demo


class Command(BaseCommand):
    help = (
        "Create the demo organisation (6 regions, 20 areas, 80 groups, members, officers and "
        "demo logins). Does nothing if the demo is already there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members",
            type=int,
            default=demo.DEFAULT_MEMBERS,
            help=f"how many members to create (default {demo.DEFAULT_MEMBERS:,}; "
            f"at least {demo.MINIMUM_MEMBERS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = seed_demo(members=options["members"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo organisation created: {result.groups} groups, "
                    f"{result.members:,} members in {elapsed:.1f} s."
                )
            )
        else:
            self.stdout.write(
                f"The demo organisation is already here ({result.groups} groups, "
                f"{result.members:,} members): nothing changed."
            )
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        width = max(len(login.email) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.description}")
