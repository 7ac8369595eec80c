"""What people holds about a member, for erasure: the member's own tables, and the audit log's
rows, which sit below people and so cannot register their own rule.

Registered from ``PeopleConfig.ready`` like every app's (``grassroots.people.erasure_rules``);
docs/data-protection.md has these rules in prose. People's own sections of the subject-access
report are written in ``grassroots.people.subject_access`` itself.
"""

from __future__ import annotations

from grassroots.audit.models import AuditEntry
from grassroots.people.erasure_rules import (
    ERASED_LABEL_PREFIX,
    LABEL_WHY,
    LOGIN_LABEL,
    LOGIN_LINK,
    OFFICER_ACT,
    Action,
    Erasure,
    Rule,
    delete_rows,
    relabel,
)


def _relabel_audit_rows(erasure: Erasure) -> None:
    if erasure.user_id is not None:
        AuditEntry.objects.filter(actor_id=erasure.user_id).exclude(
            actor_label__startswith=ERASED_LABEL_PREFIX
        ).update(actor_label=erasure.label)


def _forget_duplicate_matches(erasure: Erasure) -> None:
    from grassroots.people.models import JoinApplication

    JoinApplication.objects.filter(duplicate_of=erasure.member).update(duplicate_of=None)


ERASURE_RULES: dict[str, Rule] = {
    "people.member.user": Rule(
        Action.ANONYMISE,
        "the member row is pseudonymised (name 'Erased member', email "
        "erased-<number>@erased.invalid, phone, postcode, language and consent cleared); the "
        "login is deleted",
        "rolls, role history and mail reports point at the row; their counts must not change",
    ),
    "people.member_other_groups.member": Rule(
        Action.DELETE,
        "membership of groups other than the home group ends",
        "the home group stays: rolls and turnout are counted by it",
        delete_rows("people.member_other_groups", "member"),
    ),
    "people.contactoutcome.member": Rule(
        Action.DELETE,
        "follow-up notes about the person are deleted",
        "they count nothing and describe only the person",
        delete_rows("people.contactoutcome", "member"),
    ),
    "people.contactoutcome.recorded_by": Rule(Action.ANONYMISE, LOGIN_LINK, OFFICER_ACT),
    "people.memberstatuschange.member": Rule(
        Action.KEEP,
        "kept: each status, the day it took effect, its cause and when it was recorded",
        "delegate allocations and quorums counted on past dates must count again the same; "
        "the entries hold no name, address or free text, so beside the pseudonymised record "
        "they identify nobody (an erased record counts as in good standing only on days "
        "before its erasure)",
    ),
    "people.joinapplication.member": Rule(
        Action.DELETE,
        "the join application (name, address, postcode, consent wording) is deleted",
        "the member record holds what the movement keeps of the joining",
        delete_rows("people.joinapplication", "member"),
    ),
    "people.joinapplication.duplicate_of": Rule(
        Action.ANONYMISE,
        "another person's application that matched the record no longer points at it",
        "the application is the other person's; only the match named this member",
        _forget_duplicate_matches,
    ),
    "people.disciplinarycase.member": Rule(
        Action.DELETE,
        "disciplinary cases (notice, reason, response, decision, appeal) are deleted",
        "they describe only the person; the status history keeps the suspension or expulsion",
        delete_rows("people.disciplinarycase", "member"),
    ),
    "people.disciplinarycase.opened_by": Rule(
        Action.ANONYMISE,
        LOGIN_LABEL,
        LABEL_WHY,
        relabel("people.disciplinarycase", "opened_by", "opened_by_label"),
    ),
    "people.duesrecord.member": Rule(
        Action.DELETE,
        "the dues record is deleted",
        "it describes only the person; payments themselves are the payment provider's records",
        delete_rows("people.duesrecord", "member"),
    ),
    "people.declaredmembership.member": Rule(
        Action.DELETE,
        "declarations of membership of other organisations (and their numbers there) are deleted",
        "political-opinion and trade-union data about the person only; a roll frozen with "
        "one keeps only which rule admitted the pseudonymised row",
        delete_rows("people.declaredmembership", "member"),
    ),
    "audit.auditentry.actor": Rule(
        Action.ANONYMISE,
        "kept, with the login's id; `actor_label` (the email) becomes 'erased member #<number>'",
        "the audit log is append-only; its guard allows exactly this rewrite (audit migration "
        "0003-0004), so what an officer did stays attributed to the office without the email",
        _relabel_audit_rows,
        after_login_deleted=True,
    ),
}
