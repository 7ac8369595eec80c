"""Private categories (issue 16): when the movement decides candidates' declared categories
are private, only the nominee and the ballot's officers see them on the nomination pages, and
only those a quota rule uses are published on the paper and in the record."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.ballots.models import Question
from grassroots.ballots.publication import ledger_question
from grassroots.ballots.services.nominations import nominate, open_nominations
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.organisation.models import Role
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _ballot(private: bool):
    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="Group committee",
        description="",
        level="group",
        scope=group,
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=4),
        categories_private=private,
    )
    question = add_question(
        actor=officer.user,
        ballot=ballot,
        title="Committee",
        kind="stv",
        stv_rule="scottish",
        seats=2,
        constraints=[{"category": "women", "minimum": 1, "maximum": None}],
    )
    return group, officer, ballot, question


def test_private_categories_are_seen_only_by_the_nominee_and_the_officers():
    group, officer, ballot, question = _ballot(private=True)
    open_nominations(
        actor=officer.user, ballot=ballot, close_at=clock.now() + datetime.timedelta(days=1)
    )
    nominee = MemberWithLoginFactory(home_group=group)
    other = MemberWithLoginFactory(home_group=group)
    nomination = nominate(
        actor=nominee.user, question=question, nominee=nominee, categories=["women", "lgbt"]
    )
    report = reverse("ballot_nominations", args=[ballot.pk])
    detail = reverse("ballot_nomination", args=[ballot.pk, nomination.pk])
    client = Client()
    client.force_login(other.user)
    assert "lgbt" not in client.get(report).content.decode()
    assert "lgbt" not in client.get(detail).content.decode()
    assert "private (seen by the nominee" in client.get(detail).content.decode()
    client.force_login(nominee.user)
    assert "lgbt, women" in client.get(detail).content.decode()
    give_authenticator_app(officer.user)
    client.force_login(officer.user)
    assert "lgbt, women" in client.get(report).content.decode()


@pytest.mark.parametrize(("private", "published"), [(True, ("women",)), (False, ("lgbt", "women"))])
def test_only_the_categories_a_quota_uses_are_published_when_they_are_private(
    private: bool, published: tuple[str, ...]
):
    _, officer, _, question = _ballot(private=private)
    add_candidate(actor=officer.user, question=question, name="Aisha", categories=["lgbt", "women"])
    add_candidate(actor=officer.user, question=question, name="Ben", categories=["lgbt"])
    add_candidate(actor=officer.user, question=question, name="Carys", categories=[])
    ledger = ledger_question(Question.objects.get(pk=question.pk))
    assert ledger.categories[0] == published
    assert (1 in ledger.categories) is not private
