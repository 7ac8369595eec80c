"""Finding one's local group from a postcode (grassroots.organisation.finder), and the
visitors' front page that offers it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from grassroots.organisation.finder import PostcodeError, district_of, find_groups
from tests.factories import AreaFactory, GroupFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "district", "letters"),
    [
        ("LS6 3AB", "LS6", "LS"),
        ("ls63ab", "LS6", "LS"),
        ("  LS6  ", "LS6", "LS"),
        ("SW1A 1AA", "SW1A", "SW"),
        ("M1 1AE", "M1", "M"),
        ("EC1V 9HX", "EC1V", "EC"),
        ("B33 8TH", "B33", "B"),
    ],
)
def test_district_of_real_postcode_shapes(text, district, letters):
    assert district_of(text) == (district, letters)


@pytest.mark.parametrize("text", ["", "   ", "hello", "12345", "LS6 3AB 9", "=HYPERLINK(1)"])
def test_not_a_postcode_is_refused_with_what_to_type(text):
    with pytest.raises(PostcodeError, match="LS6"):
        district_of(text)


@given(st.text(max_size=30))
def test_any_text_is_a_district_or_a_clear_refusal(text):
    try:
        district, letters = district_of(text)
    except PostcodeError as error:
        assert str(error)
    else:
        assert district.startswith(letters) and district[len(letters)].isdigit()


def test_a_district_finds_the_groups_covering_it_and_only_whole_districts():
    area = AreaFactory()
    headingley = GroupFactory(area=area, name="Headingley", postcode_districts="LS6 LS16")
    GroupFactory(area=area, name="Leeds Central", postcode_districts="LS1 LS2 LS60")
    found = find_groups("LS6 3AB")
    assert found.groups == [headingley]  # not LS60, nor LS16
    assert find_groups("ls16").groups == [headingley]


def test_a_postcode_no_group_covers_offers_its_postcode_area():
    area = AreaFactory()
    central = GroupFactory(area=area, name="Leeds Central", postcode_districts="LS1 LS2")
    GroupFactory(area=area, name="Liverpool", postcode_districts="L1 L8")
    found = find_groups("LS9 0AA")
    assert found.groups == [] and found.nearby == [central]  # L1 is not in the LS area


def test_the_group_list_answers_a_postcode_and_explains_a_bad_one(client: Client):
    GroupFactory(name="Chapeltown", postcode_districts="LS7 LS8")
    page = client.get(reverse("group_list"), {"postcode": "LS7 4BX"}).content.decode()
    assert "Groups for LS7" in page and "Chapeltown" in page
    page = client.get(reverse("group_list"), {"postcode": "not one"}).content.decode()
    assert "is not a UK postcode" in page and "<title>Error: Groups" in page


def test_visitors_get_the_front_page_with_the_finder_and_published_results(client: Client):
    page = client.get(reverse("home")).content.decode()
    assert "Find your local group" in page
    assert 'action="/groups/"' in page and 'name="postcode"' in page
    assert "No ballot has published its results yet." in page
    assert reverse("ballot_guarantees") in page
