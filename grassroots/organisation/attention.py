"""An officer's work for the home page (grassroots.people.attention): groups in their care with
no Data Manager, and recognition appeals waiting for the body they sit on."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.organisation.models import APPEAL_BODIES, AppealDecision, RecognitionAppeal
from grassroots.organisation.permissions import Capability, may_decide_appeals, scopes_for
from grassroots.organisation.queries import (
    appeal_bodies_of,
    groups_needing_attention_listed,
    groups_needing_attention_listed_among,
    groups_without_data_manager,
    groups_without_data_manager_among,
)
from grassroots.people.attention import AttentionItem, Probe, listed
from grassroots.people.models import Member


def _appeal_bodies(user: Any) -> list[str]:
    """The appeal bodies the person sits on. A pending appeal's body is always one on record,
    so their pending appeals are exactly those ``appeal_bodies_of`` would find, without
    reading the rules and every body named on record first."""
    return [body for body in APPEAL_BODIES if may_decide_appeals(user, body)]


def groups_probe(user: Any, member: Member | None) -> list[Probe]:
    """As ``groups_needing_attention_of``, with its values apart so its SQL is made once."""
    scopes = scopes_for(user, Capability.VIEW_MEMBERS)
    if scopes.is_empty:
        return []
    if scopes.everywhere:
        return [Probe(groups_without_data_manager, {"on": clock.today()})]
    group_ids = sorted(scopes.group_ids)
    return [Probe(groups_without_data_manager_among, {"group_ids": group_ids, "on": clock.today()})]


def _pending_appeals(bodies: list[str]) -> QuerySet[RecognitionAppeal]:
    return RecognitionAppeal.objects.filter(body__in=bodies, decision=AppealDecision.PENDING)


def appeals_probe(user: Any, member: Member | None) -> list[Probe]:
    bodies = _appeal_bodies(user)
    return [Probe(_pending_appeals, {"bodies": bodies})] if bodies else []


def groups_items(user: Any, member: Member | None) -> list[AttentionItem]:
    """As ``groups_needing_attention``: names and slugs through a statement made once."""
    scopes = scopes_for(user, Capability.VIEW_MEMBERS)
    if scopes.is_empty:
        return []
    if scopes.everywhere:
        listing = Probe(groups_needing_attention_listed, {"on": clock.today()})
    else:
        listing = Probe(
            groups_needing_attention_listed_among,
            {"group_ids": sorted(scopes.group_ids), "on": clock.today()},
        )
    text = _("%(group)s has no Data Manager")
    return [
        AttentionItem(
            kind="officer",
            text=text % {"group": name},
            url=reverse("group_officers", args=[slug]),
        )
        for name, slug in listed(listing, "name", "slug")
    ]


def appeals_items(user: Any, member: Member | None) -> list[AttentionItem]:
    bodies = appeal_bodies_of(user)
    if not bodies:
        return []
    return [
        AttentionItem(
            kind="appeal",
            text=_("Decide %(group)s's appeal against being %(status)s")
            % {
                "group": appeal.group.name,
                "status": appeal.against.get_to_status_display().lower(),
            },
            url=reverse("recognition_appeal_decide", args=[appeal.pk]),
        )
        for appeal in RecognitionAppeal.objects.filter(
            body__in=bodies, decision=AppealDecision.PENDING
        ).select_related("group", "against")
    ]
