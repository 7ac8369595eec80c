"""The main navigation, translated and reversed once per language and script prefix, gives each
request the links and labels that reversing and translating afresh would, and marks the page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import translation

from grassroots.context_processors import MEMBER_LINKS, VISITOR_LINKS, navigation
from tests.factories import MemberWithLoginFactory


def _fresh(links):
    return [(str(label), reverse(name), name) for label, name in links]


def _drawn(user, path):
    request = RequestFactory().get(path)
    request.user = user
    return navigation(request)["nav_links"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "cy", "en"])
def test_the_navigation_is_in_the_pages_language_with_the_urls_reverse_gives(language):
    member = MemberWithLoginFactory().user
    with translation.override(language):
        for user, links in ((member, MEMBER_LINKS), (AnonymousUser(), VISITOR_LINKS)):
            drawn = _drawn(user, "/")
            assert [(link.label, link.url, link.name) for link in drawn] == _fresh(links)
    with translation.override("cy"):
        welsh = [link.label for link in _drawn(member, "/")]
    with translation.override("en"):
        english = [link.label for link in _drawn(member, "/")]
    assert welsh != english and "Dashboard" in english


@pytest.mark.django_db
def test_the_page_shown_and_its_section_are_marked_and_the_script_prefix_followed():
    member = MemberWithLoginFactory().user
    ballots = reverse("ballot_list")
    marks = {link.name: link.current for link in _drawn(member, ballots)}
    assert marks["ballot_list"] == "page" and marks["meetings:list"] == ""
    marks = {link.name: link.current for link in _drawn(member, f"{ballots}7/")}
    assert marks["ballot_list"] == "true"
    set_script_prefix("/grassroots/")
    try:
        drawn = _drawn(member, "/grassroots/")
        assert all(link.url.startswith("/grassroots/") for link in drawn)
        assert [link.url for link in drawn] == [url for _, url, _ in _fresh(MEMBER_LINKS)]
    finally:
        set_script_prefix("/")
