"""The published result of an initiative's ballot is written back to the initiative and, for a
call-in, to the decision; initiatives short of their threshold close at their deadline."""

from __future__ import annotations

import secrets

import pytest

from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.ballots.scheduler import run_tick
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.tellers import reveal_share
from grassroots.oversight import services
from grassroots.oversight.models import (
    CallInResult,
    Decision,
    Initiative,
    InitiativeKind,
    InitiativeStatus,
)
from tests.ballots.conftest import Clock
from tests.oversight.conftest import World, published_decision

pytestmark = pytest.mark.django_db


def _call_in(world: World) -> Initiative:
    decision = published_decision(world)
    return services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.CALL_IN,
        title="Keep the Leeds office open",
        text="The office is where three groups meet.",
        decision_id=decision.pk,
    )


def _to_ballot(world, initiative, capture) -> Ballot:
    with capture(execute=True):
        for member in world.members[1:3]:
            services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.BALLOT
    return Ballot.objects.get(pk=initiative.ballot_id)


def _vote_count_publish(world, ballot, clock_, answers: list[str]) -> Ballot:
    question = ballot.questions.get()
    by_name = {c.name: c.pk for c in question.candidates.all()}
    for voter, answer in zip(world.members, answers, strict=False):
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers={question.pk: [by_name[answer]]},
            idempotency_key=secrets.token_urlsafe(24),
        )
    clock_.advance(days=15)
    close_ballot(actor=world.national.user, ballot=ballot)
    for teller in world.tellers[:2]:
        reveal_share(
            actor=teller.user,
            teller=ballot.tellers.get(member=teller),
            share_text=world.shares[teller.pk],
        )
    count_ballot(actor=world.national.user, ballot=ballot)
    publish_results(actor=world.national.user, ballot=ballot)
    return Ballot.objects.get(pk=ballot.pk)


def test_a_carried_call_in_overturns_the_decision_in_the_register(
    world, django_capture_on_commit_callbacks, monkeypatch, client
):
    initiative = _call_in(world)
    ballot = _to_ballot(world, initiative, django_capture_on_commit_callbacks)
    clock_ = Clock(monkeypatch)
    ballot = _vote_count_publish(world, ballot, clock_, ["Yes", "Yes", "Yes", "No", "Abstain"])
    assert ballot.status == BallotStatus.PUBLISHED and ballot.result_delivered_at is not None
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.CARRIED
    assert (initiative.votes_yes, initiative.votes_no, initiative.votes_abstain) == (3, 1, 1)
    assert initiative.result_published_at == ballot.published_at
    assert initiative.events.filter(text__startswith="The members' ballot carried it").exists()
    decision = Decision.objects.get(pk=initiative.decision_id)
    assert decision.call_in_result == CallInResult.OVERTURNED
    assert decision.call_in_ballot == ballot
    assert decision.call_in_decided_at == ballot.published_at
    entry = AuditEntry.objects.get(action="record_ballot_result", subject_type="initiative")
    assert entry.detail["call_in_result"] == "overturned"
    # The register, the decision and the initiative say so to any member.
    client.force_login(world.members[5].user)
    link = f'href="/ballots/{ballot.pk}/results/"'
    when = f"{ballot.published_at:%-d %B %Y}"
    for url in ("/oversight/decisions/", f"/oversight/decisions/{decision.pk}/"):
        page = client.get(url).content.decode()
        assert f"Called in — overturned by members' ballot, {when}" in page, url
        assert link in page
    page = client.get(f"/oversight/initiatives/{initiative.pk}/").content.decode()
    assert "Carried by the members&#x27; ballot (3 yes, 1 no, 1 abstaining)" in page


def test_a_call_in_the_members_do_not_carry_upholds_the_decision(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    initiative = _call_in(world)
    ballot = _to_ballot(world, initiative, django_capture_on_commit_callbacks)
    _vote_count_publish(world, ballot, Clock(monkeypatch), ["Yes", "No", "No"])
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.NOT_CARRIED
    assert (initiative.votes_yes, initiative.votes_no, initiative.votes_abstain) == (1, 2, 0)
    decision = Decision.objects.get(pk=initiative.decision_id)
    assert decision.call_in_result == CallInResult.UPHELD


def test_a_policy_initiative_gets_its_result_and_no_decision_changes(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    decision = published_decision(world)
    initiative = services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.POLICY,
        title="A four-day week",
        text="We campaign for a four-day week.",
    )
    ballot = _to_ballot(world, initiative, django_capture_on_commit_callbacks)
    _vote_count_publish(world, ballot, Clock(monkeypatch), ["Yes", "Yes"])
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.CARRIED
    decision.refresh_from_db()
    assert decision.call_in_result == "" and decision.call_in_ballot is None
    # Written back once: a second delivery changes nothing.
    assert services.record_ballot_result(Ballot.objects.get(pk=ballot.pk)) is None
    assert AuditEntry.objects.filter(action="record_ballot_result").count() == 1


def test_an_initiative_short_of_its_threshold_closes_at_its_deadline_once(
    world, monkeypatch, client
):
    initiative = _call_in(world)
    services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)
    clock_ = Clock(monkeypatch)
    clock_.advance(days=89)
    assert services.close_lapsed_initiatives() == []
    clock_.advance(days=1, minutes=1)
    assert f"closed initiative {initiative.pk}" in run_tick()
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.CLOSED and initiative.closed_at is not None
    assert initiative.signatures_summary == "2 of 3 signatures"
    assert services.close_lapsed_initiatives() == []  # idempotent
    assert initiative.events.filter(text__startswith="Closed short").count() == 1
    assert AuditEntry.objects.filter(action="close_initiative").count() == 1
    client.force_login(world.members[5].user)
    for url in ("/oversight/initiatives/", f"/oversight/initiatives/{initiative.pk}/"):
        assert "Closed: 2 of 3 signatures" in client.get(url).content.decode(), url
    # The decision may be called in again.
    second = services.start_initiative(
        actor=world.members[2].user,
        kind=InitiativeKind.CALL_IN,
        title="Keep it open, again",
        text="Try again.",
        decision_id=initiative.decision_id,
    )
    assert second.status == InitiativeStatus.COLLECTING


def test_an_initiative_that_reached_its_threshold_is_not_closed(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    initiative = _call_in(world)
    _to_ballot(world, initiative, django_capture_on_commit_callbacks)
    Clock(monkeypatch).advance(days=91)
    services.close_lapsed_initiatives()
    initiative.refresh_from_db()
    assert initiative.status in (InitiativeStatus.BALLOT, InitiativeStatus.NOT_CARRIED)
    assert initiative.closed_at is None
