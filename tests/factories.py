"""factory-boy factories: realistic members, groups and officers for tests."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.db import transaction
from factory.django import DjangoModelFactory

from grassroots.accounts.models import User
from grassroots.organisation.models import (
    ROLE_LEVEL,
    AgreementAcceptance,
    Area,
    Group,
    Region,
    Role,
    RoleAssignment,
)
from grassroots.organisation.recognition import AGREEMENT_VERSION
from grassroots.people.models import Member, MembershipStatus, StatusCause
from grassroots.people.standing import record_joined, record_status_changes

PASSWORD = "correct horse battery staple"


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


class AreaFactory(DjangoModelFactory[Area]):
    class Meta:
        model = Area

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")


class GroupFactory(DjangoModelFactory[Group]):
    class Meta:
        model = Group

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.Sequence(lambda n: f"group-{n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from allauth.account.models import EmailAddress

            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class MemberFactory(DjangoModelFactory[Member]):
    class Meta:
        model = Member

    membership_number = factory.Sequence(lambda n: f"GR{n:07d}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    postcode = factory.Faker("postcode", locale="en_GB")
    status = MembershipStatus.MEMBER
    joined_on = datetime.date(2021, 3, 1)
    home_group = factory.SubFactory(GroupFactory)

    @classmethod
    def _create(cls, model_class: type[Member], *args: Any, **kwargs: Any) -> Member:
        # Every writer of a member's status records it in the history (people.standing), in the
        # same transaction: on PostgreSQL a deferred trigger refuses a member without it.
        with transaction.atomic():
            member: Member = super()._create(model_class, *args, **kwargs)
            record_joined([member], cause=StatusCause.JOINED)
        return member


class MemberWithLoginFactory(MemberFactory):
    user = factory.SubFactory(UserFactory, email=factory.SelfAttribute("..email"))


class RoleFactory(DjangoModelFactory[RoleAssignment]):
    """Pass ``role`` and the scope object (``group``, ``area`` or ``region``; none for nation).

    A Data Manager has accepted the current data protection agreement (without it the role
    gives no access to members); pass ``accepted_agreement=False`` for one who has not."""

    class Meta:
        model = RoleAssignment
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberWithLoginFactory)
    starts_on = datetime.date(2024, 1, 1)
    level = factory.LazyAttribute(lambda o: str(ROLE_LEVEL[o.role]))

    @factory.post_generation
    def accepted_agreement(
        obj: RoleAssignment, create: bool, extracted: bool | None, **kwargs: object
    ) -> None:
        if create and obj.role == Role.DATA_MANAGER and extracted is not False:
            AgreementAcceptance.objects.get_or_create(
                assignment=obj,
                version=AGREEMENT_VERSION,
                defaults={"accepted_at": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)},
            )


def change_status(member: Member, status: str, on: datetime.date | None = None) -> Member:
    """Set a member's status as the import would: the record and its history entry together
    (effective ``on``, default today), so the PostgreSQL trigger is satisfied."""
    from grassroots import clock

    with transaction.atomic():
        member.status = status
        member.save(update_fields=["status", "updated_at"])
        record_status_changes([(member.pk, status, on or clock.today())], cause=StatusCause.IMPORT)
    return member
