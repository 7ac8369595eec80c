"""Members per home group kept by the database's triggers (people migration 0008, issue 22):
equal to a count of the rows after every kind of write, and the national overview's query
reads them without touching the member table, so its plan needs no index-only scan."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.organisation.queries import national_overview
from grassroots.people.models import HomeGroupCount, Member, StatusCause
from grassroots.people.standing import record_joined
from tests.factories import GroupFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _kept() -> dict[int, int]:
    return {c.group_id: c.members for c in HomeGroupCount.objects.all() if c.members}


def _counted() -> dict[int, int]:
    rows = Member.objects.order_by().values_list("home_group_id").annotate(n=Count("*"))
    return dict(rows)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "bulk_create", "move_one", "move_many", "delete"]),
        st.integers(min_value=0, max_value=2),
        st.integers(min_value=1, max_value=4),
    ),
    max_size=8,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_the_kept_counts_equal_a_count_of_the_members_after_any_writes(operations):
    groups = [GroupFactory() for _ in range(3)]
    for kind, group, size in operations:
        target = groups[group]
        if kind == "create":
            MemberFactory(home_group=target)
        elif kind == "bulk_create":
            template = MemberFactory.build(home_group=target)
            created = Member.objects.bulk_create(
                [
                    Member(
                        membership_number=f"{template.membership_number}-{i}",
                        first_name=template.first_name,
                        last_name=template.last_name,
                        email=f"{i}.{template.email}",
                        status=template.status,
                        joined_on=template.joined_on,
                        home_group=target,
                    )
                    for i in range(size)
                ]
            )
            record_joined(created, cause=StatusCause.SEED)  # the history every member has
        elif kind == "move_one":
            member = Member.objects.order_by("?").first()
            if member is not None:
                member.home_group = target
                member.save(update_fields=["home_group"])
        elif kind == "move_many":
            Member.objects.filter(
                pk__in=list(Member.objects.order_by("pk").values_list("pk", flat=True)[:size])
            ).update(home_group=target)
        else:
            Member.objects.filter(
                pk__in=list(Member.objects.order_by("-pk").values_list("pk", flat=True)[:size])
            ).delete()
        assert _kept() == _counted()


def test_the_overview_counts_what_the_members_say():
    groups = [GroupFactory() for _ in range(2)]
    for number, group in enumerate(groups, start=2):
        for _ in range(number):
            MemberFactory(home_group=group)
    shown = {
        g.name: g.members
        for region in national_overview()
        for area in region.areas
        for g in area.groups
    }
    assert shown[groups[0].name] == 2 and shown[groups[1].name] == 3


@pytest.mark.postgres
def test_the_overview_does_not_read_the_member_table_so_a_stale_visibility_map_cannot_slow_it():
    """After a bulk update of every member (the visibility map is then stale until VACUUM)
    and with index-only scans off, the overview's plan does not scan the member table at all,
    and its counts are right."""
    if connection.vendor != "postgresql":
        pytest.skip("the visibility map is PostgreSQL's")
    group = GroupFactory()
    for _ in range(5):
        MemberFactory(home_group=group)
    Member.objects.update(postcode="LS1 1AA")  # every row rewritten, no VACUUM
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from grassroots.organisation.models import Group

    query = Group.objects.annotate(
        member_count=Coalesce(
            Subquery(HomeGroupCount.objects.filter(group=OuterRef("pk")).values("members")[:1]),
            Value(0),
        )
    ).values_list("name", "member_count")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert Member._meta.db_table not in plan, plan
    assert _kept()[group.pk] == 5
    shown = {g.name: g.members for r in national_overview() for a in r.areas for g in a.groups}
    assert shown[group.name] == 5
