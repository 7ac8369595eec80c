"""An officer's work for the home page (grassroots.people.attention): groups in their care with
no Data Manager, and recognition appeals waiting for the body they sit on."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from grassroots.organisation.models import AppealDecision, RecognitionAppeal
from grassroots.organisation.queries import appeal_bodies_of, groups_needing_attention
from grassroots.people.attention import AttentionItem
from grassroots.people.models import Member


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    items = [
        AttentionItem(
            kind="officer",
            text=f"{group.name} has no Data Manager",
            url=reverse("group_officers", args=[group.slug]),
        )
        for group in groups_needing_attention(user)
    ]
    bodies = appeal_bodies_of(user)
    if bodies:
        items += [
            AttentionItem(
                kind="appeal",
                text=(
                    f"Decide {appeal.group.name}'s appeal against being "
                    f"{appeal.against.get_to_status_display().lower()}"
                ),
                url=reverse("recognition_appeal_decide", args=[appeal.pk]),
            )
            for appeal in RecognitionAppeal.objects.filter(
                body__in=bodies, decision=AppealDecision.PENDING
            ).select_related("group", "against")
        ]
    return items
