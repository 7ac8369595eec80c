"""Casting an end-to-end ballot: ciphertexts and proofs from the voter's browser, checked and
stored; the server never sees a readable paper (docs/e2e.md, "Interfaces for the ballots app").

Each question's paper arrives as ``{"ballot": [[alpha, beta], ...], "proof": {"c", "s"}}``.
The voter's roll credential comes from the roll, never from the page; the proof must hold for
it (``voter.cast_ballot_failure``), so a ballot copied from another voter, or moved to another
question or election, is refused. What is stored in the box is the record's cast line with
its question, ``{"ballot", "credential", "proof", "question"}`` (canonical JSON); the tracker
is the hash of the ciphertexts alone (``voter.ballot_tracker``), as the record's checks
recompute it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from django.utils.translation import gettext

from grassroots.ballots.e2e import e2e_question, voter_credential
from grassroots.ballots.models import Ballot, RollEntry
from grassroots.ballots.queries import ballot_paper, voter_place
from grassroots.ballots.services.casting import IDEMPOTENCY_KEY, Receipt, store_cast
from grassroots.ballots.services.errors import BallotError, NotOnRoll
from grassroots.ledger.e2e.files import E2EFileError, cast_from_json, cast_to_json
from grassroots.ledger.e2e.voter import ballot_tracker, cast_ballot_failure


def cast_e2e_ballot(
    *, ballot: Ballot, roll_entry: RollEntry, papers: object, idempotency_key: object
) -> Receipt:
    """Check every question's encrypted paper and its proof, then cast them as one vote."""
    if not isinstance(idempotency_key, str) or not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise BallotError(gettext("The page was incomplete. Reload the ballot page and try again."))
    if not ballot.is_end_to_end or ballot.tellers_public_key is None:
        raise NotOnRoll(gettext("You are not on the roll for this ballot."))
    if not isinstance(papers, Mapping):
        raise BallotError(
            gettext('The encrypted papers must be {"<question>": {"ballot", "proof"}}.')
        )
    # The per-process ballot paper (queries.ballot_paper): no query while the poll is open.
    # A voter answers only their own region's sections (docs/slates.md): another section's
    # paper is refused, and they leave none for it (each section's mix holds only its own
    # members' papers, as many as the record's section turnout says voted: check 9).
    paper = ballot_paper(ballot)
    questions = [
        (q, e2e_question(q, len(q.candidates.all())))
        for q in paper.questions_for(voter_place(ballot, roll_entry.member_id))
    ]
    expected = {e2e.id for _, e2e in questions}
    others = set(papers) - expected
    if others & {q.ledger_id for q in paper.questions}:
        raise BallotError(
            gettext(
                "An encrypted paper was sent for a section of another region, which is not on "
                "your ballot paper. Reload the ballot page and try again."
            )
        )
    if set(papers) != expected:
        raise BallotError(
            gettext(
                "An encrypted paper is needed for each question (%(names)s), and for nothing "
                "else; an unanswered question is an encrypted blank paper."
            )
            % {"names": ", ".join(sorted(expected))}
        )
    credential = voter_credential(ballot, roll_entry.pk)
    public_key = bytes(ballot.tellers_public_key)
    stored = []
    for question, e2e in questions:
        try:
            cast = cast_from_json(papers[e2e.id], width=e2e.width, credential=credential)
        except E2EFileError as error:
            raise BallotError(
                gettext("“%(title)s”: %(error)s.") % {"title": question.title, "error": error}
            ) from error
        failure = cast_ballot_failure(
            election_id=ballot.election_id, question=e2e, public_key=public_key, cast=cast
        )
        if failure is not None:
            raise BallotError(
                gettext("“%(title)s”: %(failure)s.") % {"title": question.title, "failure": failure}
            )
        line = {**cast_to_json(cast), "question": e2e.id}
        data = json.dumps(line, sort_keys=True, separators=(",", ":")).encode()
        stored.append((question.title, data, ballot_tracker(ballot.election_id, cast.ballot)))
    return store_cast(
        ballot=ballot,
        member_id=roll_entry.member_id,
        idempotency_key=idempotency_key,
        papers=stored,
    )
