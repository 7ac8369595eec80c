"""Many members at once, for the PostgreSQL concurrency test and the benchmark: users and member
records in bulk, with their status history (the standing rule reads it)."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction

from grassroots.accounts.models import User
from grassroots.organisation.models import Group
from grassroots.people.models import Member, MembershipStatus, StatusCause
from grassroots.people.standing import record_joined


@transaction.atomic
def bulk_members(group: Group, count: int, *, prefix: str = "bulk") -> list[Member]:
    password = make_password(None)  # no login by password: tests act through the services
    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@example.org", password=password) for i in range(count)
    )
    members = Member.objects.bulk_create(
        Member(
            membership_number=f"BK{prefix[:2]}{i:06d}",
            first_name="Member",
            last_name=f"{prefix.title()}{i}",
            email=f"{prefix}{i}@example.org",
            postcode="LS1 1AA",
            status=MembershipStatus.MEMBER,
            joined_on=datetime.date(2021, 3, 1),
            home_group=group,
            user=user,
        )
        for i, user in enumerate(users)
    )
    record_joined(members, cause=StatusCause.SEED)
    return members
