"""Access rows for the delegation app (docs/delegation.md).

Everyone with a role in the test movement has group A as home group, so they are members of
A's area and see its delegate lists and forwarded motions; the member of group B (another
region) does not."""

from __future__ import annotations

from tests.web.access import LOGIN, Case, logged_in
from tests.web.roles import Movement

IN_SCOPE = (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200)


def area_meeting(m: Movement) -> dict[str, str]:
    """An area meeting of A's area (North-East), its delegates allocated by national office."""
    from grassroots.delegation.services.allocation import allocate_delegates
    from grassroots.organisation.models import Area
    from tests.delegation.builders import recognise, schedule

    recognise(m.group_a, m.group_a_sibling)
    meeting = schedule(
        title="North-East area meeting",
        area=Area.objects.get(slug="north-east"),
        created_by=m.coordinator,
    )
    allocate_delegates(
        actor=m.national.user,
        meeting=meeting,
        seats=4,
        minimum=1,
        counted_on=meeting.created_at.date(),
    )
    return {"meeting_id": str(meeting.pk)}


def delegate_of_a(m: Movement) -> dict[str, str]:
    """The plain member, elected by group A's meeting as its delegate to the area meeting."""
    from grassroots.delegation.services.delegates import record_delegate
    from grassroots.meetings.models import Meeting
    from tests.delegation.builders import held_meeting

    meeting = Meeting.objects.get(pk=int(area_meeting(m)["meeting_id"]))
    delegate = record_delegate(
        actor=m.national.user,
        meeting=meeting,
        group=m.group_a,
        member=m.member,
        elected_by="meeting",
        group_meeting=held_meeting(group=m.group_a, title="A's AGM", created_by=m.secretary_a),
    )
    return {"delegate_id": str(delegate.pk)}


def withdrawn_delegate_of_a(m: Movement) -> dict[str, str]:
    from grassroots.delegation.models import Delegate
    from grassroots.delegation.services.delegates import withdraw_delegate

    kwargs = delegate_of_a(m)
    withdraw_delegate(actor=m.member.user, delegate=Delegate.objects.get(pk=kwargs["delegate_id"]))
    return kwargs


def carried_motion_of_a(m: Movement) -> dict[str, str]:
    from tests.delegation.builders import carried_group_motion

    motion = carried_group_motion(
        group=m.group_a,
        title="Save the library",
        text="This branch resolves to campaign for the library.",
        proposer=m.member,
        seconder=m.in_group_a,
        chair=m.secretary_a,
    )
    return {"motion_id": str(motion.pk)}


def forward_from_a(m: Movement) -> dict[str, str]:
    from grassroots.delegation.bodies import Body
    from grassroots.delegation.services.forwarding import forward_motion
    from grassroots.meetings.models import Motion
    from grassroots.organisation.models import Area, ScopeLevel

    motion = Motion.objects.get(pk=int(carried_motion_of_a(m)["motion_id"]))
    forward = forward_motion(
        actor=m.national.user,
        motion=motion,
        to=Body(level=ScopeLevel.AREA, area=Area.objects.get(slug="north-east")),
    )
    return {"forward_id": str(forward.pk)}


def composite_in_north_east(m: Movement) -> dict[str, str]:
    from grassroots.delegation.bodies import Body
    from grassroots.delegation.models import MotionForward
    from grassroots.delegation.services.composites import propose_composite
    from grassroots.delegation.services.forwarding import forward_motion
    from grassroots.organisation.models import Area, ScopeLevel
    from tests.delegation.builders import carried_group_motion

    north_east = Body(level=ScopeLevel.AREA, area=Area.objects.get(slug="north-east"))
    first = MotionForward.objects.get(pk=int(forward_from_a(m)["forward_id"]))
    sibling_motion = carried_group_motion(
        group=m.group_a_sibling,
        title="Keep the library open",
        text="This branch resolves to keep the library open.",
        proposer=m.in_sibling,
        seconder=m.in_group_a,
        chair=m.coordinator,
    )
    second = forward_motion(actor=m.national.user, motion=sibling_motion, to=north_east)
    composite = propose_composite(
        actor=m.national.user,
        forwards=[first, second],
        title="Libraries",
        text="The area resolves to defend its libraries.",
    )
    return {"composite_id": str(composite.pk)}


# fmt: off
CASES = [
    # Columns:  anonymous, member, other_member, data_manager, secretary, coordinator, regional,
    #           national, auditor
    Case("delegation_home", logged_in(200)),
    Case("delegation_meeting", IN_SCOPE, area_meeting,
         about="the delegate list is published to members of the area and its officers"),
    Case("delegation_meeting", logged_in(404), lambda m: {"meeting_id": "999999"},
         about="no such meeting"),
    Case("delegation_allocate", (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404), area_meeting,
         about="ALLOCATE_DELEGATES over the area: its coordinator, the regional, national"),
    Case("delegation_record_delegate", (LOGIN, 404, 404, 404, 200, 404, 404, 200, 404),
         area_meeting, about="RECORD_DELEGATES for a group in the area: A's Secretary, national"),
    Case("delegation_withdraw_delegate", (LOGIN, 200, 404, 404, 200, 404, 404, 200, 404),
         delegate_of_a, about="the delegate themself, or RECORD_DELEGATES over their group"),
    Case("delegation_replace_delegate", (LOGIN, 404, 404, 404, 200, 404, 404, 200, 404),
         withdrawn_delegate_of_a, about="RECORD_DELEGATES over the group only"),
    Case("delegation_forward", (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404),
         carried_motion_of_a, about="FORWARD_MOTIONS over group A"),
    Case("delegation_forward_detail", IN_SCOPE, forward_from_a,
         about="members and officers of the sending or receiving body"),
    Case("delegation_body", IN_SCOPE, lambda m: {"body_key": "area-north-east"}),
    Case("delegation_body", logged_in(404), lambda m: {"body_key": "area-nowhere"},
         about="no such area"),
    Case("delegation_composite_propose", (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404),
         lambda m: {"body_key": "area-north-east"},
         about="RECEIVE_MOTIONS over the area"),
    Case("delegation_composite_detail", IN_SCOPE, composite_in_north_east),
    Case("delegation_composite_agree", logged_in(405), composite_in_north_east,
         about="POST only (the mover's button)"),
]
# fmt: on
