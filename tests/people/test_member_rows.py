"""The member list's row helpers give Django's own answers: record links made from a pattern
reversed once are the URLs ``reverse`` gives for every membership number, under any script
prefix; choice names kept per enum and language (the builtin ``choice_name``) are what
``get_status_display`` says in each language."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from grassroots.people.models import Member, MembershipStatus
from grassroots.people.templatetags.member_rows import member_detail_url
from grassroots.scope_words import choice_name

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


@pytest.mark.parametrize("language", ["en", "cy", "en", "cy"])
def test_a_status_name_is_get_status_display_in_the_pages_language(language):
    with translation.override(language):
        for status in [*MembershipStatus.values, "not-a-status"]:
            assert (
                choice_name(status, MembershipStatus) == Member(status=status).get_status_display()
            )
    with translation.override("cy"):
        welsh = choice_name(MembershipStatus.LAPSED, MembershipStatus)
    assert welsh != "Lapsed" and choice_name(MembershipStatus.LAPSED, MembershipStatus) == "Lapsed"
