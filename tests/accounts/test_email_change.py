"""A member who changes their login address is mailed at the new one: the member record follows."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from grassroots.audit.models import AuditEntry
from tests.factories import PASSWORD, MemberWithLoginFactory

pytestmark = pytest.mark.django_db


def test_member_record_email_follows_a_verified_change_of_login_address(client):
    member = MemberWithLoginFactory(email="old@example.org")
    assert client.login(email="old@example.org", password=PASSWORD)

    response = client.post("/accounts/email/", {"action_add": "", "email": "New@Example.org"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == "old@example.org"  # nothing changes until the new address is proven

    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE)
    assert [a.lower() for a in mail.outbox[-1].to] == ["new@example.org"]
    assert code, mail.outbox[-1].body
    response = client.post(response["Location"], {"code": code.group(1)})
    assert response.status_code == 302

    member.refresh_from_db()
    assert member.email == "new@example.org"
    assert member.user.email.lower() == "new@example.org"
    assert AuditEntry.objects.filter(action="change_email", subject_id=member.membership_number)
