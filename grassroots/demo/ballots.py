"""The demo's ballots (``manage.py seed_demo``): one finished and published, one open.

Both are run through the real services: ballots created, candidates added, tellers' key made
and shares collected, the roll frozen, votes cast with each voter's personal link, sealed into
the log with signed heads, closed, decrypted with the tellers' shares, counted and published.
Nothing is written to the tables directly, so the published record verifies like any other.

The finished ballot is run on a shifted clock (``grassroots.clock.now`` points into the past
while it runs), so its tree heads and dates read as a poll held last week. Deterministic: one
seeded random generator chooses the voters and their preferences. Idempotent: a ballot already
present (by title) is left alone.

The open ballot is run by the Chair of Leeds Central, who is also one of its three tellers (with
the group's Data Manager and a national committee member). The demo's settings
(``grassroots.settings.dev``) name a share keeper and an early-close policy
(``grassroots.ballots.custody``): the tellers' shares are handed to the keeper, sealed under
the server key, and shown to each teller on the page where they enter it, and the returning
officer may close the ballot before its time: so a visitor can log in as the Chair, close,
enter the share, log in as the Data Manager, enter theirs, then count and publish. Where the
settings name no keeper (production's never do) nothing is kept, exactly as for a real
ballot, and the open demo ballot can be voted in but not counted.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Callable

from grassroots import clock
from grassroots.ballots.custody import share_keeper
from grassroots.ballots.links import personal_link_token
from grassroots.ballots.models import Ballot, Question, QuestionKind, RollEntry
from grassroots.ballots.services.casting import cast_ballot_with_link
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.kept_shares import keep_tellers_shares
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.sealing import seal_pending
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.demo.clock import stepped_clock
from grassroots.demo.people import (
    AUDITOR_LOGIN,
    CHAIR_LOGIN,
    COMMITTEE_LOGIN,
    DATA_MANAGER_LOGIN,
    NATIONAL_LOGIN,
    REGIONAL_LOGIN,
    login_of,
)
from grassroots.organisation.models import Group
from grassroots.people.models import Member

FINISHED_TITLE = "National committee election 2025 (demo)"
OPEN_TITLE = "Leeds Central committee election (demo)"
DEMO_VOTES = 300
SEED = 20_250_601

# (name suffix for the statement, categories): six candidates, three seats, at least two women.
NATIONAL_CANDIDATES = [
    ("women",),
    (),
    ("women",),
    (),
    ("women",),
    (),
]
# How popular each candidate is: the chance of being ranked early (first three candidates lead).
POPULARITY = [9, 8, 3, 7, 4, 2]


def _member(email: str) -> Member:
    return Member.objects.select_related("user").get(user__email=email)


def _ranking(rng: random.Random, candidate_ids: list[int]) -> list[int]:
    """A voter's preferences: a weighted shuffle, cut after 1 to all candidates."""
    pool = list(zip(candidate_ids, POPULARITY, strict=True))
    ranking = []
    while pool:
        pick = rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
        ranking.append(pool.pop(pick)[0])
    return ranking[: rng.randint(1, len(ranking))]


def _cast_by_links(
    ballot: Ballot,
    question: Question,
    voters: list[RollEntry],
    rng: random.Random,
    advance: Callable[[datetime.timedelta], None] | None = None,
) -> None:
    ids = list(question.candidates.order_by("position").values_list("pk", flat=True))
    for number, entry in enumerate(voters, start=1):
        cast_ballot_with_link(
            actor=None,
            ballot=ballot,
            token=personal_link_token(entry),
            answers={question.pk: _ranking(rng, ids)},
            idempotency_key=secrets.token_urlsafe(24),
        )
        if advance is not None:
            advance(datetime.timedelta(minutes=7))
            if number % 25 == 0:
                seal_pending(ballot, min_batch=10)


def _set_up(
    *,
    title: str,
    description: str,
    level: str,
    scope: Group | None,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    question_title: str,
    seats: int,
    minimum_women: int,
    candidates: list[Member],
    tellers: list[Member],
    officer_email: str = NATIONAL_LOGIN.email,
) -> tuple[Ballot, Question, list[str]]:
    officer = _member(officer_email)
    ballot = create_ballot(
        actor=login_of(officer),
        title=title,
        description=description,
        level=level,
        scope=scope,
        opens_at=opens_at,
        closes_at=closes_at,
        tellers_count=3,
        threshold=2,
    )
    question = add_question(
        actor=login_of(officer),
        ballot=ballot,
        title=question_title,
        kind=QuestionKind.STV,
        stv_rule="scottish",
        seats=seats,
        constraints=[{"category": "women", "minimum": minimum_women, "maximum": None}],
    )
    for number, member in enumerate(candidates):
        categories = NATIONAL_CANDIDATES[number % len(NATIONAL_CANDIDATES)]
        add_candidate(
            actor=login_of(officer),
            question=question,
            name=member.full_name,
            statement=f"{member.first_name} has been a member of {member.home_group} since "
            f"{member.joined_on:%Y} and wants the committee to answer to members.",
            categories=list(categories),
            member=member,
        )
    set_up_tellers(actor=login_of(officer), ballot=ballot, members=tellers)
    shares = [
        collect_share(actor=login_of(t), teller=ballot.tellers.get(member=t)) for t in tellers
    ]
    return Ballot.objects.get(pk=ballot.pk), question, shares


