"""The demo's oversight content (``manage.py seed_demo``): the rules, three National Committee
meetings (one published late) and a regional one, a call-in collecting signatures, the
National Committee's commitments, and two prepared keys for initiative ballots.

Everything goes through the real services. Idempotent: nothing is done when any meeting
record exists. The first prepared key's shares are collected at seeding time and not kept
(as for the demo's open ballot), so an initiative ballot the demo opens can be voted in but not
counted; the second key waits for the demo's standing tellers to collect their shares.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from grassroots import clock
from grassroots.demo.people import (
    AUDITOR_LOGIN,
    CHAIR_LOGIN,
    COMMITTEE_LOGIN,
    MEMBER_LOGIN,
    NATIONAL_LOGIN,
    REGIONAL_LOGIN,
    login_of,
)
from grassroots.organisation.models import Region, Role, RoleAssignment
from grassroots.oversight import services
from grassroots.oversight.commitments import add_commitment, update_commitment
from grassroots.oversight.models import CommitmentStatus, InitiativeKind, Meeting, Vote
from grassroots.people.models import Member, MembershipStatus

DEMO_SIGNATURES = 24

NATIONAL_MEETINGS = [
    # (days ago, days to publish, title, minutes,
    #  [(decision title, wording, outcome, votes against)])
    (
        75,
        9,
        "September meeting",
        "Present: the full committee. The treasurer presented the half-year accounts.",
        [
            (
                "Close the Leeds regional office",
                "The Leeds office closes at the end of the year; staff move to home working. "
                "Saves about £18,000 a year in rent.",
                "agreed",
                3,
            ),
            (
                "Adopt the half-year accounts",
                "The accounts for January to June are adopted as presented.",
                "agreed",
                0,
            ),
        ],
    ),
    (
        40,
        26,  # the rules allow 14: flagged late
        "October meeting",
        "Apologies from two members. Discussion of the members' survey on conference.",
        [
            (
                "Hold the annual conference online",
                "This year's conference is held online over two weekends instead of in person.",
                "agreed",
                2,
            ),
        ],
    ),
    (
        6,
        3,
        "November meeting",
        "The committee discussed the call for more frequent publication of its decisions.",
        [
            (
                "Publish meeting records within a week",
                "The committee will publish its records within seven days of each meeting.",
                "agreed",
                0,
            ),
            (
                "Hire a second organiser for Wales",
                "A part-time organiser for North Wales, funded from the development fund.",
                "rejected",
                5,
            ),
        ],
    ),
]


@contextmanager
def _on(day: datetime.date) -> Iterator[None]:
    """Point grassroots.clock.now at midday on ``day`` while the block runs."""
    real_now = clock.now
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    setattr(clock, "now", lambda: moment)  # noqa: B010 - replacing the module's function
    try:
        yield
    finally:
        setattr(clock, "now", real_now)  # noqa: B010


def _member(email: str) -> Member:
    return Member.objects.select_related("user", "home_group__area__region").get(user__email=email)


def seed_demo_oversight() -> None:
    if Meeting.objects.exists():
        return
    national = _member(NATIONAL_LOGIN.email)
    committee_login = _member(COMMITTEE_LOGIN.email)
    tellers = [_member(e.email) for e in (AUDITOR_LOGIN, REGIONAL_LOGIN, CHAIR_LOGIN)]
    services.set_rules(
        actor=login_of(national),
        values={
            "signature_percent": Decimal("2"),
            "groups_needed": 10,
            "regions_needed": 3,
            "combine": "all",
            "returning_officer": national,
            "tellers_threshold": 2,
        },
        standing_tellers=tellers,
    )
    keys = services.prepare_keys(actor=login_of(national), count=2)
    for share in keys[0].shares.select_related("member__user"):
        services.collect_prepared_share(actor=login_of(share.member), share=share)

    today = clock.today()
    call_in_target = None
    for days_ago, publish_after, title, minutes, decisions in NATIONAL_MEETINGS:
        held_on = today - datetime.timedelta(days=days_ago)
        with _on(held_on + datetime.timedelta(days=1)):
            meeting = services.start_meeting(
                actor=login_of(committee_login),
                body="national_committee",
                region=None,
                title=title,
                held_on=held_on,
            )
        seats = list(
            RoleAssignment.objects.current(on=held_on)
            .filter(role=Role.NATIONAL_COMMITTEE)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )
        with _on(held_on + datetime.timedelta(days=publish_after)):
            for decision_title, wording, outcome, against in decisions:
                votes = {
                    member_id: Vote.AGAINST if n < against else Vote.FOR
                    for n, member_id in enumerate(seats)
                }
                if len(seats) > 1:
                    votes[seats[-1]] = Vote.ABSENT
                decision = services.record_decision(
                    actor=login_of(committee_login),
                    meeting=meeting,
                    title=decision_title,
                    text=wording,
                    outcome=outcome,
                    named_votes=votes,
                )
                if call_in_target is None:
                    call_in_target = decision
            services.save_minutes(actor=login_of(committee_login), meeting=meeting, minutes=minutes)
            services.publish_meeting(actor=login_of(committee_login), meeting=meeting)

    regional = _member(REGIONAL_LOGIN.email)
    region = Region.objects.get(pk=regional.home_group.area.region_id)
    meeting = services.start_meeting(
        actor=login_of(regional),
        body="regional_committee",
        region=region,
        title="Regional committee",
        held_on=today - datetime.timedelta(days=12),
    )
    services.record_decision(
        actor=login_of(regional),
        meeting=meeting,
        title="Regional day school in Sheffield",
        text="A day school for new members in Sheffield in the spring.",
        outcome="agreed",
        totals=(5, 0, 1),
    )
    services.publish_meeting(actor=login_of(regional), meeting=meeting)
    # A record started and not yet published: members see it flagged once it is overdue.
    services.start_meeting(
        actor=login_of(committee_login),
        body="national_committee",
        region=None,
        title="Emergency meeting",
        held_on=today - datetime.timedelta(days=20),
    )

    assert call_in_target is not None
    starter = _member(MEMBER_LOGIN.email)
    initiative = services.start_initiative(
        actor=login_of(starter),
        kind=InitiativeKind.CALL_IN,
        title="Keep the Leeds regional office open",
        text="Four groups meet in the Leeds office every week and it is the only accessible "
        "venue in the area. The saving is small next to what we would lose.",
        decision_id=call_in_target.pk,
    )
    signers = (
        Member.objects.filter(status=MembershipStatus.MEMBER, user__isnull=False)
        .exclude(pk=starter.pk)
        .order_by("pk")[: min(DEMO_SIGNATURES, initiative.signatures_needed - 2)]
    )  # short of the threshold, however small the demo
    for member in signers.select_related("user"):
        services.sign_initiative(actor=login_of(member), initiative_id=initiative.pk)

    commitments = [
        ("Publish the audited accounts", 60, 20, CommitmentStatus.DONE),
        ("Review the complaints procedure", 50, -10, CommitmentStatus.IN_PROGRESS),
        ("Publish meeting records within a week", 6, 60, CommitmentStatus.NOT_STARTED),
    ]
    for title, made_ago, due_in, status in commitments:
        commitment = add_commitment(
            actor=login_of(committee_login),
            title=title,
            description="",
            made_on=today - datetime.timedelta(days=made_ago),
            due_on=today + datetime.timedelta(days=due_in),
        )
        if status != CommitmentStatus.NOT_STARTED:
            update_commitment(
                actor=login_of(committee_login),
                commitment=commitment,
                status=status,
                note="Progress reported at the November meeting.",
                evidence="The accounts are on the members' website."
                if status == CommitmentStatus.DONE
                else "",
                evidence_url="https://example.org/accounts-2025.pdf"
                if status == CommitmentStatus.DONE
                else "",
            )
