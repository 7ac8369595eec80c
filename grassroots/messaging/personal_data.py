"""What messaging holds about a member, for erasure and the subject-access export.

Registered with people from ``MessagingConfig.ready`` (people sits below messaging:
docs/decisions.md); docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

from typing import Any

from grassroots.messaging.models import Delivery, Unsubscribe
from grassroots.people.erasure_rules import (
    LABEL_WHY,
    LOGIN_LABEL,
    Action,
    Erasure,
    Rule,
    relabel,
)
from grassroots.people.models import Member
from grassroots.people.subject_access import Section


def _clear_delivery_personal_values(erasure: Erasure) -> None:
    Delivery.objects.filter(member=erasure.member).update(personal=None, error="")


ERASURE_RULES: dict[str, Rule] = {
    "messaging.mailout.sender": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("messaging.mailout", "sender", "sender_label"),
    ),
    "messaging.delivery.member": Rule(
        Action.ANONYMISE,
        "kept for the mailout's counts; personal values and the error text are cleared",
        "a mailout's report counts its deliveries",
        _clear_delivery_personal_values,
    ),
    "messaging.unsubscribe.member": Rule(
        Action.KEEP,
        "kept",
        "it holds no more than the scope and time; the mailout reports count unsubscribes",
    ),
}


def _collect(member: Member) -> dict[str, Any]:
    language = member.mail_language
    return {
        "mail_received": [
            {
                "subject": d.mailout.text_for(language)[0],
                "from": d.mailout.scope_name,
                "queued_at": d.mailout.created_at,
                "state": d.get_state_display(),
                "sent_at": d.sent_at,
            }
            for d in Delivery.objects.filter(member=member)
            .select_related("mailout__group", "mailout__area", "mailout__region")
            .order_by("-mailout__created_at")
        ],
        "unsubscribes": [
            {"scope": u.scope_key, "at": u.created_at, "via": u.via}
            for u in Unsubscribe.objects.filter(member=member).order_by("created_at")
        ],
    }


SUBJECT_ACCESS = Section(
    owner="messaging",
    collect=_collect,
    covers={"messaging.delivery": "mail_received", "messaging.unsubscribe": "unsubscribes"},
    template="messaging/my_data_section.html",
)
