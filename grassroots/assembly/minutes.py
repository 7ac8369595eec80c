"""The session's part of the draft minutes (registered with ``meetings.extensions``): every
live vote with its result (weighted and head counts; each name in a named vote), any quorum
override, the proxies held, and the speakers in the order they spoke."""

from __future__ import annotations

from django.utils import timezone

from grassroots.assembly import queries
from grassroots.assembly.models import LiveVote, Proxy
from grassroots.meetings.models import Meeting


def _vote_lines(vote: LiveVote) -> list[str]:
    result = vote.result or {}
    kind = "secret" if vote.is_secret else "named"
    weighted = ", weighted by delegation" if vote.is_weighted else ""
    lines = [f"{vote.question} ({vote.get_method_display().lower()}; {kind} vote{weighted})"]
    if vote.quorum_override:
        lines.append(
            f"  Opened while the meeting was not quorate: the chair overrode the quorum because "
            f"{vote.quorum_override}"
        )
    for row in result.get("rows", []):
        figures = f"{row['heads']} voting"
        if vote.is_weighted:
            figures += f", weight {row['weighted']}"
        lines.append(f"  {row['option']}: {figures}")
    if result.get("winners"):
        lines.append(f"  Result: {', '.join(result['winners'])}. {result.get('notes', '')}")
    for named in result.get("named", []):
        proxy = " (by proxy)" if named["by_proxy"] else ""
        lines.append(f"  {named['voter']}: {named['choice']}{proxy}")
    if vote.outcome_note:
        lines.append(f"  {vote.outcome_note}")
    return lines


def minutes_lines(meeting: Meeting) -> list[str]:
    lines: list[str] = []
    votes = list(
        LiveVote.objects.filter(meeting=meeting, closed_at__isnull=False).order_by("opened_at")
    )
    if votes:
        lines.append("Votes taken at the meeting")
        for vote in votes:
            lines.extend(_vote_lines(vote))
    proxies = Proxy.objects.filter(meeting=meeting).count()
    if proxies:
        kept = Proxy.objects.filter(meeting=meeting, revoked_at__isnull=True).count()
        lines.append(f"Proxies: {kept} held ({proxies - kept} given and revoked).")
    spoken = queries.speakers_done(meeting)
    if spoken:
        lines.append("Speakers")
        for request in spoken:
            started = timezone.localtime(request.started_at) if request.started_at else None
            length = ""
            if request.started_at and request.ended_at:
                seconds = int((request.ended_at - request.started_at).total_seconds())
                length = f", {seconds // 60} min {seconds % 60:02d} s"
            side = "" if request.side == "neither" else f", {request.get_side_display().lower()}"
            where = ", online" if request.presence == "online" else ""
            lines.append(
                f"  {started:%H:%M} {request.member.first_name} {request.member.last_name}"
                f"{side}{where}{length}"
                if started
                else f"  {request.member.first_name} {request.member.last_name}"
            )
    return lines
