"""A small ballot ready to vote in: a national officer, three tellers, a group of voters."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from grassroots import clock
from grassroots.ballots.models import Ballot, Question, QuestionKind
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.organisation.models import Group, Role
from grassroots.people.models import Member
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory

STV_CANDIDATES = [
    ("Aisha Khan", ["women"]),
    ("Ben Carter", []),
    ("Carys Evans", ["women"]),
    ("Dev Patel", []),
]


class Clock:
    """Moves grassroots.clock.now, the one "now" the ballot services read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = datetime.timedelta(0)
        real_now = clock.now
        monkeypatch.setattr(clock, "now", lambda: real_now() + self.offset)

    def advance(self, **kwargs: float) -> None:
        self.offset += datetime.timedelta(**kwargs)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    yield Clock(monkeypatch)


@dataclass
class SetUp:
    ballot: Ballot
    officer: Member
    tellers: list[Member]
    shares: list[str]
    group: Group
    stv: Question
    motion: Question


def make_ballot(
    *,
    voters: list[Member] | None = None,
    group: Group | None = None,
    end_to_end: bool = False,
    while_draft: Callable[[Ballot, Member], object] | None = None,
) -> SetUp:
    """The ballot in server mode with its shares collected; or ``end_to_end``, its tellers
    named and no key yet (tests/ballots/e2e_helpers.py holds their ceremony). ``while_draft``
    is called with the ballot and its officer before the tellers are set up (to add more)."""
    group = group or GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    tellers = [MemberWithLoginFactory(home_group=group) for _ in range(3)]
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="Steering committee election",
        description="Four candidates for two seats.",
        level="group",
        scope=group,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(hours=1),
        joined_before=datetime.date(2025, 1, 1),
        tellers_count=3,
        threshold=2,
        end_to_end=end_to_end,
    )
    stv = add_question(
        actor=officer.user,
        ballot=ballot,
        title="Steering committee",
        kind=QuestionKind.STV,
        stv_rule="scottish",
        seats=2,
        constraints=[{"category": "women", "minimum": 1, "maximum": None}],
    )
    for name, categories in STV_CANDIDATES:
        add_candidate(actor=officer.user, question=stv, name=name, categories=categories)
    motion = add_question(
        actor=officer.user, ballot=ballot, title="Adopt the new constitution?", kind="yesno"
    )
    if while_draft is not None:
        while_draft(ballot, officer)
    set_up_tellers(actor=officer.user, ballot=ballot, members=tellers)
    shares = (
        []
        if end_to_end
        else [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    )
    return SetUp(
        ballot=Ballot.objects.get(pk=ballot.pk),
        officer=officer,
        tellers=tellers,
        shares=shares,
        group=group,
        stv=stv,
        motion=motion,
    )


@pytest.fixture
def ready_ballot(db: None) -> SetUp:
    return make_ballot()


def candidate_ids(question: Question) -> list[int]:
    return list(question.candidates.order_by("position").values_list("pk", flat=True))


def open_with_voters(setup: SetUp, count: int) -> list[Member]:
    voters = [MemberWithLoginFactory(home_group=setup.group) for _ in range(count)]
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    setup.ballot.refresh_from_db()
    return voters


KeyMaker = Callable[[], str]


def open_group_ballot(*, group: Group, officer: Member, teller: Member) -> Ballot:
    """An open yes/no ballot in ``group`` run by ``officer``, with ``teller`` its only teller.

    Made once per database (the access-matrix test asks for it for every URL it checks).
    """
    existing = Ballot.objects.filter(group=group).first()
    if existing is not None:
        return existing
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="Adopt the group's standing orders",
        description="",
        level="group",
        scope=group,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=7),
        tellers_count=1,
        threshold=1,
    )
    add_question(
        actor=officer.user, ballot=ballot, title="Adopt the standing orders?", kind="yesno"
    )
    set_up_tellers(actor=officer.user, ballot=ballot, members=[teller])
    collect_share(actor=teller.user, teller=ballot.tellers.get())
    open_ballot(actor=officer.user, ballot=ballot)
    return Ballot.objects.get(pk=ballot.pk)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploaded candidate photos go to the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


# The smallest valid images: a 1x1 PNG and a 1x1 JPEG.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
JPEG_1X1 = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c14"
    "0d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d"
    "38323c2e333432ffc0000b080001000101011100ffc4001f0000010501010101010100000000000000"
    "000102030405060708090a0bffc400b5100002010303020403050504040000017d0102030004110512"
    "2131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a"
    "3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a8384"
    "85868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9"
    "cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008010100003f00fb"
    "d3ffd9"
)


def cast_orders(setup: SetUp, voters: list[Member], orders: list[list[int]]) -> None:
    """Each voter ranks the STV candidates by position index in ``orders`` and says yes."""
    import secrets

    ids = candidate_ids(setup.stv)
    yes = candidate_ids(setup.motion)[0]
    for voter, order in zip(voters, orders, strict=True):
        cast_ballot(
            actor=voter.user,
            ballot=setup.ballot,
            answers={setup.stv.pk: [ids[i] for i in order], setup.motion.pk: [yes]},
            idempotency_key=secrets.token_urlsafe(24),
        )


def close_count_publish(setup: SetUp, clock_: Clock) -> Ballot:
    clock_.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    for teller, share in list(zip(setup.tellers, setup.shares, strict=True))[:2]:
        reveal_share(
            actor=teller.user, teller=setup.ballot.tellers.get(member=teller), share_text=share
        )
    count_ballot(actor=setup.officer.user, ballot=setup.ballot)
    publish_results(actor=setup.officer.user, ballot=setup.ballot)
    return Ballot.objects.get(pk=setup.ballot.pk)
