"""Everything the movement holds about one member, in one place: the "My data" page, the
subject-access export (JSON and printable HTML) and the list of models that hold personal data.

``COVERAGE`` names the models with a relation to ``Member`` that have a section of their own,
written for the reader. Every other model pointing at a member (meetings, delegation, oversight,
sortition, surveys, and whatever comes next) is exported by ``other_records``: the rows that name
the member, field by field, so a new table of personal data is in the export the day it exists.
tests/people/test_subject_access.py walks the app registry and checks both. The JSON schema is
documented in docs/data-protection.md.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404

from grassroots.audit.models import AuditEntry
from grassroots.audit.services import record
from grassroots.clock import now
from grassroots.organisation.permissions import ROLE_CAPABILITIES, Capability
from grassroots.people.models import ContactOutcome, Member
from grassroots.people.standing import status_history

SCHEMA = "grassroots.subject-access/1"

# Model label -> the report section that shows its rows about the member.
COVERAGE: dict[str, str] = {
    "people.member": "member",
    "people.member_other_groups": "groups",
    "organisation.roleassignment": "roles",
    "ballots.rollentry": "ballots",
    "ballots.ballot": "returning_officer_of",
    "ballots.teller": "teller_duties",
    "ballots.candidate": "candidacies",
    "ballots.nomination": "nominations",
    "ballots.nominationsupport": "nominations_supported",
    "messaging.delivery": "mail_received",
    "messaging.unsubscribe": "unsubscribes",
    "people.contactoutcome": "contact_outcomes",
    "people.memberstatuschange": "status_history",
}

ACTION_LABELS = {
    "view_member": "viewed your record",
    "erase_member": "erased your record",
    "update_member": "changed your record",
    "record_contact_outcome": "noted how contacting you went",
    "transfer_member": "moved you to another group",
}
_ERASED_VIEWER = "A former officer (their own record has since been erased)"


def _role_line(assignment: Any) -> str:
    return f"{assignment.get_role_display()}, {assignment.scope_name}"


def record_views(member: Member) -> list[dict[str, Any]]:
    """Who else read or changed the member's record, from the audit log, newest first: the
    officer's name, the roles they held that day (those that let them see members first),
    when, and the purpose they gave. The member's own reads and system jobs are left out."""
    from grassroots.organisation.models import RoleAssignment

    entries = (
        AuditEntry.objects.filter(
            subject_type="member", subject_id=member.membership_number, actor__isnull=False
        )
        .values_list("at", "actor_id", "action", "purpose")
        .order_by("-at", "-id")
    )
    if member.user_id is not None:
        entries = entries.exclude(actor_id=member.user_id)
    rows = list(entries)
    actor_ids = {actor_id for _, actor_id, _, _ in rows}
    viewers = {
        m.user_id: m
        for m in Member.objects.filter(user_id__in=actor_ids).only(
            "id", "user_id", "first_name", "last_name"
        )
    }
    roles: dict[int, list[Any]] = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(
        member_id__in=[m.pk for m in viewers.values()]
    ).select_related("group", "area", "region"):
        roles[assignment.member_id].append(assignment)

    def roles_on(viewer: Member | None, day: datetime.date) -> list[str]:
        if viewer is None:
            return []
        held = [
            a
            for a in roles[viewer.pk]
            if a.starts_on <= day and (a.ends_on is None or a.ends_on >= day)
        ]
        seeing = [a for a in held if Capability.VIEW_MEMBERS in ROLE_CAPABILITIES.get(a.role, ())]
        return [_role_line(a) for a in (seeing or held)]

    views = []
    for at, actor_id, action, purpose in rows:
        viewer = viewers.get(actor_id)
        views.append(
            {
                "at": at,
                "viewer": viewer.full_name if viewer else _ERASED_VIEWER,
                "roles": roles_on(viewer, at.date()),
                "action": action,
                "what": ACTION_LABELS.get(action, action.replace("_", " ")),
                "purpose": purpose,
            }
        )
    return views


