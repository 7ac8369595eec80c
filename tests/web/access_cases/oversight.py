"""Access rows for grassroots.oversight: the register, initiatives, commitments, rules, keys.

Members read everything published; recording is for whoever records for the committee (the
national office for the National Committee; the regional coordinator for the North's
committee); commitments and rules are the national office's here (the National Committee's
members, who also keep commitments, are not among the table's people); the plain member of
group A is the standing teller holding a share of the one prepared key.
"""

from __future__ import annotations

import datetime

from grassroots import clock
from grassroots.organisation.models import Region
from grassroots.oversight.models import Commitment, Initiative, Meeting, PreparedShare
from tests.web.access import LOGIN, Case, logged_in
from tests.web.roles import Movement

ONLY_NATIONAL = (LOGIN, 404, 404, 404, 404, 404, 404, 200, 404)
RECORDERS_OF_THE_NORTH = (LOGIN, 404, 404, 404, 404, 404, 200, 200, 404)


def _set_up(m: Movement) -> None:
    """Rules, a published national meeting with a decision, drafts, an initiative, a
    commitment and a prepared key; made once per database."""
    from grassroots.oversight import commitments, services

    if Meeting.objects.exists():
        return
    national = m.national.user
    services.set_rules(
        actor=national,
        values={
            "national_votes_named": False,
            "returning_officer": m.national,
            "tellers_threshold": 1,
        },
        standing_tellers=[m.member],
    )
    services.prepare_keys(actor=national, count=1)
    day = clock.today() - datetime.timedelta(days=2)
    meeting = services.start_meeting(
        actor=national, body="national_committee", region=None, title="Published", held_on=day
    )
    decision = services.record_decision(
        actor=national,
        meeting=meeting,
        title="Close the Leeds office",
        text="To save rent.",
        outcome="agreed",
        totals=(5, 2, 0),
    )
    services.publish_meeting(actor=national, meeting=meeting)
    services.start_meeting(
        actor=national, body="national_committee", region=None, title="Draft", held_on=day
    )
    north = Region.objects.get(slug="north")
    services.start_meeting(
        actor=m.regional.user, body="regional_committee", region=north, title="North", held_on=day
    )
    services.start_initiative(
        actor=m.member.user,
        kind="call_in",
        title="Keep the Leeds office",
        text="It is where groups meet.",
        decision_id=decision.pk,
    )
    commitments.add_commitment(
        actor=national,
        title="Publish the accounts",
        description="",
        made_on=day,
        due_on=day + datetime.timedelta(days=30),
    )


def set_up(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {}


def published_meeting(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {"meeting_id": str(Meeting.objects.get(title="Published").pk)}


def national_draft(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {"meeting_id": str(Meeting.objects.get(title="Draft").pk)}


def north_draft(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {"meeting_id": str(Meeting.objects.get(title="North").pk)}


def decision(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {"decision_id": str(Meeting.objects.get(title="Published").decisions.get().pk)}


def initiative(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {"initiative_id": str(Initiative.objects.get().pk)}


def commitment(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {"commitment_id": str(Commitment.objects.get().pk)}


def share(m: Movement) -> dict[str, str]:
    _set_up(m)
    return {"share_id": str(PreparedShare.objects.get().pk)}


CASES = [
    Case("oversight", logged_in(200), set_up),
    Case("oversight_register", logged_in(200), set_up),
    Case("oversight_decision", logged_in(200), decision),
    Case("oversight_meeting", logged_in(200), published_meeting, about="published"),
    Case("oversight_meeting", ONLY_NATIONAL, national_draft, about="a national draft"),
    Case("oversight_meeting", RECORDERS_OF_THE_NORTH, north_draft, about="a North draft"),
    Case("oversight_meeting_new", RECORDERS_OF_THE_NORTH, set_up),
    Case("oversight_meeting_record", ONLY_NATIONAL, national_draft),
    Case("oversight_meeting_record", RECORDERS_OF_THE_NORTH, north_draft, about="North's"),
    Case("oversight_decision_add", logged_in(405), national_draft, about="POST only"),
    Case("oversight_paper_add", logged_in(405), national_draft, about="POST only"),
    Case("oversight_meeting_publish", logged_in(405), national_draft, about="POST only"),
    Case(
        "oversight_paper",
        logged_in(404),
        lambda m: {"paper_id": "999999"},
        about="no such paper (downloads: tests/oversight/test_pages.py)",
    ),
    Case("oversight_initiatives", logged_in(200), set_up),
    Case("oversight_initiative_start", logged_in(200), set_up),
    Case("oversight_initiative", logged_in(200), initiative),
    Case("oversight_initiative_sign", logged_in(405), initiative, about="POST only"),
    Case("oversight_initiative_answer", logged_in(405), initiative, about="POST only"),
    Case("oversight_accountability", logged_in(200), set_up),
    Case("oversight_commitment_new", ONLY_NATIONAL, set_up),
    Case("oversight_commitment_update", ONLY_NATIONAL, commitment),
    Case("oversight_rules", ONLY_NATIONAL, set_up),
    Case("oversight_keys_prepare", logged_in(405), about="POST only"),
    Case(
        "oversight_teller_shares",
        (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404),
        set_up,
        about="the member is the standing teller",
    ),
    Case("oversight_teller_share", (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404), share),
]
