"""Issue 21: starting an initiative cannot be undone (it collects signatures at once, with the
starter's first), so the form asks for a tick first; without it nothing is started."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.oversight.models import Initiative

pytestmark = pytest.mark.django_db


def test_starting_an_initiative_needs_the_confirmation_tick(world):
    client = Client()
    client.force_login(world.members[0].user)
    url = reverse("oversight_initiative_start")
    data = {"kind": "policy", "title": "A members' assembly", "text": "Once a year."}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Tick the box to confirm you want to start it" in refused.content.decode()
    assert not Initiative.objects.exists()
    started = client.post(url, {**data, "understood": "on"})
    assert started.status_code == 302
    assert Initiative.objects.get().title == "A members' assembly"