def collect(member: Member) -> dict[str, Any]:
    """The whole report for one member, as plain data (dates stay dates until serialised)."""
    from allauth.account.models import EmailAddress

    from grassroots.ballots.models import (
        Ballot,
        Candidate,
        Nomination,
        NominationSupport,
        RollEntry,
        Teller,
    )
    from grassroots.messaging.models import Delivery, Unsubscribe
    from grassroots.organisation.models import RoleAssignment

    home = member.home_group
    login: dict[str, Any] | None = None
    if member.user_id is not None:
        user = member.user
        assert user is not None
        login = {
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in EmailAddress.objects.filter(user_id=user.pk).order_by("email")
            ],
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        }
    return {
        "schema": SCHEMA,
        "generated_at": now(),
        "member": {
            "membership_number": member.membership_number,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "phone": member.phone,
            "postcode": member.postcode,
            "status": member.status,
            "status_label": member.get_status_display(),
            "joined_on": member.joined_on,
            "renewal_due_on": member.renewal_due_on,
            "created_at": member.created_at,
            "updated_at": member.updated_at,
            "erased_at": member.erased_at,
        },
        "login": login,
        "consent": {
            "consent_to_contact": member.consent_to_contact,
            "recorded_at": member.consent_recorded_at,
            "source": member.consent_source,
            "source_label": member.get_consent_source_display() if member.consent_source else "",
        },
        "groups": [
            {"name": home.name, "slug": home.slug, "home_group": True},
            *(
                {"name": g.name, "slug": g.slug, "home_group": False}
                for g in member.other_groups.order_by("name")
            ),
        ],
        "roles": [
            {
                "role": a.role,
                "role_label": a.get_role_display(),
                "scope": a.scope_name,
                "starts_on": a.starts_on,
                "ends_on": a.ends_on,
            }
            for a in RoleAssignment.objects.filter(member=member)
            .select_related("group", "area", "region")
            .order_by("-starts_on", "-id")
        ],
        # Roll marks only: whether the member was on the roll and voted. The ballot box holds
        # no link to the member, so there is no vote to show (docs/ballots.md).
        "ballots": [
            {
                "ballot": e.ballot.title,
                "election_id": e.ballot.election_id,
                "opens_at": e.ballot.opens_at,
                "closes_at": e.ballot.closes_at,
                "has_voted": e.has_voted,
            }
            for e in RollEntry.objects.filter(member=member)
            .select_related("ballot")
            .order_by("-ballot__opens_at", "-id")
        ],
        "returning_officer_of": [
            {"ballot": b.title, "election_id": b.election_id, "opens_at": b.opens_at}
            for b in Ballot.objects.filter(returning_officer=member).order_by("-opens_at")
        ],
        "teller_duties": [
            {
                "ballot": t.ballot.title,
                "election_id": t.ballot.election_id,
                "has_collected_share": t.has_collected_share,
            }
            for t in Teller.objects.filter(member=member).select_related("ballot")
        ],
        "candidacies": [
            {
                "ballot": c.question.ballot.title,
                "question": c.question.title,
                "name": c.name,
                "statement": c.statement,
                "categories": c.categories,
                "withdrawn": c.withdrawn,
            }
            for c in Candidate.objects.filter(member=member).select_related("question__ballot")
        ],
        "nominations": [
            {
                "ballot": n.question.ballot.title,
                "question": n.question.title,
                "name": n.name,
                "statement": n.statement,
                "categories": n.categories,
                "status": n.status,
                "status_label": n.get_status_display(),
                "nominated_by_self": n.nominated_by_id == n.member_id,
                "created_at": n.created_at,
            }
            for n in Nomination.objects.filter(member=member).select_related("question__ballot")
        ],
        # Whom the member nominated or supported: the member's own acts, so theirs to see.
        "nominations_supported": [
            *(
                {"ballot": n.question.ballot.title, "nominee": n.name, "as": "nominator"}
                for n in Nomination.objects.filter(nominated_by=member)
                .exclude(member=member)
                .select_related("question__ballot")
            ),
            *(
                {
                    "ballot": s.nomination.question.ballot.title,
                    "nominee": s.nomination.name,
                    "as": "supporter",
                }
                for s in NominationSupport.objects.filter(member=member).select_related(
                    "nomination__question__ballot"
                )
            ),
        ],
        "mail_received": [
            {
                "subject": d.mailout.subject,
                "from": d.mailout.scope_name,
                "queued_at": d.mailout.created_at,
                "state": d.state,
                "sent_at": d.sent_at,
            }
            for d in Delivery.objects.filter(member=member)
            .select_related("mailout__group", "mailout__area", "mailout__region")
            .order_by("-mailout__created_at")
        ],
        "unsubscribes": [
            {"scope": u.scope_key, "at": u.created_at, "via": u.via}
            for u in Unsubscribe.objects.filter(member=member).order_by("created_at")
        ],
        "contact_outcomes": [
            {
                "outcome": o.outcome,
                "outcome_label": o.get_outcome_display(),
                "note": o.note,
                "recorded_at": o.recorded_at,
            }
            for o in ContactOutcome.objects.filter(member=member).order_by("-recorded_at", "-id")
        ],
        "status_history": [
            {
                "status": c.status,
                "status_label": c.get_status_display(),
                "effective_on": c.effective_on,
                "cause": c.cause,
                "cause_label": c.get_cause_display(),
                "recorded_at": c.recorded_at,
            }
            for c in status_history(member)
        ],
        "other_records": other_records(member),
        "record_views": record_views(member),
    }


