"""A motion sent to a ballot of members gets the ballot's result when it is published."""

from __future__ import annotations

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.ballots import results as ballot_results
from grassroots.ballots.models import BallotStatus
from grassroots.ballots.scheduler import run_tick
from grassroots.ballots.services.publishing import publish_results
from grassroots.delegation.queries import forwardable_motions
from grassroots.meetings.models import BallotResult, MinutesStatus, MotionStatus
from grassroots.meetings.services.decisions import record_ballot_result
from grassroots.meetings.services.minutes import (
    approve_minutes,
    draft_minutes,
    draft_text,
    publish_minutes,
)
from grassroots.meetings.services.motions import second_motion, submit_motion
from tests.factories import MemberWithLoginFactory
from tests.meetings.ballot_flow import DAY, send_to_ballot, vote_and_publish
from tests.meetings.builders import group_meeting
from tests.web.roles import give_authenticator_app


def _motion(branch):
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


def _tellers(branch):
    return [branch.secretary, branch.amender, branch.commenter]


def _sent(branch, clock_):
    motion = _motion(branch)
    clock_.advance(days=14, minutes=1)
    ballot = send_to_ballot(motion, branch.chair, _tellers(branch))
    return motion, ballot


def _votes(branch, yes, no, abstain=0):
    people = [branch.mover, branch.seconder, branch.amender, branch.commenter, branch.secretary]
    people += [MemberWithLoginFactory(home_group=branch.group) for _ in range(10)]
    choices = ["Yes"] * yes + ["No"] * no + ["Abstain"] * abstain
    return list(zip(people, choices, strict=False))


def test_carried_ballot_carries_the_motion_with_its_figures_and_link(branch, clock_):
    motion, ballot = _sent(branch, clock_)
    ballot = vote_and_publish(
        ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 5, 2, 1)
    )
    motion.refresh_from_db()
    assert motion.status == MotionStatus.CARRIED
    found = BallotResult.objects.get(motion=motion)
    assert (found.result, found.votes_yes, found.votes_no, found.votes_abstain) == (
        "carried",
        5,
        2,
        1,
    )
    assert found.ballot == ballot and found.published_at == ballot.published_at
    assert not found.is_addendum
    assert ballot.result_delivered_at is not None and ballot.result_delivery_error == ""
    # Forwardable like a motion carried at the meeting.
    assert motion in forwardable_motions(branch.secretary.user)
    entry = AuditEntry.objects.get(action="record_ballot_result")
    assert entry.detail["result"] == "carried" and entry.detail["votes"] == [5, 2, 1]


def test_fallen_ballot_fails_the_motion_and_it_cannot_be_forwarded(branch, clock_):
    motion, ballot = _sent(branch, clock_)
    vote_and_publish(ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 2, 3))
    motion.refresh_from_db()
    assert motion.status == MotionStatus.FALLEN
    found = BallotResult.objects.get(motion=motion)
    assert (found.result, found.votes_yes, found.votes_no) == ("fallen", 2, 3)
    assert motion not in forwardable_motions(branch.secretary.user)


def test_draft_minutes_get_the_result_and_minutes_drafted_later_include_it(branch, clock_):
    motion, ballot = _sent(branch, clock_)
    minutes = draft_minutes(actor=branch.secretary.user, meeting=branch.meeting)
    assert "Sent to a ballot of members" in minutes.text
    ballot = vote_and_publish(ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 4, 1))
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.DRAFT
    link = f"/ballots/{ballot.pk}/results/"
    assert "Carried by a ballot of members (4 yes, 1 no, 0 abstaining)" in minutes.text
    assert link in minutes.text
    assert minutes.revisions.count() == 2  # the draft, then the result written in
    assert not BallotResult.objects.get(motion=motion).is_addendum
    # A fresh draft (the text drafted from what is recorded) carries it too.
    assert link in draft_text(branch.meeting)


def test_result_after_approved_minutes_is_an_addendum_and_leaves_their_text(branch, clock_):
    motion, ballot = _sent(branch, clock_)
    next_meeting = group_meeting(branch.group, branch.secretary, starts_in=2 * DAY, deadline_in=DAY)
    minutes = draft_minutes(actor=branch.secretary.user, meeting=branch.meeting)
    clock_.advance(days=3)
    approve_minutes(actor=branch.secretary.user, minutes=minutes, at_meeting=next_meeting)
    approved_text = minutes.text
    vote_and_publish(ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 1, 4))
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED and minutes.text == approved_text
    found = BallotResult.objects.get(motion=motion)
    assert found.is_addendum and found.result == "fallen"


