"""The inbox, the header's unread count and the settings page, as a member uses them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.notifications import services
from grassroots.notifications.models import Delivery, Kind, Notification
from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = pytest.mark.django_db


def _client_for(member) -> Client:
    client = Client()
    assert client.login(email=member.user.email, password=PASSWORD)
    return client


def test_header_shows_the_unread_count_and_opening_marks_read_and_follows_the_link():
    member = MemberWithLoginFactory()
    services.notify([member.pk], kind=Kind.MEETING, title="Group meets Thursday", url="/meetings/")
    services.notify([member.pk], kind=Kind.SURVEY, title="Survey: priorities", url="/surveys/")
    client = _client_for(member)
    home = client.get(reverse("home")).content.decode()
    assert re.search(r'class="badge">2<span class="visually-hidden"> unread', home)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "Group meets Thursday" in inbox and "Survey: priorities" in inbox
    first = Notification.objects.get(member=member, kind=Kind.MEETING)
    response = client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/meetings/"
    assert services.unread_count(member) == 1
    unread = client.get(reverse("notifications:inbox") + "?show=unread").content.decode()
    assert "Group meets Thursday" not in unread and "Survey: priorities" in unread
    client.post(reverse("notifications:mark_all_read"))
    assert services.unread_count(member) == 0
    assert 'class="badge"' not in client.get(reverse("home")).content.decode()


def test_someone_elses_notification_is_not_found_and_stays_unread():
    owner, other = MemberWithLoginFactory(), MemberWithLoginFactory()
    services.notify([owner.pk], kind=Kind.MEETING, title="Private to the owner", url="/meetings/")
    notification = Notification.objects.get(member=owner)
    response = _client_for(other).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert (
        "Private to the owner"
        not in _client_for(other).get(reverse("notifications:inbox")).content.decode()
    )


def test_settings_page_saves_choices_and_refuses_a_made_up_one():
    member = MemberWithLoginFactory()
    client = _client_for(member)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Meetings and events called in your groups" in page
    choices = {kind: Delivery.IN_APP for kind in Kind.values}
    choices[Kind.BALLOT] = Delivery.IMMEDIATE
    response = client.post(reverse("notifications:preferences"), choices)
    assert response.status_code == 302
    assert services.preferences_of(member)[Kind.BALLOT] == Delivery.IMMEDIATE
    assert services.preferences_of(member)[Kind.MEETING] == Delivery.IN_APP
    bad = client.post(reverse("notifications:preferences"), {**choices, Kind.BALLOT: "pigeon"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "<title>Error: Notification settings" in text
    assert "Select a valid choice" in text
    assert services.preferences_of(member)[Kind.BALLOT] == Delivery.IMMEDIATE
