"""What a meeting in session holds about a member, for erasure (registered from
``AssemblyConfig.ready``; docs/data-protection.md)."""

from __future__ import annotations

from grassroots.people.erasure_rules import BODY_RECORD, OFFICER_ACT, Action, Rule, delete_rows

ERASURE_RULES: dict[str, Rule] = {
    "assembly.standingorders.set_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "assembly.livevote.opened_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "assembly.votemark.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row",
        "who voted is part of the count the meeting's decision rests on",
    ),
    "assembly.liveballot.voter": Rule(
        Action.KEEP, "kept (named votes only: secret ones name nobody)", BODY_RECORD
    ),
    "assembly.liveballot.cast_by": Rule(Action.KEEP, "kept (named votes only)", BODY_RECORD),
    "assembly.proxy.principal": Rule(Action.KEEP, "kept", BODY_RECORD),
    "assembly.proxy.holder": Rule(Action.KEEP, "kept", BODY_RECORD),
    "assembly.proxy.entered_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "assembly.speakerrequest.member": Rule(
        Action.DELETE,
        "the member's places in speakers' lists are deleted (the minutes keep who spoke)",
        "a place in the queue, and the gender said for it, record nothing the body decided",
        delete_rows("assembly.speakerrequest", "member"),
    ),
    "assembly.votingcode.member": Rule(
        Action.DELETE,
        "deleted",
        "a code only let the member vote; the vote is counted without it",
        delete_rows("assembly.votingcode", "member"),
    ),
    "assembly.votingcode.made_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
}
