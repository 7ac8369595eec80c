"""Access rows for a meeting in session (grassroots/assembly, docs/meetings.md): the live page
and the projector for everyone in the meeting's scope, the chair's console for those who chair,
the desk (proxies, codes, kiosk, standing orders) for those who run the meeting. Group A's
meeting, as in meetings.py; the member of group B gets the same 404 as for a missing meeting.
"""

from __future__ import annotations

from tests.web.access import Case, everyone, logged_in
from tests.web.access_cases.meetings import CHAIRS, IN_SCOPE, RUNNERS
from tests.web.roles import Movement

TITLE = "Group A's meeting in session"


def meeting_in_group_a(m: Movement) -> dict[str, str]:
    """One meeting for every row (made on first use): a new meeting per row would crowd the
    meetings list that the reachability walk reads a few pages of."""
    from grassroots.meetings.models import Meeting
    from tests.meetings.builders import group_meeting

    meeting = Meeting.objects.filter(group=m.group_a, title=TITLE).first()
    if meeting is None:
        meeting = group_meeting(m.group_a, m.secretary_a, title=TITLE)
    return {"meeting_id": str(meeting.pk)}


# fmt: off
CASES: list[Case] = [
    Case("assembly:live", IN_SCOPE, meeting_in_group_a,
         about="anyone who sees the meeting; voting needs signing in as present"),
    Case("assembly:live", logged_in(404), lambda m: {"meeting_id": "999999"},
         about="no such meeting: the same 404"),
    Case("assembly:projector", IN_SCOPE, meeting_in_group_a),
    Case("assembly:pulse", everyone(404), meeting_in_group_a,
         about="htmx only, with the token the live page signed for the browser's session"),
    Case("assembly:cast", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:speak", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:speak_withdraw", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:proxy_give", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:proxy_revoke", logged_in(405),
         lambda m: {**meeting_in_group_a(m), "proxy_id": "1"}, about="POST only"),
    Case("assembly:chair", CHAIRS, meeting_in_group_a, about="CHAIR_MEETING: not the Secretary"),
    Case("assembly:vote_open", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:vote_close", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:speaker_next", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:speaker_end", logged_in(405), meeting_in_group_a, about="POST only"),
    Case("assembly:proxies", RUNNERS, meeting_in_group_a, about="RUN_MEETINGS"),
    Case("assembly:codes", RUNNERS, meeting_in_group_a),
    Case("assembly:kiosk", RUNNERS, meeting_in_group_a,
         about="a shared tablet an officer has logged in"),
    Case("assembly:orders", RUNNERS, meeting_in_group_a),
]
# fmt: on
