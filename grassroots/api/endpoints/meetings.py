"""Meetings and motions a member can see, through the meetings app's own queries (the same
scope and the same 404 for what is not theirs as the meeting pages)."""

from __future__ import annotations

from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Router
from ninja.params.functions import Path, Query

from grassroots.api.auth import MEMBER_AUTH, caller
from grassroots.api.errors import error_responses
from grassroots.api.schemas import (
    MAX_ID,
    AgendaItemOut,
    AmendmentOut,
    MeetingDetail,
    MeetingPage,
    MeetingSummary,
    MotionDetail,
    MotionSummary,
    PageInfo,
)
from grassroots.meetings import queries
from grassroots.meetings.models import Meeting, Motion

router = Router(tags=["meetings"], auth=MEMBER_AUTH)

PAGE_SIZE = 50
MAX_PAGE = 100_000


def _summary(meeting: Meeting) -> MeetingSummary:
    return MeetingSummary(
        id=meeting.pk,
        title=meeting.title,
        kind=meeting.kind,
        format=meeting.format,
        scope=meeting.scope_name,
        level=meeting.level,
        status=meeting.status,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        motions_deadline=meeting.motions_deadline,
    )


def _motion_summary(motion: Motion) -> dict[str, Any]:
    return {
        "id": motion.pk,
        "number": motion.number,
        "title": motion.title,
        "status": motion.status,
        "proposer": motion.proposer.full_name,
        "seconder": motion.seconder.full_name,
    }


@router.get(
    "/meetings",
    response={200: MeetingPage, **error_responses(401, 403, 404, 422)},
    url_name="meetings",
    summary="Meetings and events of the bodies you belong to (or run meetings for)",
)
def list_meetings(
    request: HttpRequest,
    when: Literal["upcoming", "past"] = Query("upcoming"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> Any:
    actor = caller(request)
    if when == "upcoming":
        meetings = queries.upcoming_meetings_for(actor)
    else:
        meetings = queries.past_meetings_for(actor)
    paginator = Paginator(meetings, PAGE_SIZE, allow_empty_first_page=True)
    if page > paginator.num_pages:
        raise Http404(gettext("No such page."))
    return MeetingPage(
        page=PageInfo(page=page, pages=paginator.num_pages, count=paginator.count, capped=False),
        results=[_summary(m) for m in paginator.page(page).object_list],
    )


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingDetail, **error_responses(401, 403, 404, 422)},
    url_name="meeting",
    summary="A meeting: where and when, its agenda and the motions you can see",
)
def get_meeting(request: HttpRequest, meeting_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    actor = caller(request)
    meeting = queries.get_meeting_for(actor, meeting_id)
    return MeetingDetail(
        **_summary(meeting).model_dump(),
        description=meeting.description,
        address=meeting.address,
        online_link=meeting.online_link,
        accessibility_notes=meeting.accessibility_notes,
        capacity=meeting.capacity,
        motions_open=queries.motions_open(meeting),
        agenda=[
            AgendaItemOut(
                position=item.position,
                kind=item.kind,
                title=item.title,
                description=item.description,
            )
            for item in meeting.agenda_items.all()
        ],
        motions=[
            MotionSummary(**_motion_summary(m)) for m in queries.motions_visible_to(actor, meeting)
        ],
    )


@router.get(
    "/meetings/{meeting_id}/motions/{motion_id}",
    response={200: MotionDetail, **error_responses(401, 403, 404, 422)},
    url_name="motion",
    summary="A motion: its text as amended, its original text, its amendments and state",
    description="A motion not yet seconded is seen only by its proposer, its seconder and "
    "the meeting's officers; for anyone else it is 404, as on the pages.",
)
def get_motion(
    request: HttpRequest,
    meeting_id: int = Path(..., ge=1, le=MAX_ID),
    motion_id: int = Path(..., ge=1, le=MAX_ID),
) -> Any:
    motion = queries.get_motion_for(caller(request), meeting_id, motion_id)
    return MotionDetail(
        **_motion_summary(motion),
        meeting=_summary(motion.meeting),
        text=motion.text,
        original_text=motion.original_text,
        submitted_at=motion.submitted_at,
        seconded_at=motion.seconded_at,
        ruling_reason=motion.ruling_reason,
        debate_open=queries.debate_open(motion),
        amendments=[
            AmendmentOut(
                id=a.pk,
                number=a.number,
                kind=a.kind,
                paragraph=a.paragraph,
                new_text=a.new_text,
                status=a.status,
                proposer=a.proposer.full_name,
                submitted_at=a.submitted_at,
            )
            for a in motion.amendments.select_related("proposer")
        ],
    )
