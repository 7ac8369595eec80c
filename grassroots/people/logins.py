"""Logins for members the movement already holds: after an import, the national office (or
the command line) gives named members a login at the address on their record, verified because
the movement holds it, as joining does for a new member (``organisation.joining.verify_join``).

One audited use case, in bulk: a few INSERTs however many members, never one per member.
"""

from __future__ import annotations

from collections.abc import Sequence

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.organisation.permissions import NATION, Capability, may
from grassroots.people.models import Member

BATCH_SIZE = 2_000
SOURCE_MAX = 200


@transaction.atomic(durable=True)
def issue_logins(
    *,
    actor: User | None,
    membership_numbers: Sequence[str],
    source: str,
    password: str | None = None,
) -> int:
    """Give each named member without a login one at their record's address; the number made.

    A member who already has a login, an erased record, or an address that already belongs to
    a login is left as it is. ``password`` None makes logins without a password (the member
    sets one through the reset link); a deployment that publishes a password (the demo) passes
    it, hashed once for all. ``source`` says why the logins are made and is kept in the audit
    row. ``actor`` None is the command line, whose operator already holds the database.
    """
    if actor is not None and not may(actor, Capability.IMPORT_MEMBERS, NATION):
        raise PermissionDenied(gettext("Only the national office may give members their logins."))
    source = source.strip()[:SOURCE_MAX]
    if not source:
        raise ValueError("Say why the logins are made: it is kept in the audit log.")
    numbers = sorted({n.strip().upper() for n in membership_numbers if n.strip()})
    members = list(
        Member.objects.filter(
            membership_number__in=numbers, user__isnull=True, erased_at__isnull=True
        ).order_by("pk")
    )
    taken = set(
        User.objects.annotate(email_ci=Lower("email"))
        .filter(email_ci__in=[m.email.lower() for m in members])
        .values_list("email_ci", flat=True)
    )
    chosen: list[Member] = []
    for member in members:
        email = member.email.lower()
        if email not in taken:
            taken.add(email)
            chosen.append(member)
    hashed = make_password(password)  # None makes an unusable password
    users = User.objects.bulk_create(
        [User(email=m.email.lower(), password=hashed) for m in chosen], batch_size=BATCH_SIZE
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=BATCH_SIZE,
    )
    for member, user in zip(chosen, users, strict=True):
        Member.objects.filter(pk=member.pk).update(user=user)
    record(
        actor=actor,
        action=AuditAction.ISSUE_LOGINS,
        subject_type="member",
        purpose=source,
        detail={
            "asked": len(numbers),
            "made": len(users),
            "with_password": password is not None,
        },
    )
    return len(users)
