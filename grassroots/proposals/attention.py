"""What proposals ask of a member, for the home page (grassroots.people.attention)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.people.attention import AttentionItem, Probe
from grassroots.people.models import Member
from grassroots.proposals.queries import awaiting, awaiting_of


def attention_probe(user: Any, member: Member | None) -> list[Probe]:
    if member is None:
        return []
    return [Probe(awaiting_of, {"member_id": member.pk, "now": clock.now()})]


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    return [
        AttentionItem(
            kind="proposal",
            text=_("Take your position on “%(title)s” (%(body)s)")
            % {"title": proposal.title, "body": proposal.scope_name},
            url=reverse("proposals:detail", args=[proposal.pk]),
            due=proposal.closes_at,
        )
        for proposal in awaiting(member).select_related("group", "area", "region")
    ]
