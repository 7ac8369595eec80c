"""Open surveys a member has not answered, for the home page (grassroots.people.attention)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from grassroots.organisation.models import ScopeLevel
from grassroots.people.attention import AttentionItem, Probe, listed
from grassroots.people.models import Member, MembershipStatus
from grassroots.surveys.models import Respondent, Survey, SurveyStatus


def _inputs(member: Member | None) -> dict[str, int] | None:
    # Those who may answer (surveys.queries.may_answer): members in good standing whose home
    # group is in the survey's scope.
    if member is None or member.status != MembershipStatus.MEMBER:
        return None
    group = member.home_group
    return {
        "member_id": member.pk,
        "group_id": group.pk,
        "area_id": group.area_id,
        "region_id": group.area.region_id,
    }


def _to_answer_of(member_id: int, group_id: int, area_id: int, region_id: int) -> QuerySet[Survey]:
    in_scope = (
        Q(level=ScopeLevel.NATION)
        | Q(level=ScopeLevel.GROUP, group_id=group_id)
        | Q(level=ScopeLevel.AREA, area_id=area_id)
        | Q(level=ScopeLevel.REGION, region_id=region_id)
    )
    answered = Respondent.objects.filter(survey=OuterRef("pk"), member_id=member_id)
    return Survey.objects.filter(in_scope, status=SurveyStatus.OPEN).exclude(Exists(answered))


def attention_probe(user: Any, member: Member | None) -> list[Probe]:
    inputs = _inputs(member)
    return [] if inputs is None else [Probe(_to_answer_of, inputs)]


def _to_answer_listed(
    member_id: int, group_id: int, area_id: int, region_id: int
) -> QuerySet[Survey]:
    return _to_answer_of(member_id, group_id, area_id, region_id).order_by("opened_at", "pk")


def attention_items(user: Any, member: Member | None) -> list[AttentionItem]:
    inputs = _inputs(member)
    if inputs is None:
        return []
    return [
        AttentionItem(
            kind="survey",
            text=_("Answer the survey “%(title)s”") % {"title": title},
            url=reverse("surveys:survey_detail", args=[pk]),
        )
        for pk, title in listed(Probe(_to_answer_listed, inputs), "pk", "title")
    ]
