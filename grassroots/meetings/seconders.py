"""Finding the seconder a member names for their motion (issue 21): by name, among the members
who may second it, rather than by a membership number nobody remembers.

Only a whole name is matched (first name and surname, in any case and spacing), so the search
tells the proposer nothing they did not know: it cannot list the body's members from a
letter or two. Where two eligible members share the name, each is shown with their home group
to choose between. A membership number is still accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext

from grassroots.meetings.models import Meeting
from grassroots.meetings.queries import members_in_scope
from grassroots.people.models import Member

MAX_SHOWN = 10
_NUMBER = re.compile(r"^[A-Za-z]{0,4}\d{3,}$")


@dataclass(frozen=True)
class Candidate:
    pk: int
    label: str  # "Sam Reid, Leeds Central"
    membership_number: str


def _words(text: str) -> list[str]:
    return [word for word in re.split(r"\s+", text.strip()) if word]


def seconders_named(meeting: Meeting, text: str, *, proposer: Member | None) -> list[Candidate]:
    """The members of the meeting's body (who may second) whose whole name, or membership
    number, is ``text``; the proposer is never one of them."""
    words = _words(text)
    if not words:
        return []
    eligible = members_in_scope(meeting).select_related("home_group")
    if proposer is not None:
        eligible = eligible.exclude(pk=proposer.pk)
    if len(words) == 1 and _NUMBER.match(words[0]):
        found = eligible.filter(membership_number=words[0].upper())
    else:
        # Any split of the words into first names and surname ("Mary Ann Lee", "Ann de Vries").
        splits = Q(pk__in=[])
        for cut in range(1, len(words)):
            splits |= Q(
                first_name__iexact=" ".join(words[:cut]), last_name__iexact=" ".join(words[cut:])
            )
        found = eligible.filter(splits)
    return [
        Candidate(
            pk=member.pk,
            label=gettext("%(first_name)s %(last_name)s, %(name)s")
            % {
                "first_name": member.first_name,
                "last_name": member.last_name,
                "name": member.home_group.name,
            },
            membership_number=member.membership_number,
        )
        for member in found.order_by("last_name", "first_name", "pk")[:MAX_SHOWN]
    ]
