"""A small movement with one person per role the access rules distinguish, shared by the page
tests and the browser tests.

Two regions: group A and its sibling group in area North-East (region North), and group B in
area South-West (region South). Every officer's home group is A; the one person at home in B
with a login is a plain member, the "member of another group". Officers have an authenticator
app, because test settings require a second factor of every officer, as production does.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.mfa.totp.internal.auth import TOTP

from grassroots.accounts.models import User
from grassroots.organisation.models import Group, Role
from grassroots.people.models import Member
from tests.factories import (
    AreaFactory,
    GroupFactory,
    MemberFactory,
    MemberWithLoginFactory,
    RegionFactory,
    RoleFactory,
)

# A fixed base32 secret so a test can compute the code an authenticator app would show.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_authenticator_app(user: User, secret: str = TOTP_SECRET) -> None:
    """Activate TOTP for ``user`` the way allauth stores it when they scan the QR code."""
    TOTP.activate(user, secret)


@dataclass(frozen=True)
class Movement:
    group_a: Group
    group_a_sibling: Group
    group_b: Group
    member: Member  # an ordinary member of group A with a login and no role
    other_member: Member  # an ordinary member of group B with a login and no role
    data_manager_a: Member
    secretary_a: Member
    coordinator: Member  # area coordinator of group A's area
    regional: Member  # regional coordinator of group A's region (North)
    national: Member  # national office
    auditor: Member
    in_group_a: Member
    in_sibling: Member
    in_group_b: Member


def build_movement() -> Movement:
    north = RegionFactory(name="North", slug="north")
    south = RegionFactory(name="South", slug="south")
    north_east = AreaFactory(region=north, name="North-East", slug="north-east")
    south_west = AreaFactory(region=south, name="South-West", slug="south-west")
    group_a = GroupFactory(area=north_east, name="Gateshead", slug="gateshead")
    sibling = GroupFactory(area=north_east, name="Sunderland", slug="sunderland")
    group_b = GroupFactory(area=south_west, name="Plymouth", slug="plymouth")

    def officer(role: str, first: str, last: str, **scope: object) -> Member:
        member = MemberWithLoginFactory(home_group=group_a, first_name=first, last_name=last)
        RoleFactory(member=member, role=role, **scope)
        give_authenticator_app(member.user)
        return member

    return Movement(
        group_a=group_a,
        group_a_sibling=sibling,
        group_b=group_b,
        member=MemberWithLoginFactory(home_group=group_a, first_name="Maya", last_name="Okafor"),
        other_member=MemberWithLoginFactory(
            home_group=group_b, first_name="Bryn", last_name="Penhallow"
        ),
        data_manager_a=officer(Role.DATA_MANAGER, "Dara", "Mansell", group=group_a),
        secretary_a=officer(Role.SECRETARY, "Seren", "Tait", group=group_a),
        coordinator=officer(Role.AREA_COORDINATOR, "Colm", "Ardagh", area=north_east),
        regional=officer(Role.REGIONAL_COORDINATOR, "Rhys", "Norland", region=north),
        national=officer(Role.NATIONAL_OFFICE, "Nia", "Hughes"),
        auditor=officer(Role.AUDITOR, "Audra", "Quist"),
        in_group_a=MemberFactory(home_group=group_a, first_name="Aled", last_name="Ashworth"),
        in_sibling=MemberFactory(home_group=sibling, first_name="Siobhan", last_name="Sibley"),
        in_group_b=MemberFactory(home_group=group_b, first_name="Bronwen", last_name="Bellamy"),
    )