# Fields whose values are secrets kept for a purpose (a teller's key share, a signed token), not
# facts about the member: named in the export but withheld.
_WITHHELD_PARTS = ("secret", "share", "token", "key", "hash", "cipher", "sealed", "nonce")
WITHHELD = "(withheld: a secret kept for its purpose)"


def models_naming_members() -> dict[str, list[str]]:
    """Every model with a foreign key or many-to-many to Member (through tables for the
    latter), by label, with the names of the fields that point at the member."""
    from django.apps import apps
    from django.db import models

    found: dict[str, list[str]] = defaultdict(list)
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            concrete = getattr(field, "concrete", False)
            if not (field.is_relation and field.related_model is Member):
                continue
            if isinstance(field, models.ManyToManyField):
                through: Any = field.remote_field.through
                for f in through._meta.get_fields():
                    if getattr(f, "related_model", None) is Member and getattr(
                        f, "concrete", False
                    ):
                        found[through._meta.label_lower].append(f.name)
            elif concrete:
                found[model._meta.label_lower].append(field.name)
    return {label: sorted(set(names)) for label, names in found.items()}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, datetime.date)):
        return value
    if isinstance(value, (list, dict)):
        return value
    return str(value)


def other_records(member: Member) -> list[dict[str, Any]]:
    """Rows of every table outside COVERAGE that name the member, grouped by table and by the
    field that names them (e.g. a motion the member moved, one they seconded), each row's own
    fields as plain values; linked rows appear as their text, secrets are withheld."""
    from django.apps import apps

    sections: list[dict[str, Any]] = []
    for label, field_names in sorted(models_naming_members().items()):
        if label in COVERAGE:
            continue
        model = apps.get_model(label)
        for field_name in field_names:
            rows = []
            for obj in model._default_manager.filter(**{field_name: member}).order_by("pk"):
                row: dict[str, Any] = {}
                for field in model._meta.concrete_fields:
                    name = field.name
                    if any(part in name.lower() for part in _WITHHELD_PARTS):
                        row[name] = WITHHELD
                    elif field.is_relation:
                        related_id = getattr(obj, field.attname)
                        if field.related_model is Member:
                            row[name] = "you" if related_id == member.pk else related_id
                        else:
                            row[name] = None if related_id is None else str(getattr(obj, name))
                    else:
                        row[name] = _plain(getattr(obj, name))
                rows.append(row)
            if rows:
                meta = model._meta
                sections.append(
                    {
                        "table": label,
                        "title": str(meta.verbose_name_plural).capitalize(),
                        "as": str(meta.get_field(field_name).verbose_name),
                        "rows": rows,
                    }
                )
    return sections


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def own_record_for_export(actor: Any, *, export_format: str) -> Member:
    """The actor's own member record for a subject-access export, with the export audited.
    404 when the actor has no member record."""
    if not getattr(actor, "is_authenticated", False):
        raise Http404("You have no member record.")
    member = Member.objects.select_related("home_group", "user").filter(user=actor).first()
    if member is None:
        raise Http404("You have no member record.")
    record(
        actor=actor,
        action="subject_access_export",
        subject_type="member",
        subject_id=member.membership_number,
        scope=member.home_group.name,
        purpose="member downloaded their own data",
        detail={"format": export_format},
    )
    return member
