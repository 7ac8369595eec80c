"""Electoral colleges (issue 16): a question whose voters are in weighted colleges.

The returning officer names the colleges with their published weights (they add up to 1,
e.g. "Elected members: 1/3" and "Public office holders: 2/3"), marks at most one of them as
the college of everyone else on the roll, and imports the members of the others as lists of
membership numbers. The count weighs each college's papers exactly
(``grassroots.tally.colleges``); each paper carries its voter's college, and the record each
college's roll and turnout, so the verifier recounts it. docs/slates.md has the reasoning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.eligibility import eligible_members
from grassroots.ballots.models import BallotStatus, CollegeMember, Question, QuestionKind
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError
from grassroots.people.models import Member
from grassroots.tally.colleges import College, check_colleges, parse_weight
from grassroots.tally.types import TallyError

COLLEGE_KINDS = (QuestionKind.IRV, QuestionKind.SINGLE)
COLLEGE_LINE = re.compile(r"^(?P<name>[^:]{1,100}):\s*(?P<weight>\S+)\s*$")
MAX_ROW_ERRORS = 20


def parse_colleges(text: str) -> list[tuple[str, str]]:
    """The colleges as the form takes them, one a line: ``Elected members: 1/3``."""
    colleges = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = COLLEGE_LINE.fullmatch(line.strip())
        if match is None:
            raise BallotError(
                gettext(
                    "Line %(number)s: write a college as its name, a colon and its weight, e.g. "
                    "“Elected members: 1/3” (not “%(line)s”)."
                )
                % {"number": number, "line": line.strip()[:60]}
            )
        colleges.append((" ".join(match["name"].split()), match["weight"]))
    return colleges


@transaction.atomic(durable=True)
def set_colleges(
    *,
    actor: User,
    question: Question,
    colleges: Sequence[tuple[str, str]],
    everyone_else: int | None = None,
) -> Question:
    """Make ``question`` an electoral college: ``colleges`` as (name, weight) pairs whose
    weights add up to 1; ``everyone_else``: the index of the college of every voter no list
    names (None: such voters have no paper for it). An empty ``colleges`` undoes it."""
    ballot = question.ballot
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    question = Question.objects.get(pk=question.pk, ballot=ballot)
    stored: list[dict[str, object]] = []
    if colleges:
        if question.kind not in COLLEGE_KINDS:
            raise BallotError(
                gettext(
                    "An electoral college elects one seat by the alternative vote or by choosing "
                    "one; “%(title)s” is “%(kind)s”."
                )
                % {"title": question.title, "kind": question.get_kind_display()}
            )
        if ballot.is_end_to_end:
            raise BallotError(
                gettext(
                    "Electoral colleges are not available on end-to-end verifiable ballots yet."
                )
            )
        try:
            checked = [College(name=n, weight=parse_weight(w)) for n, w in colleges]
            check_colleges(checked)
        except TallyError as error:
            raise BallotError(gettext("The colleges: %(error)s.") % {"error": error}) from error
        if everyone_else is not None and not 0 <= everyone_else < len(checked):
            raise BallotError(gettext("Choose one of the colleges for everyone else on the roll."))
        stored = [
            {"name": c.name, "weight": str(c.weight), "everyone_else": i == everyone_else}
            for i, c in enumerate(checked)
        ]
    # A college's list stays with it only while its place and name do.
    kept = [
        i
        for i, (old, new) in enumerate(zip(question.colleges, stored, strict=False))
        if old.get("name") == new["name"] and not new["everyone_else"]
    ]
    CollegeMember.objects.filter(question=question).exclude(college__in=kept).delete()
    question.colleges = stored
    question.save(update_fields=["colleges"])
    audit_ballot(
        actor,
        AuditAction.SET_COLLEGES,
        ballot,
        question=question.position,
        colleges=[f"{c['name']}: {c['weight']}" for c in stored],
    )
    return question


@transaction.atomic(durable=True)
def import_college_members(*, actor: User, question: Question, college: int, text: str) -> int:
    """Put the members whose membership numbers ``text`` lists (one a line) in ``college``,
    in place of whoever it listed before; returns how many. Every line is checked first and
    any problem refuses the whole list, naming each line (up to 20), so nothing half-imports."""
    ballot = question.ballot
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.DRAFT, BallotStatus.NOMINATIONS)
    question = Question.objects.get(pk=question.pk, ballot=ballot)
    if not 0 <= college < len(question.colleges):
        raise BallotError(
            gettext("Set up the question's colleges first, then import their members.")
        )
    if question.colleges[college].get("everyone_else"):
        raise BallotError(
            gettext("%(name)s is the college of everyone else on the roll: it has no list.")
            % {"name": question.colleges[college]["name"]}
        )
    lines = [(n, line.strip().upper()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, number) for n, number in lines if number]
    found = dict(
        Member.objects.filter(membership_number__in=[m for _, m in lines]).values_list(
            "membership_number", "pk"
        )
    )
    may_vote = set(
        eligible_members(ballot).filter(pk__in=found.values()).values_list("pk", flat=True)
    )
    elsewhere = dict(
        CollegeMember.objects.filter(question=question, member_id__in=found.values())
        .exclude(college=college)
        .values_list("member_id", "college")
    )
    errors, seen, members = [], set(), []
    for number, membership_number in lines:
        member_id = found.get(membership_number)
        if member_id is None:
            errors.append(
                gettext("line %(line)s: no member has the number %(number)s")
                % {"line": number, "number": membership_number}
            )
        elif member_id in seen:
            errors.append(
                gettext("line %(line)s: %(number)s is listed twice")
                % {"line": number, "number": membership_number}
            )
        elif member_id not in may_vote:
            errors.append(
                gettext("line %(line)s: %(number)s may not vote in this ballot")
                % {"line": number, "number": membership_number}
            )
        elif member_id in elsewhere:
            other = question.colleges[elsewhere[member_id]]["name"]
            errors.append(
                gettext("line %(line)s: %(number)s is already in %(college)s")
                % {"line": number, "number": membership_number, "college": other}
            )
        else:
            seen.add(member_id)
            members.append(member_id)
    if errors:
        more = len(errors) - MAX_ROW_ERRORS
        shown = "; ".join(
            errors[:MAX_ROW_ERRORS]
            + (
                [gettext("lines with other problems: %(more)s") % {"more": more}]
                if more > 0
                else []
            )
        )
        raise BallotError(gettext("Nothing was imported: %(shown)s.") % {"shown": shown})
    CollegeMember.objects.filter(question=question, college=college).delete()
    CollegeMember.objects.bulk_create(
        [CollegeMember(question=question, member_id=m, college=college) for m in members]
    )
    audit_ballot(
        actor,
        AuditAction.IMPORT_COLLEGE_MEMBERS,
        ballot,
        question=question.position,
        college=question.colleges[college]["name"],
        members=len(members),
    )
    return len(members)
