"""Access rows for decisions between meetings (grassroots.proposals)."""

from __future__ import annotations

import datetime

from tests.web.access import LOGIN, Case, everyone, logged_in
from tests.web.roles import Movement

# The members of group A (every officer's home group is A) see its proposals; the member of
# group B does not.
SEE = (LOGIN, 200, 404, 200, 200, 200, 200, 200, 200)
# The officers who run group A's meetings (a Data Manager and the auditor do not).
RUN = (LOGIN, 404, 404, 404, 200, 200, 200, 200, 404)
# The proposer (the plain member) and those officers.
PROPOSER_OR_RUN = (LOGIN, 200, 404, 404, 200, 200, 200, 200, 404)
# A comment's author (the plain member) only.
AUTHOR = (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404)


def group_a(m: Movement) -> dict[str, str]:
    return {"body_key": f"group-{m.group_a.slug}"}


def _proposal(m: Movement, **extra: object):
    from grassroots import clock
    from grassroots.proposals.services.proposing import make_proposal

    return make_proposal(
        actor=m.member.user,
        level="group",
        scope=m.group_a,
        title="Run a stall on Saturday",
        text="Outside the market, 10 till 2.",
        closes_at=clock.now() + datetime.timedelta(days=2),
        **{"process": "consent", **extra},  # type: ignore[arg-type]
    )


def open_proposal(m: Movement) -> dict[str, str]:
    return {"proposal_id": str(_proposal(m).pk)}


def comment_by_member(m: Movement) -> dict[str, str]:
    """The plain member's comment in the discussion of group A's open proposal."""
    from grassroots.proposals.services.discussion import post_comment

    proposal = _proposal(m)
    comment = post_comment(actor=m.member.user, proposal=proposal, body="Who has the gazebo?")
    return {"proposal_id": str(proposal.pk), "comment_id": str(comment.pk)}


def report_on_comment(m: Movement) -> dict[str, str]:
    kwargs = comment_by_member(m)
    return {"proposal_id": kwargs["proposal_id"], "report_id": "1"}


def blocked_proposal(m: Movement) -> dict[str, str]:
    """Closed early by its proposer after the Secretary blocked it: contested."""
    from grassroots.proposals.services.closing import close_proposal_now
    from grassroots.proposals.services.positions import take_position

    proposal = _proposal(m)
    take_position(actor=m.secretary_a.user, proposal=proposal, choice="block", reason="The picket")
    close_proposal_now(actor=m.member.user, proposal=proposal)
    return {"proposal_id": str(proposal.pk)}


def closed_time_poll(m: Movement) -> dict[str, str]:
    from grassroots import clock
    from grassroots.proposals.services.closing import close_proposal_now
    from grassroots.proposals.services.positions import take_position

    moment = clock.now()
    proposal = _proposal(
        m,
        process="time",
        option_times=[moment + datetime.timedelta(days=5), moment + datetime.timedelta(days=6)],
    )
    first = proposal.options.first()
    assert first is not None
    take_position(actor=m.member.user, proposal=proposal, scores={first.pk: 2})
    close_proposal_now(actor=m.member.user, proposal=proposal)
    return {"proposal_id": str(proposal.pk)}


# fmt: off
CASES = [
    # Columns:  anonymous, member, other_member, data_manager, secretary, coordinator, regional,
    #           national, auditor
    Case("proposals:body", SEE, group_a, about="group A's members and its officers above"),
    Case("proposals:create", SEE, group_a, about="any member of the body, by its default rule"),
    Case("proposals:rules", RUN, group_a),
    Case("proposals:detail", SEE, open_proposal),
    Case("proposals:detail", SEE, blocked_proposal, about="closed: the decision log's entry"),
    Case("proposals:amend", PROPOSER_OR_RUN, open_proposal),
    Case("proposals:statement", PROPOSER_OR_RUN, blocked_proposal),
    Case("proposals:turnout", RUN, open_proposal),
    Case("proposals:escalate", RUN, blocked_proposal),
    Case("proposals:schedule", RUN, closed_time_poll),
    Case("proposals:position", logged_in(405), open_proposal, about="POST only"),
    Case("proposals:withdraw_position", logged_in(405), open_proposal, about="POST only"),
    Case("proposals:comment", logged_in(405), open_proposal, about="POST only"),
    Case("proposals:comment_edit", AUTHOR, comment_by_member, about="its author only"),
    Case("proposals:comment_history", SEE, comment_by_member),
    Case("proposals:comment_report", SEE, comment_by_member,
         about="the body's members and supporters, and its officers"),
    Case("proposals:comment_hide", RUN, comment_by_member,
         about="MODERATE_DEBATE: Secretary, coordinators, national office"),
    Case("proposals:reports", RUN, open_proposal),
    Case("proposals:report_dismiss", logged_in(405), report_on_comment, about="POST only"),
    Case("proposals:close", logged_in(405), open_proposal, about="POST only"),
    Case("proposals:remind", logged_in(405), open_proposal, about="POST only"),
    Case("api:proposals", (401, *[200] * 8), about="the open proposals one may take part in"),
    Case("api:proposal", (401, 200, 404, 200, 200, 200, 200, 200, 200), open_proposal,
         about="group A's proposal: B's member does not see it"),
    Case("api:proposal_position", everyone(405), open_proposal, about="POST only"),
]
# fmt: on
