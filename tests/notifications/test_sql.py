"""A queryset's notifications, written by one statement (notifications.sql), are the rows and
the mail at once that a list of the same members gets in Python batches."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.notifications import services, sql
from grassroots.notifications.models import (
    DEFAULT_DELIVERY,
    DIGESTS,
    Delivery,
    Kind,
    Notification,
    Preference,
)
from grassroots.people.models import Member
from tests.factories import GroupFactory, MemberFactory

pytestmark = pytest.mark.django_db

CHOICES = [None, *Delivery.values]
KINDS = [Kind.MEETING, Kind.BALLOT, Kind.MOTION]


def _rows(url: str) -> set[tuple[object, ...]]:
    rows = Notification.objects.filter(url=url)
    return {
        (n.member_id, n.kind, n.message, tuple(sorted(n.params.items())), n.title, n.digest)
        for n in rows
    } | {("read, mailed", n.member_id, n.read_at, n.mailed_at is not None) for n in rows}


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(st.sampled_from(CHOICES), st.sampled_from(CHOICES)), max_size=8),
    st.sampled_from(KINDS),
)
def test_one_statement_writes_what_the_batches_write(
    prefs: list[tuple[str | None, str | None]], kind: str
) -> None:
    # Each example makes its own members and its own links, so earlier rows do not count.
    members = [MemberFactory() for _ in prefs]
    for member, (meeting, ballot) in zip(members, prefs, strict=True):
        for chosen, its_kind in ((meeting, Kind.MEETING), (ballot, Kind.BALLOT)):
            if chosen is not None:
                Preference.objects.create(member=member, kind=its_kind, delivery=chosen)
    stamp = f"{len(prefs)}-{kind}-{hash(tuple(prefs))}"
    ids = [m.pk for m in members]
    in_batches = services.notify(ids, kind=kind, title="Words", url=f"/a/{stamp}/")
    by_query = services.notify(
        Member.objects.filter(pk__in=ids), kind=kind, title="Words", url=f"/b/{stamp}/"
    )
    assert by_query == in_batches == len(members)
    assert _rows(f"/b/{stamp}/") == _rows(f"/a/{stamp}/")
    # Those mailed at once are those the batches mail at once.
    _, mailed = sql.write_for_members(
        Member.objects.filter(pk__in=ids),
        kind=kind,
        default=DEFAULT_DELIVERY[kind],
        message="",
        params={},
        title="Words",
        url=f"/c/{stamp}/",
        at=datetime.datetime(2026, 12, 7, tzinfo=datetime.UTC),
        digests=DIGESTS,
        immediate=Delivery.IMMEDIATE,
    )
    at_once = Notification.objects.filter(url=f"/a/{stamp}/", mailed_at__isnull=False)
    assert mailed == sorted(at_once.values_list("member_id", flat=True))


def test_a_query_naming_a_member_twice_tells_them_once_with_the_message_and_its_words():
    first, second = GroupFactory(), GroupFactory()
    both = MemberFactory()
    both.other_groups.add(first, second)
    one = MemberFactory()
    one.other_groups.add(second)
    MemberFactory().other_groups.add(GroupFactory())  # in neither
    in_either = Member.objects.filter(other_groups__in=[first, second])
    assert in_either.count() == 3  # the join names `both` twice
    when = datetime.datetime(2026, 12, 9, 18, 30, tzinfo=datetime.UTC)
    written = services.notify(
        in_either,
        kind=Kind.BALLOT,
        url="/ballots/4/vote/",
        message="ballot_opened",
        params={"title": "Regional coordinator", "closes": when},
    )
    assert written == 2
    told = Notification.objects.filter(url="/ballots/4/vote/")
    assert sorted(told.values_list("member_id", flat=True)) == sorted([both.pk, one.pk])
    row = told.get(member=both)
    assert row.message == "ballot_opened"
    assert row.params["title"] == "Regional coordinator"
    assert "Regional coordinator" in row.title
