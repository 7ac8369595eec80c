"""The "decided between meetings" section of a body's draft minutes (registered with
``meetings.extensions``): every proposal of the body that closed after its previous
meeting began and by the end of this one."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from grassroots.meetings.models import DEBATING_KINDS, Meeting, MeetingStatus
from grassroots.proposals.queries import decided_between


def decided_between_meetings(meeting: Meeting) -> list[str]:
    body = Q(
        level=meeting.level,
        group_id=meeting.group_id,
        area_id=meeting.area_id,
        region_id=meeting.region_id,
    )
    previous = (
        Meeting.objects.filter(body, starts_at__lt=meeting.starts_at, kind__in=DEBATING_KINDS)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    proposals = list(decided_between(body, previous, meeting.ends_at))
    if not proposals:
        return []
    lines = ["Decided between meetings"]
    for proposal in proposals:
        assert proposal.closed_at is not None
        closed = timezone.localtime(proposal.closed_at)
        lines.append(
            f"- {proposal.title} ({proposal.get_process_display().split(' (')[0].lower()}, "
            f"proposed by {proposal.proposer.first_name} {proposal.proposer.last_name}, "
            f"closed {closed:%d %B %Y}): {proposal.outcome_shown}"
        )
        if proposal.outcome_statement:
            lines.append(f"  Outcome statement: {proposal.outcome_statement}")
        if proposal.escalated_to:
            lines.append(f"  {proposal.get_escalated_to_display()}.")
    return lines
