"""Who holds the oversight capabilities (grassroots.organisation.permissions)."""

from __future__ import annotations

import pytest

from grassroots.organisation.models import Role
from grassroots.organisation.permissions import ROLE_CAPABILITIES, Capability
from grassroots.oversight import queries

HOLDERS = {
    Capability.RECORD_DECISIONS: {
        Role.NATIONAL_COMMITTEE,
        Role.NATIONAL_OFFICE,
        Role.REGIONAL_COORDINATOR,
    },
    Capability.MANAGE_COMMITMENTS: {Role.NATIONAL_COMMITTEE, Role.NATIONAL_OFFICE},
    Capability.SET_OVERSIGHT_RULES: {Role.NATIONAL_OFFICE},
    Capability.VIEW_SIGNATURE_COUNTS: {Role.NATIONAL_OFFICE, Role.NATIONAL_COMMITTEE, Role.AUDITOR},
    Capability.ANSWER_INITIATIVES: {Role.NATIONAL_COMMITTEE},
}


@pytest.mark.parametrize("capability", list(HOLDERS))
def test_only_the_roles_named_hold_each_oversight_capability(capability):
    holders = {role for role, caps in ROLE_CAPABILITIES.items() if capability in caps}
    assert holders == HOLDERS[capability]


@pytest.mark.django_db
def test_who_records_for_which_committee(world):
    national, regional, member = world.national.user, world.regional.user, world.members[0].user
    committee = world.committee[0].user
    assert queries.may_record(national, "national_committee", None)
    assert queries.may_record(committee, "national_committee", None)
    assert not queries.may_record(regional, "national_committee", None)
    assert queries.may_record(regional, "regional_committee", world.north)
    assert not queries.may_record(regional, "regional_committee", world.south)
    assert not queries.may_record(member, "regional_committee", world.north)
    assert [c[0] for c in queries.bodies_recordable_by(regional)] == [f"region:{world.north.pk}"]
