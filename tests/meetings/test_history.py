"""Recording a meeting held before it was recorded here: the one audited way to write a meeting,
its outcomes and its minutes with past dates (meetings.services.history)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.meetings.models import (
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
    MotionStatus,
    OutcomeResult,
)
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.history import PastMotion, record_past_meeting
from grassroots.organisation.models import ScopeLevel
from tests.meetings.conftest import Branch

pytestmark = pytest.mark.django_db

TITLE = "Leeds Central AGM 2024"


def _record(branch: Branch, **changes: object) -> Meeting:
    held = clock.now() - datetime.timedelta(days=200)
    values: dict[str, object] = {
        "actor": branch.chair.user,
        "source": "the branch's signed paper minutes",
        "title": TITLE,
        "level": ScopeLevel.GROUP,
        "scope": branch.group,
        "starts_at": held,
        "ends_at": held + datetime.timedelta(hours=2),
        "address": "Leeds Trades Club",
        "minutes": "Present: 30 members. Motion 1 carried.",
        "motions": [
            PastMotion(
                title="Support the bus drivers",
                text="To join their picket lines.",
                proposer=branch.mover,
                seconder=branch.seconder,
                result=OutcomeResult.CARRIED,
                votes_for=25,
                votes_against=3,
                votes_abstain=2,
            )
        ],
    }
    values.update(changes)
    return record_past_meeting(**values)  # type: ignore[arg-type]


def test_a_past_meeting_is_recorded_held_with_its_outcome_and_published_minutes(branch):
    meeting = _record(branch)

    assert meeting.status == MeetingStatus.HELD
    assert meeting.starts_at < clock.now() - datetime.timedelta(days=199)
    motion = meeting.motions.get()
    assert motion.status == MotionStatus.CARRIED
    assert (motion.proposer, motion.seconder) == (branch.mover, branch.seconder)
    outcome = meeting.outcomes.get(motion=motion)
    assert (outcome.votes_for, outcome.votes_against, outcome.votes_abstain) == (25, 3, 2)
    assert outcome.recorded_by == branch.chair
    assert meeting.minutes.status == MinutesStatus.PUBLISHED
    assert meeting.minutes.text == "Present: 30 members. Motion 1 carried."


def test_the_audit_row_says_it_was_recorded_after_the_fact_and_from_what(branch):
    meeting = _record(branch)

    entry = AuditEntry.objects.get(action=AuditAction.RECORD_PAST_MEETING)
    assert entry.subject_id == str(meeting.pk)
    assert entry.actor == branch.chair.user
    assert entry.detail["source"] == "the branch's signed paper minutes"
    assert entry.detail["held"] == meeting.starts_at.isoformat()
    assert entry.detail["motions"] == 1


def test_a_meeting_that_has_not_yet_ended_is_refused_and_nothing_is_stored(branch):
    soon = clock.now() - datetime.timedelta(minutes=30)
    with pytest.raises(MeetingError, match="already ended"):
        _record(branch, starts_at=soon, ends_at=soon + datetime.timedelta(hours=2))

    assert not Meeting.objects.filter(title=TITLE).exists()
    assert not AuditEntry.objects.filter(action=AuditAction.RECORD_PAST_MEETING).exists()


def test_someone_who_does_not_run_the_bodys_meetings_cannot_record_one(branch):
    with pytest.raises(PermissionDenied):
        _record(branch, actor=branch.mover.user)

    assert not Meeting.objects.filter(title=TITLE).exists()


def test_the_source_of_the_record_is_required(branch):
    with pytest.raises(MeetingError, match="source"):
        _record(branch, source="  ")

    assert not Meeting.objects.filter(title=TITLE).exists()


def test_a_declared_result_the_figures_contradict_is_refused(branch):
    wrong = PastMotion(
        title="Support the bus drivers",
        text="To join their picket lines.",
        proposer=branch.mover,
        seconder=branch.seconder,
        result=OutcomeResult.CARRIED,
        votes_for=2,
        votes_against=25,
    )
    with pytest.raises(MeetingError, match="Nothing has been recorded"):
        _record(branch, motions=[wrong])

    assert not Meeting.objects.filter(title=TITLE).exists()


def test_a_motion_seconded_by_its_own_mover_is_refused(branch):
    same = PastMotion(
        title="Support the bus drivers",
        text="To join their picket lines.",
        proposer=branch.mover,
        seconder=branch.mover,
        result=OutcomeResult.FALLEN,
    )
    with pytest.raises(MeetingError, match="another member"):
        _record(branch, motions=[same])


def test_a_past_meeting_with_no_minutes_to_bring_is_recorded_without_any(branch):
    meeting = _record(branch, minutes="", motions=[])

    assert meeting.status == MeetingStatus.HELD
    assert not Minutes.objects.filter(meeting=meeting).exists()
    assert AuditEntry.objects.get(action=AuditAction.RECORD_PAST_MEETING).detail["motions"] == 0
