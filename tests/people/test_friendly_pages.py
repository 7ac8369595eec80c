"""People-friendly data pages (issue 21): My data labels every field as a person reads it;
pages name the officer who recorded something, never their login's email; "Move to group"
names each group's area and region."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.people.templatetags.people_names import person
from tests.factories import MemberWithLoginFactory
from tests.meetings.builders import comment_on, group_meeting, motion_in
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db


def test_my_data_shows_labels_and_choices_not_field_names():
    m = build_movement()
    seconder = MemberWithLoginFactory(home_group=m.member.home_group)
    meeting = group_meeting(m.member.home_group, seconder)
    comment_on(motion_in(meeting, seconder, m.member), m.member, "My point")
    client = Client()
    client.force_login(m.member.user)
    page = client.get(reverse("my_data")).content.decode()
    other = page[page.index('id="sa-other"') :]
    assert "<dt>Created at</dt>" in other and "<dt>Body</dt><dd>My point</dd>" in other
    assert "<dt>Status</dt><dd>Visible</dd>" in other  # a choice's label, not "visible"
    assert "created_at" not in other and "seconded_at" not in other


def test_an_officers_email_label_is_shown_as_their_name():
    m = build_movement()
    officer = m.data_manager_a
    assert person(officer.email, officer.user) == f"{officer.first_name} {officer.last_name}"
    assert person("someone@example.org", None) == "an officer"
    assert person("system") == "system"


def test_move_to_group_names_each_groups_area_and_region():
    m = build_movement()
    client = Client()
    client.force_login(m.national.user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp"}]
    session.save()
    page = client.get(reverse("member_detail", args=[m.in_group_a.membership_number]))
    text = page.content.decode()
    group = m.group_b
    assert f"{group.name} ({group.area.name} area, {group.area.region.name})" in text
