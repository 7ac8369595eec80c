"""Officers' lists for follow-up: the Secretary's contact list (name, email and phone of the
group's members who consented, nothing else) and the new-joiner and lapsed lists on the member
list for roles that may view members; each scoped to the role's groups and audited."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.organisation.permissions import Capability, may, scopes_for
from grassroots.people.models import MembershipStatus
from grassroots.people.queries import members_contactable_by
from tests.factories import MemberFactory, RoleFactory
from tests.web.roles import Movement, build_movement, give_authenticator_app

pytestmark = pytest.mark.django_db


def consenting(**kwargs):
    return MemberFactory(
        consent_to_contact=True, consent_recorded_at=clock.now(), consent_source="profile", **kwargs
    )


def officer_of_group_a(movement: Movement, role: str):
    user = RoleFactory(role=role, group=movement.group_a).member.user
    give_authenticator_app(user)
    return user


@pytest.fixture
def movement() -> Movement:
    return build_movement()


@pytest.fixture
def contacts(movement):
    """Who is and is not on group A's contact list."""
    return {
        "consented": consenting(
            home_group=movement.group_a,
            first_name="Cerys",
            last_name="Consent",
            phone="0191 496 0000",
            postcode="NE8 1AA",
            status=MembershipStatus.LAPSED,
        ),
        "associate": consenting(
            home_group=movement.group_b, first_name="Ade", last_name="Associate"
        ),
        "silent": MemberFactory(
            home_group=movement.group_a, first_name="Nell", last_name="Noconsent"
        ),
        "erased": consenting(
            home_group=movement.group_a,
            first_name="Ezra",
            last_name="Erased",
            erased_at=clock.now(),
        ),
        "other_group": consenting(
            home_group=movement.group_b, first_name="Bryn", last_name="Elsewhere"
        ),
    }


def test_secretary_sees_only_consented_members_of_their_group_and_only_contact_fields(
    client, movement, contacts
):
    contacts["associate"].other_groups.add(movement.group_a)
    secretary = officer_of_group_a(movement, Role.SECRETARY)
    client.force_login(secretary)

    response = client.get(reverse("member_contact_list"))

    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert {r["email"] for r in rows} == {contacts["consented"].email, contacts["associate"].email}
    assert all(set(r) == {"first_name", "last_name", "email", "phone"} for r in rows)
    page = response.content.decode()
    assert "Consent, Cerys" in page and "0191 496 0000" in page
    for hidden in (
        "NE8 1AA",
        contacts["consented"].membership_number,
        "Lapsed",
        "Noconsent",
        "Erased",
        "Elsewhere",
    ):
        assert hidden not in page


def test_secretary_contact_list_is_audited_with_its_purpose(client, movement, contacts):
    secretary = officer_of_group_a(movement, Role.SECRETARY)
    client.force_login(secretary)
    client.get(reverse("member_contact_list"))
    client.get(reverse("member_contact_list"), {"page": "1"})

    entries = AuditEntry.objects.filter(actor=secretary, action="list_member_contacts")
    assert entries.count() == 2
    entry = entries.first()
    assert entry is not None
    assert entry.purpose
    assert entry.scope == movement.group_a.name
    assert entry.detail["shown"] == 1


def test_secretary_still_has_no_member_list_or_records(client, movement, contacts):
    secretary = officer_of_group_a(movement, Role.SECRETARY)
    assert not may(secretary, Capability.VIEW_MEMBERS, contacts["consented"])
    assert scopes_for(secretary, Capability.VIEW_MEMBERS).is_empty
    client.force_login(secretary)
    assert client.get(reverse("member_list")).status_code == 404
    assert client.get(reverse("member_list"), {"show": "new"}).status_code == 404
    number = contacts["consented"].membership_number
    assert client.get(reverse("member_detail", args=[number])).status_code == 404


@pytest.mark.parametrize("role", [Role.CHAIR, Role.TREASURER])
def test_chair_and_treasurer_get_no_contact_list(client, movement, contacts, role):
    officer = officer_of_group_a(movement, role)
    assert not members_contactable_by(officer).exists()
    client.force_login(officer)
    assert client.get(reverse("member_contact_list")).status_code == 404
    assert client.get(reverse("member_list"), {"show": "lapsed"}).status_code == 404
    assert not AuditEntry.objects.filter(actor=officer).exists()


