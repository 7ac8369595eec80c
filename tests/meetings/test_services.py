"""The meetings use cases through their services: the journey from scheduling to published
minutes, and bad input that gets a clear error and changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, BallotStatus, QuestionKind
from grassroots.meetings import queries
from grassroots.meetings.models import (
    Amendment,
    AmendmentStatus,
    Attendance,
    Comment,
    CommentRevision,
    CommentStatus,
    Meeting,
    MeetingFormat,
    MeetingKind,
    MinutesStatus,
    Motion,
    MotionStatus,
    QuorumRule,
    Rsvp,
)
from grassroots.meetings.services.agenda import add_agenda_item
from grassroots.meetings.services.amendments import accept_amendment_as_friendly, propose_amendment
from grassroots.meetings.services.attendance import rsvp, sign_in, sign_in_member
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.debate import (
    edit_comment,
    hide_comment,
    post_comment,
    report_comment,
)
from grassroots.meetings.services.decisions import (
    record_amendment_outcome,
    record_motion_outcome,
    send_motion_to_ballot,
)
from grassroots.meetings.services.minutes import (
    approve_minutes,
    draft_minutes,
    edit_minutes,
    publish_minutes,
)
from grassroots.meetings.services.motions import rule_motion, second_motion, submit_motion
from grassroots.meetings.services.scheduling import invite_members, schedule_meeting
from grassroots.messaging.models import MailKind, Mailout
from grassroots.organisation.models import ScopeLevel
from tests.factories import MemberFactory
from tests.meetings.builders import (
    amendment_to,
    comment_on,
    group_meeting,
    make_quorate,
    motion_in,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _schedule(branch, **overrides):
    start = clock.now() + 10 * DAY
    values = dict(
        actor=branch.secretary.user,
        title="November branch meeting",
        level=ScopeLevel.GROUP,
        scope=branch.group,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        format=MeetingFormat.IN_PERSON,
        address="Trades Hall",
        motions_deadline=start - 3 * DAY,
    )
    values.update(overrides)
    return schedule_meeting(**values)


def _seconded_motion(branch):
    motion = submit_motion(
        actor=branch.mover.user,
        meeting=branch.meeting,
        title="Tenants' union",
        notes="Rents rose 11% last year.",
        believes="Everyone deserves a secure home.",
        resolves="To start a tenants' union campaign.",
        seconder_number=branch.seconder.membership_number,
    )
    return second_motion(actor=branch.seconder.user, motion=motion)


# --- scheduling ---------------------------------------------------------------------------------


def test_secretary_schedules_a_meeting_and_it_is_audited(branch):
    meeting = _schedule(branch)
    assert meeting.group == branch.group and meeting.takes_motions
    assert AuditEntry.objects.filter(action="schedule_meeting", subject_id=str(meeting.pk)).exists()


def test_plain_member_cannot_schedule(branch):
    with pytest.raises(PermissionDenied):
        _schedule(branch, actor=branch.mover.user)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)}, "future"),
        ({"address": ""}, "address"),
        ({"format": MeetingFormat.ONLINE, "online_link": ""}, "link"),
        ({"title": "  "}, "title"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_bad_meeting_gets_a_clear_error_and_nothing_is_stored(branch, overrides, message):
    before = Meeting.objects.count()
    with pytest.raises(MeetingError, match=message):
        _schedule(branch, **overrides)
    assert Meeting.objects.count() == before


def test_motions_deadline_after_the_start_is_refused(branch):
    start = clock.now() + 10 * DAY
    with pytest.raises(MeetingError, match="deadline"):
        _schedule(branch, starts_at=start, ends_at=start + DAY, motions_deadline=start + DAY)


def test_invitation_to_a_meeting_is_a_notice_to_every_member_in_scope(branch):
    MemberFactory(home_group=branch.group)  # no login, no consent: still gets the notice
    MemberFactory(home_group=branch.other_group)
    count = invite_members(
        actor=branch.secretary.user, meeting=branch.meeting, link="http://x/meetings/1/"
    )
    mailout = Mailout.objects.get()
    assert mailout.kind == MailKind.NOTICE
    assert count == mailout.recipients == queries.members_in_scope(branch.meeting).count() == 7
    branch.meeting.refresh_from_db()
    assert branch.meeting.invitations_sent_at is not None
    with pytest.raises(MeetingError, match="already"):
        invite_members(actor=branch.secretary.user, meeting=branch.meeting, link="x")
    assert Mailout.objects.count() == 1


def test_agenda_items_are_numbered_in_order(branch):
    item = add_agenda_item(
        actor=branch.secretary.user, meeting=branch.meeting, kind="aob", title="Any other business"
    )
    assert item.position == 3
    with pytest.raises(PermissionDenied):
        add_agenda_item(actor=branch.mover.user, meeting=branch.meeting, kind="aob", title="Mine")


# --- RSVP and attendance ------------------------------------------------------------------------


def test_rsvp_over_capacity_is_refused_and_nothing_changes(branch):
    stall = group_meeting(branch.group, branch.secretary, kind=MeetingKind.STALL, capacity=1)
    rsvp(actor=branch.mover.user, meeting=stall, response="going")
    with pytest.raises(MeetingError, match="full: all 1 places"):
        rsvp(actor=branch.seconder.user, meeting=stall, response="going")
    assert list(Rsvp.objects.values_list("member_id", flat=True)) == [branch.mover.pk]
    # Saying no is always possible, and frees the place.
    rsvp(actor=branch.mover.user, meeting=stall, response="not_going")
    rsvp(actor=branch.seconder.user, meeting=stall, response="going")
    assert queries.rsvp_summary(branch.seconder.user, stall).going == 1


def test_member_of_another_group_cannot_rsvp(branch):
    with pytest.raises(PermissionDenied):
        rsvp(actor=branch.outsider.user, meeting=branch.meeting, response="going")


def test_sign_in_and_quorum_against_the_body_rule(branch, clock_):
    QuorumRule.objects.create(
        level=ScopeLevel.GROUP, group=branch.group, minimum_present=2, percent_of_members=50
    )
    with pytest.raises(MeetingError, match="opens an hour before"):
        sign_in(actor=branch.mover.user, meeting=branch.meeting)
    clock_.advance(days=14, minutes=5)
    sign_in(actor=branch.mover.user, meeting=branch.meeting)
    sign_in_member(
        actor=branch.secretary.user,
        meeting=branch.meeting,
        membership_number=branch.seconder.membership_number,
    )
    check = queries.quorum(branch.meeting)
    # 6 members in good standing in the group and 50% of them: 3 are needed.
    assert (check.present, check.required, check.is_quorate) == (2, 3, False)
    for member in (branch.amender, branch.commenter):
        sign_in(actor=member.user, meeting=branch.meeting)
    assert queries.quorum(branch.meeting).is_quorate
    with pytest.raises(MeetingError, match="already signed in"):
        sign_in(actor=branch.mover.user, meeting=branch.meeting)
    with pytest.raises(MeetingError, match="No member"):
        sign_in_member(
            actor=branch.secretary.user,
            meeting=branch.meeting,
            membership_number=branch.outsider.membership_number,
        )
    assert Attendance.objects.count() == 4


# --- motions ------------------------------------------------------------------------------------


def test_motion_is_seen_by_members_only_once_seconded(branch):
    motion = submit_motion(
        actor=branch.mover.user,
        meeting=branch.meeting,
        title="Tenants' union",
        text="We resolve to start a tenants' union.",
        seconder_number=branch.seconder.membership_number,
    )
    assert motion.status == MotionStatus.AWAITING_SECONDER
    assert not queries.motions_visible_to(branch.commenter.user, branch.meeting).exists()
    assert queries.motions_visible_to(branch.secretary.user, branch.meeting).exists()
    with pytest.raises(PermissionDenied):
        second_motion(actor=branch.commenter.user, motion=motion)
    second_motion(actor=branch.seconder.user, motion=motion)
    assert queries.motions_visible_to(branch.commenter.user, branch.meeting).get() == motion


def test_structured_motion_keeps_its_headings_as_paragraphs(branch):
    motion = _seconded_motion(branch)
    assert motion.is_structured
    assert motion.paragraphs[0] == "This meeting notes:"
    assert motion.paragraphs[-1] == "To start a tenants' union campaign."


def test_motion_after_the_deadline_is_refused_and_nothing_is_stored(branch, clock_):
    clock_.advance(days=8)
    with pytest.raises(MeetingError, match="deadline for motions has passed"):
        submit_motion(
            actor=branch.mover.user,
            meeting=branch.meeting,
            title="Late",
            text="Too late.",
            seconder_number=branch.seconder.membership_number,
        )
    assert not Motion.objects.exists()


@pytest.mark.parametrize("who", ["mover", "outsider", "nobody"])
def test_seconder_must_be_another_member_in_scope(branch, who):
    number = "GR9999999" if who == "nobody" else getattr(branch, who).membership_number
    with pytest.raises(MeetingError, match="second"):
        submit_motion(
            actor=branch.mover.user,
            meeting=branch.meeting,
            title="Mine",
            text="Text.",
            seconder_number=number,
        )
    assert not Motion.objects.exists()


def test_member_of_another_group_cannot_submit(branch):
    with pytest.raises(PermissionDenied):
        submit_motion(
            actor=branch.outsider.user,
            meeting=branch.meeting,
            title="Mine",
            text="Text.",
            seconder_number=branch.seconder.membership_number,
        )


def test_ruling_out_of_order_needs_a_reason_members_see(branch):
    motion = _seconded_motion(branch)
    with pytest.raises(MeetingError, match="reason"):
        rule_motion(actor=branch.secretary.user, motion=motion, in_order=False)
    rule_motion(
        actor=branch.secretary.user,
        motion=motion,
        in_order=False,
        reason="Outside the branch's remit: national policy.",
    )
    motion.refresh_from_db()
    assert motion.status == MotionStatus.OUT_OF_ORDER
    assert motion.ruling_reason.startswith("Outside")
    with pytest.raises(PermissionDenied):
        rule_motion(actor=branch.mover.user, motion=motion, in_order=True)


# --- amendments ---------------------------------------------------------------------------------


def test_friendly_amendment_changes_the_text_and_keeps_the_history(branch):
    motion = _seconded_motion(branch)
    amendment = propose_amendment(
        actor=branch.amender.user,
        motion=motion,
        kind="replace",
        paragraph=len(motion.paragraphs),
        new_text="To start a tenants' union campaign with the trades council.",
    )
    diff = queries.amendment_diff(amendment)
    changed = [p for p in diff if p.op == "replace"]
    assert [piece.text for piece in changed[0].pieces if piece.op == "insert"] == [
        "campaign with the trades council."
    ]
    with pytest.raises(PermissionDenied):
        accept_amendment_as_friendly(actor=branch.amender.user, amendment=amendment)
    accept_amendment_as_friendly(actor=branch.mover.user, amendment=amendment)
    motion.refresh_from_db()
    assert motion.text.endswith("with the trades council.")
    assert motion.original_text.endswith("union campaign.")
    assert [r.note for r in motion.revisions.all()] == [
        "Submitted",
        "Amendment 1 accepted as friendly",
    ]


def test_amendment_to_a_paragraph_that_does_not_exist_is_refused(branch):
    motion = _seconded_motion(branch)
    with pytest.raises(MeetingError, match="no paragraph 99"):
        propose_amendment(actor=branch.amender.user, motion=motion, kind="delete", paragraph=99)
    assert not Amendment.objects.exists()


def test_amendment_to_a_closed_motion_is_refused_and_nothing_is_stored(branch):
    motion = _seconded_motion(branch)
    rule_motion(actor=branch.secretary.user, motion=motion, in_order=False, reason="Not competent.")
    with pytest.raises(MeetingError, match="closed"):
        propose_amendment(actor=branch.amender.user, motion=motion, kind="delete", paragraph=1)
    assert not Amendment.objects.exists()


# --- debate -------------------------------------------------------------------------------------


def test_threaded_comments_edit_history_report_and_moderation(branch):
    motion = _seconded_motion(branch)
    first = post_comment(actor=branch.commenter.user, motion=motion, body="Yes!")
    reply = post_comment(actor=branch.amender.user, motion=motion, body="Why?", parent=first)
    post_comment(actor=branch.mover.user, motion=motion, body="Later point.")
    thread = queries.debate_thread(motion)
    assert [(t.comment.pk, t.depth) for t in thread][:2] == [(first.pk, 0), (reply.pk, 1)]

    edit_comment(actor=branch.commenter.user, comment=first, body="Yes, strongly.")
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["Yes!"]
    with pytest.raises(PermissionDenied):
        edit_comment(actor=branch.amender.user, comment=first, body="Hijack")

    report_comment(actor=branch.amender.user, comment=first, reason="Off topic")
    with pytest.raises(MeetingError, match="already reported"):
        report_comment(actor=branch.amender.user, comment=first, reason="Again")
    with pytest.raises(PermissionDenied):
        hide_comment(actor=branch.mover.user, comment=first, reason="I dislike it")
    hide_comment(
        actor=branch.secretary.user, comment=first, reason="Personal remarks about a member"
    )
    first.refresh_from_db()
    assert first.status == CommentStatus.HIDDEN
    assert first.reports.get().resolved_at is not None
    entry = AuditEntry.objects.get(action="hide_comment")
    assert entry.detail["reason"] == "Personal remarks about a member"
    assert entry.actor == branch.secretary.user


def test_comment_on_a_closed_debate_is_refused(branch, clock_):
    motion = _seconded_motion(branch)
    clock_.advance(days=14, minutes=1)
    make_quorate(branch.meeting, _three(branch), by=branch.secretary)
    record_motion_outcome(actor=branch.chair.user, motion=motion, result="fallen")
    with pytest.raises(MeetingError, match="debate on this motion is closed"):
        post_comment(actor=branch.commenter.user, motion=motion, body="Too late")
    assert not Comment.objects.exists()


def test_outsider_cannot_comment(branch):
    motion = _seconded_motion(branch)
    with pytest.raises(PermissionDenied):
        post_comment(actor=branch.outsider.user, motion=motion, body="Hello")


def _three(branch):
    return [branch.mover, branch.seconder, branch.amender]


# --- at the meeting -----------------------------------------------------------------------------


def test_chair_records_amendment_then_motion_carried(branch, clock_):
    motion = _seconded_motion(branch)
    amendment = propose_amendment(
        actor=branch.amender.user,
        motion=motion,
        kind="insert",
        paragraph=len(motion.paragraphs),
        new_text="To report back to the next meeting.",
    )
    with pytest.raises(MeetingError, match="once it has started"):
        record_amendment_outcome(actor=branch.chair.user, amendment=amendment, result="carried")
    clock_.advance(days=14, minutes=1)
    make_quorate(branch.meeting, _three(branch), by=branch.secretary)
    with pytest.raises(PermissionDenied):
        record_amendment_outcome(actor=branch.secretary.user, amendment=amendment, result="carried")
    with pytest.raises(MeetingError, match="outstanding amendment"):
        record_motion_outcome(actor=branch.chair.user, motion=motion, result="carried")
    record_amendment_outcome(
        actor=branch.chair.user,
        amendment=amendment,
        result="carried",
        votes_for=12,
        votes_against=3,
        votes_abstain=1,
    )
    motion.refresh_from_db()
    assert motion.text.endswith("To report back to the next meeting.")
    outcome = record_motion_outcome(
        actor=branch.chair.user, motion=motion, result="carried", votes_for=15, votes_against=1
    )
    motion.refresh_from_db()
    assert motion.status == MotionStatus.CARRIED and motion.debate_closed_at is not None
    assert outcome.votes_for == 15
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.CARRIED
    with pytest.raises(MeetingError, match="already carried"):
        record_motion_outcome(actor=branch.chair.user, motion=motion, result="fallen")


def test_outcome_of_an_amendment_to_a_decided_motion_is_refused(branch, clock_):
    motion = _seconded_motion(branch)
    amendment = amendment_to(motion, branch.amender)
    clock_.advance(days=14, minutes=1)
    make_quorate(branch.meeting, _three(branch), by=branch.secretary)
    record_motion_outcome(actor=branch.chair.user, motion=motion, result="withdrawn")
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.FALLEN
    with pytest.raises(MeetingError):
        record_amendment_outcome(actor=branch.chair.user, amendment=amendment, result="carried")


def test_chair_sends_a_motion_to_a_draft_yes_no_ballot(branch, clock_):
    motion = _seconded_motion(branch)
    clock_.advance(days=14, minutes=1)
    make_quorate(branch.meeting, _three(branch), by=branch.secretary)
    opens = clock.now() + DAY
    send_motion_to_ballot(
        actor=branch.chair.user, motion=motion, opens_at=opens, closes_at=opens + 7 * DAY
    )
    motion.refresh_from_db()
    ballot = Ballot.objects.get()
    assert motion.status == MotionStatus.SENT_TO_BALLOT and motion.ballot == ballot
    assert ballot.status == BallotStatus.DRAFT and ballot.group == branch.group
    assert ballot.returning_officer == branch.chair
    assert [q.kind for q in ballot.questions.all()] == [QuestionKind.YESNO]


def test_ballot_closing_before_it_opens_creates_nothing(branch, clock_):
    motion = _seconded_motion(branch)
    clock_.advance(days=14, minutes=1)
    make_quorate(branch.meeting, _three(branch), by=branch.secretary)
    opens = clock.now() + DAY
    with pytest.raises(MeetingError, match="close after it opens"):
        send_motion_to_ballot(
            actor=branch.chair.user, motion=motion, opens_at=opens, closes_at=opens
        )
    assert not Ballot.objects.exists()


# --- minutes ------------------------------------------------------------------------------------


def test_minutes_drafted_edited_approved_at_the_next_meeting_and_published(branch, clock_):
    motion = _seconded_motion(branch)
    next_meeting = group_meeting(branch.group, branch.secretary, starts_in=40 * DAY)
    clock_.advance(days=14, minutes=1)
    sign_in(actor=branch.mover.user, meeting=branch.meeting)
    make_quorate(branch.meeting, _three(branch), by=branch.secretary)
    record_motion_outcome(
        actor=branch.chair.user, motion=motion, result="carried", votes_for=9, votes_against=2
    )
    minutes = draft_minutes(actor=branch.secretary.user, meeting=branch.meeting)
    assert "Motion 1: Tenants' union" in minutes.text
    assert "carried (9 for, 2 against, 0 abstaining)" in minutes.text
    assert queries.minutes_for(branch.mover.user, branch.meeting) is None  # a draft
    edit_minutes(
        actor=branch.secretary.user, minutes=minutes, text=minutes.text + "\nMeeting closed 9pm."
    )
    assert minutes.revisions.count() == 2
    with pytest.raises(MeetingError, match="once it has started"):
        approve_minutes(actor=branch.secretary.user, minutes=minutes, at_meeting=next_meeting)
    with pytest.raises(MeetingError, match="approved them"):
        publish_minutes(actor=branch.secretary.user, minutes=minutes)
    clock_.advance(days=26)
    approve_minutes(actor=branch.secretary.user, minutes=minutes, at_meeting=next_meeting)
    with pytest.raises(MeetingError, match="cannot be edited"):
        edit_minutes(actor=branch.secretary.user, minutes=minutes, text="Rewritten")
    publish_minutes(actor=branch.secretary.user, minutes=minutes)
    published = queries.minutes_for(branch.mover.user, branch.meeting)
    assert published is not None and published.status == MinutesStatus.PUBLISHED
    assert published.text.endswith("Meeting closed 9pm.")


def test_members_see_meetings_of_their_group_area_region_and_nation_only(branch):
    area = branch.group.area
    area_meeting = Meeting.objects.create(
        title="Area meeting",
        level=ScopeLevel.AREA,
        area=area,
        starts_at=clock.now() + DAY,
        ends_at=clock.now() + 2 * DAY,
        created_by=branch.secretary,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    national = Meeting.objects.create(
        title="National conference",
        level=ScopeLevel.NATION,
        starts_at=clock.now() + DAY,
        ends_at=clock.now() + 2 * DAY,
        created_by=branch.secretary,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    seen = set(queries.meetings_visible_to(branch.mover.user))
    assert seen == {branch.meeting, area_meeting, national}
    assert set(queries.meetings_visible_to(branch.outsider.user)) == {national}


def test_comment_builder_threads(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    parent = comment_on(motion, branch.commenter)
    comment_on(motion, branch.mover, parent=parent)
    assert [t.depth for t in queries.debate_thread(motion)] == [0, 1]
