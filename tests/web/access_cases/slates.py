"""Access rows for the slates' pages (issue 16): public list and page; the national office's
forms (404 to everyone else)."""

from __future__ import annotations

import datetime

from tests.web.access import LOGIN, Case, everyone
from tests.web.roles import Movement


def a_slate(m: Movement) -> dict[str, str]:
    from grassroots.slates.models import Slate
    from grassroots.slates.services import create_slate

    slate = Slate.objects.filter(name="Access slate").first() or create_slate(
        actor=m.national.user,
        name="Access slate",
        body="the national executive",
        seats=3,
        closes_on=datetime.date(2027, 1, 1),
    )
    return {"slate_id": str(slate.pk)}


NATIONAL_ONLY = (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404)

CASES = [
    Case("slates:list", everyone(200), about="public"),
    Case("slates:detail", everyone(200), a_slate, about="public"),
    Case("slates:create", NATIONAL_ONLY, about="MANAGE_SLATES, held nationally"),
    Case("slates:selection_add", NATIONAL_ONLY, a_slate, about="MANAGE_SLATES, held nationally"),
]
