"""Issue 21: ending an officer's role cannot be undone, so the form asks for a tick first; without
it nothing ends and the page says why."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.organisation.models import RoleAssignment
from tests.organisation.conftest import Officers
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _officer_client(member) -> Client:
    give_authenticator_app(member.user)
    client = Client()
    client.force_login(member.user)
    session = client.session
    session["account_authentication_methods"] = [{"method": "mfa", "type": "totp"}]
    session.save()
    return client


def test_ending_a_role_needs_the_confirmation_tick(officers: Officers, frozen_clock):
    client = _officer_client(officers.data_manager)
    url = reverse("group_end_role", args=[officers.group.slug, officers.dm_role.pk])
    form = client.get(url).content.decode()
    assert 'name="understood"' in form and "cannot be restored" in form
    data = {"basis": "resignation", "ends_on": frozen_clock.today.isoformat(), "reason": "Moving"}
    refused = client.post(url, data)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Tick the box to confirm the role ends: it cannot be undone." in page
    assert RoleAssignment.objects.get(pk=officers.dm_role.pk).ends_on is None

    assert client.post(url, {**data, "understood": "on"}).status_code == 302
    assert RoleAssignment.objects.get(pk=officers.dm_role.pk).ends_on == frozen_clock.today
