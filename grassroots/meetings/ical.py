"""iCalendar (RFC 5545) text for meetings, written by hand: the subset a calendar needs.

Plain Python (no Django). Lines end in CRLF and are folded at 75 octets (3.1) without splitting
a UTF-8 character; TEXT values escape backslash, semicolon, comma and newlines (3.3.11); times
are UTC ("Z" form, 3.3.5), so no VTIMEZONE is needed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext

PRODID = "-//Grassroots//Meetings//EN"
FOLD_AT = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    stamp: datetime.datetime
    sequence: int = 0
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded into CRLF + space continuations of at most 75 octets each."""
    encoded = line.encode("utf-8")
    if len(encoded) <= FOLD_AT:
        return line + "\r\n"
    parts: list[str] = []
    current = ""
    limit = FOLD_AT
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = FOLD_AT - 1  # continuation lines start with one space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts) + "\r\n"


def _utc(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(gettext("iCalendar times must be aware"))
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: CalendarEvent) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{_utc(event.stamp)}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.ends_at)}",
        f"SEQUENCE:{event.sequence}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[CalendarEvent], *, name: str = "Grassroots meetings") -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += _event_lines(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
