"""The member list: scoped search, filters and pages, and an audit row for every look."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.people.models import MembershipStatus
from grassroots.people.views import PAGE_SIZE
from tests.factories import GroupFactory, MemberFactory, RoleFactory
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_manager(client):
    """Logged in as the Data Manager of Gateshead, whose members include a lapsed one and
    someone whose home group is Sunderland; Plymouth's members are out of scope."""
    gateshead = GroupFactory(name="Gateshead")
    sunderland = GroupFactory(name="Sunderland", area=gateshead.area)
    plymouth = GroupFactory(name="Plymouth")
    dm = RoleFactory(role=Role.DATA_MANAGER, group=gateshead)
    give_authenticator_app(dm.member.user)
    MemberFactory(
        home_group=gateshead,
        first_name="Aled",
        last_name="Ashworth",
        postcode="NE8 1AA",
        email="aled@example.org",
        membership_number="GR0100001",
    )
    MemberFactory(
        home_group=gateshead,
        first_name="Lowri",
        last_name="Ashton",
        postcode="NE9 5QP",
        status=MembershipStatus.LAPSED,
    )
    associate = MemberFactory(home_group=sunderland, first_name="Sian", last_name="Ashby")
    associate.other_groups.add(gateshead)
    MemberFactory(home_group=sunderland, first_name="Not", last_name="Ashcroft")
    MemberFactory(home_group=plymouth, first_name="Bryn", last_name="Ashdown")
    client.force_login(dm.member.user)
    return {"user": dm.member.user, "gateshead": gateshead, "sunderland": sunderland}


def names(response) -> list[str]:
    return [m.last_name for m in response.context["page"].object_list]


def test_search_by_surname_finds_only_members_in_scope(client, data_manager):
    response = client.get(reverse("member_list"), {"q": "Ash"})
    assert names(response) == ["Ashby", "Ashton", "Ashworth"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ashw", ["Ashworth"]),
        ("Aled Ash", ["Ashworth"]),
        ("NE9", ["Ashton"]),
        ("GR0100001", ["Ashworth"]),
        ("ALED@example.org", ["Ashworth"]),
        ("Ashdown", []),  # Plymouth: another group's member, as if they did not exist
        ("Ashcroft", []),  # Sunderland only, not Gateshead
    ],
)
def test_search_matches_name_postcode_number_and_email(client, data_manager, query, found):
    response = client.get(reverse("member_list"), {"q": query})
    assert names(response) == found


def test_filters_by_status_and_home_group(client, data_manager):
    lapsed = client.get(reverse("member_list"), {"status": MembershipStatus.LAPSED})
    assert names(lapsed) == ["Ashton"]
    at_home = client.get(reverse("member_list"), {"group": data_manager["gateshead"].pk})
    assert names(at_home) == ["Ashton", "Ashworth"]  # Ashby's home group is Sunderland


def test_group_filter_offers_only_groups_in_scope(client, data_manager):
    response = client.get(reverse("member_list"))
    choices = [label for _, label in response.context["form"].fields["group"].choices]
    assert choices == ["Any group", "Gateshead"]
    outside = client.get(reverse("member_list"), {"group": data_manager["sunderland"].pk})
    assert outside.context["form"].errors  # not a choice for this Data Manager
    assert "Ashcroft" not in names(outside)


def test_list_pages_fifty_at_a_time_and_keeps_the_search_in_page_links(client, data_manager):
    MemberFactory.create_batch(PAGE_SIZE + 5, home_group=data_manager["gateshead"])
    first = client.get(reverse("member_list"), {"status": MembershipStatus.MEMBER})
    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert first.context["page"].paginator.num_pages == 2
    assert 'href="?status=member&amp;page=2"' in first.content.decode()
    second = client.get(reverse("member_list"), {"status": MembershipStatus.MEMBER, "page": 2})
    shown = {m.pk for m in first.context["page"].object_list}
    assert shown.isdisjoint(m.pk for m in second.context["page"].object_list)


def test_every_look_at_the_list_writes_an_audit_row_with_the_search(client, data_manager):
    client.get(reverse("member_list"), {"q": "Ash", "status": MembershipStatus.LAPSED})
    entry = AuditEntry.objects.get(action="list_members")
    assert entry.actor == data_manager["user"]
    assert entry.detail == {"text": "Ash", "status": "lapsed", "group": None, "shown": 1}
    assert entry.purpose == "member list page"


def test_htmx_search_returns_only_the_results_fragment(client, data_manager):
    response = client.get(reverse("member_list"), {"q": "Ashw"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "Ashworth" in html and "<h1>" not in html
    assert AuditEntry.objects.filter(action="list_members").count() == 1


def test_opening_a_member_from_the_list_writes_a_view_audit_row(client, data_manager):
    response = client.get(reverse("member_detail", args=["GR0100001"]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="view_member")
    assert entry.subject_id == "GR0100001"
    assert entry.scope == "Gateshead"
    assert entry.purpose == "member record page"
