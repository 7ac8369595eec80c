"""Initiatives a member may sign and has not, for the home page (grassroots.people.attention)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from grassroots import clock
from grassroots.oversight.models import Initiative, InitiativeStatus, Signature
from grassroots.people.attention import AttentionItem
from grassroots.people.models import Member, MembershipStatus


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    # Who may sign (oversight.services.sign_initiative): members in good standing, in the
    # initiative's region when it has one.
    if member is None or member.status != MembershipStatus.MEMBER:
        return []
    signed = Signature.objects.filter(initiative=OuterRef("pk"), member=member)
    initiatives = (
        Initiative.objects.filter(status=InitiativeStatus.COLLECTING, closes_at__gt=clock.now())
        .filter(Q(region__isnull=True) | Q(region_id=member.home_group.area.region_id))
        .exclude(Exists(signed))
    )
    return [
        AttentionItem(
            kind="initiative",
            text=f"An initiative is collecting signatures: “{initiative.title}”",
            url=reverse("oversight_initiative", args=[initiative.pk]),
            due=initiative.closes_at,
        )
        for initiative in initiatives.order_by("closes_at", "pk")
    ]
