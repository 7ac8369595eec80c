"""Delegates: recorded by their group, withdrawn and replaced, with notices to the group."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.ballots.models import Ballot, BallotStatus
from grassroots.delegation.bodies import body_of
from grassroots.delegation.models import Delegate, DelegateAllocation, ElectedBy, WithdrawnHow
from grassroots.delegation.services.common import (
    DELEGATE_LEVELS,
    MAX_REASON,
    DelegationError,
    acting_person,
    actor_label,
    is_recognised,
    member_of,
    recognition_statuses,
)
from grassroots.meetings.models import Meeting, MeetingStatus
from grassroots.messaging.languages import in_every_language
from grassroots.messaging.models import MailKind
from grassroots.messaging.services import send_to_members
from grassroots.organisation.models import Group, GroupStatus, Role, RoleAssignment, ScopeLevel
from grassroots.organisation.permissions import Capability, may
from grassroots.people.models import Member, MembershipStatus


def _locked_allocation(meeting: Meeting) -> DelegateAllocation:
    """The meeting's current allocation, locked: every change to a meeting's delegates takes
    this lock first, so two officers filling the same place are served one after the other."""
    allocation = (
        DelegateAllocation.objects.select_for_update(of=("self",))
        .filter(meeting=meeting, superseded_at__isnull=True)
        .first()
    )
    if allocation is None:
        raise DelegationError(gettext("No delegates have been allocated for this meeting yet."))
    return allocation


def _require_before_meeting(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DelegationError(
            gettext("The meeting is %(status)s: its delegates can no longer change.")
            % {"status": meeting.get_status_display().lower()}
        )


def _create_delegate(
    *,
    actor: User,
    meeting: Meeting,
    group: Group,
    member: Member,
    elected_by: str,
    group_meeting: Meeting | None,
    ballot: Ballot | None,
    replaces: Delegate | None,
) -> Delegate:
    """Check the member and the evidence of their election, then write the delegate. The
    caller holds the allocation lock and has checked the group's places."""
    if (
        member.home_group_id != group.pk
        or member.status != MembershipStatus.MEMBER
        or member.is_erased
    ):
        raise DelegationError(
            gettext("A delegate must be a member in good standing whose home group is %(name)s.")
            % {"name": group.name}
        )
    if Delegate.objects.filter(meeting=meeting, member=member, withdrawn_at__isnull=True).exists():
        raise DelegationError(
            gettext("%(full_name)s is already a delegate to this meeting.")
            % {"full_name": member.full_name}
        )
    if elected_by == ElectedBy.MEETING:
        if group_meeting is None or not (
            group_meeting.level == ScopeLevel.GROUP and group_meeting.group_id == group.pk
        ):
            raise DelegationError(
                gettext("Name the meeting of %(name)s that elected the delegate.")
                % {"name": group.name}
            )
        if group_meeting.status == MeetingStatus.CANCELLED or group_meeting.starts_at > clock.now():
            raise DelegationError(
                gettext("The group meeting that elected the delegate has not been held.")
            )
        ballot = None
    elif elected_by == ElectedBy.BALLOT:
        if ballot is None or not (ballot.level == ScopeLevel.GROUP and ballot.group_id == group.pk):
            raise DelegationError(
                gettext("Name the ballot of %(name)s that elected the delegate.")
                % {"name": group.name}
            )
        if ballot.status != BallotStatus.PUBLISHED:
            raise DelegationError(gettext("The ballot's result has not been published yet."))
        group_meeting = None
    else:
        raise DelegationError(
            gettext("Say how the delegate was elected: at a meeting or by a ballot.")
        )
    delegate = Delegate.objects.create(
        meeting=meeting,
        group=group,
        member=member,
        elected_by=elected_by,
        group_meeting=group_meeting,
        ballot=ballot,
        replaces=replaces,
        recorded_by=acting_person(actor),
        recorded_by_label=actor_label(actor),
        recorded_at=clock.now(),
    )
    record(
        actor=actor,
        action=AuditAction.DELEGATION_REPLACE_DELEGATE
        if replaces
        else AuditAction.DELEGATION_RECORD_DELEGATE,
        subject_type="people.Member",
        subject_id=member.pk,
        scope=f"group:{group.pk}",
        detail={
            "meeting": meeting.pk,
            "delegate": delegate.pk,
            "elected_by": elected_by,
            "group_meeting": group_meeting.pk if group_meeting else None,
            "ballot": ballot.pk if ballot else None,
            "replaces": replaces.pk if replaces else None,
        },
    )
    return delegate


