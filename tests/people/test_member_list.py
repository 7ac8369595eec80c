"""The member list at scale: counting stops at a cap, name search keeps its order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grassroots.people import queries
from tests.factories import MemberFactory
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db


def test_member_list_says_more_than_the_cap_instead_of_counting_everyone(client, monkeypatch):
    movement = build_movement()
    monkeypatch.setattr(queries.CappedPaginator, "cap", 3)
    client.force_login(movement.national.user)
    page = client.get(reverse("member_list")).content.decode()
    assert "More than 3 members found" in page
    filtered = client.get(reverse("member_list"), {"q": "Bellamy"}).content.decode()
    assert "1 member found" in filtered


def test_name_search_lists_matches_in_name_order(client):
    movement = build_movement()
    group = movement.group_a
    for first, last in [("Zoe", "Smith"), ("Adam", "Smithson"), ("Bea", "smith")]:
        MemberFactory(home_group=group, first_name=first, last_name=last)
    client.force_login(movement.data_manager_a.user)
    response = client.get(reverse("member_list"), {"q": "smi"})
    names = [(m.first_name, m.last_name) for m in response.context["page"].object_list]
    assert names == [("Bea", "smith"), ("Zoe", "Smith"), ("Adam", "Smithson")]
