"""The home page's "My groups" (grassroots.people.queries.own_groups): the SQL made once per
process answers as the ORM's ``member.other_groups`` does."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from grassroots.people.models import Member
from grassroots.people.queries import own_groups
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _values(row: models.Model) -> list[Any]:
    return [getattr(row, field.attname) for field in row._meta.concrete_fields]


def test_own_groups_are_the_home_group_then_the_orms_other_groups_for_every_demo_member():
    restore_demo()
    members = Member.objects.select_related("home_group__area__region").order_by("pk")
    with_others = 0
    for member in members:
        expected = [member.home_group, *member.other_groups.select_related("area")]
        found = own_groups(member)
        assert [_values(g) for g in found] == [_values(g) for g in expected], member.pk
        assert [_values(g.area) for g in found] == [_values(g.area) for g in expected]
        with_others += len(found) > 1
    assert with_others > 0
