"""Issue 17: no outcome while the meeting is not quorate (unless the chair overrides, with a
reason the minutes show), and no outcome its own figures contradict."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot
from grassroots.meetings.models import AmendmentStatus, MotionStatus, Outcome
from grassroots.meetings.services.common import MeetingError
from grassroots.meetings.services.decisions import (
    record_amendment_outcome,
    record_motion_outcome,
    send_motion_to_ballot,
)
from grassroots.meetings.services.minutes import draft_minutes
from grassroots.tally.declared import contradiction, meets_threshold
from tests.meetings.builders import amendment_to, make_quorate, motion_in
from tests.web.roles import give_authenticator_app


def _started_motion(branch, clock_):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    clock_.advance(days=14, minutes=1)
    return motion


def test_outcome_while_not_quorate_is_refused_and_nothing_changes(branch, clock_):
    motion = _started_motion(branch, clock_)
    with pytest.raises(MeetingError, match=r"not quorate \(0 signed in, 3 needed\)"):
        record_motion_outcome(actor=branch.chair.user, motion=motion, result="carried")
    motion.refresh_from_db()
    assert motion.status != MotionStatus.CARRIED
    assert not Outcome.objects.exists()


def test_withdrawal_needs_no_quorum(branch, clock_):
    motion = _started_motion(branch, clock_)
    record_motion_outcome(actor=branch.chair.user, motion=motion, result="withdrawn")
    assert Outcome.objects.get().quorum_override == ""


def test_chair_overrides_the_quorum_with_a_reason_shown_in_the_minutes(branch, clock_):
    motion = _started_motion(branch, clock_)
    outcome = record_motion_outcome(
        actor=branch.chair.user,
        motion=motion,
        result="carried",
        votes_for=2,
        votes_against=0,
        quorum_override="Snow closed the roads; the members present agreed to go on",
    )
    assert outcome.quorum_override.startswith("Snow closed the roads")
    minutes = draft_minutes(actor=branch.secretary.user, meeting=branch.meeting)
    assert "not quorate: the chair overrode the quorum because Snow closed the roads" in (
        minutes.text
    )


def _send(branch, motion, **extra):
    opens = clock.now() + datetime.timedelta(days=1)
    return send_motion_to_ballot(
        actor=branch.chair.user,
        motion=motion,
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=7),
        **extra,
    )


def test_motion_sent_to_a_ballot_while_not_quorate_is_refused_and_nothing_changes(branch, clock_):
    motion = _started_motion(branch, clock_)
    with pytest.raises(
        MeetingError,
        match=r"not quorate \(0 signed in, 3 needed\): a motion cannot be sent to a ballot",
    ):
        _send(branch, motion)
    motion.refresh_from_db()
    assert motion.status != MotionStatus.SENT_TO_BALLOT and motion.ballot_id is None
    assert not Ballot.objects.exists() and not Outcome.objects.exists()


def test_chair_sends_a_motion_to_a_ballot_without_a_quorum_giving_a_reason_the_minutes_show(
    branch, clock_
):
    motion = _started_motion(branch, clock_)
    outcome = _send(branch, motion, quorum_override="The hall flooded; members agreed a ballot")
    assert outcome.result == "sent_to_ballot"
    assert outcome.quorum_override == "The hall flooded; members agreed a ballot"
    entry = AuditEntry.objects.get(action="send_motion_to_ballot")
    assert entry.detail["quorum_override"] == "The hall flooded; members agreed a ballot"
    minutes = draft_minutes(actor=branch.secretary.user, meeting=branch.meeting)
    assert (
        "not quorate: the chair overrode the quorum because The hall flooded; members agreed "
        "a ballot"
    ) in minutes.text


def test_motion_sent_to_a_ballot_when_quorate_keeps_no_override(branch, clock_):
    motion = _started_motion(branch, clock_)
    make_quorate(
        branch.meeting, [branch.mover, branch.seconder, branch.amender], by=branch.secretary
    )
    assert _send(branch, motion, quorum_override="not needed").quorum_override == ""


def test_send_to_ballot_page_asks_for_the_reason_while_not_quorate(branch, clock_, client):
    give_authenticator_app(branch.chair.user)  # officers log in with a second factor
    motion = _started_motion(branch, clock_)
    client.force_login(branch.chair.user)
    url = f"/meetings/{branch.meeting.pk}/motions/{motion.pk}/ballot/"
    page = client.get(url)
    assert "Not quorate? Why the meeting goes on" in page.content.decode()
    opens = clock.now() + datetime.timedelta(days=1)
    form = {
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "a motion cannot be sent to a ballot unless the chair overrides" in (
        refused.content.decode()
    )
    assert not Ballot.objects.exists()
    sent = client.post(url, {**form, "quorum_override": "Members online agreed"})
    assert sent.status_code == 302
    assert Outcome.objects.get().quorum_override == "Members online agreed"


def test_override_is_not_kept_when_the_meeting_is_quorate(branch, clock_):
    motion = _started_motion(branch, clock_)
    make_quorate(
        branch.meeting, [branch.mover, branch.seconder, branch.amender], by=branch.secretary
    )
    outcome = record_motion_outcome(
        actor=branch.chair.user, motion=motion, result="fallen", quorum_override="no need"
    )
    assert outcome.quorum_override == ""


def test_carried_with_more_against_than_for_is_refused(branch, clock_):
    motion = _started_motion(branch, clock_)
    make_quorate(
        branch.meeting, [branch.mover, branch.seconder, branch.amender], by=branch.secretary
    )
    with pytest.raises(MeetingError, match="Carried with 2 for and 30 against contradicts"):
        record_motion_outcome(
            actor=branch.chair.user,
            motion=motion,
            result="carried",
            votes_for=2,
            votes_against=30,
        )
    assert not Outcome.objects.exists()
    motion.refresh_from_db()
    assert motion.status != MotionStatus.CARRIED


def test_two_thirds_rule_lets_a_majority_fall_but_not_a_minority_carry(branch, clock_):
    motion = _started_motion(branch, clock_)
    amendment = amendment_to(motion, branch.amender)
    make_quorate(
        branch.meeting, [branch.mover, branch.seconder, branch.amender], by=branch.secretary
    )
    with pytest.raises(MeetingError, match="Fallen with 12 for and 8 against"):
        record_amendment_outcome(
            actor=branch.chair.user,
            amendment=amendment,
            result="fallen",
            votes_for=12,
            votes_against=8,
        )
    record_amendment_outcome(
        actor=branch.chair.user,
        amendment=amendment,
        result="fallen",
        votes_for=12,
        votes_against=8,
        majority="two-thirds",
    )
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.FALLEN
    with pytest.raises(MeetingError, match="needed a two-thirds majority"):
        record_motion_outcome(
            actor=branch.chair.user,
            motion=motion,
            result="carried",
            votes_for=12,
            votes_against=8,
            majority="two-thirds",
        )


def test_tie_is_left_to_the_chairs_casting_vote(branch, clock_):
    motion = _started_motion(branch, clock_)
    make_quorate(
        branch.meeting, [branch.mover, branch.seconder, branch.amender], by=branch.secretary
    )
    record_motion_outcome(
        actor=branch.chair.user, motion=motion, result="carried", votes_for=5, votes_against=5
    )


@given(
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.sampled_from(["majority", "two-thirds"]),
)
def test_exactly_one_declaration_fits_any_figures_but_a_tie(votes_for, votes_against, threshold):
    carried = contradiction(
        carried=True, votes_for=votes_for, votes_against=votes_against, threshold=threshold
    )
    fallen = contradiction(
        carried=False, votes_for=votes_for, votes_against=votes_against, threshold=threshold
    )
    if votes_for == votes_against:
        assert carried is None and fallen is None
    else:
        assert (carried is None) != (fallen is None)
        assert (carried is None) == meets_threshold(votes_for, votes_against, threshold)


def test_weighted_figures_compare_exactly():
    assert (
        contradiction(carried=True, votes_for=Fraction(201, 3), votes_against=Fraction(200, 3))
        is None
    )
    assert "more voted against" in (
        contradiction(carried=True, votes_for=Fraction(200, 3), votes_against=Fraction(201, 3))
        or ""
    )
