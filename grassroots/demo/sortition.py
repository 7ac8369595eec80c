"""The demo's draw by lot (``manage.py seed_demo``): a national members' council of 12, drawn
from 90 volunteers with quotas by gender, region and age band, through the real services, so
its record reruns with ``python -m grassroots.sortition rerun``. Deterministic choice of
volunteers and their stated categories (the seed itself is random, as in real use);
idempotent: a draw already present (by title) is left alone."""

from __future__ import annotations

import random

from grassroots.demo.people import NATIONAL_LOGIN, login_of
from grassroots.organisation.models import Region
from grassroots.people.models import Member, MembershipStatus
from grassroots.sortition import services
from grassroots.sortition.models import Draw

TITLE = "Members' council 2026 (demo)"
VOLUNTEERS = 90
SEED = 20_260_101
GENDERS = ["woman", "man", "non-binary"]
AGE_BANDS = ["16-29", "30-44", "45-64", "65+"]


def seed_demo_draw() -> Draw | None:
    if Draw.objects.filter(title=TITLE).exists():
        return None
    officer = Member.objects.select_related("user").filter(user__email=NATIONAL_LOGIN.email).first()
    if officer is None:
        return None
    regions = list(Region.objects.order_by("name").values_list("name", flat=True))
    actor = login_of(officer)
    draw = services.create_draw(
        actor=actor,
        title=TITLE,
        description=(
            "Twelve members chosen by lot for a year to oversee the national committee: they "
            "read its papers, question it at every meeting and report to the members."
        ),
        seats=12,
        level="nation",
        scope=None,
        categories=[
            {"name": "gender", "values": GENDERS},
            {"name": "region", "values": regions},
            {"name": "age band", "values": AGE_BANDS},
        ],
        quotas=[
            {"category": "gender", "value": "woman", "minimum": 5, "maximum": 7},
            {"category": "gender", "value": "man", "minimum": 5, "maximum": 7},
            *(
                {"category": "region", "value": name, "minimum": 1, "maximum": 3}
                for name in regions
            ),
            {"category": "age band", "value": "16-29", "minimum": 2, "maximum": None},
        ],
    )
    rng = random.Random(SEED)  # noqa: S311 - which made-up members volunteer, reproducibly
    candidates = list(
        Member.objects.filter(status=MembershipStatus.MEMBER, user__isnull=True)
        .select_related("home_group__area__region")
        .order_by("membership_number")[:2000]
    )
    for member in rng.sample(candidates, min(VOLUNTEERS, len(candidates))):
        services.add_volunteer_for_demo(
            draw,
            member,
            {
                "gender": rng.choices(GENDERS, weights=[46, 50, 4])[0],
                "region": member.home_group.area.region.name,
                "age band": rng.choices(AGE_BANDS, weights=[15, 30, 35, 20])[0],
            },
        )
    services.commit_seed(actor=actor, draw=draw)
    services.close_volunteering(actor=actor, draw=draw)
    return services.draw_by_lot(actor=actor, draw=draw)