def seed_finished_ballot(*, votes: int = DEMO_VOTES) -> Ballot:
    """A nation-wide STV election, three seats with at least two women, counted and published."""
    existing = Ballot.objects.filter(title=FINISHED_TITLE).first()
    if existing is not None:
        return existing
    rng = random.Random(SEED)  # noqa: S311 - made-up votes, reproducible on purpose
    officer = _member(NATIONAL_LOGIN.email)
    tellers = [_member(e.email) for e in (COMMITTEE_LOGIN, AUDITOR_LOGIN, REGIONAL_LOGIN)]
    pool = list(Member.objects.filter(status="member").exclude(user__isnull=False).order_by("pk"))
    candidates = rng.sample(pool, len(NATIONAL_CANDIDATES))
    today = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    opens_at = today - datetime.timedelta(days=10)
    closes_at = today - datetime.timedelta(days=3)
    with stepped_clock(opens_at - datetime.timedelta(days=5)) as advance:
        ballot, question, shares = _set_up(
            title=FINISHED_TITLE,
            description="The national committee: three seats, at least two of them women.",
            level="nation",
            scope=None,
            opens_at=opens_at,
            closes_at=closes_at,
            question_title="National committee",
            seats=3,
            minimum_women=2,
            candidates=candidates,
            tellers=tellers,
        )
        advance(datetime.timedelta(days=5, minutes=1))
        open_ballot(actor=login_of(officer), ballot=ballot)
        roll = list(RollEntry.objects.filter(ballot=ballot).order_by("pk"))
        voters = rng.sample(roll, min(votes, len(roll)))
        _cast_by_links(ballot, question, voters, rng, advance)
        seal_pending(ballot, min_batch=1)
        advance(closes_at - clock.now() + datetime.timedelta(minutes=1))
        close_ballot(actor=login_of(officer), ballot=ballot)
        for teller, share in list(zip(tellers, shares, strict=True))[:2]:
            advance(datetime.timedelta(hours=2))
            reveal_share(
                actor=login_of(teller), teller=ballot.tellers.get(member=teller), share_text=share
            )
        count_ballot(actor=login_of(officer), ballot=ballot)
        advance(datetime.timedelta(hours=1))
        publish_results(actor=login_of(officer), ballot=ballot)
    return Ballot.objects.get(pk=ballot.pk)


def seed_open_ballot(*, votes: int = 12) -> Ballot:
    """An STV election in Leeds Central (the demo member's group), open for two weeks."""
    existing = Ballot.objects.filter(title=OPEN_TITLE).first()
    if existing is not None:
        return existing
    rng = random.Random(SEED + 1)  # noqa: S311
    group = Group.objects.get(name="Leeds Central")
    members = list(Member.objects.filter(home_group=group, user__isnull=True).order_by("pk"))
    candidates = rng.sample(members, 4)
    now = clock.now()
    tellers = [_member(e.email) for e in (CHAIR_LOGIN, DATA_MANAGER_LOGIN, COMMITTEE_LOGIN)]
    ballot, question, shares = _set_up(
        title=OPEN_TITLE,
        description="Two seats on the group committee, at least one of them a woman.",
        level="group",
        scope=group,
        opens_at=now - datetime.timedelta(hours=1),
        closes_at=now + datetime.timedelta(days=14),
        question_title="Group committee",
        seats=2,
        minimum_women=1,
        candidates=candidates,
        tellers=tellers,
        officer_email=CHAIR_LOGIN.email,
    )
    if share_keeper() is not None:
        by_teller = dict(ballot.tellers.values_list("member_id", "share_index"))
        keep_tellers_shares(
            ballot=ballot,
            shares={by_teller[t.pk]: share for t, share in zip(tellers, shares, strict=True)},
        )
    del shares
    officer = tellers[0]
    open_ballot(actor=login_of(officer), ballot=ballot)
    roll = list(RollEntry.objects.filter(ballot=ballot, member__user__isnull=True).order_by("pk"))
    voters = rng.sample(roll, min(votes, len(roll)))
    ids = list(question.candidates.order_by("position").values_list("pk", flat=True))
    for entry in voters:
        ranking = ids[:]
        rng.shuffle(ranking)
        cast_ballot_with_link(
            actor=None,
            ballot=ballot,
            token=personal_link_token(entry),
            answers={question.pk: ranking[: rng.randint(1, len(ranking))]},
            idempotency_key=secrets.token_urlsafe(24),
        )
    seal_pending(ballot, min_batch=1)
    return Ballot.objects.get(pk=ballot.pk)


def seed_demo_ballots(*, votes: int = DEMO_VOTES) -> list[Ballot]:
    """Both demo ballots, each made once."""
    return [seed_finished_ballot(votes=votes), seed_open_ballot()]
