"""Bringing a movement's recognition history across: the one audited way to write recognition
rows with past dates (organisation.services.history)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import (
    AgmRecord,
    AgreementAcceptance,
    Group,
    GroupRecognition,
    GroupStatus,
    RecognitionEvent,
    Role,
)
from grassroots.organisation.services.common import RecognitionError
from grassroots.organisation.services.history import import_recognition_history
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db

SOURCE = "the movement's 2024 register of groups"


def _held() -> datetime.date:
    return clock.today() - datetime.timedelta(days=120)


def test_every_group_without_a_state_arrives_recognised_with_its_agm_and_agreement():
    group = GroupFactory()
    data_manager = RoleFactory(role=Role.DATA_MANAGER, group=group)

    groups = Group.objects.count()  # the Data Manager's home group is another

    assert import_recognition_history(actor=None, source=SOURCE, agms_held_on=_held()) == groups

    assert GroupRecognition.objects.get(group=group).status == GroupStatus.RECOGNISED
    assert AgmRecord.objects.get(group=group).held_on == _held()
    assert AgreementAcceptance.objects.filter(assignment=data_manager).exists()
    event = RecognitionEvent.objects.get(group=group)
    assert event.to_status == GroupStatus.RECOGNISED
    assert SOURCE in event.reason
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT_RECOGNITION_HISTORY)
    assert entry.purpose == SOURCE
    assert entry.detail == {"groups": groups, "agms_held_on": _held().isoformat()}


def test_groups_that_already_have_a_state_are_left_alone_and_a_second_run_adds_nothing():
    GroupFactory()
    import_recognition_history(actor=None, source=SOURCE, agms_held_on=_held())

    assert import_recognition_history(actor=None, source=SOURCE, agms_held_on=_held()) == 0
    assert AgmRecord.objects.count() == Group.objects.count()
    assert AuditEntry.objects.filter(action=AuditAction.IMPORT_RECOGNITION_HISTORY).count() == 1


def test_an_agm_in_the_future_is_refused_and_nothing_is_stored():
    GroupFactory()
    with pytest.raises(RecognitionError, match="once it has been held"):
        import_recognition_history(
            actor=None, source=SOURCE, agms_held_on=clock.today() + datetime.timedelta(days=1)
        )

    assert not GroupRecognition.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT_RECOGNITION_HISTORY).exists()


def test_the_source_is_required():
    GroupFactory()
    with pytest.raises(RecognitionError, match="comes from"):
        import_recognition_history(actor=None, source="  ", agms_held_on=_held())

    assert not GroupRecognition.objects.exists()


def test_only_the_national_office_brings_history_across():
    GroupFactory()
    member = MemberWithLoginFactory()
    with pytest.raises(PermissionDenied):
        import_recognition_history(actor=member.user, source=SOURCE, agms_held_on=_held())

    national = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    assert import_recognition_history(actor=national, source=SOURCE, agms_held_on=_held()) >= 1
    assert AgmRecord.objects.filter(recorded_by=national).exists()
