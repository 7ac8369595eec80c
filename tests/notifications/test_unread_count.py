"""The header's unread count, in SQL made once per process, answers as the ORM's count."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.notifications.context_processors import unread_count_of
from grassroots.notifications.models import Kind, Notification
from tests.factories import MemberWithLoginFactory, UserFactory

pytestmark = pytest.mark.django_db


def _orm_count(user_id: int) -> int:
    return Notification.objects.filter(member__user_id=user_id, read_at__isnull=True).count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.integers(0, 2), st.booleans()), max_size=12))
def test_the_count_is_the_orms_for_every_login(notes: list[tuple[int, bool]]) -> None:
    # Each example makes its own members, so the rows of earlier examples do not count here.
    members = [MemberWithLoginFactory() for _ in range(3)]
    for owner, read in notes:
        Notification.objects.create(
            member=members[owner],
            kind=Kind.BALLOT,
            title="A notice",
            url="/",
            created_at=clock.now(),
            read_at=clock.now() if read else None,
        )
    lonely = UserFactory()  # a login with no member record
    for user_id in [m.user_id for m in members] + [lonely.pk, 0]:
        assert unread_count_of(user_id) == _orm_count(user_id)
    assert sum(unread_count_of(m.user_id) for m in members) == sum(not read for _, read in notes)
