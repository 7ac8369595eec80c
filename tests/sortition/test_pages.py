"""Draw-by-lot pages: forms that say what is wrong, the commitment on the page, the record."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from grassroots.sortition.models import Draw
from tests.factories import MemberWithLoginFactory
from tests.sortition.helpers import council, national_officer, volunteers

pytestmark = pytest.mark.django_db


def client_for(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_the_create_form_names_each_bad_line():
    officer = national_officer()
    response = client_for(officer).post(
        "/sortition/new/",
        {
            "title": "Council",
            "scope": "nation",
            "seats": "12",
            "categories": "gender: woman, man\nregion",
            "quotas": "gender, woman, five, 7",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Line 2: write the category&#x27;s name, a colon" in text
    assert "Line 1: the minimum and maximum must be whole numbers" in text
    assert not Draw.objects.exists()


def test_impossible_quotas_are_refused_on_the_form():
    officer = national_officer()
    response = client_for(officer).post(
        "/sortition/new/",
        {
            "title": "Council",
            "scope": "nation",
            "seats": "4",
            "categories": "gender: woman, man",
            "quotas": "gender, woman, 3,\ngender, man, 3,",
        },
    )
    assert response.status_code == 400
    assert (
        "The minimums for gender add up to 6, more than the 4 seats." in response.content.decode()
    )


def test_a_member_volunteers_from_the_page_and_sees_the_commitment_then_the_seed():
    officer = national_officer()
    draw = council(officer)
    member = MemberWithLoginFactory()
    page = client_for(member)
    response = page.post(f"/sortition/{draw.pk}/volunteer/", {"category_0": "woman"})
    assert response.status_code == 400
    assert "Choose your region." in response.content.decode()
    response = page.post(
        f"/sortition/{draw.pk}/volunteer/", {"category_0": "woman", "category_1": "North"}
    )
    assert response.status_code == 302
    mine = draw.volunteers.get(member=member)
    assert mine.pseudonym in page.get(f"/sortition/{draw.pk}/").content.decode()

    volunteers(draw, 29)
    officer_page = client_for(officer)
    officer_page.post(f"/sortition/{draw.pk}/commit/")
    draw.refresh_from_db()
    assert draw.commitment in page.get(f"/sortition/{draw.pk}/").content.decode()
    officer_page.post(f"/sortition/{draw.pk}/close/")
    officer_page.post(f"/sortition/{draw.pk}/draw/")
    draw.refresh_from_db()
    assert draw.status == "drawn"
    html = page.get(f"/sortition/{draw.pk}/").content.decode()
    assert draw.seed in html
    record = json.loads(page.get(f"/sortition/{draw.pk}/record.json").content)
    assert record["selection"] == draw.selection and record["seed"] == draw.seed


def test_a_step_out_of_order_is_a_clear_refusal():
    officer = national_officer()
    draw = council(officer)
    response = client_for(officer).post(f"/sortition/{draw.pk}/draw/")
    assert response.status_code == 409
    assert "cannot be done while the draw is “Taking volunteers”" in response.content.decode()
