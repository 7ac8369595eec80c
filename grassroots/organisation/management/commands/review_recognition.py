"""``manage.py review_recognition``: evaluate every group against the recognition criteria.

Run it daily (a cron line or a systemd timer); it is what moves a group at risk past its fix-by
date to suspended and sends the reminder before that. docs/recognition.md has the cron line.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from grassroots.organisation.services.review import review_all_groups


class Command(BaseCommand):
    help = "Review every group's recognition: at risk, reminders, suspension, recognised again."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = review_all_groups()
        summary = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        self.stdout.write(f"Reviewed {sum(counts.values())} groups ({summary or 'none'}).")
