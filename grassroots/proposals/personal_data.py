"""What proposals hold about a member, for erasure (registered from ``ProposalsConfig.ready``;
people sits below proposals: docs/decisions.md). docs/data-protection.md has these in prose.

A proposal's discussion is a meetings debate thread (``Proposal.thread``): its comments, their
edit history and reports are ``meetings.comment`` rows, erased by meetings' rules
(``meetings.personal_data``) and exported with the member's other comments."""

from __future__ import annotations

from grassroots.people.erasure_rules import (
    BODY_RECORD,
    OFFICER_ACT,
    Action,
    Erasure,
    Rule,
)
from grassroots.proposals.models import Position, PositionChange

REMOVED = "(Removed: the author's record was erased.)"


def _remove_reasons(erasure: Erasure) -> None:
    # A kept position still counts in the outcome the body recorded; its reason is the
    # member's own words and goes. A block must keep a reason (a database check).
    Position.objects.filter(member=erasure.member).exclude(choice="block").update(reason="")
    Position.objects.filter(member=erasure.member, choice="block").update(reason=REMOVED)
    PositionChange.objects.filter(member=erasure.member).update(reason="")


ERASURE_RULES: dict[str, Rule] = {
    "proposals.proposalrules.updated_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "proposals.proposal.proposer": Rule(Action.KEEP, "kept, text included", BODY_RECORD),
    "proposals.proposal.escalated_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "proposals.participant.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row",
        "who could take part is part of the count the body recorded",
    ),
    "proposals.position.member": Rule(
        Action.ANONYMISE,
        "kept, pointing at the pseudonymised row; its reason is removed",
        "the position counts in the outcome the body recorded; the reason is the member's own",
        _remove_reasons,
    ),
    "proposals.positionchange.member": Rule(
        Action.ANONYMISE,
        "kept, pointing at the pseudonymised row; its reason is removed",
        "the history of a counted position; the reason is the member's own",
    ),
}
