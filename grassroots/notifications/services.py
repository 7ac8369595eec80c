"""Writing notifications, reading them, and the digests.

Apps above call :func:`notify` inside their own use case's transaction (a ballot opened, a
meeting called); it writes one row per member (in batches for a list of ids, in one statement
for a queryset), with no per-member query, and queues one mail for those who asked to hear at
once. The digests go from a task
(:func:`send_digest`), started by ``manage.py send_digests`` on the scheduler's timer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.messaging.languages import in_every_language
from grassroots.messaging.queries import members_in_scope, scope_from_key
from grassroots.messaging.services import send_notification_mail
from grassroots.notifications import sql
from grassroots.notifications.messages import (
    MESSAGES,
    UnknownMessage,
    render,
    render_in_default_language,
    stored_params,
)
from grassroots.notifications.models import (
    DEFAULT_DELIVERY,
    DIGESTS,
    Delivery,
    DigestRun,
    Kind,
    Notification,
    Preference,
)
from grassroots.people.models import Member, MembershipStatus

BATCH = 2000
# The hour (UTC) from which the day's digest, and Monday's weekly one, may go.
DIGEST_HOUR = 7
TITLE_MAX = Notification._meta.get_field("title").max_length or 200


class NotificationError(ValueError):
    """A notification that cannot be written as asked (an unknown kind, a foreign link)."""


def _site(path: str) -> str:
    return settings.GRASSROOTS_SITE_URL.rstrip("/") + path


def _preferences_url() -> str:
    return _site(reverse("notifications:preferences"))


def _member_ids(members: Iterable[int]) -> Iterator[int]:
    yield from dict.fromkeys(int(m) for m in members)


def _batches(ids: Iterator[int]) -> Iterator[list[int]]:
    while batch := list(islice(ids, BATCH)):
        yield batch


def notify(
    members: QuerySet[Member] | Iterable[int],
    *,
    kind: str,
    url: str,
    message: str = "",
    params: Mapping[str, object] | None = None,
    title: str = "",
) -> int:
    """Tell each of ``members`` (a queryset or member ids) about something at ``url`` (a path
    on this site): ``message``, a key of ``notifications.messages`` with its ``params``, put
    into each reader's language when read, or else ``title``, words as they stand. Joins the
    caller's transaction; returns how many were written. A queryset is written by one
    statement in the database (``notifications.sql``), a list in batches: a national notice's
    500,000 rows never become model instances."""
    if kind not in Kind.values:
        raise NotificationError(
            gettext("Unknown kind of notification: %(kind)s.") % {"kind": repr(kind)}
        )
    if not url.startswith("/") or url.startswith("//"):
        raise NotificationError(gettext("A notification links to a page on this site."))
    stored: dict[str, str] = {}
    if message:
        try:
            stored = stored_params(message, params or {})
        except UnknownMessage as error:
            raise NotificationError(str(error)) from None
        title = render_in_default_language(message, stored)
    title = " ".join(title.split())[:TITLE_MAX]
    if not title:
        raise NotificationError(gettext("A notification says something."))
    default = DEFAULT_DELIVERY[kind]
    at = clock.now()
    if isinstance(members, QuerySet):
        written, immediate = sql.write_for_members(
            members,
            kind=kind,
            default=default,
            message=message,
            params=stored,
            title=title,
            url=url,
            at=at,
            digests=DIGESTS,
            immediate=Delivery.IMMEDIATE,
        )
    else:
        written, immediate = _write_in_batches(
            members, kind=kind, message=message, stored=stored, title=title, url=url, at=at
        )
    _mail_at_once(immediate, kind=kind, message=message, stored=stored, title=title, url=url)
    return written


def _write_in_batches(
    members: Iterable[int],
    *,
    kind: str,
    message: str,
    stored: dict[str, str],
    title: str,
    url: str,
    at: datetime.datetime,
) -> tuple[int, list[int]]:
    """:func:`notify` for a list of member ids: rows written in batches, each batch's
    preferences read in one query (``sql.write_for_members`` is the same for a query)."""
    default = DEFAULT_DELIVERY[kind]
    written = 0
    immediate: list[int] = []
    for batch in _batches(_member_ids(members)):
        chosen = dict(
            Preference.objects.filter(kind=kind, member_id__in=batch).values_list(
                "member_id", "delivery"
            )
        )
        rows = []
        for member_id in batch:
            delivery = chosen.get(member_id, default)
            if delivery == Delivery.IMMEDIATE:
                immediate.append(member_id)
            rows.append(
                Notification(
                    member_id=member_id,
                    kind=kind,
                    message=message,
                    params=stored,
                    title=title,
                    url=url,
                    created_at=at,
                    digest=delivery if delivery in DIGESTS else "",
                    mailed_at=at if delivery == Delivery.IMMEDIATE else None,
                )
            )
        Notification.objects.bulk_create(rows)
        written += len(rows)
    return written, immediate


def _mail_at_once(
    immediate: list[int], *, kind: str, message: str, stored: dict[str, str], title: str, url: str
) -> None:
    if immediate:

        def write() -> tuple[str, str]:
            words = render(message, stored, title)
            return words[:150], (
                f"{words}\n\n{_site(url)}\n\n"
                + gettext("Choose what we email you, and how often: %(url)s")
                % {"url": _preferences_url()}
            )

        subject, body, translations = in_every_language(write)
        send_notification_mail(
            members=immediate,
            subject=subject,
            body=body,
            translations=translations,
            purpose=f"notification: {Kind(kind).label}"[:200],
        )


def scope_key_for(level: str, scope_id: int | None) -> str:
    """The key :func:`notify_scope` takes for a body at ``level`` ("group", "area", "region" or
    "nation") with the given id."""
    return "nation" if level == "nation" or scope_id is None else f"{level}:{scope_id}"


def notify_scope(
    scope_key: str, *, kind: str, url: str, message: str, params: Mapping[str, object]
) -> None:
    """Tell every member and supporter of a group, area or region (``group:12``, ``area:3``,
    ``region:1``, ``nation``) once the caller's transaction commits, from the task worker: a
    national notice is 500,000 rows, which no web request should wait for."""
    from grassroots.notifications.tasks import notify_scope_task

    scope_from_key(scope_key)  # a malformed key fails here, in the caller, not in the worker
    if kind not in Kind.values:
        raise NotificationError(
            gettext("Unknown kind of notification: %(kind)s.") % {"kind": repr(kind)}
        )
    try:
        stored = stored_params(message, params)
    except UnknownMessage as error:
        raise NotificationError(str(error)) from None
    transaction.on_commit(
        lambda: notify_scope_task.enqueue(scope_key, kind, url, message, stored), robust=True
    )


def notify_scope_now(
    scope_key: str, *, kind: str, url: str, message: str, params: Mapping[str, str]
) -> int:
    """The task's part of :func:`notify_scope` (the dates in ``params`` already ISO text)."""
    members = members_in_scope(
        scope_from_key(scope_key), [MembershipStatus.MEMBER, MembershipStatus.SUPPORTER]
    )
    with transaction.atomic():
        return notify(
            members, kind=kind, url=url, message=message, params=_dates_back(message, params)
        )


