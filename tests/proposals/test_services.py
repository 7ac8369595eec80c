"""Decisions between meetings through their services: who may propose and take part, positions
with reasons and history, the close on the scheduler's tick, amending, the decision log and
minutes, escalation, time polls and reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, BallotStatus, QuestionKind
from grassroots.ballots.scheduler import run_tick
from grassroots.ballots.services import setup as setup_services
from grassroots.ballots.services.errors import BallotError
from grassroots.meetings.models import AgendaItem, Meeting, MeetingStatus
from grassroots.meetings.services.minutes import draft_text
from grassroots.messaging.models import Delivery as Delivery_
from grassroots.messaging.models import Mailout, Unsubscribe
from grassroots.notifications.models import Kind, Notification
from grassroots.organisation.models import Role, ScopeLevel
from grassroots.people.models import MembershipStatus
from grassroots.proposals import queries
from grassroots.proposals.models import (
    Escalation,
    Participant,
    Position,
    PositionChange,
    ProposalStatus,
    WhoMayPropose,
)
from grassroots.proposals.services import escalation
from grassroots.proposals.services.closing import (
    close_due_proposals,
    close_proposal_now,
    write_outcome_statement,
)
from grassroots.proposals.services.common import ProposalError
from grassroots.proposals.services.escalation import (
    schedule_found_meeting,
    send_to_agenda,
    send_to_ballot,
)
from grassroots.proposals.services.positions import (
    take_position,
    withdraw_position,
)
from grassroots.proposals.services.proposing import (
    amend_proposal,
    make_proposal,
    set_proposal_rules,
)
from grassroots.proposals.services.reminders import remind_non_responders
from tests.factories import MemberWithLoginFactory, RoleFactory, change_status
from tests.proposals.conftest import Branch, propose

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_a_member_proposes_and_the_bodys_members_in_good_standing_take_part(branch: Branch):
    lapsed = MemberWithLoginFactory(home_group=branch.group)
    change_status(lapsed, MembershipStatus.LAPSED)
    proposal = propose(branch)
    enrolled = set(Participant.objects.filter(proposal=proposal).values_list("member", flat=True))
    assert {branch.proposer.pk, branch.blocker.pk, branch.secretary.pk} <= enrolled
    assert lapsed.pk not in enrolled and branch.outsider.pk not in enrolled
    assert proposal.eligible_count == len(enrolled) == 5
    # Someone joining afterwards takes no part in this one.
    late = MemberWithLoginFactory(home_group=branch.group)
    with pytest.raises(PermissionDenied):
        take_position(actor=late.user, proposal=proposal, choice="consent")


@pytest.mark.parametrize(
    ("closes_in", "message"),
    [
        (-DAY, "already passed"),
        (datetime.timedelta(minutes=10), "at least an hour"),
        (datetime.timedelta(days=120), "at most 90 days"),
    ],
)
def test_an_impossible_closing_time_is_refused_with_a_clear_error(branch, closes_in, message):
    with pytest.raises(ProposalError, match=message):
        propose(branch, closes_in=closes_in)
    with pytest.raises(ProposalError, match="date and time"):
        make_proposal(
            actor=branch.proposer.user,
            level=ScopeLevel.GROUP,
            scope=branch.group,
            title="A",
            text="B",
            process="consent",
            closes_at=None,
        )


def test_outsiders_cannot_propose_and_an_officers_only_body_refuses_members(branch: Branch):
    with pytest.raises(PermissionDenied):
        propose(branch, by=branch.outsider)
    set_proposal_rules(
        actor=branch.secretary.user,
        body=queries.body_of_group(branch.group),
        who_may_propose=WhoMayPropose.OFFICERS,
        consensus_max_blocks=0,
        consensus_agree_percent=50,
    )
    with pytest.raises(PermissionDenied):
        propose(branch)
    assert propose(branch, by=branch.secretary).proposer == branch.secretary
    with pytest.raises(PermissionDenied):
        set_proposal_rules(
            actor=branch.proposer.user,
            body=queries.body_of_group(branch.group),
            who_may_propose=WhoMayPropose.MEMBERS,
            consensus_max_blocks=0,
            consensus_agree_percent=50,
        )


def test_a_block_needs_a_reason_can_change_and_be_withdrawn_with_history(branch: Branch):
    proposal = propose(branch)
    with pytest.raises(ProposalError, match="reason"):
        take_position(actor=branch.blocker.user, proposal=proposal, choice="block")
    take_position(
        actor=branch.blocker.user, proposal=proposal, choice="block", reason="Clashes with picket"
    )
    take_position(actor=branch.blocker.user, proposal=proposal, choice="stand_aside")
    with pytest.raises(ProposalError, match="unchanged"):
        take_position(actor=branch.blocker.user, proposal=proposal, choice="stand_aside")
    withdraw_position(actor=branch.blocker.user, proposal=proposal)
    assert not Position.objects.filter(proposal=proposal).exists()
    steps = list(
        PositionChange.objects.filter(proposal=proposal).values_list("choice", "withdrawn")
    )
    assert steps == [("block", False), ("stand_aside", False), ("", True)]
    with pytest.raises(ProposalError, match="Choose your position"):
        take_position(actor=branch.blocker.user, proposal=proposal, choice="agree")


def test_the_tick_closes_at_the_deadline_and_not_before(branch: Branch, moving_clock):
    proposal = propose(branch)
    take_position(actor=branch.blocker.user, proposal=proposal, choice="consent")
    assert close_due_proposals() == []
    moving_clock.advance(days=2, seconds=1)
    with pytest.raises(ProposalError, match="closed"):
        take_position(actor=branch.third.user, proposal=proposal, choice="consent")
    assert f"closed proposal {proposal.pk}: Passed" in run_tick()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED and proposal.passed
    assert proposal.outcome_words.startswith(
        "Passed by consent: nobody blocked it (consented: 1, stood aside: 0; took part: 1 of"
    )
    assert close_due_proposals() == []  # closed once


def test_blocked_then_amended_and_re_proposed_passes_and_reaches_log_and_minutes(
    branch: Branch, moving_clock
):
    first = propose(branch)
    take_position(
        actor=branch.blocker.user, proposal=first, choice="block", reason="Saturday is the picket"
    )
    second = amend_proposal(
        actor=branch.proposer.user,
        proposal=first,
        title="Run a stall on Sunday",
        text="A stall outside the market on Sunday, 10 till 2.",
        closes_at=clock.now() + DAY,
    )
    first.refresh_from_db()
    assert first.status == ProposalStatus.SUPERSEDED and second.previous == first
    assert second.version == 2
    with pytest.raises(ProposalError, match="newest version"):
        amend_proposal(
            actor=branch.proposer.user, proposal=first, title="x", text="y", closes_at=None
        )
    take_position(actor=branch.blocker.user, proposal=second, choice="consent")
    moving_clock.advance(days=1, minutes=1)
    close_due_proposals()
    second.refresh_from_db()
    assert second.result == "passed"
    write_outcome_statement(
        actor=branch.proposer.user, proposal=second, statement="Kit books the table."
    )
    log = list(queries.decision_log(queries.body_of_group(branch.group)))
    assert log == [second]  # the superseded version is not a decision
    moving_clock.advance(days=14)
    minutes = draft_text(branch.meeting)
    assert "Decided between meetings" in minutes
    assert "Run a stall on Sunday" in minutes and "Passed by consent" in minutes
    assert "Outcome statement: Kit books the table." in minutes
    assert "Run a stall on Saturday" not in minutes
    # The minutes are a record: drafted in the movement's language whoever drafts them.
    with translation.override("cy"):
        assert draft_text(branch.meeting) == minutes


def test_consensus_uses_the_rule_the_body_had_when_it_opened(branch: Branch, moving_clock):
    proposal = propose(branch, process="consensus")
    set_proposal_rules(
        actor=branch.secretary.user,
        body=queries.body_of_group(branch.group),
        who_may_propose=WhoMayPropose.MEMBERS,
        consensus_max_blocks=1,
        consensus_agree_percent=90,
    )
    take_position(actor=branch.proposer.user, proposal=proposal, choice="agree")
    take_position(actor=branch.third.user, proposal=proposal, choice="agree")
    take_position(actor=branch.blocker.user, proposal=proposal, choice="disagree", reason="Cost")
    close_proposal_now(actor=branch.proposer.user, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.result == "passed"  # 2 of 3 > 50 %: the rule then, not 90 % now
    with pytest.raises(ProposalError, match="not open"):
        close_proposal_now(actor=branch.proposer.user, proposal=proposal)


def test_a_contested_proposal_goes_to_the_next_meetings_agenda_once(branch: Branch):
    proposal = propose(branch)
    take_position(actor=branch.blocker.user, proposal=proposal, choice="block", reason="No")
    with pytest.raises(ProposalError, match="closed"):
        send_to_agenda(actor=branch.secretary.user, proposal=proposal)
    close_proposal_now(actor=branch.secretary.user, proposal=proposal)
    proposal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        send_to_agenda(actor=branch.proposer.user, proposal=proposal)
    send_to_agenda(actor=branch.secretary.user, proposal=proposal)
    proposal.refresh_from_db()
    item = AgendaItem.objects.get(pk=proposal.agenda_item_id)
    assert item.meeting == branch.meeting and item.title == "Proposal: Run a stall on Saturday"
    assert proposal.escalated_to == Escalation.AGENDA
    # A second click does nothing a second time: no second item, no second audit entry.
    again = send_to_agenda(actor=branch.chair.user, proposal=proposal)
    assert again.escalated_to == Escalation.AGENDA and again.agenda_item_id == item.pk
    assert AgendaItem.objects.filter(title="Proposal: Run a stall on Saturday").count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.ESCALATE_PROPOSAL).count() == 1
    # Sent one way, it cannot then be sent the other.
    moment = clock.now()
    with pytest.raises(ProposalError, match="already sent to the next meeting's agenda"):
        send_to_ballot(
            actor=branch.secretary.user,
            proposal=proposal,
            opens_at=moment + DAY,
            closes_at=moment + 2 * DAY,
        )
    assert not Ballot.objects.exists()


def test_sending_to_the_agenda_is_all_or_nothing(branch: Branch, monkeypatch):
    proposal = propose(branch)
    take_position(actor=branch.blocker.user, proposal=proposal, choice="block", reason="No")
    close_proposal_now(actor=branch.secretary.user, proposal=proposal)

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit log is unavailable")

    # The item is written, then marking the proposal fails: the item goes with it.
    monkeypatch.setattr(escalation, "audit", fails)
    with pytest.raises(RuntimeError):
        send_to_agenda(actor=branch.secretary.user, proposal=proposal)
    assert not AgendaItem.objects.filter(title__startswith="Proposal:").exists()
    proposal.refresh_from_db()
    assert proposal.escalated_to == "" and proposal.agenda_item_id is None
    monkeypatch.undo()
    send_to_agenda(actor=branch.secretary.user, proposal=proposal)
    assert AgendaItem.objects.filter(title__startswith="Proposal:").count() == 1


def test_a_ballot_refused_half_way_leaves_no_draft_ballot_behind(branch: Branch, monkeypatch):
    contested = propose(branch, process="consensus")
    take_position(actor=branch.blocker.user, proposal=contested, choice="disagree")
    close_proposal_now(actor=branch.proposer.user, proposal=contested)

    def refused(**kwargs: object) -> None:
        raise BallotError("The question could not be added.")

    monkeypatch.setattr(setup_services, "add_question_within", refused)
    moment = clock.now()
    with pytest.raises(ProposalError, match="could not be added"):
        send_to_ballot(
            actor=branch.secretary.user,
            proposal=contested,
            opens_at=moment + DAY,
            closes_at=moment + 8 * DAY,
        )
    assert not Ballot.objects.exists()
    contested.refresh_from_db()
    assert contested.escalated_to == "" and contested.ballot_id is None


def test_a_passed_proposal_is_not_escalated_and_a_contested_one_can_go_to_a_ballot(branch):
    passed = propose(branch)
    close_proposal_now(actor=branch.proposer.user, proposal=passed)
    passed.refresh_from_db()
    with pytest.raises(ProposalError, match="blocked or contested"):
        send_to_agenda(actor=branch.secretary.user, proposal=passed)
    contested = propose(branch, process="consensus")
    take_position(actor=branch.blocker.user, proposal=contested, choice="disagree")
    close_proposal_now(actor=branch.proposer.user, proposal=contested)
    contested.refresh_from_db()
    moment = clock.now()
    send_to_ballot(
        actor=branch.secretary.user,
        proposal=contested,
        opens_at=moment + DAY,
        closes_at=moment + 8 * DAY,
    )
    ballot = Ballot.objects.get()
    assert ballot.status == BallotStatus.DRAFT and ballot.group == branch.group
    assert ballot.questions.get().kind == QuestionKind.YESNO
    # A second click makes no second ballot.
    send_to_ballot(
        actor=branch.secretary.user,
        proposal=contested,
        opens_at=moment + 2 * DAY,
        closes_at=moment + 9 * DAY,
    )
    assert Ballot.objects.get() == ballot


def test_a_time_poll_finds_a_time_and_an_officer_schedules_the_meeting(branch: Branch):
    moment = clock.now()
    times = [moment + 5 * DAY, moment + 6 * DAY]
    poll = propose(branch, process="time", option_times=times, meeting_minutes=90)
    later, earlier = list(poll.options.order_by("-starts_at"))
    take_position(actor=branch.proposer.user, proposal=poll, scores={earlier.pk: 1, later.pk: 2})
    take_position(actor=branch.blocker.user, proposal=poll, scores={later.pk: 2})
    with pytest.raises(ProposalError, match="can come"):
        take_position(actor=branch.third.user, proposal=poll, scores={later.pk: 7})
    close_proposal_now(actor=branch.proposer.user, proposal=poll)
    poll.refresh_from_db()
    assert poll.chosen_option == later
    with pytest.raises(PermissionDenied):
        schedule_found_meeting(actor=branch.proposer.user, proposal=poll, title="Planning")
    meeting = schedule_found_meeting(
        actor=branch.secretary.user,
        proposal=poll,
        title="Planning meeting",
        format="online",
        online_link="https://meet.example.org/plan",
    )
    assert meeting.starts_at == later.starts_at
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(minutes=90)
    assert Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).exists()
    with pytest.raises(ProposalError, match="already scheduled"):
        schedule_found_meeting(actor=branch.secretary.user, proposal=poll, title="Again")


def test_time_poll_times_must_come_after_the_close(branch: Branch):
    with pytest.raises(ProposalError, match="after the poll closes"):
        propose(branch, process="time", option_times=[clock.now() + DAY, clock.now() + 9 * DAY])


def test_dot_vote_budget_and_options_are_checked(branch: Branch):
    with pytest.raises(ProposalError, match="at least two options"):
        propose(branch, process="dot", options=["Only one"])
    vote = propose(branch, process="dot", options=["Market", "Station", "Park"], budget=3)
    market, station, _ = list(vote.options.all())
    with pytest.raises(ProposalError, match="3 dots"):
        take_position(actor=branch.third.user, proposal=vote, scores={market.pk: 4})
    take_position(actor=branch.third.user, proposal=vote, scores={market.pk: 2, station.pk: 1})
    close_proposal_now(actor=branch.proposer.user, proposal=vote)
    vote.refresh_from_db()
    assert vote.chosen_option == market
    assert "“Market” won with the most dots (dots: 2;" in vote.outcome_words


def test_reminder_goes_to_those_who_have_not_responded_and_respects_unsubscribes(branch):
    proposal = propose(branch)
    opened = set(Notification.objects.filter(kind=Kind.PROPOSAL).values_list("member", flat=True))
    roll = set(Participant.objects.filter(proposal=proposal).values_list("member", flat=True))
    assert opened == roll - {branch.proposer.pk}  # the roll is told it opened
    take_position(actor=branch.proposer.user, proposal=proposal, choice="consent")
    Unsubscribe.objects.create(
        member=branch.third, scope_key=f"group:{branch.group.pk}", created_at=clock.now()
    )
    with pytest.raises(PermissionDenied):
        remind_non_responders(actor=branch.blocker.user, proposal=proposal)
    sent = remind_non_responders(actor=branch.secretary.user, proposal=proposal)
    reminded = Notification.objects.filter(title__startswith="Reminder:")
    to = set(reminded.values_list("member", flat=True))
    assert branch.proposer.pk not in to and branch.third.pk not in to
    assert branch.blocker.pk in to and sent == len(to) == 3
    assert {n.url for n in reminded} == {f"/proposals/{proposal.pk}/"}
    with pytest.raises(ProposalError, match="12 hours"):
        remind_non_responders(actor=branch.secretary.user, proposal=proposal)


def test_a_member_who_chose_mail_straight_away_is_mailed_the_reminder(branch: Branch):
    from grassroots.notifications.models import Delivery, Preference

    proposal = propose(branch)
    Preference.objects.create(
        member=branch.blocker, kind=Kind.PROPOSAL, delivery=Delivery.IMMEDIATE
    )
    remind_non_responders(actor=branch.secretary.user, proposal=proposal)
    mailout = Mailout.objects.get()
    assert set(Delivery_.objects.filter(mailout=mailout).values_list("member", flat=True)) == {
        branch.blocker.pk
    }
    assert "Reminder:" in mailout.subject


def test_an_area_body_enrols_the_members_of_its_groups(branch: Branch):
    coordinator = MemberWithLoginFactory(home_group=branch.group)
    RoleFactory(member=coordinator, role=Role.AREA_COORDINATOR, area=branch.group.area)
    proposal = make_proposal(
        actor=coordinator.user,
        level=ScopeLevel.AREA,
        scope=branch.group.area,
        title="Area stall rota",
        text="Each group takes one Saturday.",
        process="consent",
        closes_at=clock.now() + DAY,
    )
    assert proposal.eligible_count == Participant.objects.filter(proposal=proposal).count() >= 6
    assert queries.get_proposal_for(branch.proposer.user, proposal.pk) == proposal
    from django.http import Http404

    with pytest.raises(Http404):
        queries.get_proposal_for(branch.outsider.user, proposal.pk)
