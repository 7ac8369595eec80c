"""The count of an end-to-end ballot reads the papers decrypted from the last mix stage
(services.mixing) instead of opening the box: valid papers are counted by the same code as
ever (``ledger.recount.count_question``); invalid ones (a malformed ranking) are listed, not
counted, as a counting officer rejects a spoilt paper."""

from __future__ import annotations

import json

from django.utils.translation import gettext

from grassroots.ballots.e2e import unanswered
from grassroots.ballots.models import Ballot
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.mixing import decrypt_papers
from grassroots.ledger.e2e.checks import MINIMUM_MIXES
from grassroots.ledger.recount import BallotPaper


def check_ready_to_count(ballot: Ballot) -> None:
    """Every question mixed by enough mixers and decrypted by enough tellers, said plainly
    (a question nobody answered has nothing to mix: ``e2e.unanswered``)."""
    for question in ballot.questions.all():
        if unanswered(question):
            continue
        mixes = question.accepted_mixes().count()
        if mixes < MINIMUM_MIXES:
            raise BallotError(
                gettext(
                    "“%(title)s” has %(mixes)s mix stage(s); %(minimum)s by different mixers "
                    "are needed before it is decrypted."
                )
                % {"title": question.title, "mixes": mixes, "minimum": MINIMUM_MIXES}
            )
        shares = question.decryptions.count()
        if shares < ballot.threshold:
            raise BallotError(
                gettext(
                    "“%(title)s”: %(shares)s of the %(threshold)s tellers' decryption shares "
                    "needed have been uploaded."
                )
                % {"title": question.title, "shares": shares, "threshold": ballot.threshold}
            )


def e2e_papers(ballot: Ballot) -> tuple[list[BallotPaper], dict[str, list[str]]]:
    """Decrypt (k tellers' shares, combined) and read every question's papers: the valid ones
    for the count, and each question's invalid ones by reason, for the report."""
    decrypt_papers(ballot)
    papers: list[BallotPaper] = []
    invalid: dict[str, list[str]] = {}
    for question in ballot.questions.all():
        for line in question.e2e_papers.splitlines():
            paper = json.loads(line)
            if "invalid" in paper:
                invalid.setdefault(question.ledger_id, []).append(str(paper["invalid"]))
            else:
                papers.append(BallotPaper(question=question.ledger_id, marks=tuple(paper["marks"])))
    return papers, invalid
