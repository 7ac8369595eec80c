"""Scheduling a meeting, cancelling it and inviting its members."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, gettext_lazy

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.meetings import queries
from grassroots.meetings.models import Meeting, MeetingFormat, MeetingKind, MeetingStatus
from grassroots.meetings.services.common import (
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    MeetingError,
    acting_member,
    audit,
    clean_text,
    locked_meeting,
    require_run,
)
from grassroots.messaging.languages import Translations, in_every_language
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify_scope, scope_key_for
from grassroots.organisation.models import Area, Group, Region
from grassroots.organisation.permissions import Capability, Nation, may
from grassroots.organisation.scopes import body_named, scope_columns


@transaction.atomic(durable=True)
def schedule_meeting(
    *,
    actor: User,
    title: str,
    level: str,
    scope: Group | Area | Region | Nation | None,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    kind: str = MeetingKind.MEETING,
    format: str = MeetingFormat.IN_PERSON,
    description: str = "",
    address: str = "",
    online_link: str = "",
    accessibility_notes: str = "",
    capacity: int | None = None,
    motions_deadline: datetime.datetime | None = None,
) -> Meeting:
    """A body's officer schedules a meeting (with a deadline for motions) or a campaign event
    (with an optional capacity)."""
    body = body_named(level, scope)
    if body is None:
        raise MeetingError(gettext("Choose which body holds the meeting."))
    if not may(actor, Capability.RUN_MEETINGS, body):
        raise PermissionDenied(gettext("You cannot schedule meetings for that body."))
    creator = acting_member(actor)
    title = clean_text(title, gettext("title"), TITLE_MAX)
    if kind not in MeetingKind.values:
        raise MeetingError(gettext("Choose what kind of meeting or event it is."))
    if format not in MeetingFormat.values:
        raise MeetingError(gettext("Choose whether it is in person, online or both."))
    moment = clock.now()
    if starts_at <= moment:
        raise MeetingError(gettext("The start must be in the future."))
    if ends_at <= starts_at:
        raise MeetingError(gettext("The end must be after the start."))
    if format in (MeetingFormat.IN_PERSON, MeetingFormat.HYBRID) and not address.strip():
        raise MeetingError(gettext("Give the address of the venue."))
    if format in (MeetingFormat.ONLINE, MeetingFormat.HYBRID) and not online_link.strip():
        raise MeetingError(gettext("Give the link to join online."))
    if capacity is not None and capacity < 1:
        raise MeetingError(gettext("The capacity must be at least 1, or left empty for no limit."))
    if kind in (MeetingKind.MEETING, MeetingKind.GENERAL_MEETING):
        if motions_deadline is not None and not moment < motions_deadline <= starts_at:
            raise MeetingError(
                gettext("The deadline for motions must be after now and no later than the start.")
            )
    else:
        motions_deadline = None
    meeting = Meeting.objects.create(
        title=title,
        description=clean_text(description, gettext("description"), TEXT_MAX, required=False),
        kind=kind,
        format=format,
        **scope_columns(level, scope),
        starts_at=starts_at,
        ends_at=ends_at,
        address=address.strip() if format != MeetingFormat.ONLINE else "",
        online_link=online_link.strip() if format != MeetingFormat.IN_PERSON else "",
        accessibility_notes=clean_text(
            accessibility_notes, gettext("accessibility notes"), TEXT_MAX, required=False
        ),
        capacity=capacity,
        motions_deadline=motions_deadline,
        created_by=creator,
        created_at=moment,
        updated_at=moment,
    )
    audit(actor, AuditAction.SCHEDULE_MEETING, meeting, title=meeting.title, kind=kind)
    notify_scope(
        scope_key_for(level, meeting.group_id or meeting.area_id or meeting.region_id),
        kind=Kind.MEETING,
        url=reverse("meetings:detail", args=[meeting.pk]),
        message="meeting_called",
        params={"title": meeting.title, "starts": starts_at},
    )
    return meeting


@transaction.atomic(durable=True)
def cancel_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    require_run(actor, meeting)
    meeting = locked_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingError(gettext("Only a scheduled meeting can be cancelled."))
    reason = clean_text(reason, gettext("reason for cancelling"), REASON_MAX)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.updated_at = clock.now()
    meeting.save(update_fields=["status", "sequence", "updated_at"])
    audit(actor, AuditAction.CANCEL_MEETING, meeting, reason=reason)
    return meeting


INVITATION_BODY = gettext_lazy(
    "Dear $first_name,\n"
    "\n"
    "%(invitation)s: %(title)s\n"
    "\n"
    "When: %(when)s\n"
    "%(where)s%(access)s%(deadline)s\n"
    "See the agenda, add it to your calendar and reply at:\n"
    "%(link)s\n"
)


def _invitation_text(
    meeting: Meeting, link: str, *, personal: bool
) -> tuple[str, str, Translations]:
    """The notice's subject and body in the movement's default language whoever sends it,
    and in each other language: each member gets theirs (docs/i18n.md). Not ``personal``:
    an ordinary message, which greets nobody by name."""
    return in_every_language(lambda: _invitation_words(meeting, link, personal=personal))


def _invitation_words(meeting: Meeting, link: str, *, personal: bool) -> tuple[str, str]:
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    when = gettext("%(starts)s to %(ends)s") % {
        "starts": dateformat.format(starts, "l j F Y, H:i"),
        "ends": dateformat.format(ends, "H:i"),
    }
    where = ""
    if meeting.address:
        where += gettext("Where: %(address)s") % {"address": meeting.address} + "\n"
    if meeting.online_link:
        where += gettext("Online: %(link)s") % {"link": meeting.online_link} + "\n"
    access = (
        gettext("Access: %(notes)s") % {"notes": meeting.accessibility_notes} + "\n"
        if meeting.accessibility_notes
        else ""
    )
    deadline = ""
    if meeting.motions_deadline:
        closes = timezone.localtime(meeting.motions_deadline)
        deadline = (
            gettext("Motions and amendments by: %(closes)s")
            % {"closes": dateformat.format(closes, "l j F Y, H:i")}
            + "\n"
        )
    invitation = (
        gettext("%(scope)s invites you to a meeting")
        if meeting.takes_motions
        else gettext("%(scope)s invites you to take part")
    ) % {"scope": meeting.scope_name}
    body = str(INVITATION_BODY) % {
        "invitation": invitation,
        "title": meeting.title,
        "when": when,
        "where": where,
        "access": access,
        "deadline": deadline,
        "link": link,
    }
    if not personal:
        body = gettext("Hello,") + "\n" + body.split("\n", 1)[1]
    subject = f"{meeting.get_kind_display()}: {meeting.title}, {dateformat.format(starts, 'j F')}"
    return subject[:200], body


def invite_members(*, actor: User, meeting: Meeting, link: str) -> int:
    """Invite the body's members through messaging; returns how many will be written to.

    A meeting that takes motions is a notice every member in good standing must get
    (``send_to_members``, kind NOTICE, consent and unsubscribes do not apply); a campaign event
    is an ordinary message (``send_mailout``), so only members who agreed to hear from the
    movement and have not unsubscribed get it. Addresses never reach the officer.
    """
    from grassroots.messaging.models import MailKind
    from grassroots.messaging.queries import Scope
    from grassroots.messaging.services import MessagingError, send_mailout, send_to_members

    require_run(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED or meeting.ends_at <= clock.now():
        raise MeetingError(
            gettext("Invitations go only for a scheduled meeting that has not ended.")
        )
    if meeting.invitations_sent_at is not None:
        raise MeetingError(gettext("The invitations have already been sent."))
    purpose = f"Invitation to {meeting.title}"[:200]
    if meeting.takes_motions:
        with transaction.atomic(durable=True):
            locked = locked_meeting(meeting)
            if locked.invitations_sent_at is not None:
                raise MeetingError(gettext("The invitations have already been sent."))
            recipients = queries.members_in_scope(meeting)
            subject, body, translations = _invitation_text(meeting, link, personal=True)
            mailout = send_to_members(
                actor=actor,
                members=recipients,
                subject=subject,
                body=body,
                purpose=purpose,
                kind=MailKind.NOTICE,
                translations=translations,
            )
            _mark_invited(actor, locked, mailout)
            return mailout.recipients
    scope = Scope(
        level=meeting.level, group=meeting.group, area=meeting.area, region=meeting.region
    )
    subject, body, translations = _invitation_text(meeting, link, personal=False)
    try:
        mailout = send_mailout(
            actor=actor,
            scope=scope,
            statuses=list(queries.SEE_STATUSES),
            subject=subject,
            body=body,
            purpose=purpose,
            translations=translations,
        )
    except MessagingError as error:
        raise MeetingError(str(error)) from error
    with transaction.atomic(durable=True):
        _mark_invited(actor, locked_meeting(meeting), mailout)
    return mailout.recipients


def _mark_invited(actor: User, meeting: Meeting, mailout: Any) -> None:
    meeting.invitations_sent_at = clock.now()
    meeting.invitation_mailout = mailout
    meeting.save(update_fields=["invitations_sent_at", "invitation_mailout"])
    audit(
        actor,
        AuditAction.INVITE_MEMBERS,
        meeting,
        mailout=mailout.pk,
        recipients=mailout.recipients,
    )