def _check_group_sends(meeting: Meeting, group: Group) -> None:
    body = body_of(meeting)
    if meeting.level not in DELEGATE_LEVELS or not body.contains_group(group):
        raise DelegationError(
            gettext("%(name)s does not send delegates to this meeting.") % {"name": group.name}
        )
    status = recognition_statuses([group])[group.pk]
    if not is_recognised(status):
        raise DelegationError(
            gettext("%(name)s is not a recognised group (%(status)s), so it sends no delegates.")
            % {"name": group.name, "status": GroupStatus(status).label.lower()}
        )


@transaction.atomic(durable=True)
def record_delegate(
    *,
    actor: User,
    meeting: Meeting,
    group: Group,
    member: Member,
    elected_by: str,
    group_meeting: Meeting | None = None,
    ballot: Ballot | None = None,
) -> Delegate:
    """Record that ``group`` elected ``member`` as a delegate to ``meeting``, at a group
    meeting or by a ballot. A place given up by a withdrawn delegate is filled first (the new
    delegate replaces them), so the seat's history stays whole."""
    if not may(actor, Capability.RECORD_DELEGATES, group):
        raise PermissionDenied
    _check_group_sends(meeting, group)
    allocation = _locked_allocation(meeting)
    line = allocation.lines.filter(group=group).first()
    seats = line.delegates if line is not None else 0
    taken = Delegate.objects.filter(meeting=meeting, group=group, withdrawn_at__isnull=True).count()
    if taken >= seats:
        message = (
            gettext(
                "%(name)s has %(seats)s delegate and %(taken)s already recorded: "
                "there is no place left."
            )
            if seats == 1
            else gettext(
                "%(name)s has %(seats)s delegates and %(taken)s already recorded: "
                "there is no place left."
            )
        )
        raise DelegationError(message % {"name": group.name, "seats": seats, "taken": taken})
    vacated = (
        Delegate.objects.filter(
            meeting=meeting, group=group, withdrawn_at__isnull=False, replaced_by__isnull=True
        )
        .order_by("withdrawn_at", "id")
        .first()
    )
    delegate = _create_delegate(
        actor=actor,
        meeting=meeting,
        group=group,
        member=member,
        elected_by=elected_by,
        group_meeting=group_meeting,
        ballot=ballot,
        replaces=vacated,
    )
    if vacated is not None:
        _notify_replacement(actor=actor, old=vacated, new=delegate)
    return delegate


def _group_notice_recipients(group: Group, *also: int) -> list[int]:
    """The member concerned and the group's Chair and Secretary today."""
    ids = list(also)
    ids += (
        RoleAssignment.objects.current(clock.today())
        .filter(group=group, role__in=(Role.CHAIR, Role.SECRETARY))
        .values_list("member_id", flat=True)
    )
    return list(dict.fromkeys(ids))


def _list_link(meeting: Meeting) -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + reverse(
        "delegation_meeting", args=[meeting.pk]
    )


def _notify_withdrawal(*, actor: User, delegate: Delegate) -> None:
    who = delegate.member.full_name
    meeting = delegate.meeting

    def words() -> tuple[str, str]:
        names = {"who": who, "group": delegate.group.name, "meeting": meeting.title}
        if delegate.withdrawn_how == WithdrawnHow.WITHDREW:
            how = gettext("%(who)s has withdrawn as a delegate") % names
        else:
            how = gettext(
                "The officers of %(group)s have withdrawn %(who)s as a delegate, for this "
                "reason: %(reason)s\n\nSo %(who)s is no longer a delegate"
            ) % {**names, "reason": delegate.withdrawal_reason}
        subject = gettext("%(who)s is no longer a delegate of %(group)s to %(meeting)s") % names
        body = gettext(
            "Dear $first_name,\n\n"
            "%(how)s of %(group)s to %(meeting)s (%(date)s). The group can elect a replacement, "
            "at a group meeting or by a ballot, and record them on the delegate list.\n\n"
            "The delegate list: %(link)s\n"
        ) % {**names, "how": how, "date": _day(meeting), "link": _list_link(meeting)}
        return subject, body

    subject, body, translations = in_every_language(words)
    send_to_members(
        actor=actor,
        members=_group_notice_recipients(delegate.group, delegate.member_id),
        subject=subject,
        body=body,
        purpose="delegate notice: withdrawal",
        kind=MailKind.NOTICE,
        translations=translations,
    )


def _notify_replacement(*, actor: User, old: Delegate, new: Delegate) -> None:
    meeting = new.meeting
    names = {
        "new": new.member.full_name,
        "old": old.member.full_name,
        "group": new.group.name,
        "meeting": meeting.title,
    }

    def words() -> tuple[str, str]:
        subject = gettext("%(new)s replaces %(old)s as a delegate of %(group)s") % names
        body = gettext(
            "Dear $first_name,\n\n"
            "%(group)s has recorded %(new)s as its delegate to %(meeting)s (%(date)s), in the "
            "place of %(old)s, who is no longer a delegate.\n\n"
            "The delegate list: %(link)s\n"
        ) % {**names, "date": _day(meeting), "link": _list_link(meeting)}
        return subject, body

    subject, body, translations = in_every_language(words)
    send_to_members(
        actor=actor,
        members=_group_notice_recipients(new.group, new.member_id, old.member_id),
        subject=subject,
        body=body,
        purpose="delegate notice: replacement",
        kind=MailKind.NOTICE,
        translations=translations,
    )


