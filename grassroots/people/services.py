"""Every write to members' records: one function per use case, permission first, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from grassroots.audit.services import record
from grassroots.clock import now
from grassroots.people.models import ConsentSource, Member


@transaction.atomic
def update_own_profile(
    *,
    actor: Any,
    first_name: str,
    last_name: str,
    phone: str,
    postcode: str,
    consent_to_contact: bool,
) -> Member:
    """A member edits their own record; a change of consent is dated and sourced."""
    member = Member.objects.select_for_update().filter(user=actor).first()
    if member is None:
        raise PermissionDenied("Only a member can edit a member profile.")
    changed = []
    for field, value in (
        ("first_name", first_name.strip()),
        ("last_name", last_name.strip()),
        ("phone", phone.strip()),
        ("postcode", postcode.strip().upper()),
    ):
        if getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    if consent_to_contact != member.consent_to_contact:
        member.consent_to_contact = consent_to_contact
        member.consent_recorded_at = now()
        member.consent_source = ConsentSource.PROFILE
        changed += ["consent_to_contact", "consent_recorded_at", "consent_source"]
    if changed:
        member.save(update_fields=[*changed, "updated_at"])
        record(
            actor=actor,
            action="update_own_profile",
            subject_type="member",
            subject_id=member.membership_number,
            scope=member.home_group.name,
            purpose="member edited their own profile",
            detail={"fields": changed},
        )
    return member
