"""Live votes (issue 17): opened by the chair for those present, weighted by delegation, named or
secret, closed by the button or the clock, counted at once, the outcome recorded; and every
refusal changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import override

from grassroots.assembly.models import LiveBallot, LiveVote, UnsealedLiveBallot, VoteMark
from grassroots.assembly.services.common import AssemblyError
from grassroots.assembly.services.votes import cast_vote, close_if_due, close_vote, open_vote
from grassroots.meetings.models import Amendment, AmendmentStatus, MotionStatus, Outcome
from grassroots.meetings.services.minutes import draft_minutes
from tests.assembly.builders import build_session, sign_in
from tests.ballots.conftest import Clock


def _motion_vote(session, **kwargs):
    return open_vote(
        actor=session.chair,
        meeting=session.meeting,
        subject="motion",
        motion=session.motion,
        **kwargs,
    )


def test_a_vote_cannot_open_while_inquorate_and_nothing_is_stored(session):
    sign_in(session, session.delegates[:2])
    with pytest.raises(AssemblyError, match=r"not quorate \(2 signed in, 3 needed\)"):
        _motion_vote(session)
    assert not LiveVote.objects.exists()
    vote = _motion_vote(session, quorum_override="The hall flooded; those here agreed to go on")
    assert vote.quorum_override.startswith("The hall flooded")


def test_delegates_vote_with_their_groups_weight_and_the_result_shows_both_counts(session):
    sign_in(session, session.delegates)
    vote = _motion_vote(session)
    leeds, harrogate, skipton = session.delegates[:3], session.delegates[3:5], session.delegates[5]
    for member in leeds:  # 3 x 10 for
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=[0])
    for member in harrogate:  # 2 x 6 against
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=[1])
    cast_vote(actor=skipton.user, meeting=session.meeting, vote_id=vote.pk, choice=[1])  # 5
    vote = close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    rows = {r["option"]: r for r in vote.result["rows"]}
    assert (rows["For"]["heads"], rows["For"]["weighted"]) == (3, "30")
    assert (rows["Against"]["heads"], rows["Against"]["weighted"]) == (3, "17")
    assert vote.result["carried"] is True
    session.motion.refresh_from_db()
    assert session.motion.status == MotionStatus.CARRIED
    outcome = Outcome.objects.get(motion=session.motion)
    assert "30 for, 17 against" in outcome.note and "Heads: 3 for, 3 against" in outcome.note
    minutes = draft_minutes(actor=session.chair, meeting=session.meeting)
    assert "For: 3 voting, weight 30" in minutes.text


def test_heads_alone_would_tie_but_weights_decide(session):
    sign_in(session, session.delegates)
    vote = _motion_vote(session)
    # Skipton's one delegate (5) and Harrogate's two (12) for; one Leeds delegate (10) against.
    for member in [*session.delegates[3:6]]:
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=[0])
    for member in session.delegates[:3]:
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=[1])
    vote = close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    assert vote.result["carried"] is False  # 17 for, 30 against, heads 3-3


def test_voting_twice_after_close_absent_or_not_a_delegate_is_refused_and_changes_nothing(session):
    sign_in(session, [*session.delegates[:5], session.others[0]])
    vote = _motion_vote(session)
    first = session.delegates[0]
    cast_vote(actor=first.user, meeting=session.meeting, vote_id=vote.pk, choice=[0])
    with pytest.raises(AssemblyError, match="already voted"):
        cast_vote(actor=first.user, meeting=session.meeting, vote_id=vote.pk, choice=[1])
    with pytest.raises(AssemblyError, match="not signed in as present"):
        cast_vote(
            actor=session.delegates[5].user, meeting=session.meeting, vote_id=vote.pk, choice=[0]
        )
    with pytest.raises(AssemblyError, match="Only the meeting's delegates vote"):
        cast_vote(
            actor=session.others[0].user, meeting=session.meeting, vote_id=vote.pk, choice=[0]
        )
    with pytest.raises(AssemblyError, match="not one of the choices"):
        cast_vote(
            actor=session.delegates[1].user, meeting=session.meeting, vote_id=vote.pk, choice=[7]
        )
    close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    with pytest.raises(AssemblyError, match="has closed"):
        cast_vote(
            actor=session.delegates[2].user, meeting=session.meeting, vote_id=vote.pk, choice=[0]
        )
    assert VoteMark.objects.count() == 1 and LiveBallot.objects.count() == 1
    assert LiveBallot.objects.get().choice == [0]


def test_only_the_chair_opens_and_closes(session):
    sign_in(session, session.delegates)
    with pytest.raises(PermissionDenied):
        open_vote(
            actor=session.delegates[0].user,
            meeting=session.meeting,
            subject="motion",
            motion=session.motion,
        )
    vote = _motion_vote(session)
    with pytest.raises(PermissionDenied):
        close_vote(actor=session.delegates[0].user, meeting=session.meeting, vote_id=vote.pk)
    with pytest.raises(AssemblyError, match="Another vote is open"):
        open_vote(
            actor=session.chair,
            meeting=session.meeting,
            subject="procedural",
            question="Move to next business?",
        )


def test_a_vote_with_a_closing_time_closes_itself_when_a_page_looks(session, monkeypatch):
    clock_ = Clock(monkeypatch)
    sign_in(session, session.delegates)
    vote = _motion_vote(session, minutes=2)
    cast_vote(actor=session.delegates[0].user, meeting=session.meeting, vote_id=vote.pk, choice=[0])
    clock_.advance(minutes=2, seconds=1)
    with pytest.raises(AssemblyError, match="has closed"):
        cast_vote(
            actor=session.delegates[1].user, meeting=session.meeting, vote_id=vote.pk, choice=[1]
        )
    close_if_due(session.meeting)
    vote.refresh_from_db()
    assert vote.closed_at == vote.closes_at and vote.result["voters"] == 1


def test_a_secret_vote_keeps_no_link_from_voter_to_choice(db):
    session = build_session(secret=True)
    sign_in(session, session.delegates)
    vote = _motion_vote(session)
    for member in session.delegates:
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=[2])
    # Six papers wait for the sealer (fewer than two batches): none is in the box yet.
    assert UnsealedLiveBallot.objects.filter(vote=vote).count() == 6
    assert not LiveBallot.objects.exists()
    assert VoteMark.objects.filter(vote=vote).count() == 6
    vote = close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    assert "named" not in vote.result and vote.result["voters"] == 6
    assert not UnsealedLiveBallot.objects.exists()
    assert set(LiveBallot.objects.values_list("voter", "cast_by")) == {(None, None)}
    assert LiveBallot.objects.count() == 6
    mark_fields = {f.name for f in VoteMark._meta.get_fields()}
    for model in (LiveBallot, UnsealedLiveBallot):
        ballot_fields = {f.name for f in model._meta.get_fields()}
        assert mark_fields & ballot_fields == {"id", "vote"}
        assert not any("time" in name or name.endswith("_at") for name in ballot_fields)


def test_an_amendment_carried_live_changes_the_motion(session):
    sign_in(session, session.delegates)
    amendment = Amendment.objects.create(
        motion=session.motion,
        number=1,
        proposer=session.delegates[1],
        kind="insert",
        paragraph=1,
        new_text="Starting with Leeds.",
        base_text=session.motion.text,
        submitted_at=session.meeting.starts_at,
    )
    with pytest.raises(AssemblyError, match="outstanding amendment"):
        _motion_vote(session)
    vote = open_vote(
        actor=session.chair, meeting=session.meeting, subject="amendment", amendment=amendment
    )
    for member in session.delegates:
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=[0])
    close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    amendment.refresh_from_db()
    session.motion.refresh_from_db()
    assert amendment.status == AmendmentStatus.CARRIED
    assert session.motion.text.endswith("Starting with Leeds.")


def test_an_election_is_counted_ranked_by_the_tally(db):
    session = build_session(weighted=False)
    sign_in(session, session.delegates)
    vote = open_vote(
        actor=session.chair,
        meeting=session.meeting,
        subject="election",
        method="ranked",
        question="Regional chair",
        options=["Asha", "Ben", "Cleo"],
    )
    ballots = [[0, 2], [1, 2], [1], [2, 1], [2, 1], [2]]
    for member, choice in zip(session.delegates, ballots, strict=True):
        cast_vote(actor=member.user, meeting=session.meeting, vote_id=vote.pk, choice=choice)
    vote = close_vote(actor=session.chair, meeting=session.meeting, vote_id=vote.pk)
    # Cleo leads with 3 of 6 first preferences, short of a majority; Asha's one transfers.
    assert vote.result["winners"] == ["Cleo"]
    assert [r["heads"] for r in vote.result["rows"]] == [1, 2, 3]
    assert vote.result["said"]["figures"] == {"rule": "irv"}
    assert vote.result["notes"].startswith("Counted by the alternative vote.")
    with override("cy"):
        welsh = vote.notes_shown
    # The sentence and the rule's name in the reader's language; the stored notes in English.
    assert welsh != vote.notes_shown and "alternative vote" not in welsh


def test_a_motion_vote_is_for_against_or_abstain_only(session):
    sign_in(session, session.delegates)
    with pytest.raises(AssemblyError, match="for, against or abstaining"):
        _motion_vote(session, method="ranked", options=["a", "b"])
    with pytest.raises(AssemblyError, match="at least two choices"):
        open_vote(
            actor=session.chair,
            meeting=session.meeting,
            subject="election",
            method="single",
            question="Chair",
            options=["Only one"],
        )
    assert not LiveVote.objects.exists()


def test_no_vote_before_the_meeting_starts(session):
    session.meeting.starts_at += datetime.timedelta(hours=1)
    session.meeting.ends_at += datetime.timedelta(hours=1)
    session.meeting.save()
    with pytest.raises(AssemblyError, match="not started"):
        _motion_vote(session)


def test_a_cast_racing_past_the_check_is_refused_but_another_failure_is_not_called_a_vote(
    session, monkeypatch
):
    """Two casts for one member that both pass the "already voted" look meet the unique
    constraint, which reads as the same refusal; any other integrity failure during a cast
    must surface as itself, never as "already voted" (that would tell a voter whose vote was
    lost that it had been counted)."""
    from django.db import IntegrityError

    from grassroots.assembly.services import votes

    sign_in(session, session.delegates[:5])
    vote = _motion_vote(session)
    first = session.delegates[0]
    cast_vote(actor=first.user, meeting=session.meeting, vote_id=vote.pk, choice=[0])

    real_filter = VoteMark.objects.filter

    class NoMarkSeen:
        def __init__(self, queryset):
            self.queryset = queryset

        def exists(self):
            return False

    monkeypatch.setattr(VoteMark.objects, "filter", lambda **kw: NoMarkSeen(real_filter(**kw)))
    with pytest.raises(AssemblyError, match="already voted"):
        cast_vote(actor=first.user, meeting=session.meeting, vote_id=vote.pk, choice=[1])
    monkeypatch.undo()

    def broken_paper(*args, **kwargs):
        raise IntegrityError("NOT NULL constraint failed: assembly_liveballot.choice")

    monkeypatch.setattr(votes.LiveBallot.objects, "create", broken_paper)
    with pytest.raises(IntegrityError, match="NOT NULL"):
        cast_vote(
            actor=session.delegates[1].user, meeting=session.meeting, vote_id=vote.pk, choice=[0]
        )
    monkeypatch.undo()
    assert VoteMark.objects.count() == 1 and LiveBallot.objects.count() == 1
