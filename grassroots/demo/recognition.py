"""The demo's recognition state: every group recognised when it moved onto Grassroots, with an
AGM on record and its Data Manager's agreement accepted; then one review, so the groups the
demo leaves without a Data Manager are at risk, as they would be in life."""

from __future__ import annotations

import datetime

from django.db import transaction

from grassroots.clock import now, today
from grassroots.organisation.models import (
    AgmRecord,
    AgreementAcceptance,
    Group,
    GroupRecognition,
    GroupStatus,
    RecognitionEvent,
    Role,
    RoleAssignment,
)
from grassroots.organisation.recognition import AGREEMENT_VERSION
from grassroots.organisation.services.review import review_recognition

AGM_MONTHS_AGO = 4


def seed_demo_recognition() -> None:
    """Once per database: does nothing when any group already has a recognition state."""
    if GroupRecognition.objects.exists():
        return
    at = now()
    groups = list(Group.objects.order_by("pk"))
    with transaction.atomic():
        AgmRecord.objects.bulk_create(
            AgmRecord(
                group=g,
                held_on=today() - datetime.timedelta(days=30 * AGM_MONTHS_AGO),
                recorded_by=None,
                recorded_by_label="demo",
                recorded_at=at,
            )
            for g in groups
        )
        AgreementAcceptance.objects.bulk_create(
            AgreementAcceptance(assignment=a, version=AGREEMENT_VERSION, accepted_at=at)
            for a in RoleAssignment.objects.current().filter(role=Role.DATA_MANAGER)
        )
        GroupRecognition.objects.bulk_create(
            GroupRecognition(group=g, status=GroupStatus.RECOGNISED) for g in groups
        )
        RecognitionEvent.objects.bulk_create(
            RecognitionEvent(
                group=g,
                from_status=GroupStatus.PROVISIONAL,
                to_status=GroupStatus.RECOGNISED,
                reason="Recognised when the movement moved its records onto Grassroots.",
                decided_by_label="system",
                at=at,
            )
            for g in groups
        )
    for group in groups:
        review_recognition(group=group)
