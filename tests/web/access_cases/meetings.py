"""Access rows for the meetings app (docs/meetings.md).

Everyone with a role has group A as home group, so every officer is also a member in the scope
of group A's meetings. The Secretary runs meetings and moderates but does not chair; the area
and regional coordinators and national office do all three. The member of group B does not see
group A's meetings at all.
"""

from __future__ import annotations

from tests.web.access import LOGIN, Case, everyone, logged_in
from tests.web.roles import Movement

# Columns:  anonymous, member, other_member, data_manager, secretary, coordinator, regional,
#           national, auditor
IN_SCOPE = (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200)
RUNNERS = (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404)
CHAIRS = (LOGIN, 404, 404, 404, 404, 200, 200, 200, 404)
AUTHOR = (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404)
# A body's quorum rule: its own officers (permissions.may_set_quorum) and national office only.
GROUP_A_QUORUM = (LOGIN, 404, 404, 404, 200, 404, 404, 200, 404)
AREA_QUORUM = (LOGIN, 404, 404, 404, 404, 200, 404, 200, 404)
REGION_QUORUM = (LOGIN, 404, 404, 404, 404, 404, 200, 200, 404)
NATION_QUORUM = (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404)


def _meeting(m: Movement):
    from tests.meetings.builders import group_meeting

    return group_meeting(m.group_a, m.secretary_a)


def meeting_in_group_a(m: Movement) -> dict[str, str]:
    return {"meeting_id": str(_meeting(m).pk)}


def _motion(m: Movement):
    from tests.meetings.builders import amendment_to, comment_on, motion_in

    motion = motion_in(_meeting(m), m.member, m.in_group_a)
    amendment_to(motion, m.in_group_a)
    comment = comment_on(motion, m.member)
    return motion, comment


def motion_in_group_a(m: Movement) -> dict[str, str]:
    motion, _ = _motion(m)
    return {"meeting_id": str(motion.meeting_id), "motion_id": str(motion.pk)}


def amendment_in_group_a(m: Movement) -> dict[str, str]:
    motion, _ = _motion(m)
    amendment = motion.amendments.get()
    return {
        "meeting_id": str(motion.meeting_id),
        "motion_id": str(motion.pk),
        "amendment_id": str(amendment.pk),
    }


def comment_by_member(m: Movement) -> dict[str, str]:
    motion, comment = _motion(m)
    return {
        "meeting_id": str(motion.meeting_id),
        "motion_id": str(motion.pk),
        "comment_id": str(comment.pk),
    }


def meeting_with_draft_minutes(m: Movement) -> dict[str, str]:
    from tests.meetings.builders import minutes_of

    meeting = _meeting(m)
    minutes_of(meeting)
    return {"meeting_id": str(meeting.pk)}


def meeting_with_published_minutes(m: Movement) -> dict[str, str]:
    from grassroots.meetings.models import MinutesStatus
    from tests.meetings.builders import minutes_of

    meeting = _meeting(m)
    minutes_of(meeting, MinutesStatus.PUBLISHED)
    return {"meeting_id": str(meeting.pk)}


def report_in_group_a(m: Movement) -> dict[str, str]:
    kwargs = comment_by_member(m)
    return {"meeting_id": kwargs["meeting_id"], "report_id": "1"}


def group_a_body(m: Movement) -> dict[str, str]:
    return {"level": "group", "body_id": str(m.group_a.pk)}


def area_of_group_a(m: Movement) -> dict[str, str]:
    return {"level": "area", "body_id": str(m.group_a.area_id)}


def region_of_group_a(m: Movement) -> dict[str, str]:
    return {"level": "region", "body_id": str(m.group_a.area.region_id)}


# fmt: off
CASES: list[Case] = [
    Case("meetings:quorum_rule", GROUP_A_QUORUM, group_a_body,
         about="SET_QUORUM for exactly this body: the Secretary; coordinators above do not"),
    Case("meetings:quorum_rule", AREA_QUORUM, area_of_group_a),
    Case("meetings:quorum_rule", REGION_QUORUM, region_of_group_a),
    Case("meetings:quorum_rule", logged_in(404), lambda m: {"level": "group", "body_id": "999999"},
         about="no such body: the same 404"),
    Case("meetings:quorum_rule_national", NATION_QUORUM),
    Case("meetings:list", logged_in(200)),
    Case("meetings:create", RUNNERS, about="RUN_MEETINGS somewhere"),
    Case("meetings:feed", everyone(404), lambda m: {"token": "forged"},
         about="a forged calendar link: the same 404 for everyone"),
    Case("meetings:detail", IN_SCOPE, meeting_in_group_a,
         about="members of group A (every officer's home group); not group B's member"),
    Case("meetings:detail", logged_in(404), lambda m: {"meeting_id": "999999"},
         about="no such meeting: the same 404"),
    Case("meetings:ics", IN_SCOPE, meeting_in_group_a),
    Case("meetings:invite", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("meetings:cancel", RUNNERS, meeting_in_group_a),
    Case("meetings:agenda", RUNNERS, meeting_in_group_a),
    Case("meetings:rsvp", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("meetings:sign_in", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("meetings:attendance", RUNNERS, meeting_in_group_a),
    Case("meetings:motion_submit", IN_SCOPE, meeting_in_group_a),
    Case("meetings:motion_detail", IN_SCOPE, motion_in_group_a, about="a seconded motion"),
    Case("meetings:motion_second", logged_in(405), motion_in_group_a, about="POST only"),
    Case("meetings:motion_rule", RUNNERS, motion_in_group_a),
    Case("meetings:motion_outcome", CHAIRS, motion_in_group_a,
         about="CHAIR_MEETING: not the Secretary"),
    Case("meetings:motion_ballot", CHAIRS, motion_in_group_a),
    Case("meetings:amendment_propose", IN_SCOPE, motion_in_group_a),
    Case("meetings:amendment_accept", logged_in(405), amendment_in_group_a, about="POST only"),
    Case("meetings:amendment_rule", RUNNERS, amendment_in_group_a),
    Case("meetings:amendment_outcome", CHAIRS, amendment_in_group_a),
    Case("meetings:comment_post", logged_in(405), motion_in_group_a, about="POST only"),
    Case("meetings:comment_edit", AUTHOR, comment_by_member, about="its author only"),
    Case("meetings:comment_history", IN_SCOPE, comment_by_member),
    Case("meetings:comment_report", IN_SCOPE, comment_by_member),
    Case("meetings:comment_hide", RUNNERS, comment_by_member,
         about="MODERATE_DEBATE: Secretary, coordinators, national office"),
    Case("meetings:reports", RUNNERS, meeting_in_group_a),
    Case("meetings:report_dismiss", logged_in(405), report_in_group_a, about="POST only"),
    Case("meetings:minutes", RUNNERS, meeting_in_group_a,
         about="no minutes yet: officers see the draft button, members nothing"),
    Case("meetings:minutes", RUNNERS, meeting_with_draft_minutes,
         about="draft minutes are the officers' until published"),
    Case("meetings:minutes", IN_SCOPE, meeting_with_published_minutes),
    Case("meetings:minutes_draft", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("meetings:minutes_edit", logged_in(404), meeting_in_group_a, about="nothing to edit yet"),
    Case("meetings:minutes_edit", RUNNERS, meeting_with_draft_minutes),
    Case("meetings:minutes_approve", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("meetings:minutes_publish", logged_in(405), meeting_in_group_a, about="POST only"),
]
# fmt: on
