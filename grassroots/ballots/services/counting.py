"""Counting: decrypting the box in batches with the tellers' key, then counting each question
with the verifier's own code, as a background task with its progress on the ballot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F

from grassroots import clock
from grassroots.audit.actions import AuditAction
from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus, Question
from grassroots.ballots.publication import election_parameters
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ballots.services.sealing import seal_locked
from grassroots.ballots.services.tellers import tellers_private_key
from grassroots.ledger.crypto import SealError, ballot_opener
from grassroots.ledger.record import Question as LedgerQuestion
from grassroots.ledger.recount import (
    BallotPaperError,
    count_question,
    parse_plaintext,
    result_to_json,
)
from grassroots.tally.report import render_html
from grassroots.tally.types import TallyError

logger = logging.getLogger(__name__)


COUNT_BATCH = 500


@transaction.atomic(durable=True)
def request_count(*, actor: Any, ballot: Ballot) -> None:
    """Start decrypting and counting in the background (grassroots.ballots.tasks).

    The shares are checked here, so a mistyped share is reported at once; the page then shows
    the count's progress until :func:`run_count` has finished.
    """
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.CLOSED)
    if ballot.count_requested_at is not None and not ballot.count_error:
        raise WrongStage("The count is already running.")
    seal_locked(ballot, final=True)
    tellers_private_key(ballot)
    ballot.count_requested_at = clock.now()
    ballot.count_total = BallotBoxEntry.objects.filter(ballot=ballot).count()
    ballot.count_done = BallotBoxEntry.objects.filter(
        ballot=ballot, plaintext__isnull=False
    ).count()
    ballot.count_error = ""
    ballot.count_questions_done = 0
    ballot.save(
        update_fields=[
            "count_requested_at",
            "count_total",
            "count_done",
            "count_error",
            "count_questions_done",
        ]
    )
    audit_ballot(actor, AuditAction.REQUEST_COUNT, ballot, ballots=ballot.count_total)
    ballot_id = ballot.pk

    def enqueue() -> None:
        from grassroots.ballots.tasks import count_ballot_task

        count_ballot_task.enqueue(ballot_id)

    transaction.on_commit(enqueue)


def _decrypt_batch(
    ballot_id: int, opener: Callable[[bytes], bytes], by_id: dict[str, LedgerQuestion]
) -> int:
    with transaction.atomic(durable=True):
        entries = list(
            BallotBoxEntry.objects.select_for_update()
            .filter(ballot_id=ballot_id, plaintext__isnull=True)
            .order_by("log_index")[:COUNT_BATCH]
        )
        for entry in entries:
            try:
                entry.plaintext = opener(bytes(entry.ciphertext))
                parse_plaintext(entry.plaintext, by_id)
            except (SealError, BallotPaperError) as error:
                raise BallotError(f"Ballot {entry.log_index + 1} in the log: {error}") from error
        BallotBoxEntry.objects.bulk_update(entries, ["plaintext"], batch_size=1000)
        Ballot.objects.filter(pk=ballot_id).update(count_done=F("count_done") + len(entries))
        return len(entries)


def run_count(*, ballot_id: int) -> None:
    """The count task: decrypt the box in batches, then count each question, then store.

    Progress is written after each batch (``count_done``) and after each question
    (``count_questions_done``), each in its own short transaction, so the page can show it
    while the task runs. The results are stored in one transaction at the end. Safe to run
    again after a crash: only ballots not yet decrypted are opened. Any error is kept on the
    ballot for the page (an unexpected one too, logged with its traceback), so the page never
    shows a count still running that has stopped.
    """
    ballot = Ballot.objects.get(pk=ballot_id)
    if ballot.status != BallotStatus.CLOSED:
        return
    try:
        opener = ballot_opener(tellers_private_key(ballot))
        by_id = {q.id: q for q in election_parameters(ballot).questions}
        while _decrypt_batch(ballot_id, opener, by_id):
            pass
        results = _count_questions(ballot, by_id)
        _finish_count(ballot_id, results)
    except BallotError as error:
        Ballot.objects.filter(pk=ballot_id).update(count_error=str(error))
    except Exception as error:
        logger.exception("The count of ballot %s stopped", ballot_id)
        Ballot.objects.filter(pk=ballot_id).update(
            count_error=(
                f"an unexpected error ({type(error).__name__}) stopped it. Start the count "
                "again; the ballots already decrypted are kept. If it stops again, tell the "
                "site's administrators."
            )
        )


@dataclass(frozen=True)
class _Counted:
    question_id: int
    result: dict[str, Any]
    report_html: str


def _count_questions(ballot: Ballot, by_id: dict[str, LedgerQuestion]) -> list[_Counted]:
    """Count every question of the decrypted box, outside any transaction, with progress."""
    Ballot.objects.filter(pk=ballot.pk).update(count_questions_done=0)
    plaintexts = BallotBoxEntry.objects.filter(ballot=ballot).order_by("log_index")
    papers = []
    for plaintext in plaintexts.values_list("plaintext", flat=True).iterator():
        if plaintext is None:
            raise BallotError("Some ballots are not decrypted yet.")
        papers.append(parse_plaintext(bytes(plaintext), by_id))
    counted = []
    for done, question in enumerate(Question.objects.filter(ballot=ballot), start=1):
        try:
            result = count_question(
                by_id[question.ledger_id], papers, roll_size=ballot.roll_size or 0
            )
        except TallyError as error:
            raise BallotError(f"“{question.title}” could not be counted: {error}") from error
        counted.append(
            _Counted(
                question_id=question.pk,
                result=result_to_json(result),
                report_html=render_html(result, chart_id=f"chart-{question.ledger_id}"),
            )
        )
        Ballot.objects.filter(pk=ballot.pk).update(count_questions_done=done)
    return counted


@transaction.atomic(durable=True)
def _finish_count(ballot_id: int, results: list[_Counted]) -> None:
    ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
    require_status(ballot, BallotStatus.CLOSED)
    papers = BallotBoxEntry.objects.filter(ballot=ballot, plaintext__isnull=False).count()
    for counted in results:
        Question.objects.filter(pk=counted.question_id, ballot=ballot).update(
            result=counted.result, report_html=counted.report_html
        )
    ballot.status = BallotStatus.COUNTED
    ballot.counted_at = clock.now()
    ballot.count_done = papers
    ballot.save(update_fields=["status", "counted_at", "count_done"])
    audit_ballot(None, AuditAction.COUNT_BALLOT, ballot, ballots=papers)


def count_ballot(*, actor: Any, ballot: Ballot) -> None:
    """Decrypt and count now, in this process (the demo, the tests, small ballots).

    The page uses :func:`request_count`, which runs the same steps as a background task.
    """
    request_count(actor=actor, ballot=ballot)
    run_count(ballot_id=ballot.pk)
    error = Ballot.objects.filter(pk=ballot.pk).values_list("count_error", flat=True).get()
    if error:
        raise BallotError(error)
