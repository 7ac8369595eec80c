"""Initiatives a member may sign and has not, for the home page (grassroots.people.attention)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.oversight.models import Initiative, InitiativeStatus, Signature
from grassroots.people.attention import AttentionItem, Probe
from grassroots.people.models import Member, MembershipStatus


def _inputs(member: Member | None) -> dict[str, Any] | None:
    # Who may sign (oversight.services.sign_initiative): members in good standing, in the
    # initiative's region when it has one.
    if member is None or member.status != MembershipStatus.MEMBER:
        return None
    return {
        "member_id": member.pk,
        "region_id": member.home_group.area.region_id,
        "now": clock.now(),
    }


def _to_sign_of(member_id: int, region_id: int, now: datetime.datetime) -> QuerySet[Initiative]:
    signed = Signature.objects.filter(initiative=OuterRef("pk"), member_id=member_id)
    return (
        Initiative.objects.filter(status=InitiativeStatus.COLLECTING, closes_at__gt=now)
        .filter(Q(region__isnull=True) | Q(region_id=region_id))
        .exclude(Exists(signed))
    )


def _to_sign(member: Member | None) -> QuerySet[Initiative] | None:
    inputs = _inputs(member)
    return None if inputs is None else _to_sign_of(**inputs)


def attention_probe(user: Any, member: Member | None) -> list[Probe]:
    inputs = _inputs(member)
    return [] if inputs is None else [Probe(_to_sign_of, inputs)]


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    initiatives = _to_sign(member)
    if initiatives is None:
        return []
    return [
        AttentionItem(
            kind="initiative",
            text=_("An initiative is collecting signatures: “%(title)s”")
            % {"title": initiative.title},
            url=reverse("oversight_initiative", args=[initiative.pk]),
            due=initiative.closes_at,
        )
        for initiative in initiatives.order_by("closes_at", "pk")
    ]
