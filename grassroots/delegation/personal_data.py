"""What delegation holds about a member or a login, for erasure.

Registered with people from ``DelegationConfig.ready`` (people sits below delegation:
docs/decisions.md); its rows are in the subject-access export through ``other_records``,
row by row, and docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

from grassroots.people.erasure_rules import (
    BODY_RECORD,
    LABEL_WHY,
    LOGIN_LABEL,
    Action,
    Rule,
    relabel,
    relabel_by_email,
)

ERASURE_RULES: dict[str, Rule] = {
    "delegation.delegateallocation.made_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("delegation.delegateallocation", "made_by", "made_by_label"),
    ),
    "delegation.delegate.member": Rule(
        Action.KEEP, "kept", "who represented the group at the upper body is the body's record"
    ),
    "delegation.delegate.recorded_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("delegation.delegate", "recorded_by", "recorded_by_label"),
    ),
    "delegation.delegate.withdrawn_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("delegation.delegate", "withdrawn_by", "withdrawn_by_label"),
    ),
    "delegation.motionforward.mover": Rule(Action.KEEP, "kept", BODY_RECORD),
    "delegation.motionforward.forwarded_by": Rule(
        Action.ANONYMISE,
        f"{LOGIN_LABEL} (and `placed_by_label`, matched by email)",
        LABEL_WHY,
        relabel("delegation.motionforward", "forwarded_by", "forwarded_by_label"),
    ),
    "delegation.composite.proposed_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("delegation.composite", "proposed_by", "proposed_by_label"),
    ),
    "delegation.compositeagreement.agreed_by": Rule(
        Action.KEEP, "kept", "a composite stands on the movers' agreement"
    ),
}

# A forward placed on an agenda keeps the placer's email in a label with no link beside it.
ERASURE_STEPS = (relabel_by_email("delegation.motionforward", "placed_by_label"),)
