"""Member initiatives: starting, signing in scope and once, the threshold, and where it goes."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, BallotStatus, RollEntry
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.tellers import reveal_share
from grassroots.oversight import services
from grassroots.oversight.models import (
    Initiative,
    InitiativeKind,
    InitiativeStatus,
    PreparedKey,
    Route,
    Signature,
)
from grassroots.people.models import MembershipStatus
from tests.ballots.conftest import Clock
from tests.factories import change_status
from tests.oversight.conftest import (
    World,
    build_world,
    prepare_and_collect,
    published_decision,
    set_rules,
)

pytestmark = pytest.mark.django_db


def _call_in(world: World, starter=None) -> Initiative:
    decision = published_decision(world)
    return services.start_initiative(
        actor=(starter or world.members[0]).user,
        kind=InitiativeKind.CALL_IN,
        title="Keep the Leeds office open",
        text="The office is where three groups meet.",
        decision_id=decision.pk,
    )


def test_starting_an_initiative_signs_it_and_fixes_the_threshold_from_the_rules(world):
    initiative = _call_in(world)
    assert initiative.signature_count == 1
    assert initiative.members_in_scope == 14  # every member in good standing
    assert initiative.signatures_needed == 3  # 20% of 14, rounded up
    assert initiative.route == Route.BALLOT
    assert Signature.objects.filter(initiative=initiative, member=world.members[0]).exists()
    assert initiative.events.count() == 1
    assert AuditEntry.objects.filter(action="start_initiative").count() == 1


def test_a_call_in_of_a_decision_that_does_not_exist_is_refused_and_nothing_is_stored(world):
    with pytest.raises(services.OversightError, match="no published decision"):
        services.start_initiative(
            actor=world.members[0].user,
            kind=InitiativeKind.CALL_IN,
            title="Reverse it",
            text="Because.",
            decision_id=999_999,
        )
    assert not Initiative.objects.exists()
    assert not Signature.objects.exists()


def test_a_call_in_of_an_unpublished_decision_is_refused(world):
    from grassroots.oversight.models import Decision

    meeting = services.start_meeting(
        actor=world.national.user,
        body="national_committee",
        region=None,
        title="Draft",
        held_on=datetime.date(2026, 1, 5),
    )
    decision = services.record_decision(
        actor=world.national.user,
        meeting=meeting,
        title="Secret plan",
        text="Not yet published.",
        outcome="agreed",
        named_votes={m.pk: "for" for m in world.committee},
    )
    with pytest.raises(services.OversightError, match="no published decision"):
        services.start_initiative(
            actor=world.members[0].user,
            kind=InitiativeKind.CALL_IN,
            title="Reverse it",
            text="Because.",
            decision_id=decision.pk,
        )
    assert Decision.objects.count() == 1 and not Initiative.objects.exists()


def test_signing_twice_is_refused_and_the_count_does_not_change(world):
    initiative = _call_in(world)
    services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)
    with pytest.raises(services.OversightError, match="already signed"):
        services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    assert initiative.signature_count == 2
    assert Signature.objects.filter(initiative=initiative).count() == 2


def test_signing_outside_the_scope_is_refused(world):
    """A regional committee's decision is called in by that region's members only."""
    meeting = services.start_meeting(
        actor=world.regional.user,
        body="regional_committee",
        region=world.north,
        title="Regional meeting",
        held_on=datetime.date(2026, 1, 5),
    )
    decision = services.record_decision(
        actor=world.regional.user,
        meeting=meeting,
        title="Move the regional conference to Durham",
        text="Cheaper venue.",
        outcome="agreed",
        totals=(3, 1, 0),
    )
    services.publish_meeting(actor=world.regional.user, meeting=meeting)
    initiative = services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.CALL_IN,
        title="Keep it in Newcastle",
        text="Easier to reach.",
        decision_id=decision.pk,
    )
    assert initiative.region == world.north
    assert initiative.members_in_scope == 9  # everyone at home in the North's two groups
    south_member = world.members[4]
    with pytest.raises(services.OversightError, match="for members in North"):
        services.sign_initiative(actor=south_member.user, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    assert initiative.signature_count == 1


def test_a_member_not_in_good_standing_cannot_sign(world):
    initiative = _call_in(world)
    lapsed = world.members[2]
    change_status(lapsed, MembershipStatus.LAPSED)
    with pytest.raises(services.OversightError, match="good standing"):
        services.sign_initiative(actor=lapsed.user, initiative_id=initiative.pk)


@pytest.mark.parametrize("status", [MembershipStatus.SUSPENDED, MembershipStatus.EXPELLED])
def test_a_suspended_or_expelled_member_cannot_sign_and_nothing_is_counted(world, status):
    """Issue 18: the disciplinary statuses bar signing as lapsing does."""
    initiative = _call_in(world)
    signatures = Signature.objects.filter(initiative=initiative)
    before = signatures.count()
    member = world.members[3]
    change_status(member, status)
    with pytest.raises(services.OversightError, match="good standing"):
        services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
    assert signatures.count() == before
    assert not signatures.filter(member=member).exists()


def test_signing_after_the_close_is_refused(world, monkeypatch):
    initiative = _call_in(world)
    Clock(monkeypatch).advance(days=91)
    with pytest.raises(services.OversightError, match="Signing closed"):
        services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)


def test_reaching_the_threshold_creates_and_opens_a_yes_no_ballot_on_the_decision(
    world, django_capture_on_commit_callbacks
):
    initiative = _call_in(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)
    assert Ballot.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_initiative(actor=world.members[4].user, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.BALLOT
    ballot = Ballot.objects.get()
    assert initiative.ballot == ballot
    assert ballot.status == BallotStatus.OPEN and ballot.is_open
    assert ballot.level == "nation"
    assert ballot.returning_officer == world.national
    question = ballot.questions.get()
    assert question.kind == "yesno"
    assert "Close the Leeds office" in question.title and "reversed" in question.title
    assert ballot.roll_size == RollEntry.objects.filter(ballot=ballot).count() == 14
    assert PreparedKey.objects.get().used_by == initiative
    texts = [e.text for e in initiative.events.all()]
    assert any(t.startswith("Threshold reached with 3 signatures") for t in texts)
    assert any(t.startswith("All-member ballot opened") for t in texts)
    # Signing goes on after the threshold, without a second ballot.
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_initiative(actor=world.members[5].user, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    assert initiative.signature_count == 4
    assert Ballot.objects.count() == 1


def test_the_standing_tellers_shares_decrypt_and_count_the_initiative_ballot(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    import secrets

    initiative = _call_in(world)
    with django_capture_on_commit_callbacks(execute=True):
        for member in world.members[1:3]:
            services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
    ballot = Ballot.objects.get()
    question = ballot.questions.get()
    yes, no, _abstain = question.candidates.order_by("position")
    for voter, answer in [(world.members[0], yes), (world.members[1], yes), (world.members[4], no)]:
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers={question.pk: [answer.pk]},
            idempotency_key=secrets.token_urlsafe(24),
        )
    Clock(monkeypatch).advance(days=15)
    close_ballot(actor=world.national.user, ballot=ballot)
    for teller in world.tellers[:2]:
        reveal_share(
            actor=teller.user,
            teller=ballot.tellers.get(member=teller),
            share_text=world.shares[teller.pk],
        )
    count_ballot(actor=world.national.user, ballot=ballot)
    question.refresh_from_db()
    assert question.result is not None
    assert Ballot.objects.get(pk=ballot.pk).status == BallotStatus.COUNTED


def test_without_a_prepared_key_the_initiative_waits_then_gets_its_ballot_when_one_is_ready(
    django_capture_on_commit_callbacks,
):
    world = build_world(prepare_key=False)
    initiative = _call_in(world)
    with django_capture_on_commit_callbacks(execute=True):
        for member in world.members[1:3]:
            services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.REACHED
    assert not Ballot.objects.exists()
    assert "Waiting for the standing tellers" in initiative.events.last().text
    with django_capture_on_commit_callbacks(execute=True):
        prepare_and_collect(world.national, world.tellers)
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.BALLOT
    assert initiative.ballot is not None and initiative.ballot.status == BallotStatus.OPEN


def test_a_route_to_the_national_committee_refers_it_and_the_committee_answers(world):
    set_rules(world.national, tellers=world.tellers, policy_route=Route.NATIONAL_COMMITTEE)
    initiative = services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.POLICY,
        title="Free crèche at every conference",
        text="So parents can take part.",
    )
    for member in world.members[1:3]:
        services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.REFERRED
    assert initiative.response_due_on is not None
    assert not Ballot.objects.exists()
    with pytest.raises(PermissionDenied):
        services.answer_initiative(actor=world.national.user, initiative=initiative, response="No")
    services.answer_initiative(
        actor=world.committee[0].user, initiative=initiative, response="Agreed from March."
    )
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.ANSWERED
    assert initiative.response == "Agreed from March."


def test_groups_and_regions_threshold(world):
    set_rules(
        world.national,
        tellers=world.tellers,
        signature_percent=Decimal("0"),
        groups_needed=3,
        regions_needed=2,
        policy_route=Route.NATIONAL_COMMITTEE,
    )
    initiative = services.start_initiative(
        actor=world.members[0].user, kind=InitiativeKind.POLICY, title="T", text="X"
    )
    services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)  # same group
    services.sign_initiative(actor=world.members[2].user, initiative_id=initiative.pk)  # 2nd group
    initiative.refresh_from_db()
    assert (initiative.group_count, initiative.region_count) == (2, 1)
    assert initiative.status == InitiativeStatus.COLLECTING
    services.sign_initiative(actor=world.members[4].user, initiative_id=initiative.pk)  # South
    initiative.refresh_from_db()
    assert (initiative.group_count, initiative.region_count) == (3, 2)
    assert initiative.status == InitiativeStatus.REFERRED


def test_one_call_in_collects_per_decision_at_a_time(world):
    initiative = _call_in(world)
    with pytest.raises(services.OversightError, match="already has a call-in"):
        services.start_initiative(
            actor=world.members[4].user,
            kind=InitiativeKind.CALL_IN,
            title="Again",
            text="Again.",
            decision_id=initiative.decision_id,
        )
