"""Slates (issue 16, slice 2): the national office creates a slate and names its selection
ballots; a published ballot's elected candidates take their places through the result
registry; the public page lists them with their statements and links to result and record."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from grassroots.audit.models import AuditEntry
from grassroots.ballots.results import result_handlers
from grassroots.organisation.models import Role
from grassroots.slates.models import Slate, SlatePlace
from grassroots.slates.services import (
    SlateError,
    add_selection_ballot,
    create_slate,
    fill_from_ballot,
)
from tests.ballots.conftest import (
    Clock,
    SetUp,
    cast_orders,
    close_count_publish,
    open_with_voters,
)
from tests.factories import MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _slate(officer) -> Slate:
    return create_slate(
        actor=officer.user,
        name="National executive slate 2027",
        body="the party's national executive",
        seats=2,
        closes_on=datetime.date(2027, 3, 1),
        rules="Two seats; at least one woman.",
    )


def test_only_the_national_office_creates_slates_and_names_their_ballots(ready_ballot: SetUp):
    group = ready_ballot.group
    coordinator = RoleFactory(
        role=Role.REGIONAL_COORDINATOR, region=group.area.region, member__home_group=group
    ).member
    with pytest.raises(PermissionDenied):
        _slate(coordinator)
    slate = _slate(ready_ballot.officer)
    with pytest.raises(PermissionDenied):
        add_selection_ballot(actor=coordinator.user, slate=slate, ballot=ready_ballot.ballot)
    add_selection_ballot(actor=ready_ballot.officer.user, slate=slate, ballot=ready_ballot.ballot)
    other = _slate(ready_ballot.officer)
    with pytest.raises(SlateError, match="already fills a slate"):
        add_selection_ballot(
            actor=ready_ballot.officer.user, slate=other, ballot=ready_ballot.ballot
        )
    actions = AuditEntry.objects.filter(subject_type="slate").values_list("action", flat=True)
    assert list(actions.order_by("pk")) == [
        "slates.create_slate",
        "slates.add_ballot",
        "slates.create_slate",
    ]
    assert result_handlers()["slates.fill"] is fill_from_ballot


def test_a_published_selection_ballot_fills_its_slate_and_the_page_shows_it(
    client: Client, ready_ballot: SetUp, frozen_clock: Clock
):
    slate = _slate(ready_ballot.officer)
    add_selection_ballot(actor=ready_ballot.officer.user, slate=slate, ballot=ready_ballot.ballot)
    ready_ballot.stv.candidates.filter(name="Aisha Khan").update(statement="I will organise.")
    voters = open_with_voters(ready_ballot, 5)
    page = client.get(reverse("slates:detail", args=[slate.pk])).content.decode()
    assert "Steering committee election" in page and "Aisha Khan" not in page
    cast_orders(ready_ballot, voters, [[0, 1], [0, 2], [1, 0], [1, 3], [2, 0]])
    ballot = close_count_publish(ready_ballot, frozen_clock)
    ready_ballot.stv.refresh_from_db()
    standing = list(ready_ballot.stv.candidates.order_by("position"))
    elected = [standing[n].name for n in ready_ballot.stv.result["elected"]]
    places = [p.candidate.name for p in SlatePlace.objects.filter(slate=slate)]
    assert places == elected and len(places) == 2
    # The handler is idempotent: delivering again adds nobody.
    fill_from_ballot(ballot)
    assert SlatePlace.objects.filter(slate=slate).count() == 2
    page = client.get(reverse("slates:detail", args=[slate.pk])).content.decode()
    for name in elected:
        assert escape(name) in page
    if "Aisha Khan" in elected:
        assert "I will organise." in page
    assert reverse("ballot_results", args=[ballot.pk]) in page
    assert reverse("ballot_record", args=[ballot.pk]) in page
    assert "Chosen so far</dt><dd>2 of 2" in page


def test_the_national_office_creates_a_slate_through_its_pages(client: Client):
    officer = RoleFactory(role=Role.NATIONAL_OFFICE).member
    from tests.web.roles import give_authenticator_app

    give_authenticator_app(officer.user)
    client.force_login(officer.user)
    assert "Create a slate" in client.get(reverse("slates:list")).content.decode()
    response = client.post(
        reverse("slates:create"),
        {"name": "Council slate", "body": "Leeds council", "seats": "0", "closes_on": "2027-05-01"},
    )
    assert response.status_code == 200 and not Slate.objects.exists()
    response = client.post(
        reverse("slates:create"),
        {"name": "Council slate", "body": "Leeds council", "seats": "3", "closes_on": "2027-05-01"},
    )
    slate = Slate.objects.get()
    assert response["Location"] == reverse("slates:detail", args=[slate.pk])
    member = MemberWithLoginFactory()
    client.force_login(member.user)
    assert client.get(reverse("slates:create")).status_code == 404
    assert client.get(reverse("slates:selection_add", args=[slate.pk])).status_code == 404
    assert "Council slate" in client.get(reverse("slates:list")).content.decode()
