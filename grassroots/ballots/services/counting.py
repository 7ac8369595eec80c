"""Counting: decrypting the box in batches with the tellers' key, then counting each question
with the verifier's own code, as a background task with its progress on the ballot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Min
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots import sql
from grassroots.ballots.models import Ballot, BallotBoxEntry, BallotStatus, Question
from grassroots.ballots.publication import election_parameters
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.e2e_count import check_ready_to_count, e2e_papers
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ballots.services.sealing import seal_locked
from grassroots.ballots.services.tellers import tellers_private_key
from grassroots.ledger.crypto import SealError, ballot_opener
from grassroots.ledger.record import Question as LedgerQuestion
from grassroots.ledger.recount import (
    BallotPaper,
    BallotPaperError,
    count_question,
    group_papers,
    parse_plaintext,
    result_to_json,
)
from grassroots.tally.report import render_html
from grassroots.tally.types import TallyError

logger = logging.getLogger(__name__)


COUNT_BATCH = 2000


@transaction.atomic(durable=True)
def request_count(*, actor: User, ballot: Ballot) -> None:
    """Start decrypting and counting in the background (grassroots.ballots.tasks).

    The shares are checked here, so a mistyped share is reported at once; the page then shows
    the count's progress until :func:`run_count` has finished.
    """
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    require_status(ballot, BallotStatus.CLOSED)
    if ballot.background_step:
        raise WrongStage(
            gettext("The close is still being recorded; the count can start once it is.")
        )
    if ballot.count_requested_at is not None and not ballot.count_error:
        raise WrongStage(gettext("The count is already running."))
    seal_locked(ballot, final=True)
    if ballot.is_end_to_end:
        check_ready_to_count(ballot)
    else:
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
    ballot_id: int,
    after: int,
    opener: Callable[[bytes], bytes],
    by_id: dict[str, LedgerQuestion],
) -> int | None:
    """Decrypt the next batch of undecrypted papers after log position ``after``; return the
    batch's last position, or None when none is left.

    Keyset pagination (``log_index > after``), so each batch costs the same however far the
    count has gone (issue 22: ``WHERE plaintext IS NULL ORDER BY log_index LIMIT`` walked past
    every decrypted row, 2 ms a batch at the start and 50 ms at 290,000). The papers are read
    as plain rows and stored by one statement (``sql.store_plaintexts``), which writes only
    papers still undecrypted, so a second run at once could not count a paper twice.
    """
    with transaction.atomic(durable=True):
        rows = list(
            BallotBoxEntry.objects.filter(
                ballot_id=ballot_id, log_index__gt=after, plaintext__isnull=True
            )
            .order_by("log_index")
            .values_list("log_index", "ciphertext")[:COUNT_BATCH]
        )
        if not rows:
            return None
        opened = []
        for log_index, ciphertext in rows:
            try:
                plaintext = opener(bytes(ciphertext))
                parse_plaintext(plaintext, by_id)
            except (SealError, BallotPaperError) as error:
                raise BallotError(
                    gettext("Ballot %(number)s in the log: %(error)s")
                    % {"number": log_index + 1, "error": error}
                ) from error
            opened.append((log_index, plaintext))
        stored = sql.store_plaintexts(ballot_id, opened)
        Ballot.objects.filter(pk=ballot_id).update(count_done=F("count_done") + stored)
        return int(rows[-1][0])


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
        by_id = {q.id: q for q in election_parameters(ballot).questions}
        if ballot.is_end_to_end:
            papers, _ = e2e_papers(ballot)
            count = _count_questions(ballot, by_id, papers)
        else:
            opener = ballot_opener(tellers_private_key(ballot))
            after: int | None = -1
            while after is not None:
                after = _decrypt_batch(ballot_id, after, opener, by_id)
            count = _count_questions(ballot, by_id)
        _finish_count(ballot_id, count)
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


@dataclass(frozen=True)
class _Count:
    results: list[_Counted]
    # The decrypted papers in the box, known from reading them; None when the papers came
    # from elsewhere (an end-to-end ballot's mix), and the box is counted when storing.
    box_papers: int | None


def _count_questions(
    ballot: Ballot, by_id: dict[str, LedgerQuestion], papers: list[BallotPaper] | None = None
) -> _Count:
    """Count every question of the decrypted box (or an end-to-end ballot's decrypted
    ``papers``), outside any transaction, with progress."""
    Ballot.objects.filter(pk=ballot.pk).update(count_questions_done=0)
    grouped = _box_papers(ballot, by_id) if papers is None else group_papers(papers)
    box_papers = sum(grouped.values()) if papers is None else None
    by_question: dict[str, dict[BallotPaper, int]] = {question_id: {} for question_id in by_id}
    for paper, number in grouped.items():
        by_question[paper.question][paper] = number
    counted = []
    for done, question in enumerate(Question.objects.filter(ballot=ballot), start=1):
        try:
            result = count_question(
                by_id[question.ledger_id],
                by_question[question.ledger_id],
                roll_size=ballot.roll_size or 0,
            )
        except TallyError as error:
            raise BallotError(
                gettext("“%(title)s” could not be counted: %(error)s")
                % {"title": question.title, "error": error}
            ) from error
        counted.append(
            _Counted(
                question_id=question.pk,
                result=result_to_json(result),
                report_html=render_html(result, chart_id=f"chart-{question.ledger_id}"),
            )
        )
        Ballot.objects.filter(pk=ballot.pk).update(count_questions_done=done)
    return _Count(results=counted, box_papers=box_papers)


def _box_papers(ballot: Ballot, by_id: dict[str, LedgerQuestion]) -> dict[BallotPaper, int]:
    """The decrypted box grouped in the database: each distinct plaintext once, with how many
    papers hold it, in the order of its first paper in the log.

    Equal papers are equal bytes (the canonical form), and most papers repeat another (every
    blank paper of a section, the common rankings), so 500,000 papers come back as a few tens
    of thousands of rows, each parsed once, and the engine counts each as one line of that
    weight (the same result as paper by paper: ``ledger.recount.count_question``)."""
    rows = (
        BallotBoxEntry.objects.filter(ballot=ballot)
        .values("plaintext")
        .annotate(papers=Count("pk"), first=Min("log_index"))
        .order_by("first")
        .values_list("plaintext", "papers")
    )
    grouped: dict[BallotPaper, int] = {}
    for plaintext, number in rows.iterator(chunk_size=10_000):
        if plaintext is None:
            raise BallotError(gettext("Some ballots are not decrypted yet."))
        paper = parse_plaintext(bytes(plaintext), by_id)
        grouped[paper] = grouped.get(paper, 0) + number
    return grouped


@transaction.atomic(durable=True)
def _finish_count(ballot_id: int, count: _Count) -> None:
    ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
    require_status(ballot, BallotStatus.CLOSED)
    papers = count.box_papers
    if papers is None:
        papers = BallotBoxEntry.objects.filter(ballot=ballot, plaintext__isnull=False).count()
    for counted in count.results:
        Question.objects.filter(pk=counted.question_id, ballot=ballot).update(
            result=counted.result, report_html=counted.report_html
        )
    ballot.status = BallotStatus.COUNTED
    ballot.counted_at = clock.now()
    ballot.count_done = papers
    ballot.save(update_fields=["status", "counted_at", "count_done"])
    audit_ballot(None, AuditAction.COUNT_BALLOT, ballot, ballots=papers)


def count_ballot(*, actor: User, ballot: Ballot) -> None:
    """Decrypt and count now, in this process (the demo, the tests, small ballots).

    The page uses :func:`request_count`, which runs the same steps as a background task.
    """
    request_count(actor=actor, ballot=ballot)
    run_count(ballot_id=ballot.pk)
    error = Ballot.objects.filter(pk=ballot.pk).values_list("count_error", flat=True).get()
    if error:
        raise BallotError(error)
