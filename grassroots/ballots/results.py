"""Handing a published result back to whatever asked for the ballot.

Meetings send motions to ballots and oversight puts initiatives and call-ins to them; both sit
above ``ballots`` (an import contract keeps ``ballots`` from reaching up), so the apps that
create ballots register a *result handler* here when Django starts (their ``AppConfig.ready``),
and :func:`deliver_result` calls every handler, explicitly, when a result is published.
docs/decisions.md has why this is a registry and not a signal.

A handler receives the published ballot, locked, inside the publishing transaction. It must:

* return without writing when the ballot is not one it created (most are not);
* be idempotent: a ballot it has already written back changes nothing the second time;
* raise to refuse: every handler's writes are undone together (a savepoint), the publication
  itself still commits, and the error is kept on the ballot until
  :func:`deliver_pending_results` (each scheduler tick) delivers it.

So a result is never lost (the ballot is published and says what is pending) and never
half-written (all of the write-back commits, or none of it).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext

from grassroots import clock
from grassroots.ballots.models import Ballot, BallotStatus, QuestionKind

logger = logging.getLogger(__name__)

ResultHandler = Callable[[Ballot], object]

_handlers: dict[str, ResultHandler] = {}


def register_result_handler(name: str, handler: ResultHandler) -> None:
    """Register (or, under the same name, replace) a handler; called from ``AppConfig.ready``."""
    _handlers[name] = handler


def result_handlers() -> dict[str, ResultHandler]:
    return dict(_handlers)


@dataclass(frozen=True)
class YesNoResult:
    """The published answer to a ballot's yes/no question, as the app that asked reads it."""

    election_id: str
    question: str
    is_carried: bool
    votes_yes: int
    votes_no: int
    votes_abstain: int
    published_at: datetime.datetime
    url: str  # the published result page, a path on this site

    @property
    def figures(self) -> str:
        return gettext("%(yes)s yes, %(no)s no, %(abstain)s abstaining") % {
            "yes": self.votes_yes,
            "no": self.votes_no,
            "abstain": self.votes_abstain,
        }


class NoYesNoResult(Exception):
    """The ballot has no counted yes/no question, or is not published."""


def yes_no_result(ballot: Ballot) -> YesNoResult:
    """The first yes/no question's published result (``elected`` is ``[0]``, Yes, if carried:
    the counting rule's threshold and quorum decide, not this function)."""
    if ballot.status != BallotStatus.PUBLISHED or ballot.published_at is None:
        raise NoYesNoResult(f"Ballot {ballot.election_id} is not published.")
    question = ballot.questions.filter(kind=QuestionKind.YESNO).order_by("position").first()
    if question is None or not question.result:
        raise NoYesNoResult(f"Ballot {ballot.election_id} has no counted yes/no question.")
    result = question.result
    totals = [int(t) for t in result["stages"][-1]["totals"]] + [0, 0, 0]
    return YesNoResult(
        election_id=ballot.election_id,
        question=question.title,
        is_carried=list(result["elected"]) == [0],
        votes_yes=totals[0],
        votes_no=totals[1],
        votes_abstain=totals[2] if len(result["candidates"]) == 3 else 0,
        published_at=ballot.published_at,
        url=reverse("ballot_results", args=[ballot.pk]),
    )


def deliver_result(ballot: Ballot) -> bool:
    """Run every handler for ``ballot`` (locked by the caller, inside its transaction).

    Returns whether the result was delivered; on failure the error is kept on the ballot.
    """
    if ballot.result_delivered_at is not None:
        return True
    try:
        with transaction.atomic():
            for handler in _handlers.values():
                handler(ballot)
    except Exception as error:
        # Any failure in a handler above us: its writes are rolled back with the savepoint and
        # the scheduler tries again; publication must not depend on another app's bug.
        logger.exception("Writing back the result of ballot %s failed", ballot.election_id)
        ballot.result_delivery_error = f"{type(error).__name__}: {error}"[:1000]
        ballot.save(update_fields=["result_delivery_error"])
        return False
    ballot.result_delivered_at = clock.now()
    ballot.result_delivery_error = ""
    ballot.save(update_fields=["result_delivered_at", "result_delivery_error"])
    return True


def deliver_pending_results() -> list[str]:
    """The scheduler's step: deliver every published result not yet delivered. Each ballot is
    locked and checked again, so ticks on several nodes never deliver one twice."""
    done = []
    pending = Ballot.objects.filter(status=BallotStatus.PUBLISHED, result_delivered_at=None)
    for ballot_id in pending.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            ballot = Ballot.objects.select_for_update(skip_locked=True).filter(pk=ballot_id).first()
            if ballot is None or ballot.result_delivered_at is not None:
                continue
            if deliver_result(ballot):
                done.append(f"delivered the result of {ballot.election_id}")
    return done
