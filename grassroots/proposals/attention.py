"""What proposals ask of a member, for the home page (grassroots.people.attention)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots import clock
from grassroots.people.attention import AttentionItem, Probe, listed
from grassroots.people.models import Member
from grassroots.proposals.models import Proposal
from grassroots.proposals.queries import awaiting_of


def attention_probe(user: Any, member: Member | None) -> list[Probe]:
    if member is None:
        return []
    return [Probe(awaiting_of, {"member_id": member.pk, "now": clock.now()})]


def _awaiting_listed(member_id: int, now: datetime.datetime) -> QuerySet[Proposal]:
    return awaiting_of(member_id, now)


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    rows = listed(
        Probe(_awaiting_listed, {"member_id": member.pk, "now": clock.now()}),
        "pk",
        "title",
        "closes_at",
        "group__name",
        "area__name",
        "region__name",
    )
    return [
        AttentionItem(
            kind="proposal",
            text=_("Take your position on “%(title)s” (%(body)s)")
            % {"title": title, "body": group or area or region or _("National")},
            url=reverse("proposals:detail", args=[pk]),
            due=closes_at,
        )
        for pk, title, closes_at, group, area, region in rows
    ]
