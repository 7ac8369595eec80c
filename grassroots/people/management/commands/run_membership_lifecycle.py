"""``manage.py run_membership_lifecycle``: the nightly membership steps, in order: renewal
reminders, suspensions whose last day has passed, and the lapse of memberships not renewed
within the grace period (docs/organisation.md). Run it daily with the other daily commands
(deploy/systemd/grassroots-daily.service)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from grassroots.people.discipline import end_due_suspensions
from grassroots.people.lifecycle import lapse_overdue, send_renewal_reminders


class Command(BaseCommand):
    help = "Send renewal reminders, end suspensions that are over, lapse unrenewed memberships."

    def handle(self, *args: Any, **options: Any) -> None:
        reminded = send_renewal_reminders()
        reinstated = end_due_suspensions()
        lapsed = lapse_overdue()
        self.stdout.write(f"Reminded {reminded}, reinstated {reinstated}, lapsed {lapsed} members.")
