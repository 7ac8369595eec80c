"""The home page's probes: the statement made once per process (grassroots.people.attention)
answers as the ORM does, for every source, every login of the demo and every shape."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.demo.people import DEMO_LOGINS
from grassroots.people import attention
from grassroots.people.attention import Probe, probe_answers
from grassroots.people.models import Member
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _each_query(user: User, member: Member | None) -> list[tuple[str, bool, bool]]:
    """(source, compiled answer, ORM answer) for every query of every probe, one at a time."""
    _, queries = attention._probes(user, member)
    found = []
    for name, answers in queries.items():
        for query in answers:
            assert isinstance(query, Probe), f"{name} answers with a queryset, not a Probe"
            statement = attention._compiled([query])
            assert statement is not None, f"{name}'s probe could not be compiled"
            sql, slots = statement
            with connection.cursor() as cursor:
                cursor.execute(sql, [slot(user.pk, [query.inputs]) for slot in slots])
                (compiled,) = cursor.fetchone()
            found.append((name, bool(compiled), query.queryset().exists()))
    return found


def test_every_probe_compiled_answers_as_the_orm_for_every_demo_login():
    restore_demo()
    logins = User.objects.select_related("member__home_group__area").order_by("pk")
    # The demo's named logins (each role, the tellers, the committee) and every tenth of the
    # other officers' logins: each probe's shapes, without asking hundreds of logins.
    named = {login.email for login in DEMO_LOGINS}
    users = [u for i, u in enumerate(logins) if u.email in named or i % 10 == 0]
    assert len(users) >= len(named) + 10
    seen: dict[str, set[bool]] = {}
    for user in users:
        member = getattr(user, "member", None)
        for name, compiled, orm in _each_query(user, member):
            assert compiled == orm, (user.email, name)
            seen.setdefault(name, set()).add(orm)
        assert probe_answers(user, member) == probe_answers(user, member, compiled=False)
    # Every probed source was asked, and the demo gives some sources both answers.
    assert set(seen) == {
        name for name in attention._sources if attention._sources[name].probe is not None
    }
    assert sum(answers == {True, False} for answers in seen.values()) >= 3


def test_a_later_request_puts_its_own_values_in_the_same_statement(monkeypatch):
    """The statement is made once, and a request at another time or by another member gives
    that request's answer, not the first one's."""
    restore_demo()
    member_user = User.objects.get(email="member@demo.grassroots.example")
    member = member_user.member
    now = clock.now()
    before = probe_answers(member_user, member)
    assert before["ballots"] and before["proposals"]
    statements = dict(attention._statements)
    # A month on the open ballot and the open proposal have closed.
    monkeypatch.setattr(clock, "now", lambda: now + datetime.timedelta(days=60))
    later = probe_answers(member_user, member)
    assert later == probe_answers(member_user, member, compiled=False)
    assert not later.get("ballots") and not later.get("proposals")
    assert attention._statements == statements  # no new statement for the same shape


def test_listed_items_come_out_as_the_orm_gives_them_for_every_demo_login(monkeypatch):
    restore_demo()
    logins = User.objects.select_related("member__home_group__area").order_by("pk")
    named = {login.email for login in DEMO_LOGINS}
    users = [u for i, u in enumerate(logins) if u.email in named or i % 10 == 0]
    compiled = {u.pk: attention.attention_for(u, getattr(u, "member", None)) for u in users}
    monkeypatch.setattr(attention, "listed", attention.listed_through_orm)
    for module in ("ballots", "organisation", "proposals", "surveys"):
        monkeypatch.setattr(
            f"grassroots.{module}.attention.listed", attention.listed_through_orm, raising=True
        )
    through_orm = {u.pk: attention.attention_for(u, getattr(u, "member", None)) for u in users}
    assert compiled == through_orm
    member = User.objects.get(email="member@demo.grassroots.example")
    kinds = {item.kind for item in compiled[member.pk]}
    # The demo member has a ballot, a proposal and a survey waiting: each listing is exercised,
    # with its deadline read back as an aware time.
    assert {"vote", "proposal", "survey"} <= kinds
    # The national officer looks after every group, some of them without a Data Manager.
    national = User.objects.get(email="national@demo.grassroots.example")
    assert any(item.kind == "officer" for item in compiled[national.pk])
    assert all(
        item.due is None or item.due.tzinfo is not None
        for items in compiled.values()
        for item in items
    )
