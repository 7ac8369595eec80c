"""A member's own language (issue 21, docs/i18n.md): set from the browser at the first login,
kept on the member's record, changed on the profile page or with the footer's buttons, and
followed by every page they read while logged in, whatever their browser says."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from grassroots.audit.models import AuditEntry
from grassroots.people.models import Language
from tests.factories import PASSWORD, MemberWithLoginFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.deactivate()


def _login(member, accept_language: str = "") -> Client:
    headers = {"accept-language": accept_language} if accept_language else {}
    client = Client(headers=headers)
    assert client.login(email=member.user.email, password=PASSWORD)
    return client


def test_the_first_login_stores_the_browsers_welsh_and_pages_follow_it():
    member = MemberWithLoginFactory(first_name="Gwen")
    assert member.language == ""
    page = _login(member, "cy,en;q=0.5").get(reverse("home")).content.decode()
    assert '<html lang="cy">' in page
    member.refresh_from_db()
    assert member.language == Language.WELSH


def test_a_browser_with_no_choice_gives_the_movements_default():
    member = MemberWithLoginFactory()
    _login(member).get(reverse("home"))
    member.refresh_from_db()
    assert member.language == "en-gb"


def test_the_stored_language_wins_over_the_browser_on_another_device():
    member = MemberWithLoginFactory(language=Language.WELSH)
    page = _login(member, "en-GB,en;q=0.9").get(reverse("home")).content.decode()
    assert '<html lang="cy">' in page and "Angen fy sylw" in page
    member.refresh_from_db()
    assert member.language == Language.WELSH


def test_the_footers_buttons_store_the_members_choice_and_audit_it():
    member = MemberWithLoginFactory(language=Language.ENGLISH)
    client = _login(member)
    client.post(reverse("set_language"), {"language": "cy", "next": "/"})
    member.refresh_from_db()
    assert member.language == Language.WELSH
    entry = AuditEntry.objects.get(action="update_own_profile")
    assert entry.detail == {"fields": ["language"], "language": "cy"}
    # Another device, another browser: still Welsh.
    assert '<html lang="cy">' in _login(member, "en").get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    member.refresh_from_db()
    assert member.language == Language.WELSH


def test_the_profile_page_changes_the_language_and_shows_it():
    member = MemberWithLoginFactory(language=Language.ENGLISH, postcode="CF10 1AA")
    client = _login(member)
    edit = client.get(reverse("profile_edit")).content.decode()
    assert 'name="language"' in edit and ">Cymraeg</option>" in edit
    response = client.post(
        reverse("profile_edit"),
        {
            "first_name": member.first_name,
            "last_name": member.last_name,
            "postcode": member.postcode,
            "language": "cy",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == Language.WELSH
    assert AuditEntry.objects.get(action="update_own_profile").detail == {"fields": ["language"]}
    profile = client.get(reverse("profile")).content.decode()
    assert '<html lang="cy">' in profile and "Cymraeg" in profile and "Fy mhroffil" in profile


def test_a_login_with_no_member_record_follows_the_browser():
    user = UserFactory()
    client = Client(headers={"accept-language": "cy"})
    client.force_login(user)
    assert '<html lang="cy">' in client.get(reverse("home")).content.decode()
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    assert '<html lang="en-gb">' in client.get(reverse("home")).content.decode()


def test_my_data_and_its_export_include_the_language():
    member = MemberWithLoginFactory(language=Language.WELSH)
    client = _login(member)
    report = json.loads(client.get(reverse("my_data_export_json")).content)
    assert report["member"]["language"] == "cy"
    assert report["member"]["language_label"] == "Cymraeg"
    assert "Cymraeg" in client.get(reverse("my_data")).content.decode()
