"""The member list's record links, made from a pattern reversed once, are the URLs ``reverse``
gives for every membership number, under any script prefix."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from grassroots.people.templatetags.member_links import member_detail_url

NUMBERS = st.text(
    alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), min_size=1
)


@given(number=NUMBERS)
def test_a_record_link_is_the_url_reverse_gives(number):
    assert member_detail_url(number) == reverse("member_detail", args=[number])


@pytest.mark.parametrize("prefix", ["/", "/grassroots/", "/a b/"])
def test_a_record_link_follows_the_script_prefix(prefix):
    set_script_prefix(prefix)
    try:
        for number in ("GR-000123", "0", "a b%c"):
            assert member_detail_url(number) == reverse("member_detail", args=[number])
        assert member_detail_url("7").startswith(reverse("home"))
    finally:
        set_script_prefix("/")
