"""Publishing: the returning officer declares the result, and it goes back to what asked
for the ballot.

The page records the decision (:func:`request_publish`); the task builds the election
record's zip and each ranked question's BLT once, stores them with their SHA-256
(``PublishedFile``), and then publishes in one transaction, so the downloads are ready the
moment the result is public and are served as stored. :func:`publish_results` does both in
this process (the demo, the tests).
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from grassroots import clock
from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.models import BackgroundStep, Ballot, BallotStatus, PublishedFile
from grassroots.ballots.notices import PUBLISHED, notify_roll_later
from grassroots.ballots.publication import question_blt, write_record_zip
from grassroots.ballots.results import deliver_result
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.background import (
    actor_by_id,
    begin_step,
    enqueue_step,
    is_busy,
    raise_if_stopped,
    run_step,
)
from grassroots.ballots.services.errors import WrongStage
from grassroots.people.queries import own_member

RECORD_FILE = "record.zip"


@transaction.atomic(durable=True)
def request_publish(*, actor: User, ballot: Ballot) -> None:
    """The returning officer declares the result; the task builds the files, then publishes."""
    require_runner(actor, ballot)
    ballot = locked_ballot(ballot)
    _record_publish(actor, ballot)
    enqueue_step(ballot, actor)


def publish_results(*, actor: User, ballot: Ballot) -> None:
    """Declare the result and publish it in this process; the record and plaintexts become
    public."""
    with transaction.atomic(durable=True):
        require_runner(actor, ballot)
        _record_publish(actor, locked_ballot(ballot))
    run_publish(ballot_id=ballot.pk, actor_id=getattr(actor, "pk", None))
    raise_if_stopped(ballot.pk)


def _record_publish(actor: User, ballot: Ballot) -> None:
    member = own_member(actor)
    if member is None or ballot.returning_officer_id != member.pk:
        raise PermissionDenied(gettext("Only the returning officer publishes the result."))
    require_status(ballot, BallotStatus.COUNTED)
    if is_busy(ballot):
        raise WrongStage(gettext("The result is already being published."))
    begin_step(ballot, BackgroundStep.PUBLISHING, total=1 + _ranked(ballot).count())


def _ranked(ballot: Ballot) -> Any:
    return ballot.questions.filter(kind__in=["irv", "stv"]).order_by("position")


def run_publish(*, ballot_id: int, actor_id: int | None) -> None:
    """The publication's task: the files, then the publication itself."""
    actor = actor_by_id(actor_id)

    def work() -> None:
        ballot = Ballot.objects.get(pk=ballot_id)
        if ballot.background_step != BackgroundStep.PUBLISHING:
            return
        store_published_files(ballot)
        _publish(ballot_id, actor)

    run_step(ballot_id, work)


def store_published_files(ballot: Ballot) -> list[PublishedFile]:
    """Build the record zip and each ranked question's BLT and store them (again, if a
    stopped run stored some: each replaces its namesake, so the last build is what is kept).
    The zip is written to a scratch file as the box is read and stored from there, so the
    worker's memory does not grow with the ballots."""
    with tempfile.TemporaryFile(prefix="record-") as scratch:
        write_record_zip(ballot, scratch)
        stored = [_store(ballot, RECORD_FILE, scratch)]
    Ballot.objects.filter(pk=ballot.pk).update(background_done=1)
    for done, question in enumerate(_ranked(ballot), start=2):
        blt = io.BytesIO(question_blt(question).encode())
        stored.append(_store(ballot, f"{question.ledger_id}.blt", blt))
        Ballot.objects.filter(pk=ballot.pk).update(background_done=done)
    return stored


def published_file(ballot: Ballot, name: str) -> PublishedFile | None:
    """The published ballot's stored file ``name`` (``record.zip`` or ``<question>.blt``);
    None when it has no such file (no ranked question of that name).

    A ballot published before the files were built at publication has none stored: the first
    request builds it the way publication does (the zip streamed into a scratch file as the box
    is read) and stores it, under the ballot's row lock so a second request at once waits and
    then finds it; every later request is served the stored file."""
    stored = PublishedFile.objects.filter(ballot=ballot, name=name).first()
    if stored is not None:
        return stored
    with transaction.atomic(durable=True):
        ballot = locked_ballot(ballot, no_key=True)
        require_status(ballot, BallotStatus.PUBLISHED)
        stored = PublishedFile.objects.filter(ballot=ballot, name=name).first()
        if stored is not None:
            return stored
        if name == RECORD_FILE:
            with tempfile.TemporaryFile(prefix="record-") as scratch:
                write_record_zip(ballot, scratch)
                return _store(ballot, RECORD_FILE, scratch)
        for question in _ranked(ballot):
            if name == f"{question.ledger_id}.blt":
                return _store(ballot, name, io.BytesIO(question_blt(question).encode()))
    return None


def _store(ballot: Ballot, name: str, content: BinaryIO) -> PublishedFile:
    """Store ``content`` (read from its start, in chunks) under ``name`` with its SHA-256."""
    digest = hashlib.sha256()
    size = 0
    content.seek(0)
    while chunk := content.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    with transaction.atomic():
        for old in PublishedFile.objects.filter(ballot=ballot, name=name):
            old.file.delete(save=False)
            old.delete()
        stored = PublishedFile(ballot=ballot, name=name, sha256=digest.hexdigest(), size=size)
        stored.file.save(f"{ballot.election_id}-{name}", File(content), save=False)
        stored.save()
    return stored


CHUNK = 1 << 20


def _publish(ballot_id: int, actor: User | None) -> None:
    with transaction.atomic(durable=True):
        ballot = Ballot.objects.select_for_update().get(pk=ballot_id)
        if (
            ballot.background_step != BackgroundStep.PUBLISHING
            or ballot.status != BallotStatus.COUNTED
        ):
            return
        ballot.status = BallotStatus.PUBLISHED
        ballot.published_at = clock.now()
        ballot.background_step = BackgroundStep.NONE
        ballot.save(update_fields=["status", "published_at", "background_step"])
        audit_ballot(actor, AuditAction.PUBLISH_RESULTS, ballot)
        # In this transaction, so the motion or initiative that asked for the ballot shows the
        # result the moment it is public; a failure there is kept and retried (results.py).
        deliver_result(ballot)
        notify_roll_later(ballot.pk, PUBLISHED)


def latest_published() -> Ballot | None:
    return (
        Ballot.objects.filter(status=BallotStatus.PUBLISHED)
        .filter(~Q(published_at=None))
        .order_by("-published_at", "-id")
        .first()
    )