def test_a_failing_write_back_keeps_the_publication_writes_nothing_and_is_retried(
    branch, clock_, monkeypatch, client
):
    motion, ballot = _sent(branch, clock_)
    minutes = draft_minutes(actor=branch.secretary.user, meeting=branch.meeting)

    def broken(found_ballot):
        # The motion is changed, then the handler fails: none of it may stay.
        record_ballot_result(found_ballot)
        raise RuntimeError("the minutes table is locked")

    monkeypatch.setitem(ballot_results._handlers, "meetings.motion", broken)
    ballot = vote_and_publish(ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 3, 1))
    assert ballot.status == BallotStatus.PUBLISHED and ballot.published_at is not None
    assert ballot.result_delivered_at is None
    assert "the minutes table is locked" in ballot.result_delivery_error
    motion.refresh_from_db()
    minutes.refresh_from_db()
    assert motion.status == MotionStatus.SENT_TO_BALLOT
    assert not BallotResult.objects.exists() and minutes.revisions.count() == 1
    # Its returning officer sees why on the ballot's page.
    give_authenticator_app(branch.chair.user)
    client.force_login(branch.chair.user)
    page = client.get(f"/ballots/{ballot.pk}/").content.decode()
    assert 'id="result-delivery-error"' in page and "the minutes table is locked" in page
    # Fixed, the next scheduler tick delivers it, once.
    monkeypatch.setitem(ballot_results._handlers, "meetings.motion", record_ballot_result)
    assert f"delivered the result of {ballot.election_id}" in run_tick()
    assert not any("delivered" in line for line in run_tick())
    motion.refresh_from_db()
    ballot.refresh_from_db()
    assert motion.status == MotionStatus.CARRIED and ballot.result_delivery_error == ""
    assert BallotResult.objects.get().votes_yes == 3
    minutes.refresh_from_db()
    assert minutes.revisions.count() == 2


def test_writing_back_twice_changes_nothing(branch, clock_):
    _motion, ballot = _sent(branch, clock_)
    ballot = vote_and_publish(ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 3, 0))
    assert record_ballot_result(ballot) is None
    assert BallotResult.objects.count() == 1
    assert AuditEntry.objects.filter(action="record_ballot_result").count() == 1


def test_a_ballot_no_motion_was_sent_to_is_delivered_without_writing(branch, clock_):
    motion, ballot = _sent(branch, clock_)
    # Another ballot of the same group, not from a motion.
    motion.ballot = None
    motion.save(update_fields=["ballot"])
    ballot = vote_and_publish(ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 3, 0))
    assert ballot.result_delivered_at is not None
    assert not BallotResult.objects.exists()


def test_counted_but_unpublished_result_is_not_written_back(branch, clock_):
    motion, ballot = _sent(branch, clock_)
    ballot = vote_and_publish(
        ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 3, 0), publish=False
    )
    assert ballot.status == BallotStatus.COUNTED
    run_tick()
    motion.refresh_from_db()
    assert motion.status == MotionStatus.SENT_TO_BALLOT
    with pytest.raises(ballot_results.NoYesNoResult):
        ballot_results.yes_no_result(ballot)
    publish_results(actor=branch.chair.user, ballot=ballot)
    motion.refresh_from_db()
    assert motion.status == MotionStatus.CARRIED


def test_motion_page_and_minutes_page_show_the_result(branch, clock_, client):
    motion, ballot = _sent(branch, clock_)
    url = f"/meetings/{branch.meeting.pk}/motions/{motion.pk}/"
    client.force_login(branch.mover.user)
    page = client.get(url).content.decode()
    assert "Its result will be shown here once it is published" in page
    next_meeting = group_meeting(branch.group, branch.secretary, starts_in=2 * DAY, deadline_in=DAY)
    minutes = draft_minutes(actor=branch.secretary.user, meeting=branch.meeting)
    clock_.advance(days=3)
    approve_minutes(actor=branch.secretary.user, minutes=minutes, at_meeting=next_meeting)
    publish_minutes(actor=branch.secretary.user, minutes=minutes)
    ballot = vote_and_publish(ballot, branch.chair, _tellers(branch), clock_, _votes(branch, 4, 1))
    page = client.get(url).content.decode()
    assert "Result of the ballot of members" in page
    assert "4 yes, 1 no, 0 abstaining" in page
    assert f'href="/ballots/{ballot.pk}/results/"' in page
    page = client.get(f"/meetings/{branch.meeting.pk}/minutes/").content.decode()
    assert "Addendum: ballot results published after approval" in page
    assert "Carried by a ballot of members (4 yes, 1 no, 0 abstaining)" in page
