"""The home page's "Messages to members" link (grassroots.messaging.apps) is offered to
exactly those who have a scope to write to."""

from __future__ import annotations

import pytest

from grassroots.accounts.models import User
from grassroots.messaging.queries import may_message_members, scopes_to_message
from grassroots.organisation.permissions import forget_cached_roles
from tests.demo_database import restore_demo

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_may_message_members_answers_as_the_scopes_offered_for_every_demo_login():
    restore_demo()
    answers = set()
    for user in User.objects.order_by("pk"):
        expected = bool(scopes_to_message(user))
        forget_cached_roles(user)
        assert may_message_members(user) == expected, user.email
        answers.add(expected)
    assert answers == {True, False}
