"""The demo's recognition state: every group recognised when it moved onto Grassroots, with an
AGM on record and its Data Manager's agreement accepted; then one review, so the groups the
demo leaves without a Data Manager are at risk, as they would be in life.

Brought across as history through ``organisation.services.history``, the one audited way to
write recognition rows with past dates, as a movement moving its records here would."""

from __future__ import annotations

import datetime

from grassroots import clock
from grassroots.organisation.models import Group, GroupRecognition
from grassroots.organisation.services.history import import_recognition_history
from grassroots.organisation.services.review import review_recognition

AGM_MONTHS_AGO = 4


def seed_demo_recognition() -> None:
    """Once per database: does nothing when any group already has a recognition state."""
    if GroupRecognition.objects.exists():
        return
    import_recognition_history(
        actor=None,
        source="the demo movement's records",
        agms_held_on=clock.today() - datetime.timedelta(days=30 * AGM_MONTHS_AGO),
    )
    for group in Group.objects.order_by("pk"):
        review_recognition(group=group)
