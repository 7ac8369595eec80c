"""The JSON API (grassroots.api) and the API token page.

API answers are JSON: anonymous callers of member endpoints get 401 (there is no login page
to send a program to); what the caller may not see answers 404, as on the pages.
"""

from __future__ import annotations

from tests.web.access import LOGIN, Case, everyone, logged_in
from tests.web.roles import Movement

UNAUTHENTICATED = 401
RANDOM_TRACKER = "ab" * 32


def open_ballot(m: Movement) -> dict[str, str]:
    from tests.web.test_access_matrix import ballot_in_group_a

    return ballot_in_group_a(m)


def member_number(attr: str):
    return lambda m: {"number": getattr(m, attr).membership_number}


def meeting_in_group_a(m: Movement) -> dict[str, str]:
    """A meeting of group A (made once per database)."""
    from grassroots.meetings.models import Meeting
    from tests.meetings.builders import group_meeting

    meeting = Meeting.objects.filter(group=m.group_a, title="API meeting").first()
    if meeting is None:
        meeting = group_meeting(m.group_a, m.secretary_a, title="API meeting")
    return {"meeting_id": str(meeting.pk)}


def motion_in_group_a(*, seconded: bool):
    def kwargs(m: Movement) -> dict[str, str]:
        from grassroots.meetings.models import Motion
        from tests.meetings.builders import motion_in

        meeting_id = meeting_in_group_a(m)["meeting_id"]
        title = "Seconded" if seconded else "Awaiting a seconder"
        motion = Motion.objects.filter(meeting_id=meeting_id, title=title).first()
        if motion is None:
            from grassroots.meetings.models import Meeting

            meeting = Meeting.objects.get(pk=meeting_id)
            motion = motion_in(meeting, m.member, m.in_group_a, seconded=seconded, title=title)
        return {"meeting_id": meeting_id, "motion_id": str(motion.pk)}

    return kwargs


def own_token(m: Movement) -> dict[str, str]:
    from grassroots.api.services import create_token

    token, _ = create_token(actor=m.member.user, name="access matrix", days=30)
    return {"token_id": str(token.pk)}


def signed_in(expected: int) -> tuple[int, ...]:
    """Everyone logged in gets ``expected``; anonymous callers 401."""
    return (UNAUTHENTICATED, *[expected] * 8)


# fmt: off
CASES: list[Case] = [
    # Columns: anonymous, member, other_member, data_manager, secretary, coordinator, regional,
    #          national, auditor
    Case("api:openapi-json", everyone(200), about="the OpenAPI schema is public"),
    Case("api:openapi-view", everyone(200), about="Swagger UI, served from our own static files"),
    Case("api:api-root", everyone(404), about="nothing at the bare prefix"),
    Case("api:ballots", everyone(200), about="public: ballots whose poll has opened"),
    Case("api:ballot", everyone(200), open_ballot, about="public once the poll opened"),
    Case("api:ballot_results", everyone(404), open_ballot, about="not published yet"),
    Case("api:ballot_record", everyone(404), open_ballot, about="not published yet"),
    Case("api:ballot_heads", everyone(200), open_ballot, about="the signed log is public"),
    Case("api:ballot_receipt", everyone(200),
         lambda m: {**open_ballot(m), "tracker": RANDOM_TRACKER},
         about="public receipt check: an unknown tracker is 'not found' in the body"),
    Case("api:ballot_consistency", everyone(422), open_ballot,
         about="first and second (head sizes) are required"),
    Case("api:my_ballots", signed_in(200)),
    Case("api:ballot_paper", (UNAUTHENTICATED, 200, 404, 200, 200, 200, 200, 200, 200),
         open_ballot, about="on the roll: everyone in group A; B's member is not"),
    Case("api:ballot_cast", everyone(405), open_ballot, about="POST only"),
    Case("api:members", (UNAUTHENTICATED, 404, 404, 200, 404, 200, 200, 200, 404),
         about="VIEW_MEMBERS, as the member list page"),
    Case("api:member_contacts", (UNAUTHENTICATED, 404, 404, 404, 200, 404, 404, 404, 404),
         about="CONTACT_MEMBERS: the Secretary, as the contact list page"),
    Case("api:member", (UNAUTHENTICATED, 404, 404, 200, 404, 200, 200, 200, 404),
         member_number("in_group_a"), about="member of group A"),
    Case("api:member", (UNAUTHENTICATED, 404, 404, 404, 404, 404, 404, 200, 404),
         member_number("in_group_b"), about="member of group B, another region"),
    Case("api:member", signed_in(404), lambda m: {"number": "GR9999999"},
         about="no such member: the same 404 as a forbidden one"),
    Case("api:meetings", signed_in(200), about="the meetings one's bodies hold"),
    Case("api:meeting", (UNAUTHENTICATED, 200, 404, 200, 200, 200, 200, 200, 200),
         meeting_in_group_a, about="group A's meeting: B's member does not see it"),
    Case("api:motion", (UNAUTHENTICATED, 200, 404, 200, 200, 200, 200, 200, 200),
         motion_in_group_a(seconded=True), about="a seconded motion: everyone in scope"),
    Case("api:motion", (UNAUTHENTICATED, 200, 404, 404, 200, 200, 200, 200, 404),
         motion_in_group_a(seconded=False),
         about="not yet seconded: its proposer (the member), its seconder and the runners"),
    Case("api_tokens", logged_in(200), about="one's own tokens"),
    Case("api_token_revoke", (LOGIN, *[405] * 8), own_token, about="POST only"),
]
# fmt: on
