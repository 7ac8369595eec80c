"""Audit actions are an enum whose values are the strings the log has always stored."""

from __future__ import annotations

import pytest

from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.audit.services import record


def test_no_two_actions_share_a_stored_value():
    # A StrEnum quietly makes a second name with the same value an alias of the first; two
    # actions written as one string could not be told apart in the log.
    assert len(AuditAction.__members__) == len(list(AuditAction))


@pytest.mark.django_db
def test_an_action_is_stored_as_its_plain_string_and_found_by_it():
    record(actor=None, action=AuditAction.SCHEDULE_MEETING, subject_type="meeting", subject_id=1)
    entry = AuditEntry.objects.get(action="schedule_meeting")
    assert entry.action == "schedule_meeting"
    assert type(AuditEntry.objects.values_list("action", flat=True).get(pk=entry.pk)) is str
