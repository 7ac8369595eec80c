"""The group page is public: the movement publishes who its officers are, never its members."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from grassroots.organisation.models import Role
from tests.factories import GroupFactory, MemberFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateshead():
    group = GroupFactory(name="Gateshead", slug="gateshead", meeting_place="Old Town Hall")
    RoleFactory(
        role=Role.CHAIR, group=group, member__first_name="Ruth", member__last_name="Adeyemi"
    )
    RoleFactory(
        role=Role.SECRETARY, group=group, member__first_name="Tom", member__last_name="Bewick"
    )
    RoleFactory(
        role=Role.TREASURER,
        group=group,
        member__first_name="Former",
        member__last_name="Treasurer",
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2022, 1, 1),
    )
    MemberFactory(home_group=group, first_name="Private", last_name="Person")
    return group


def test_anonymous_visitor_sees_officers_names_and_roles(client, gateshead):
    response = client.get(reverse("group_detail", args=[gateshead.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<td>Chair</td><td>Ruth Adeyemi</td>" in html
    assert "<td>Secretary</td><td>Tom Bewick</td>" in html
    assert "Old Town Hall" in html


def test_group_page_shows_no_former_officers_and_no_members(client, gateshead):
    html = client.get(reverse("group_detail", args=[gateshead.slug])).content.decode()
    assert "Former Treasurer" not in html
    assert "Private Person" not in html
    assert reverse("member_list") not in html


def test_data_manager_of_the_group_gets_a_link_to_its_members(client, gateshead):
    dm = RoleFactory(role=Role.DATA_MANAGER, group=gateshead)
    give_authenticator_app(dm.member.user)
    client.force_login(dm.member.user)
    html = client.get(reverse("group_detail", args=[gateshead.slug])).content.decode()
    assert f'href="{reverse("member_list")}?group={gateshead.pk}"' in html


def test_data_manager_of_another_group_gets_no_member_link(client, gateshead):
    dm = RoleFactory(role=Role.DATA_MANAGER, group=GroupFactory())
    give_authenticator_app(dm.member.user)
    client.force_login(dm.member.user)
    html = client.get(reverse("group_detail", args=[gateshead.slug])).content.decode()
    assert reverse("member_list") not in html


def test_unknown_group_is_404(client):
    assert client.get(reverse("group_detail", args=["nowhere"])).status_code == 404


def test_group_page_lists_ballots_that_reach_the_group_and_not_others(client):
    from grassroots.ballots.services.lifecycle import open_ballot
    from tests.ballots.conftest import make_ballot

    setup = make_ballot()
    elsewhere = make_ballot()
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    sibling = GroupFactory(area=setup.group.area)

    own_page = client.get(reverse("group_detail", args=[setup.group.slug])).content.decode()
    assert "Steering committee election" in own_page
    assert reverse("ballot_vote", args=[setup.ballot.pk]) in own_page
    assert reverse("ballot_vote", args=[elsewhere.ballot.pk]) not in own_page
    # A group ballot does not reach the other groups of its area.
    sibling_page = client.get(reverse("group_detail", args=[sibling.slug])).content.decode()
    assert "No ballot reaches this group at the moment." in sibling_page
