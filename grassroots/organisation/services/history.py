"""Bringing a movement's recognition history onto Grassroots: the one way recognition rows are
written with past dates.

A movement that moves its records here already has recognised groups, AGMs held and Data
Managers who signed the agreement on paper. The everyday services record each of those as it
happens (``record_agm``, ``accept_agreement``, ``review_group``); this entry point records the
state the movement arrives with, for every group that has none yet, asks where the record comes
from, and writes one ``IMPORT_RECOGNITION_HISTORY`` audit row with that source, so imported
standing is always told apart from standing earned here. The demo arrives this way too.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
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
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.organisation.recognition import AGREEMENT_VERSION
from grassroots.organisation.services.common import RecognitionError, actor_label

SOURCE_MAX = 2_000


@transaction.atomic(durable=True)
def import_recognition_history(
    *, actor: User | None, source: str, agms_held_on: datetime.date
) -> int:
    """Record every group without a recognition state as recognised, as the movement's records
    say it was, with an AGM held on ``agms_held_on`` and its serving Data Managers' agreement
    accepted; returns how many groups. ``actor`` None is the system (the import command, the
    demo); a person needs the national power to manage recognition. Groups already with a
    state are left alone, so running it twice records nothing new. Run the review afterwards
    (``review_recognition``) to apply today's criteria."""
    if actor is not None and not may(actor, Capability.MANAGE_RECOGNITION, NATION):
        raise PermissionDenied(
            gettext("Only the national office brings recognition history across.")
        )
    source = source.strip()
    if not source:
        raise RecognitionError(gettext("Say where the recognition history comes from."))
    if len(source) > SOURCE_MAX:
        raise RecognitionError(
            gettext("Keep the source under %(SOURCE_MAX)s characters.")
            % {"SOURCE_MAX": format(SOURCE_MAX, ",")}
        )
    if agms_held_on > clock.today():
        raise RecognitionError(gettext("An AGM is brought across once it has been held."))
    at = clock.now()
    groups = list(
        Group.objects.filter(recognition__isnull=True)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not groups:
        return 0
    label = actor_label(actor)
    AgmRecord.objects.bulk_create(
        AgmRecord(
            group=g,
            held_on=agms_held_on,
            recorded_by=actor,
            recorded_by_label=label,
            recorded_at=at,
        )
        for g in groups
    )
    AgreementAcceptance.objects.bulk_create(
        (
            AgreementAcceptance(assignment=a, version=AGREEMENT_VERSION, accepted_at=at)
            for a in RoleAssignment.objects.current().filter(
                role=Role.DATA_MANAGER, group__in=groups
            )
        ),
        ignore_conflicts=True,
    )
    GroupRecognition.objects.bulk_create(
        GroupRecognition(group=g, status=GroupStatus.RECOGNISED) for g in groups
    )
    RecognitionEvent.objects.bulk_create(
        RecognitionEvent(
            group=g,
            from_status=GroupStatus.PROVISIONAL,
            to_status=GroupStatus.RECOGNISED,
            reason=f"Recognised when the movement brought its records across ({source}).",
            decided_by_label=label,
            at=at,
        )
        for g in groups
    )
    record(
        actor=actor,
        action=AuditAction.IMPORT_RECOGNITION_HISTORY,
        subject_type="organisation",
        purpose=source,
        detail={"groups": len(groups), "agms_held_on": agms_held_on.isoformat()},
    )
    return len(groups)