@pytest.mark.parametrize("who", ["member", "data_manager_a", "coordinator", "national"])
def test_the_contact_list_is_the_secretarys_alone(client, movement, who):
    client.force_login(getattr(movement, who).user)
    assert client.get(reverse("member_contact_list")).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("member_contact_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- new joiners and lapsed members ---


def days_ago(n: int) -> datetime.date:
    return clock.today() - datetime.timedelta(days=n)


@pytest.fixture
def follow_up(movement):
    a, b, sibling = movement.group_a, movement.group_b, movement.group_a_sibling
    return {
        "new_a": MemberFactory(home_group=a, last_name="Newa", joined_on=days_ago(10)),
        "older_a": MemberFactory(home_group=a, last_name="Oldera", joined_on=days_ago(100)),
        "new_b": MemberFactory(home_group=b, last_name="Newb", joined_on=days_ago(5)),
        "new_sibling": MemberFactory(home_group=sibling, last_name="Newsib", joined_on=days_ago(3)),
        "lapsed_a": MemberFactory(
            home_group=a, last_name="Lapseda", status=MembershipStatus.LAPSED
        ),
        "overdue_a": MemberFactory(home_group=a, last_name="Overduea", renewal_due_on=days_ago(1)),
        "renewing_a": MemberFactory(
            home_group=a,
            last_name="Renewinga",
            renewal_due_on=clock.today() + datetime.timedelta(days=30),
        ),
        "lapsed_b": MemberFactory(
            home_group=b, last_name="Lapsedb", status=MembershipStatus.LAPSED
        ),
        "overdue_b": MemberFactory(home_group=b, last_name="Overdueb", renewal_due_on=days_ago(9)),
    }


def listed(client, **params) -> set[str]:
    response = client.get(reverse("member_list"), params)
    assert response.status_code == 200
    return {m.last_name for m in response.context["page"].object_list}


def test_data_manager_of_a_sees_new_joiners_of_a_only(client, movement, follow_up):
    client.force_login(movement.data_manager_a.user)
    assert listed(client, show="new") == {"Newa"}
    assert listed(client, show="new", days="120") == {"Newa", "Oldera"}
    # Group B is not a choice for them: the filter is refused, and still nothing of B shows.
    group_b = listed(client, show="new", group=str(movement.group_b.pk))
    assert group_b.isdisjoint({"Newb", "Lapsedb", "Overdueb", "Bellamy"})
    assert listed(client, show="new", q="Newb") == set()


def test_data_manager_of_a_sees_lapsed_and_overdue_members_of_a_only(client, movement, follow_up):
    client.force_login(movement.data_manager_a.user)
    assert listed(client, show="lapsed") == {"Lapseda", "Overduea"}
    assert listed(client, show="lapsed", q="Lapsedb") == set()
    assert listed(client, show="lapsed", page="2") == {"Lapseda", "Overduea"}


def test_area_coordinator_lists_cover_the_area_and_nothing_beyond(client, movement, follow_up):
    client.force_login(movement.coordinator.user)
    assert listed(client, show="new") == {"Newa", "Newsib"}
    assert "Lapsedb" not in listed(client, show="lapsed")


def test_national_office_lists_cover_every_group(client, movement, follow_up):
    client.force_login(movement.national.user)
    assert listed(client, show="new") == {"Newa", "Newb", "Newsib"}
    assert listed(client, show="lapsed") == {"Lapseda", "Overduea", "Lapsedb", "Overdueb"}


def test_erased_members_are_on_neither_follow_up_list(client, movement, follow_up):
    MemberFactory(
        home_group=movement.group_a, last_name="Gone", joined_on=days_ago(2), erased_at=clock.now()
    )
    MemberFactory(
        home_group=movement.group_a,
        last_name="Gonetoo",
        status=MembershipStatus.LAPSED,
        erased_at=clock.now(),
    )
    client.force_login(movement.data_manager_a.user)
    assert "Gone" not in listed(client, show="new")
    assert "Gonetoo" not in listed(client, show="lapsed")


def test_follow_up_lists_are_audited_with_their_purpose(client, movement, follow_up):
    user = movement.data_manager_a.user
    client.force_login(user)
    client.get(reverse("member_list"), {"show": "new", "days": "30"})
    client.get(reverse("member_list"), {"show": "lapsed"})
    client.get(reverse("member_list"))

    entries = list(AuditEntry.objects.filter(actor=user, action="list_members").order_by("id"))
    assert [e.purpose for e in entries] == [
        "new-joiner follow-up list",
        "lapsed-member follow-up list",
        "member list page",
    ]
    assert entries[0].detail["list"] == "new" and entries[0].detail["days"] == 30
    assert entries[0].detail["shown"] == 1
    assert entries[1].detail["list"] == "lapsed" and entries[1].detail["shown"] == 2
    assert "list" not in entries[2].detail


def test_follow_up_tabs_show_on_the_member_list(client, movement, follow_up):
    client.force_login(movement.data_manager_a.user)
    page = client.get(reverse("member_list"), {"show": "new"}).content.decode()
    assert "?show=new" in page and "?show=lapsed" in page
    assert "who joined in the last 60 days" in page