def _day(meeting: Meeting) -> str:
    """The meeting's day as the notices have always given it (the day of ``starts_at`` as
    stored), its month named in the reader's language."""
    return date_format(meeting.starts_at, "j F Y")


def _locked_delegate(delegate: Delegate) -> Delegate:
    return (
        Delegate.objects.select_for_update(of=("self",))
        .select_related("member", "group", "meeting")
        .get(pk=delegate.pk)
    )


@transaction.atomic(durable=True)
def withdraw_delegate(*, actor: User, delegate: Delegate, reason: str = "") -> Delegate:
    """The delegate stands down, or the group's officers (``RECORD_DELEGATES``) withdraw them
    with a reason. The seat is then vacant until the group records a replacement."""
    _locked_allocation(delegate.meeting)
    delegate = _locked_delegate(delegate)
    member = member_of(actor)
    is_self = member is not None and member.pk == delegate.member_id
    if not is_self and not may(actor, Capability.RECORD_DELEGATES, delegate.group):
        raise PermissionDenied
    if delegate.withdrawn_at is not None:
        raise DelegationError(
            gettext("%(full_name)s was already withdrawn on %(withdrawn_at)s.")
            % {
                "full_name": delegate.member.full_name,
                "withdrawn_at": f"{delegate.withdrawn_at:%-d %B %Y}",
            }
        )
    _require_before_meeting(delegate.meeting)
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise DelegationError(
            gettext("Keep the reason to %(max_reason)s characters.") % {"max_reason": MAX_REASON}
        )
    if not is_self and not reason:
        raise DelegationError(
            gettext("Give the reason the group withdraws %(full_name)s as its delegate.")
            % {"full_name": delegate.member.full_name}
        )
    delegate.withdrawn_at = clock.now()
    delegate.withdrawn_how = WithdrawnHow.WITHDREW if is_self else WithdrawnHow.REMOVED
    delegate.withdrawal_reason = reason
    delegate.withdrawn_by = acting_person(actor)
    delegate.withdrawn_by_label = actor_label(actor)
    delegate.save(
        update_fields=[
            "withdrawn_at",
            "withdrawn_how",
            "withdrawal_reason",
            "withdrawn_by",
            "withdrawn_by_label",
        ]
    )
    record(
        actor=actor,
        action=AuditAction.DELEGATION_WITHDRAW_DELEGATE,
        subject_type="people.Member",
        subject_id=delegate.member_id,
        scope=f"group:{delegate.group_id}",
        detail={
            "meeting": delegate.meeting_id,
            "delegate": delegate.pk,
            "how": delegate.withdrawn_how,
            "reason": reason,
        },
    )
    _notify_withdrawal(actor=actor, delegate=delegate)
    return delegate


@transaction.atomic(durable=True)
def replace_delegate(
    *,
    actor: User,
    delegate: Delegate,
    member: Member,
    elected_by: str,
    group_meeting: Meeting | None = None,
    ballot: Ballot | None = None,
) -> Delegate:
    """Record the member ``delegate``'s group elected in their place, at a group meeting or by
    a ballot, as for the original. ``delegate`` must have been withdrawn and not yet replaced."""
    if not may(actor, Capability.RECORD_DELEGATES, delegate.group):
        raise PermissionDenied
    _locked_allocation(delegate.meeting)
    old = _locked_delegate(delegate)
    if old.withdrawn_at is None:
        raise DelegationError(
            gettext("%(full_name)s still holds this seat: withdraw them first, with the reason.")
            % {"full_name": old.member.full_name}
        )
    successor = Delegate.objects.filter(replaces=old).select_related("member").first()
    if successor is not None:
        raise DelegationError(
            gettext("This seat has already been filled: %(full_name)s replaced %(replaced)s.")
            % {"full_name": successor.member.full_name, "replaced": old.member.full_name}
        )
    _require_before_meeting(old.meeting)
    _check_group_sends(old.meeting, old.group)
    new = _create_delegate(
        actor=actor,
        meeting=old.meeting,
        group=old.group,
        member=member,
        elected_by=elected_by,
        group_meeting=group_meeting,
        ballot=ballot,
        replaces=old,
    )
    _notify_replacement(actor=actor, old=old, new=new)
    return new
