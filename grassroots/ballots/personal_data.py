"""What ballots hold about a member, for erasure and the subject-access export.

Registered with people from ``BallotsConfig.ready`` (people sits below ballots:
docs/decisions.md); docs/data-protection.md has these rules in prose.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction

from grassroots.ballots.models import (
    Ballot,
    Candidate,
    Nomination,
    NominationStatus,
    NominationSupport,
    RollEntry,
    Teller,
)
from grassroots.people.erasure_rules import ERASED_NAME, OFFICER_ACT, Action, Erasure, Rule
from grassroots.people.models import Member
from grassroots.people.subject_access import Section


def _anonymise_unpublished_nominations(erasure: Erasure) -> None:
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


ERASURE_RULES: dict[str, Rule] = {
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
        "kept, pointing at the pseudonymised row (so linked to nobody); the voted mark and the "
        "rule that admitted the row stay",
        "a ballot's roll size, voted count and turnout by group must not change; the ballot "
        "box never held a member link",
    ),
    "ballots.collegemember.member": Rule(
        Action.KEEP,
        "kept, pointing at the pseudonymised row (so linked to nobody)",
        "each college's roll size and turnout are in the published election record and must "
        "not change; the list says only which college the person was in",
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
    "ballots.groupsupport.recorded_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
    "ballots.mixstage.uploaded_by": Rule(
        Action.KEEP, "kept", "the published election record names who mixed the ballots"
    ),
    "ballots.groupsupport.withdrawn_by": Rule(Action.KEEP, "kept", OFFICER_ACT),
}


def _collect(member: Member) -> dict[str, Any]:
    return {
        # Roll marks only: whether the member was on the roll and voted. The ballot box holds
        # no link to the member, so there is no vote to show (docs/ballots.md).
        "ballots": [
            {
                "ballot": e.ballot.title,
                "election_id": e.ballot.election_id,
                "opens_at": e.ballot.opens_at,
                "closes_at": e.ballot.closes_at,
                "has_voted": e.has_voted,
                "admitted_by": e.admitted_by,
                "admitted_by_label": e.get_admitted_by_display(),
            }
            for e in RollEntry.objects.filter(member=member)
            .select_related("ballot")
            .order_by("-ballot__opens_at", "-id")
        ],
        "returning_officer_of": [
            {"ballot": b.title, "election_id": b.election_id, "opens_at": b.opens_at}
            for b in Ballot.objects.filter(returning_officer=member).order_by("-opens_at")
        ],
        "teller_duties": [
            {
                "ballot": t.ballot.title,
                "election_id": t.ballot.election_id,
                "has_collected_share": t.has_collected_share,
            }
            for t in Teller.objects.filter(member=member).select_related("ballot")
        ],
        "candidacies": [
            {
                "ballot": c.question.ballot.title,
                "question": c.question.title,
                "name": c.name,
                "statement": c.statement,
                "categories": c.categories,
                "withdrawn": c.withdrawn,
            }
            for c in Candidate.objects.filter(member=member).select_related("question__ballot")
        ],
        "nominations": [
            {
                "ballot": n.question.ballot.title,
                "question": n.question.title,
                "name": n.name,
                "statement": n.statement,
                "categories": n.categories,
                "status": n.status,
                "status_label": n.get_status_display(),
                "nominated_by_self": n.nominated_by_id == n.member_id,
                "created_at": n.created_at,
            }
            for n in Nomination.objects.filter(member=member).select_related("question__ballot")
        ],
        # Whom the member nominated or supported: the member's own acts, so theirs to see.
        "nominations_supported": [
            *(
                {"ballot": n.question.ballot.title, "nominee": n.name, "as": "nominator"}
                for n in Nomination.objects.filter(nominated_by=member)
                .exclude(member=member)
                .select_related("question__ballot")
            ),
            *(
                {
                    "ballot": s.nomination.question.ballot.title,
                    "nominee": s.nomination.name,
                    "as": "supporter",
                }
                for s in NominationSupport.objects.filter(member=member).select_related(
                    "nomination__question__ballot"
                )
            ),
        ],
    }


SUBJECT_ACCESS = Section(
    owner="ballots",
    collect=_collect,
    covers={
        "ballots.rollentry": "ballots",
        "ballots.ballot": "returning_officer_of",
        "ballots.teller": "teller_duties",
        "ballots.candidate": "candidacies",
        "ballots.nomination": "nominations",
        "ballots.nominationsupport": "nominations_supported",
    },
    template="ballots/my_data_section.html",
)
