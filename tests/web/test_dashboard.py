"""The dashboard: my groups, my roles and what needs my attention."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from grassroots.organisation.models import Role
from grassroots.organisation.queries import groups_needing_attention
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def area_with_one_group_lacking_a_data_manager():
    looked_after = GroupFactory(name="Jesmond")
    RoleFactory(role=Role.DATA_MANAGER, group=looked_after)
    lacking = GroupFactory(name="Byker", area=looked_after.area)
    lapsed = GroupFactory(name="Heaton", area=looked_after.area)
    RoleFactory(
        role=Role.DATA_MANAGER,
        group=lapsed,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2021, 1, 1),
    )
    elsewhere = GroupFactory(name="Truro")  # another area, also without a Data Manager
    return looked_after.area, {"lacking": lacking, "lapsed": lapsed, "elsewhere": elsewhere}


def logged_in(client, role_assignment):
    give_authenticator_app(role_assignment.member.user)
    client.force_login(role_assignment.member.user)
    return role_assignment.member.user


def test_area_coordinator_is_told_of_groups_in_their_area_without_data_manager(
    client, area_with_one_group_lacking_a_data_manager
):
    area, _ = area_with_one_group_lacking_a_data_manager
    user = logged_in(client, RoleFactory(role=Role.AREA_COORDINATOR, area=area))
    # The coordinator's own home group (made by the factory) is in another area.
    assert [g.name for g in groups_needing_attention(user)] == ["Byker", "Heaton"]
    html = client.get(reverse("home")).content.decode()
    assert "Byker has no Data Manager" in html and "Heaton has no Data Manager" in html
    assert "Truro" not in html


def test_national_office_is_told_of_every_group_without_data_manager(
    area_with_one_group_lacking_a_data_manager,
):
    national = RoleFactory(role=Role.NATIONAL_OFFICE)
    names = {g.name for g in groups_needing_attention(national.member.user)}
    assert {"Byker", "Heaton", "Truro"} <= names
    assert "Jesmond" not in names


def test_chair_is_not_given_data_manager_gaps_to_chase(
    client, area_with_one_group_lacking_a_data_manager
):
    _, groups = area_with_one_group_lacking_a_data_manager
    user = logged_in(client, RoleFactory(role=Role.CHAIR, group=groups["lacking"]))
    assert groups_needing_attention(user) == []
    assert "no Data Manager" not in client.get(reverse("home")).content.decode()


def test_member_without_consent_is_asked_to_review_it(client):
    member = MemberWithLoginFactory(consent_to_contact=False)
    client.force_login(member.user)
    html = client.get(reverse("home")).content.decode()
    assert "You have not agreed to be contacted" in html
    assert reverse("profile_edit") in html
    assert "Nothing needs your attention" not in html


def test_dashboard_lists_home_and_second_groups_and_current_roles(client):
    member = MemberWithLoginFactory(home_group=GroupFactory(name="Walker"))
    member.other_groups.add(GroupFactory(name="Byker"))
    RoleFactory(member=member, role=Role.SECRETARY, group=member.home_group)
    give_authenticator_app(member.user)
    client.force_login(member.user)
    html = client.get(reverse("home")).content.decode()
    assert "Walker</a> (home group)" in html
    assert "Byker</a></li>" in html
    assert "Secretary, Walker" in html


def test_member_list_and_overview_links_only_for_those_who_may_use_them(client):
    member = MemberWithLoginFactory()
    client.force_login(member.user)
    html = client.get(reverse("home")).content.decode()
    assert reverse("member_list") not in html
    assert reverse("national_overview") not in html

    logged_in(client, RoleFactory(role=Role.NATIONAL_OFFICE))
    html = client.get(reverse("home")).content.decode()
    assert reverse("member_list") in html
    assert reverse("national_overview") in html
