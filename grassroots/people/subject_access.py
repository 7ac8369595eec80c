"""Everything the movement holds about one member, in one place: the "My data" page, the
subject-access export (JSON and printable HTML) and the list of models that hold personal data.

People sits below the apps that hold rows about a member (docs/decisions.md), so each app writes
its own part of the report: a :class:`Section` in its ``personal_data`` module, registered here
from its ``AppConfig.ready`` (:func:`register_section`), with the models it covers and the
template that shows it. :func:`coverage` is every model with a section written for the reader;
every other model pointing at a member (meetings, delegation, oversight, sortition, surveys, and
whatever comes next) is exported by ``other_records``: the rows that name the member, field by
field, so a new table of personal data is in the export the day it exists.
tests/people/test_subject_access.py walks the app registry and checks both. The JSON schema is
documented in docs/data-protection.md.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.models import AuditEntry
from grassroots.audit.services import record
from grassroots.organisation.permissions import ROLE_CAPABILITIES, Capability
from grassroots.people.models import ContactOutcome, DeclaredMembership, Member
from grassroots.people.standing import status_history

SCHEMA = "grassroots.subject-access/1"

# Model label -> the report key that shows its rows about the member: people's own models.
_OWN_COVERAGE: dict[str, str] = {
    "people.member": "member",
    "people.member_other_groups": "groups",
    "people.contactoutcome": "contact_outcomes",
    "people.memberstatuschange": "status_history",
    "people.declaredmembership": "declared_memberships",
}


@dataclass(frozen=True)
class Section:
    """One app's part of the report: ``collect`` returns its keys (each a list of plain rows
    about the member), ``covers`` names the models they show (model label -> key), and
    ``template`` renders them from ``report`` on the My data page and the printable copy."""

    owner: str
    collect: Callable[[Member], dict[str, Any]]
    covers: Mapping[str, str]
    template: str


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    """Register (or, for the same owner, replace) an app's section; called from its
    ``AppConfig.ready``. Sections appear in the report in the order the apps registered them
    (INSTALLED_APPS order), after the member's record, login, consent and groups."""
    for other in _sections.values():
        taken = sorted(set(section.covers) & set(other.covers))
        if other.owner != section.owner and taken:
            raise ImproperlyConfigured(f"{section.owner} covers {taken}, which {other.owner} has")
    _sections[section.owner] = section


def sections() -> list[Section]:
    return list(_sections.values())


def coverage() -> dict[str, str]:
    """Every model with a section written for the reader, with the report key that shows it."""
    found = dict(_OWN_COVERAGE)
    for section in _sections.values():
        found.update(section.covers)
    return found


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
        "generated_at": clock.now(),
        "member": {
            "membership_number": member.membership_number,
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "phone": member.phone,
            "postcode": member.postcode,
            "status": member.status,
            "status_label": member.get_status_display(),
            "language": member.language,
            "language_label": member.get_language_display() if member.language else "",
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
        **{
            key: rows
            for section in _sections.values()
            for key, rows in section.collect(member).items()
        },
        "contact_outcomes": [
            {
                "outcome": o.outcome,
                "outcome_label": o.get_outcome_display(),
                "note": o.note,
                "recorded_at": o.recorded_at,
            }
            for o in ContactOutcome.objects.filter(member=member).order_by("-recorded_at", "-id")
        ],
        "declared_memberships": [
            {
                "organisation": d.organisation.name,
                "membership_number": d.membership_number,
                "declared_at": d.declared_at,
                "confirmed_by_list_imported_at": (
                    d.confirmed_by.imported_at if d.confirmed_by is not None else None
                ),
            }
            for d in DeclaredMembership.objects.filter(member=member).select_related(
                "organisation", "confirmed_by"
            )
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


def _login_shown(user: Any, member: Member) -> str:
    """A login in another table's row: "you", or the person's name (not the login's email)."""
    owner = getattr(user, "member", None)
    if owner is not None and owner.pk == member.pk:
        return "you"
    return f"{owner.first_name} {owner.last_name}" if owner is not None else "an officer"


def other_records(member: Member) -> list[dict[str, Any]]:
    """Rows of every table outside :func:`coverage` that name the member, grouped by table and
    by the field that names them (e.g. a motion the member moved, one they seconded), each
    row's own fields as plain values; linked rows appear as their text, secrets are withheld."""
    from django.apps import apps

    covered = coverage()
    found: list[dict[str, Any]] = []
    for label, field_names in sorted(models_naming_members().items()):
        if label in covered:
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
                        elif related_id is None:
                            row[name] = None
                        elif field.related_model is get_user_model():
                            row[name] = _login_shown(getattr(obj, name), member)
                        else:
                            row[name] = str(getattr(obj, name))
                    elif field.choices:
                        row[name] = getattr(obj, f"get_{name}_display")()
                    else:
                        row[name] = _plain(getattr(obj, name))
                # "recorded_by_label" keeps the login's email for erasure; the reader sees the
                # name shown for "recorded_by" (or "an officer"), as every page shows it.
                for name, value in row.items():
                    if name.endswith("_label") and isinstance(value, str) and "@" in value:
                        row[name] = row.get(name.removesuffix("_label")) or "an officer"
                rows.append(row)
            if rows:
                meta = model._meta
                found.append(
                    {
                        "table": label,
                        "title": str(meta.verbose_name_plural).capitalize(),
                        "as": str(meta.get_field(field_name).verbose_name),
                        # What a person reads for each field (issue 21: not "seconded_at").
                        "labels": {
                            f.name: str(f.verbose_name)[:1].upper() + str(f.verbose_name)[1:]
                            for f in meta.concrete_fields
                        },
                        "rows": rows,
                    }
                )
    return found


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def own_record_for_export(actor: User | AnonymousUser, *, export_format: str) -> Member:
    """The actor's own member record for a subject-access export, with the export audited.
    404 when the actor has no member record."""
    if not isinstance(actor, User):
        raise Http404("You have no member record.")
    member = Member.objects.select_related("home_group", "user").filter(user=actor).first()
    if member is None:
        raise Http404("You have no member record.")
    record(
        actor=actor,
        action=AuditAction.SUBJECT_ACCESS_EXPORT,
        subject_type="member",
        subject_id=member.membership_number,
        scope=member.home_group.name,
        purpose="member downloaded their own data",
        detail={"format": export_format},
    )
    return member
