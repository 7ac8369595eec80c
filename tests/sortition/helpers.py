"""A draw for tests: a 12-member council with gender and region quotas, and volunteers."""

from __future__ import annotations

import itertools

from grassroots.organisation.models import Role
from grassroots.people.models import Member
from grassroots.sortition import services
from grassroots.sortition.models import Draw
from tests.factories import MemberWithLoginFactory, RoleFactory
from tests.web.roles import give_authenticator_app

GENDERS = ["woman", "man", "non-binary"]
REGIONS = ["North", "Midlands", "South"]
COUNCIL_QUOTAS = [
    {"category": "gender", "value": "woman", "minimum": 5, "maximum": 7},
    {"category": "gender", "value": "man", "minimum": 5, "maximum": 7},
    {"category": "region", "value": "North", "minimum": 3, "maximum": 5},
    {"category": "region", "value": "Midlands", "minimum": 3, "maximum": 5},
    {"category": "region", "value": "South", "minimum": 3, "maximum": 5},
]


def national_officer() -> Member:
    officer = RoleFactory(role=Role.NATIONAL_OFFICE).member
    give_authenticator_app(officer.user)
    return officer


def council(officer: Member, *, seats: int = 12, quotas=None, scope=None, level="nation") -> Draw:
    return services.create_draw(
        actor=officer.user,
        title="Members' council 2026",
        description="Twelve members who oversee the national committee for a year.",
        seats=seats,
        level=level,
        scope=scope,
        categories=[{"name": "gender", "values": GENDERS}, {"name": "region", "values": REGIONS}],
        quotas=COUNCIL_QUOTAS if quotas is None else quotas,
    )


def volunteers(draw: Draw, count: int, group=None) -> list[Member]:
    """``count`` members with logins volunteer, cycling through genders (mostly men, to make
    the quota matter) and regions."""
    people = []
    genders = itertools.cycle(["man", "man", "woman", "man", "non-binary", "woman"])
    regions = itertools.cycle(REGIONS)
    for _ in range(count):
        member = MemberWithLoginFactory(**({"home_group": group} if group else {}))
        services.volunteer(
            actor=member.user,
            draw=draw,
            categories={"gender": next(genders), "region": next(regions)},
        )
        people.append(member)
    return people
