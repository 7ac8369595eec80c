"""On PostgreSQL: signatures counted exactly under concurrency, the threshold acted on once,
and full-text search."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.oversight import queries, services
from grassroots.oversight.models import Initiative, InitiativeKind, InitiativeStatus, Signature
from tests.factories import MemberWithLoginFactory
from tests.oversight.conftest import build_world, published_decision, set_rules

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]

SIGNERS = 200
# The shared server allows 100 connections in all; 40 of them at once is what this test takes.
CONNECTED_AT_ONCE = 40


def test_two_hundred_simultaneous_signatures_count_exactly_and_trigger_the_ballot_once():
    world = build_world()
    signers = [
        MemberWithLoginFactory(home_group=world.north_groups[i % 2] if i % 3 else world.south_group)
        for i in range(SIGNERS)
    ]
    # 214 members in scope; 50% is 107 signatures: reached in the middle of the rush.
    from decimal import Decimal

    set_rules(world.national, tellers=world.tellers, signature_percent=Decimal("50"))
    decision = published_decision(world)
    initiative = services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.CALL_IN,
        title="Keep the Leeds office open",
        text="It is where three groups meet.",
        decision_id=decision.pk,
    )
    assert initiative.signatures_needed == 107
    start = threading.Barrier(SIGNERS)
    connected = threading.BoundedSemaphore(CONNECTED_AT_ONCE)

    def sign(member) -> str:
        start.wait()  # every thread released at the same moment
        with connected:
            try:
                services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
                return "signed"
            except services.OversightError as error:
                return str(error)
            finally:
                connections.close_all()

    with ThreadPoolExecutor(max_workers=SIGNERS) as pool:
        outcomes = list(pool.map(sign, signers))

    assert outcomes == ["signed"] * SIGNERS
    initiative.refresh_from_db()
    assert Signature.objects.filter(initiative=initiative).count() == SIGNERS + 1  # + the starter
    assert initiative.signature_count == SIGNERS + 1
    assert initiative.group_count == 3 and initiative.region_count == 2
    assert initiative.status == InitiativeStatus.BALLOT
    assert Ballot.objects.count() == 1
    assert Ballot.objects.get().status == BallotStatus.OPEN
    assert AuditEntry.objects.filter(action="initiative_reached_threshold").count() == 1
    assert AuditEntry.objects.filter(action="put_initiative_to_ballot").count() == 1
    reached = [e for e in initiative.events.all() if e.text.startswith("Threshold reached")]
    assert len(reached) == 1 and reached[0].text.startswith("Threshold reached with 107 ")


def test_the_same_member_signing_from_twenty_tabs_at_once_signs_once():
    world = build_world()
    decision = published_decision(world)
    initiative = services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.CALL_IN,
        title="Reverse it",
        text="Because.",
        decision_id=decision.pk,
    )
    member = world.members[5]
    start = threading.Barrier(20)

    def sign(_: int) -> str:
        start.wait()
        try:
            services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
            return "signed"
        except services.OversightError as error:
            return str(error)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(sign, range(20)))
    assert outcomes.count("signed") == 1
    assert set(outcomes) - {"signed"} == {"You have already signed this initiative."}
    assert Initiative.objects.get(pk=initiative.pk).signature_count == 2


def test_full_text_search_stems_words_and_ranks_the_best_match_first():
    world = build_world(prepare_key=False)
    published_decision(world, title="Close the Leeds office")
    published_decision(world, title="Hire organisers for the Welsh groups")
    published_decision(world, title="Organising budget for Leeds")
    titles = {d.title for d in queries.search_decisions("organiser")}
    # English stemming: "organiser", "organisers" and "Organising" share the stem "organis".
    assert titles == {"Hire organisers for the Welsh groups", "Organising budget for Leeds"}
    titles = {d.title for d in queries.search_decisions("Leeds -office")}
    assert titles == {"Organising budget for Leeds"}
    titles = {d.title for d in queries.search_decisions('"Welsh groups"')}
    assert titles == {"Hire organisers for the Welsh groups"}
    assert list(queries.search_decisions("nothing-like-this")) == []


def test_eight_schedulers_at_once_close_each_lapsed_initiative_once(monkeypatch):
    from tests.ballots.conftest import Clock

    world = build_world(prepare_key=False)
    initiatives = [
        services.start_initiative(
            actor=member.user, kind=InitiativeKind.POLICY, title=f"Proposal {n}", text="Because."
        )
        for n, member in enumerate(world.members[:5])
    ]
    Clock(monkeypatch).advance(days=91)
    start = threading.Barrier(8)

    def tick(_: int) -> list[str]:
        start.wait()
        try:
            return services.close_lapsed_initiatives()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = [line for lines in pool.map(tick, range(8)) for line in lines]
    assert sorted(done) == sorted(f"closed initiative {i.pk}" for i in initiatives)
    for initiative in initiatives:
        initiative.refresh_from_db()
        assert initiative.status == InitiativeStatus.CLOSED
        assert initiative.events.filter(text__startswith="Closed short").count() == 1
    assert AuditEntry.objects.filter(action="close_initiative").count() == 5


def test_eight_schedulers_at_once_deliver_a_result_that_failed_to_write_back_once(monkeypatch):
    import secrets

    from grassroots.ballots import results
    from grassroots.ballots.services.casting import cast_ballot
    from grassroots.ballots.services.counting import count_ballot
    from grassroots.ballots.services.lifecycle import close_ballot
    from grassroots.ballots.services.publishing import publish_results
    from grassroots.ballots.services.tellers import reveal_share
    from grassroots.oversight.models import CallInResult, Decision
    from tests.ballots.conftest import Clock

    world = build_world()
    decision = published_decision(world)
    initiative = services.start_initiative(
        actor=world.members[0].user,
        kind=InitiativeKind.CALL_IN,
        title="Reverse it",
        text="Because.",
        decision_id=decision.pk,
    )
    for member in world.members[1:3]:
        services.sign_initiative(actor=member.user, initiative_id=initiative.pk)
    ballot = Ballot.objects.get()
    question = ballot.questions.get()
    yes = question.candidates.get(name="Yes")
    for voter in world.members[:2]:
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers={question.pk: [yes.pk]},
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

    def refuse(_ballot):
        raise RuntimeError("oversight is being upgraded")

    monkeypatch.setitem(results._handlers, "oversight.initiative", refuse)
    publish_results(actor=world.national.user, ballot=ballot)
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.PUBLISHED and ballot.result_delivered_at is None
    assert Initiative.objects.get(pk=initiative.pk).status == InitiativeStatus.BALLOT
    monkeypatch.setitem(results._handlers, "oversight.initiative", services.record_ballot_result)
    start = threading.Barrier(8)

    def tick(_: int) -> list[str]:
        start.wait()
        try:
            return results.deliver_pending_results()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = [line for lines in pool.map(tick, range(8)) for line in lines]
    assert done == [f"delivered the result of {ballot.election_id}"]
    initiative.refresh_from_db()
    assert initiative.status == InitiativeStatus.CARRIED and initiative.votes_yes == 2
    assert Decision.objects.get(pk=decision.pk).call_in_result == CallInResult.OVERTURNED
    assert AuditEntry.objects.filter(action="record_ballot_result").count() == 1
