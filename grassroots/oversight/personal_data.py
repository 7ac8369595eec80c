"""What oversight holds about a member or a login, for erasure.

Registered with people from ``OversightConfig.ready`` (people sits below oversight:
docs/decisions.md); its rows are in the subject-access export through ``other_records``,
row by row, and docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

from grassroots.oversight.models import OversightRules
from grassroots.people.erasure_rules import (
    LOGIN_LINK,
    OFFICER_ACT,
    Action,
    Erasure,
    Rule,
    delete_rows,
)


def _clear_returning_officer(erasure: Erasure) -> None:
    OversightRules.objects.filter(returning_officer=erasure.member).update(returning_officer=None)


ERASURE_RULES: dict[str, Rule] = {
    "oversight.oversightrules.returning_officer": Rule(
        Action.ANONYMISE,
        "cleared: the rules name no returning officer until the national office names another",
        "an erased member holds no office (their offices end today)",
        _clear_returning_officer,
    ),
    "oversight.oversightrules_standing_tellers.member": Rule(
        Action.DELETE,
        "removed from the standing tellers",
        "an erased member holds no office",
        delete_rows("oversight.oversightrules_standing_tellers", "member"),
    ),
    "oversight.oversightrules.updated_by": Rule(Action.ANONYMISE, LOGIN_LINK, OFFICER_ACT),
    "oversight.meeting.created_by": Rule(Action.ANONYMISE, LOGIN_LINK, OFFICER_ACT),
    "oversight.decisionvote.member": Rule(
        Action.KEEP,
        "kept, with the name as it was at the vote",
        "the decisions register is the published record of how elected committee members "
        "voted in office, which members hold them to",
    ),
    "oversight.initiative.started_by": Rule(
        Action.KEEP,
        "kept, text included",
        "the initiative's text is the public proposal members signed",
    ),
    "oversight.signature.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row (so linked to nobody)",
        "the public count, and the threshold it reached, must not change",
    ),
    "oversight.preparedshare.member": Rule(
        Action.KEEP,
        "kept",
        "a prepared key's shares are published in its ballot's election record",
    ),
}
