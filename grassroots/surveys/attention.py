"""Open surveys a member has not answered, for the home page (grassroots.people.attention)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from grassroots.organisation.models import ScopeLevel
from grassroots.people.attention import AttentionItem
from grassroots.people.models import Member, MembershipStatus
from grassroots.surveys.models import Respondent, Survey, SurveyStatus


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    # Those who may answer (surveys.queries.may_answer): members in good standing whose home
    # group is in the survey's scope.
    if member is None or member.status != MembershipStatus.MEMBER:
        return []
    group = member.home_group
    in_scope = (
        Q(level=ScopeLevel.NATION)
        | Q(level=ScopeLevel.GROUP, group_id=group.pk)
        | Q(level=ScopeLevel.AREA, area_id=group.area_id)
        | Q(level=ScopeLevel.REGION, region_id=group.area.region_id)
    )
    answered = Respondent.objects.filter(survey=OuterRef("pk"), member=member)
    surveys = Survey.objects.filter(in_scope, status=SurveyStatus.OPEN).exclude(Exists(answered))
    return [
        AttentionItem(
            kind="survey",
            text=f"Answer the survey “{survey.title}”",
            url=reverse("surveys:survey_detail", args=[survey.pk]),
        )
        for survey in surveys.order_by("opened_at", "pk")
    ]
