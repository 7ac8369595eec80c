"""Access rows for draws by lot (grassroots.sortition)."""

from __future__ import annotations

from tests.web.access import LOGIN, Case, logged_in
from tests.web.roles import Movement


def drawn_in_area(m: Movement) -> dict[str, str]:
    """A 3-seat draw for group A's area, run by its coordinator and drawn: six volunteers from
    group A and its sibling. B's member is outside the area."""
    from grassroots.sortition import services
    from tests.factories import MemberWithLoginFactory

    area = m.group_a.area
    draw = services.create_draw(
        actor=m.coordinator.user,
        title="Area assembly",
        description="",
        seats=3,
        level="area",
        scope=area,
        categories=[{"name": "gender", "values": ["woman", "man"]}],
        quotas=[{"category": "gender", "value": "woman", "minimum": 1, "maximum": 2}],
    )
    for n in range(6):
        person = MemberWithLoginFactory(home_group=m.group_a if n % 2 else m.group_a_sibling)
        services.volunteer(
            actor=person.user, draw=draw, categories={"gender": "woman" if n % 3 else "man"}
        )
    services.commit_seed(actor=m.coordinator.user, draw=draw)
    services.close_volunteering(actor=m.coordinator.user, draw=draw)
    services.draw_by_lot(actor=m.coordinator.user, draw=draw)
    return {"draw_id": str(draw.pk)}


# fmt: off
CASES = [
    # Columns:  anonymous, member, other_member, data_manager, secretary, coordinator, regional,
    #           national, auditor
    Case("sortition:draw_list", logged_in(200)),
    Case("sortition:draw_create", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         about="RUN_SORTITION somewhere"),
    Case("sortition:draw_detail", (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200),
         drawn_in_area, about="members whose home group is in the area, and its runners"),
    Case("sortition:draw_record", (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200),
         drawn_in_area, about="the published record: as the page"),
    Case("sortition:draw_replace", (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404),
         drawn_in_area, about="RUN_SORTITION over the whole area (a group's Secretary: no)"),
    Case("sortition:draw_volunteer", logged_in(405), drawn_in_area, about="POST only"),
    Case("sortition:draw_withdraw", logged_in(405), drawn_in_area, about="POST only"),
    Case("sortition:draw_commit", logged_in(405), drawn_in_area, about="POST only"),
    Case("sortition:draw_close", logged_in(405), drawn_in_area, about="POST only"),
    Case("sortition:draw_by_lot", logged_in(405), drawn_in_area, about="POST only"),
]
# fmt: on