def _dates_back(message: str, params: Mapping[str, str]) -> dict[str, object]:
    dates = MESSAGES[message].dates if message in MESSAGES else {}
    return {
        name: datetime.datetime.fromisoformat(value) if name in dates else value
        for name, value in params.items()
    }


# --- the inbox ---------------------------------------------------------------------------------


def unread_count(member: Member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).count()


def mark_read(member: Member, notification_id: int) -> Notification | None:
    """Mark one of the member's own notifications read; None if it is not theirs."""
    notification = Notification.objects.filter(member=member, pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = clock.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(member: Member) -> int:
    return Notification.objects.filter(member=member, read_at__isnull=True).update(
        read_at=clock.now()
    )


# --- preferences -------------------------------------------------------------------------------


def preferences_of(member: Member) -> dict[str, str]:
    """Every kind with the member's choice, or its default."""
    chosen = dict(Preference.objects.filter(member=member).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in Kind.values}


@transaction.atomic(durable=True)
def set_preferences(member: Member, choices: dict[str, str]) -> None:
    """Save the member's choice for each kind; notifications already waiting for a digest
    follow the new choice (one taken out of mail is not mailed)."""
    for kind, delivery in choices.items():
        if kind not in Kind.values or delivery not in Delivery.values:
            raise NotificationError(
                gettext("Unknown choice %(delivery)s for %(kind)s.")
                % {"delivery": repr(delivery), "kind": repr(kind)}
            )
    for kind, delivery in choices.items():
        Preference.objects.update_or_create(
            member=member, kind=kind, defaults={"delivery": delivery}
        )
        Notification.objects.filter(member=member, kind=kind, mailed_at__isnull=True).exclude(
            digest=""
        ).update(digest=delivery if delivery in DIGESTS else "")
    record(
        actor=member.user,
        action=AuditAction.SET_NOTIFICATION_PREFERENCES,
        subject_type="member",
        subject_id=member.membership_number,
        detail={"choices": dict(sorted(choices.items()))},
    )


# --- digests -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestDue:
    frequency: str
    period: datetime.date


def due_digests(at: datetime.datetime) -> list[DigestDue]:
    """The digests whose period has begun by ``at`` and that have not been sent: today's daily
    one from 07:00 UTC, and this week's weekly one from Monday 07:00 UTC."""
    at = at.astimezone(datetime.UTC)
    today = at.date()
    if at.hour < DIGEST_HOUR:
        today -= datetime.timedelta(days=1)
    monday = today - datetime.timedelta(days=today.weekday())
    wanted = [DigestDue(Delivery.DAILY, today), DigestDue(Delivery.WEEKLY, monday)]
    done = set(
        DigestRun.objects.filter(
            frequency__in=[d.frequency for d in wanted], period__in=[d.period for d in wanted]
        ).values_list("frequency", "period")
    )
    return [d for d in wanted if (d.frequency, d.period) not in done]


DigestItem = tuple[str, dict[str, str], str, str, datetime.datetime]


def _digest_text(items: list[DigestItem]) -> str:
    """The member's list, in the active language."""
    lines = []
    for message, params, title, url, created_at in items:
        words = render(message, params, title)
        day = dateformat.format(timezone.localtime(created_at), "j M")
        lines.append(f"- {words} ({day})\n  {_site(url)}")
    return "\n".join(lines)


def _languages_of(member_ids: list[int]) -> dict[int, str]:
    """Each member's mail language (the movement's default for one with none)."""
    found: dict[int, str] = {}
    for start in range(0, len(member_ids), BATCH):
        chunk = member_ids[start : start + BATCH]
        found.update(Member.objects.filter(pk__in=chunk).values_list("pk", "language"))
    return {m: found.get(m) or settings.LANGUAGE_CODE for m in member_ids}


def send_digest(frequency: str, period: datetime.date) -> DigestRun | None:
    """Mail each member their unread notifications waiting for this digest, in one mailout
    with a personal body each; None if this period's digest was already started (by this node
    or another). Safe to call again: the period's row is written first, once."""
    if frequency not in DIGESTS:
        raise NotificationError(
            gettext("No digest is sent %(frequency)s.") % {"frequency": repr(frequency)}
        )
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(
                frequency=frequency, period=period, started_at=clock.now()
            )
    except IntegrityError:
        return None
    waiting = Notification.objects.filter(digest=frequency)
    last_id = waiting.aggregate(last=Max("pk"))["last"]
    if last_id is None:
        run.finished_at = clock.now()
        run.save(update_fields=["finished_at"])
        return run
    rows = (
        waiting.filter(pk__lte=last_id, read_at__isnull=True)
        .order_by("member_id", "pk")
        .values_list("member_id", "message", "params", "title", "url", "created_at")
        .iterator(chunk_size=BATCH * 5)
    )
    waiting_for: dict[int, list[DigestItem]] = {}
    count = 0
    for member_id, message, params, title, url, created_at in rows:
        waiting_for.setdefault(member_id, []).append((message, params, title, url, created_at))
        count += 1
    # Each member's list in their own language: members grouped by language, so each
    # language is switched to once, and one mailout carries the texts of every language.
    by_language: dict[str, list[int]] = {}
    for member_id, language in _languages_of(list(waiting_for)).items():
        by_language.setdefault(language, []).append(member_id)
    personal: dict[int, dict[str, str]] = {}
    for language, member_ids in sorted(by_language.items()):
        with translation.override(language):
            for member_id in member_ids:
                items = waiting_for[member_id]
                personal[member_id] = {"digest": _digest_text(items), "count": str(len(items))}
    label = "daily" if frequency == Delivery.DAILY else "weekly"
    prefs = _preferences_url()

    def write() -> tuple[str, str]:
        subject = (
            gettext("Your daily Grassroots digest")
            if frequency == Delivery.DAILY
            else gettext("Your weekly Grassroots digest")
        )
        return subject, (
            gettext(
                "Hello $first_name,\n\nWhat happened in the movement that concerns you "
                "($count new):\n\n$digest\n\n"
            )
            + gettext("Choose what we email you, and how often: %(url)s") % {"url": prefs}
        )

    with transaction.atomic():
        if personal:
            subject, body, translations = in_every_language(write)
            send_notification_mail(
                members=list(personal),
                subject=subject,
                body=body,
                translations=translations,
                purpose=f"{label} notification digest",
                personal=personal,
            )
        stamp = clock.now()
        waiting.filter(pk__lte=last_id, read_at__isnull=True).update(digest="", mailed_at=stamp)
        waiting.filter(pk__lte=last_id).update(digest="")
        run.finished_at = stamp
        run.members = len(personal)
        run.notifications = count
        run.save(update_fields=["finished_at", "members", "notifications"])
    return run
