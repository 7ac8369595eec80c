"""The national office's overview: members counted by home group, summed per area and region."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grassroots.organisation.models import Role
from grassroots.organisation.queries import national_overview
from tests.factories import AreaFactory, GroupFactory, MemberFactory, RegionFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted():
    """Wales: Cardiff area (Splott 3, Canton 2), Swansea area (Uplands 0).
    Scotland: Glasgow area (Govanhill 4). One Canton member also belongs to Splott."""
    wales = RegionFactory(name="Wales", slug="wales")
    scotland = RegionFactory(name="Scotland", slug="scotland")
    cardiff = AreaFactory(region=wales, name="Cardiff", slug="cardiff")
    swansea = AreaFactory(region=wales, name="Swansea", slug="swansea")
    glasgow = AreaFactory(region=scotland, name="Glasgow", slug="glasgow")
    splott = GroupFactory(area=cardiff, name="Splott", slug="splott")
    canton = GroupFactory(area=cardiff, name="Canton", slug="canton")
    GroupFactory(area=swansea, name="Uplands", slug="uplands")
    govanhill = GroupFactory(area=glasgow, name="Govanhill", slug="govanhill")
    MemberFactory.create_batch(3, home_group=splott)
    canton_members = MemberFactory.create_batch(2, home_group=canton)
    canton_members[0].other_groups.add(splott)
    MemberFactory.create_batch(4, home_group=govanhill)


def test_overview_counts_each_member_once_by_home_group(counted):
    regions = {r.name: r for r in national_overview()}
    assert list(regions) == ["Scotland", "Wales"]
    wales = regions["Wales"]
    assert wales.members == 5
    areas = {a.name: a for a in wales.areas}
    assert areas["Cardiff"].members == 5
    assert {g.name: g.members for g in areas["Cardiff"].groups} == {"Canton": 2, "Splott": 3}
    assert areas["Swansea"].members == 0
    assert [g.members for g in areas["Swansea"].groups] == [0]
    assert regions["Scotland"].members == 4


def test_overview_page_shows_the_counts_to_national_office(client, counted):
    national = RoleFactory(role=Role.NATIONAL_OFFICE)
    give_authenticator_app(national.member.user)
    client.force_login(national.member.user)
    response = client.get(reverse("national_overview"))
    assert response.status_code == 200
    html = response.content.decode()
    # The national officer's own record sits in a fourth, factory-made region.
    assert "10 members and supporters by home group, in 3 regions." in html
    assert "Cardiff (5)" in html
    assert "Swansea (0)" in html
    assert '<span class="hint inline">5 members</span>' in html


@pytest.mark.parametrize(
    ("role", "may_see"),
    [
        (Role.NATIONAL_OFFICE, True),
        (Role.NATIONAL_COMMITTEE, True),
        (Role.AUDITOR, True),
        (Role.REGIONAL_COORDINATOR, False),
        (Role.AREA_COORDINATOR, False),
        (Role.DATA_MANAGER, False),
    ],
)
def test_only_national_roles_see_the_overview(client, role, may_see):
    group = GroupFactory()
    scope = {
        Role.REGIONAL_COORDINATOR: {"region": group.area.region},
        Role.AREA_COORDINATOR: {"area": group.area},
        Role.DATA_MANAGER: {"group": group},
    }.get(role, {})
    officer = RoleFactory(role=role, **scope)
    give_authenticator_app(officer.member.user)
    client.force_login(officer.member.user)
    response = client.get(reverse("national_overview"))
    assert response.status_code == (200 if may_see else 404)


def test_overview_escapes_group_and_area_names(client, counted):
    """The rows are drawn in Python for speed: names are still escaped."""
    area = AreaFactory(name="<b>Area</b>", slug="tagged-area")
    GroupFactory(area=area, name="<script>alert(1)</script>", slug="tagged")
    national = RoleFactory(role=Role.NATIONAL_OFFICE)
    give_authenticator_app(national.member.user)
    client.force_login(national.member.user)
    html = client.get(reverse("national_overview")).content.decode()
    assert "<script>alert(1)" not in html and "<b>Area" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Area&lt;/b&gt; (0)" in html
