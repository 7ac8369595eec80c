"""What the membership lifecycle asks of a person, on their home page (people.attention): a
renewal due, a notice to respond to, a decision to appeal; for the national bodies, cases
waiting for their decision."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext

from grassroots import clock
from grassroots.people.attention import AttentionItem, Probe
from grassroots.people.discipline import bodies_of, cases_for_bodies, cases_waiting_for
from grassroots.people.lifecycle import reminder_days
from grassroots.people.models import CaseOutcome, DisciplinaryCase, Member, MembershipStatus


def _own_note(member: Member) -> AttentionItem | None:
    """A renewal due, a lapse or a suspension: known from the member record itself."""
    mine = reverse("my_membership")
    due = member.renewal_due_on
    if member.status == MembershipStatus.LAPSED:
        return AttentionItem("renew", gettext("Your membership has lapsed: rejoin"), mine)
    if (
        member.status == MembershipStatus.MEMBER
        and due is not None
        and due <= clock.today() + datetime.timedelta(days=reminder_days())
    ):
        return AttentionItem(
            "renew",
            gettext("Renew your membership (due %(due)s)") % {"due": dateformat.format(due, "j F")},
            mine,
        )
    if member.status in (MembershipStatus.SUSPENDED, MembershipStatus.EXPELLED):
        return AttentionItem(
            "discipline",
            gettext("Your membership is %(status)s: see why")
            % {"status": member.get_status_display().lower()},
            mine,
        )
    return None


def _notices_of(member_id: int, day: datetime.date) -> QuerySet[DisciplinaryCase]:
    return DisciplinaryCase.objects.filter(
        member_id=member_id, outcome=CaseOutcome.PENDING, respond_by__gte=day
    )


def _notices(member: Member) -> QuerySet[DisciplinaryCase]:
    return _notices_of(member.pk, clock.today())


def own_probe(user: Any, member: Member | None) -> list[Probe | bool]:
    if member is None:
        return []
    return [
        _own_note(member) is not None,
        Probe(_notices_of, {"member_id": member.pk, "day": clock.today()}),
    ]


def cases_probe(user: Any, member: Member | None) -> list[Probe | bool]:
    bodies = bodies_of(user)
    return [Probe(cases_waiting_for, {"bodies": bodies})] if bodies else []


def own_items(user: Any, member: Member | None) -> list[AttentionItem]:
    if member is None:
        return []
    note = _own_note(member)
    items = [] if note is None else [note]
    mine = reverse("my_membership")
    for case in _notices(member):
        items.append(
            AttentionItem(
                "discipline",
                gettext("Respond to the notice of proposed %(sanction)s")
                % {"sanction": case.get_sanction_display().lower()},
                mine,
            )
        )
    return items


def cases_items(user: Any, member: Member | None) -> list[AttentionItem]:
    return [
        AttentionItem(
            "discipline",
            gettext("Decide the disciplinary case of %(member)s")
            % {"member": case.member.full_name},
            reverse("discipline_case", args=[case.pk]),
        )
        for case in cases_for_bodies(user)
    ]
