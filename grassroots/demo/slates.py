"""The demo's slate (issue 16): the national committee slate, filled by one selection ballot
with regional sections and a seat elected by weighted electoral colleges, taking nominations.

All through the public services, as the national office would: the slate, the ballot, its
sections ("Midlands: 2 seats, at least 1 BAME" for the members in the West Midlands; "South
West: 1 seat, which must be a woman and/or BAME"), each with its own nomination threshold,
the national chair elected by two colleges (elected members 1/3, public office holders 2/3,
the office holders imported as a list), and a few nominations with declared categories and
their supporters. Nominations stay open for a week, so a visitor can nominate, support and
(as the national office) confirm. Made once (by title); deterministic.
"""

from __future__ import annotations

import datetime
import random

from grassroots import clock
from grassroots.ballots.models import Ballot, Question
from grassroots.ballots.services.colleges import import_college_members, set_colleges
from grassroots.ballots.services.nominations import (
    nominate,
    open_nominations,
    support_nomination,
)
from grassroots.ballots.services.setup import add_question, create_ballot
from grassroots.demo.people import NATIONAL_LOGIN, login_of
from grassroots.organisation.models import Region
from grassroots.organisation.permissions import NATION
from grassroots.people.models import Member, MembershipStatus
from grassroots.slates.models import Slate
from grassroots.slates.services import add_selection_ballot, create_slate

SLATE_NAME = "National committee slate 2027 (demo)"
BALLOT_TITLE = "National committee selection 2027 (demo)"
MIDLANDS_REGION = "West Midlands"
SOUTH_WEST_REGION = "South West"
CHAIR_TITLE = "National chair (electoral college)"
COLLEGES = [("Elected members", "1/3"), ("Public office holders", "2/3")]
SEED = 20_270_116
RULES = (
    "Four seats. Midlands: two seats, at least one BAME. South West: one seat, which must be a "
    "woman and/or BAME. National chair: elected by two colleges, elected members (one third) "
    "and public office holders (two thirds)."
)
# (section, categories each nominee declares)
NOMINEES = {
    "Midlands": [["bame"], [], ["women"]],
    "South West": [["women"], []],
    CHAIR_TITLE: [[], ["women"]],
}


def _members(
    region: Region, rng: random.Random, count: int, *, with_login: bool = False
) -> list[Member]:
    """Members of the region, chosen by the seeded generator (with a login: the demo's group
    officers, who can act through the services)."""
    pool = list(
        Member.objects.filter(
            home_group__area__region=region,
            status=MembershipStatus.MEMBER,
            user__isnull=not with_login,
        )
        .select_related("user", "home_group")
        .order_by("pk")[:400]
    )
    return rng.sample(pool, count)


def seed_demo_slate() -> Slate:
    existing = Slate.objects.filter(name=SLATE_NAME).first()
    if existing is not None:
        return existing
    rng = random.Random(SEED)  # noqa: S311 - made-up nominations, reproducible on purpose
    officer = login_of(Member.objects.get(user__email=NATIONAL_LOGIN.email))
    midlands = Region.objects.get(name=MIDLANDS_REGION)
    south_west = Region.objects.get(name=SOUTH_WEST_REGION)
    now = clock.now().replace(second=0, microsecond=0)
    ballot = create_ballot(
        actor=officer,
        title=BALLOT_TITLE,
        description=RULES,
        level="nation",
        scope=NATION,
        opens_at=now + datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=17),
        tellers_count=3,
        threshold=2,
    )
    sections = {
        "Midlands": add_question(
            actor=officer,
            ballot=ballot,
            title="Midlands",
            kind="stv",
            stv_rule="scottish",
            seats=2,
            constraints=[{"category": "bame", "minimum": 1, "maximum": None}],
            section=midlands,
            supporters_needed=1,
        ),
        "South West": add_question(
            actor=officer,
            ballot=ballot,
            title="South West",
            kind="stv",
            stv_rule="scottish",
            seats=1,
            constraints=[{"category": "women or bame", "minimum": 1, "maximum": None}],
            section=south_west,
            supporters_needed=1,
        ),
    }
    chair = add_question(actor=officer, ballot=ballot, title=CHAIR_TITLE, kind="irv")
    set_colleges(actor=officer, question=chair, colleges=COLLEGES, everyone_else=0)
    holders = _members(midlands, rng, 3) + _members(south_west, rng, 3)
    import_college_members(
        actor=officer,
        question=chair,
        college=1,
        text="\n".join(m.membership_number for m in holders),
    )
    open_nominations(
        actor=officer, ballot=ballot, close_at=now + datetime.timedelta(days=7), supporters_needed=0
    )
    _nominate(sections["Midlands"], midlands, rng)
    _nominate(sections["South West"], south_west, rng)
    _nominate(Question.objects.get(pk=chair.pk), midlands, rng)
    slate = create_slate(
        actor=officer,
        name=SLATE_NAME,
        body="the movement's national committee",
        seats=4,
        closes_on=(now + datetime.timedelta(days=30)).date(),
        rules=RULES,
    )
    add_selection_ballot(actor=officer, slate=slate, ballot=Ballot.objects.get(pk=ballot.pk))
    return slate


def _nominate(question: Question, region: Region, rng: random.Random) -> None:
    """Members of the region stand, declaring their categories, each with one supporter."""
    declared = NOMINEES[question.title]
    people = _members(region, rng, 2 * len(declared), with_login=True)
    for nominee, supporter, categories in zip(people[::2], people[1::2], declared, strict=True):
        nomination = nominate(
            actor=login_of(nominee),
            question=question,
            nominee=nominee,
            statement=f"{nominee.first_name} has organised in {nominee.home_group} since "
            f"{nominee.joined_on:%Y}.",
            categories=categories,
        )
        support_nomination(actor=login_of(supporter), nomination=nomination)
