"""What erasure does to every row that names a member or their login: one rule per relation.

``RULES`` is keyed by ``app_label.model.field`` for every foreign key or one-to-one field that
points at ``people.Member`` or at the login (``accounts.User``), many-to-many through tables
included. tests/people/test_erasure_rules.py walks the app registry and fails when a relation
has no rule here, so a new app cannot forget erasure; the table in docs/data-protection.md is
this dictionary in prose, and the same test checks every key is in it.

The member row itself is pseudonymised, never deleted (``grassroots.people.erasure``), so a row
that is kept still points at a record that names nobody; a rule says what else must go. Rules on
the login run around the login's deletion: a "delete" rule is the login's own CASCADE, an
"anonymise" rule clears the link (SET NULL) and rewrites the email label kept beside it to the
erased label, ``erased member #<membership number>``, so a record of who did what stays
meaningful (the number leads to the role history) without the address.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction

from grassroots import clock

if TYPE_CHECKING:
    from grassroots.people.models import Member

ERASED_NAME = ("Erased", "member")
ERASED_LABEL_PREFIX = "erased member #"  # audit migrations 0003-0004 allow exactly this rewrite
REMOVED_COMMENT = "(Removed: the author's record was erased.)"


def erased_label(member: Member) -> str:
    return f"{ERASED_LABEL_PREFIX}{member.membership_number}"


@dataclass(frozen=True)
class Erasure:
    """One erasure in progress: the member (not yet pseudonymised when the member rules run),
    their login's id (None without a login) and every address the person used, for labels
    that hold an email without a link."""

    member: Member
    user_id: int | None
    emails: frozenset[str]
    label: str


class Action(enum.StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"
    KEEP = "keep"


@dataclass(frozen=True)
class Rule:
    action: Action
    does: str  # what erasure does to the row
    why: str  # why that, and for a kept row the reason it may be kept
    apply: Callable[[Erasure], None] | None = None
    # Rules on the login: run after the login is deleted, not before (the audit log's rows
    # keep the login's id, and its guard only lets a label be rewritten once that login is gone).
    after_login_deleted: bool = False


def _model(label: str) -> Any:
    return apps.get_model(label)


def _delete(label: str, field: str) -> Callable[[Erasure], None]:
    def apply(erasure: Erasure) -> None:
        _model(label)._default_manager.filter(**{field: erasure.member}).delete()

    return apply


def _relabel(label: str, field: str, label_field: str) -> Callable[[Erasure], None]:
    """Before the login goes: the label beside the link becomes the erased label (the link
    itself is then cleared by the login's SET NULL)."""

    def apply(erasure: Erasure) -> None:
        if erasure.user_id is not None:
            _model(label)._default_manager.filter(**{f"{field}_id": erasure.user_id}).update(
                **{label_field: erasure.label}
            )

    return apply


# -- member rules with more to do than delete ------------------------------------------------


def _end_current_offices(erasure: Erasure) -> None:
    from grassroots.organisation.models import RoleAssignment

    day = clock.today()
    for assignment in RoleAssignment.objects.current().filter(member=erasure.member):
        assignment.ends_on = max(assignment.starts_on, day)
        assignment.save(update_fields=["ends_on"])


def _anonymise_unpublished_nominations(erasure: Erasure) -> None:
    from grassroots.ballots.models import Nomination, NominationStatus

    for nomination in Nomination.objects.filter(member=erasure.member, candidate__isnull=True):
        if nomination.photo:
            # The file goes only once the erasure has committed: a rolled-back erasure must
            # leave everything, the photo included, as it was.
            name = str(nomination.photo.name)
            transaction.on_commit(functools.partial(nomination.photo.storage.delete, name))
            nomination.photo = None
        nomination.name = " ".join(ERASED_NAME)
        nomination.statement = ""
        nomination.categories = []
        if nomination.status in (NominationStatus.AWAITING_CONSENT, NominationStatus.STANDING):
            nomination.status = NominationStatus.WITHDRAWN
            nomination.status_reason = "The nominee's record was erased."
        nomination.save()


def _clear_delivery_personal_values(erasure: Erasure) -> None:
    from grassroots.messaging.models import Delivery

    Delivery.objects.filter(member=erasure.member).update(personal=None, error="")


def _remove_comments_words(erasure: Erasure) -> None:
    from grassroots.meetings.models import Comment, CommentRevision

    comments = Comment.objects.filter(author=erasure.member)
    CommentRevision.objects.filter(comment__in=comments).delete()
    comments.update(body=REMOVED_COMMENT, edited_at=None)


def _withdraw_from_open_draws(erasure: Erasure) -> None:
    from grassroots.sortition.models import DrawStatus, Volunteer

    Volunteer.objects.filter(member=erasure.member, draw__status=DrawStatus.VOLUNTEERING).delete()


def _unlink_survey_responses(erasure: Erasure) -> None:
    from grassroots.surveys.models import Answer, Response

    responses = Response.objects.filter(member=erasure.member)
    Answer.objects.filter(response__in=responses).exclude(text="").update(text="")
    responses.update(member=None, submitted_at=None)


def _clear_returning_officer(erasure: Erasure) -> None:
    from grassroots.oversight.models import OversightRules

    OversightRules.objects.filter(returning_officer=erasure.member).update(returning_officer=None)


def _relabel_by_email(erasure: Erasure) -> None:
    """Labels that hold the actor's email with no link beside it (an office ended, a forward
    placed on an agenda): matched by every address the person used."""
    if not erasure.emails:
        return
    for label, field in (
        ("organisation.roleassignment", "ended_by_label"),
        ("delegation.motionforward", "placed_by_label"),
    ):
        model = _model(label)
        for email in erasure.emails:
            model._default_manager.filter(**{f"{field}__iexact": email}).update(
                **{field: erasure.label}
            )


def _relabel_audit_rows(erasure: Erasure) -> None:
    from grassroots.audit.models import AuditEntry

    if erasure.user_id is not None:
        AuditEntry.objects.filter(actor_id=erasure.user_id).exclude(
            actor_label__startswith=ERASED_LABEL_PREFIX
        ).update(actor_label=erasure.label)


# -- the rules ---------------------------------------------------------------------------------

_OFFICER_ACT = (
    "an act done in office or on the body's behalf: the body's record of who did it stays, "
    "naming a record that now names nobody"
)
_BODY_RECORD = (
    "the body's own record of its business (members debated, amended and decided on it): "
    "the words stay, the name is now 'Erased member'"
)
_LOGIN_GOES = "deleted with the login (CASCADE)"
_LOGIN_LINK = "the link to the login is cleared (SET NULL) when the login is deleted"
_LOGIN_LABEL = "link cleared (SET NULL); its email label becomes 'erased member #<number>'"
_LABEL_WHY = (
    "who did it stays traceable to the office held (the number leads to role history) "
    "without the email"
)

RULES: dict[str, Rule] = {
    # people
    "people.member.user": Rule(
        Action.ANONYMISE,
        "the member row is pseudonymised (name 'Erased member', email "
        "erased-<number>@erased.invalid, phone, postcode and consent cleared); the login is "
        "deleted",
        "rolls, role history and mail reports point at the row; their counts must not change",
    ),
    "people.member_other_groups.member": Rule(
        Action.DELETE,
        "membership of groups other than the home group ends",
        "the home group stays: rolls and turnout are counted by it",
        _delete("people.member_other_groups", "member"),
    ),
    "people.contactoutcome.member": Rule(
        Action.DELETE,
        "follow-up notes about the person are deleted",
        "they count nothing and describe only the person",
        _delete("people.contactoutcome", "member"),
    ),
    "people.contactoutcome.recorded_by": Rule(Action.ANONYMISE, _LOGIN_LINK, _OFFICER_ACT),
    "people.memberstatuschange.member": Rule(
        Action.KEEP,
        "kept: each status, the day it took effect, its cause and when it was recorded",
        "delegate allocations and quorums counted on past dates must count again the same; "
        "the entries hold no name, address or free text, so beside the pseudonymised record "
        "they identify nobody (an erased record counts as in good standing only on days "
        "before its erasure)",
    ),
    # organisation
    "organisation.roleassignment.member": Rule(
        Action.KEEP,
        "kept; offices still held end today",
        "who held which office is the movement's record",
        _end_current_offices,
    ),
    "organisation.roleassignment.appointed_by": Rule(
        Action.ANONYMISE,
        f"{_LOGIN_LABEL} (and `ended_by_label`, matched by email)",
        _LABEL_WHY,
        _relabel("organisation.roleassignment", "appointed_by", "appointed_by_label"),
    ),
    "organisation.recognitioncriteria.updated_by": Rule(Action.ANONYMISE, _LOGIN_LINK, _LABEL_WHY),
    "organisation.agmrecord.recorded_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("organisation.agmrecord", "recorded_by", "recorded_by_label"),
    ),
    "organisation.recognitionevent.decided_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("organisation.recognitionevent", "decided_by", "decided_by_label"),
    ),
    "organisation.recognitionappeal.lodged_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("organisation.recognitionappeal", "lodged_by", "lodged_by_label"),
    ),
    "organisation.recognitionappeal.decided_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("organisation.recognitionappeal", "decided_by", "decided_by_label"),
    ),
    # ballots
    "ballots.ballot.returning_officer": Rule(
        Action.KEEP, "kept", "the published election record names the returning officer"
    ),
    "ballots.candidate.member": Rule(
        Action.KEEP,
        "kept, name, statement and photo included (the photo is on the ballot paper, served to "
        "anyone from the opening of the poll, like the name: docs/ballots.md)",
        "the published election record names the candidates; changing them would break its "
        "verification",
    ),
    "ballots.teller.member": Rule(
        Action.KEEP, "kept", "the published election record names the tellers and their shares"
    ),
    "ballots.rollentry.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row (so linked to nobody); the voted mark stays",
        "a ballot's roll size, voted count and turnout by group must not change; the ballot "
        "box never held a member link",
    ),
    "ballots.nomination.member": Rule(
        Action.ANONYMISE,
        "a nomination that never became a candidacy loses its name, statement, categories and "
        "photo and stops standing; one that became a candidacy is kept as the candidate is",
        "an unpublished nomination is the person's own words; a candidacy is published",
        _anonymise_unpublished_nominations,
    ),
    "ballots.nomination.nominated_by": Rule(
        Action.KEEP, "kept", "a nomination's validity rests on who made it"
    ),
    "ballots.nominationsupport.member": Rule(
        Action.KEEP, "kept", "a nomination's validity rests on its count of supporters"
    ),
    "ballots.groupsupport.recorded_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "ballots.groupsupport.withdrawn_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    # messaging
    "messaging.mailout.sender": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("messaging.mailout", "sender", "sender_label"),
    ),
    "messaging.delivery.member": Rule(
        Action.ANONYMISE,
        "kept for the mailout's counts; personal values and the error text are cleared",
        "a mailout's report counts its deliveries",
        _clear_delivery_personal_values,
    ),
    "messaging.unsubscribe.member": Rule(
        Action.KEEP,
        "kept",
        "it holds no more than the scope and time; the mailout reports count unsubscribes",
    ),
    # meetings
    "meetings.meeting.created_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "meetings.rsvp.member": Rule(
        Action.DELETE,
        "deleted (a future event's place is freed)",
        "an RSVP records nothing the body decided",
        _delete("meetings.rsvp", "member"),
    ),
    "meetings.attendance.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row",
        "attendance makes the meeting quorate; its decisions rest on the count",
    ),
    "meetings.attendance.signed_in_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "meetings.motion.proposer": Rule(Action.KEEP, "kept, text included", _BODY_RECORD),
    "meetings.motion.seconder": Rule(Action.KEEP, "kept", _BODY_RECORD),
    "meetings.motion.ruled_by": Rule(Action.KEEP, "kept, ruling reason included", _OFFICER_ACT),
    "meetings.amendment.proposer": Rule(Action.KEEP, "kept, text included", _BODY_RECORD),
    "meetings.amendment.ruled_by": Rule(Action.KEEP, "kept, ruling reason included", _OFFICER_ACT),
    "meetings.comment.author": Rule(
        Action.ANONYMISE,
        f"kept in its thread (replies stay in place), author 'Erased member'; its text becomes "
        f'"{REMOVED_COMMENT}" and its edit history is deleted',
        "a comment is the person's own opinion, not a decision of the body; the debate's "
        "result is on the motion",
        _remove_comments_words,
    ),
    "meetings.comment.moderated_by": Rule(
        Action.KEEP, "kept, moderation reason included", _OFFICER_ACT
    ),
    "meetings.commentreport.reporter": Rule(
        Action.DELETE,
        "the member's reports of comments are deleted",
        "a report is the reporter's own complaint; a moderator's action stays on the comment",
        _delete("meetings.commentreport", "reporter"),
    ),
    "meetings.commentreport.resolved_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "meetings.outcome.recorded_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "meetings.quorumrulechange.changed_by": Rule(
        Action.KEEP, "kept, reason included", _OFFICER_ACT
    ),
    "meetings.minutes.updated_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "meetings.minutesrevision.written_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    # delegation
    "delegation.delegateallocation.made_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("delegation.delegateallocation", "made_by", "made_by_label"),
    ),
    "delegation.delegate.member": Rule(
        Action.KEEP, "kept", "who represented the group at the upper body is the body's record"
    ),
    "delegation.delegate.recorded_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("delegation.delegate", "recorded_by", "recorded_by_label"),
    ),
    "delegation.delegate.withdrawn_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("delegation.delegate", "withdrawn_by", "withdrawn_by_label"),
    ),
    "delegation.motionforward.mover": Rule(Action.KEEP, "kept", _BODY_RECORD),
    "delegation.motionforward.forwarded_by": Rule(
        Action.ANONYMISE,
        f"{_LOGIN_LABEL} (and `placed_by_label`, matched by email)",
        _LABEL_WHY,
        _relabel("delegation.motionforward", "forwarded_by", "forwarded_by_label"),
    ),
    "delegation.composite.proposed_by": Rule(
        Action.ANONYMISE,
        _LOGIN_LABEL,
        _LABEL_WHY,
        _relabel("delegation.composite", "proposed_by", "proposed_by_label"),
    ),
    "delegation.compositeagreement.agreed_by": Rule(
        Action.KEEP, "kept", "a composite stands on the movers' agreement"
    ),
    # oversight
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
        _delete("oversight.oversightrules_standing_tellers", "member"),
    ),
    "oversight.oversightrules.updated_by": Rule(Action.ANONYMISE, _LOGIN_LINK, _OFFICER_ACT),
    "oversight.meeting.created_by": Rule(Action.ANONYMISE, _LOGIN_LINK, _OFFICER_ACT),
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
    # sortition
    "sortition.draw.created_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "sortition.volunteer.member": Rule(
        Action.KEEP,
        "deleted from a draw still taking volunteers; kept under its pseudonym once "
        "volunteering has closed",
        "a closed draw's published record lists every volunteer's pseudonym and categories, "
        "and anyone must be able to rerun it",
        _withdraw_from_open_draws,
    ),
    # surveys
    "surveys.survey.created_by": Rule(Action.KEEP, "kept", _OFFICER_ACT),
    "surveys.respondent.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row (so linked to nobody)",
        "the 'has answered' mark is the survey's turnout, as a roll mark is a ballot's",
    ),
    "surveys.response.member": Rule(
        Action.ANONYMISE,
        "a named response is unlinked (member and time cleared, as an anonymous one); its "
        "choices and scale answers stay, its free-text answers are emptied",
        "the results' counts must not change; free text may identify its writer",
        _unlink_survey_responses,
    ),
    # api
    "api.apitoken.user": Rule(Action.DELETE, _LOGIN_GOES, "a token is a credential"),
    # the login's own tables
    "account.emailaddress.user": Rule(Action.DELETE, _LOGIN_GOES, "login data"),
    "mfa.authenticator.user": Rule(Action.DELETE, _LOGIN_GOES, "login data"),
    "accounts.user_groups.user": Rule(Action.DELETE, _LOGIN_GOES, "login data"),
    "accounts.user_user_permissions.user": Rule(Action.DELETE, _LOGIN_GOES, "login data"),
    "admin.logentry.user": Rule(
        Action.DELETE, _LOGIN_GOES, "the admin site's own log; the audit log is the record"
    ),
    # audit
    "audit.auditentry.actor": Rule(
        Action.ANONYMISE,
        "kept, with the login's id; `actor_label` (the email) becomes 'erased member #<number>'",
        "the audit log is append-only; its guard allows exactly this rewrite (audit migration "
        "0003-0004), so what an officer did stays attributed to the office without the email",
        _relabel_audit_rows,
        after_login_deleted=True,
    ),
}

# Labels holding an email with no link beside them; run with the other relabels.
EXTRA_STEPS_BEFORE_LOGIN: tuple[Callable[[Erasure], None], ...] = (_relabel_by_email,)


def apply_rules(erasure: Erasure, *, after_login_deleted: bool) -> None:
    """Run every rule of one phase, in the table's order."""
    for rule in RULES.values():
        if rule.apply is not None and rule.after_login_deleted == after_login_deleted:
            rule.apply(erasure)
    if not after_login_deleted:
        for step in EXTRA_STEPS_BEFORE_LOGIN:
            step(erasure)
