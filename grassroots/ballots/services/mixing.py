"""After the close of an end-to-end ballot: the mix-net and the tellers' decryption.

1. Mixing (docs/e2e.md, "The mix-net"): each question's cast ballots, in log order, are
   re-encrypted and permuted by at least two mixers in turn, each stage with a proof of
   shuffle. A teller mixes offline (``teller mix``) and uploads the stage
   (``request_mix_stage``); for the demo a task worker may mix (``mix_on_server``), which needs
   no secret. Every stage's proof is checked against the previous accepted stage before it is
   accepted: for an uploaded stage by a background task (``run_mix_check``; at 10,000 ballots
   the check takes minutes, longer than a web request may), the stage kept meanwhile as
   ``checking``, then ``accepted`` or ``refused`` with the reason.
2. Decryption: each teller computes their decryption shares of the last stage with their key
   share (``teller decrypt``, offline; the server never holds a share) and uploads them with
   their Chaum-Pedersen proof (``upload_decryption``). The proof is checked at once against
   the teller's verification key from the ceremony's commitments, so shares from any other key
   are refused naming the teller.
3. ``decrypt_papers`` combines k tellers' shares into the papers (invalid ones kept as such,
   with their reason), which the count then reads (services.e2e_count).
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.utils.translation import gettext

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.ballots.e2e import cast_lines, commitments, e2e_question, unanswered
from grassroots.ballots.models import (
    Ballot,
    BallotStatus,
    DecryptionShares,
    MixStage,
    MixStageStatus,
    Question,
    Teller,
)
from grassroots.ballots.services._common import (
    audit_ballot,
    locked_ballot,
    require_runner,
    require_status,
)
from grassroots.ballots.services.background import actor_by_id
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ballots.services.sealing import seal_locked
from grassroots.ledger.e2e.ceremony import CeremonyError, combine_decryptions, verification_key
from grassroots.ledger.e2e.checks import MINIMUM_MIXES
from grassroots.ledger.e2e.elgamal import EncryptedBallot, ballot_from_json
from grassroots.ledger.e2e.files import (
    Decryption,
    E2EFileError,
    E2EQuestion,
    decryption_from_json,
    decryption_to_json,
    mix_from_json,
    mix_to_json,
    paper_to_json,
)
from grassroots.ledger.e2e.files import MixStage as MixFile
from grassroots.ledger.e2e.group import point_from_hex
from grassroots.ledger.e2e.papers import SlotTable, decode_paper
from grassroots.ledger.e2e.proofs import decryption_proof_is_valid
from grassroots.ledger.e2e.shuffle import prove_shuffle, shuffle, shuffle_proof_failure
from grassroots.people.models import Member
from grassroots.people.queries import own_member

logger = logging.getLogger(__name__)

MIX_WORKERS = 1


def _document(value: dict[str, object]) -> str:
    return json.dumps(value, indent=1, sort_keys=True) + "\n"


def _e2e(question: Question) -> E2EQuestion:
    return e2e_question(question, question.candidates.count())


def stage_inputs(question: Question) -> list[EncryptedBallot]:
    """What the next mix stage permutes: the last accepted stage's output, or the cast
    ballots."""
    e2e = _e2e(question)
    last = question.accepted_mixes().order_by("-stage").first()
    if last is not None:
        return mix_from_json(json.loads(last.document), e2e.width, "the last mix stage").ballots
    return [
        ballot_from_json(line["ballot"], e2e.width)
        for line in cast_lines(question.ballot, question)
    ]


def _closed_e2e(ballot: Ballot) -> Ballot:
    ballot = locked_ballot(ballot)
    if not ballot.is_end_to_end:
        raise WrongStage(gettext("This ballot is not end-to-end verifiable: it is not mixed."))
    require_status(ballot, BallotStatus.CLOSED)
    # The box must hold every cast ballot before stage 1 reads it (the close seals what is
    # left; this makes sure of it, as the count does).
    seal_locked(ballot, final=True)
    return ballot


def _admit_stage(
    ballot: Ballot, question: Question, document: object, uploaded_by: Member | None
) -> MixStage:
    """Keep a mix stage to be checked, after the checks that need no proof: its form, its
    number, its mixer, and that the question is still being mixed."""
    checking = question.mix_stages.filter(status=MixStageStatus.CHECKING).first()
    if checking is not None:
        raise BallotError(
            gettext(
                "Mix stage %(stage)s of “%(title)s” by %(mixer)s is still being checked; the next"
                " stage mixes its output, so wait until it is accepted."
            )
            % {"stage": checking.stage, "title": question.title, "mixer": checking.mixer}
        )
    if question.decryptions.exists():
        raise WrongStage(
            gettext("Tellers have begun decrypting “%(title)s”: it takes no more mix stages.")
            % {"title": question.title}
        )
    e2e = _e2e(question)
    try:
        stage = mix_from_json(document, e2e.width, "your mix stage")
    except E2EFileError as error:
        raise BallotError(
            gettext("That file is not a mix stage: %(error)s.") % {"error": error}
        ) from error
    expected = question.accepted_mixes().count() + 1
    if stage.stage != expected:
        raise BallotError(
            gettext("That is mix stage %(stage)s; the next stage is %(expected)s.")
            % {"stage": stage.stage, "expected": expected}
        )
    if question.accepted_mixes().filter(mixer=stage.mixer).exists():
        raise BallotError(
            gettext("%(mixer)s has already mixed “%(title)s”.")
            % {"mixer": stage.mixer, "title": question.title}
        )
    return MixStage.objects.create(
        question=question,
        stage=stage.stage,
        mixer=stage.mixer,
        uploaded_by=uploaded_by,
        document=_document(mix_to_json(stage)),
        status=MixStageStatus.CHECKING,
    )


def _proof_failure(row: MixStage) -> str | None:
    """Why the stage's proof of shuffle fails against the previous accepted stage, or None.
    Reads only accepted rows, which never change, so it runs outside any transaction."""
    question = row.question
    ballot = question.ballot
    stage = mix_from_json(json.loads(row.document), _e2e(question).width, "the mix stage")
    return shuffle_proof_failure(
        election_id=ballot.election_id,
        stage=stage.stage,
        public_key=bytes(ballot.tellers_public_key or b""),
        inputs=stage_inputs(question),
        outputs=stage.ballots,
        proof=stage.proof,
        workers=MIX_WORKERS,
    )


def _settle_locked(ballot: Ballot, row: MixStage, failure: str | None, actor: User | None) -> None:
    """Accept or refuse a stage being checked (the ballot's row lock held). Only a stage still
    ``checking`` changes, so a second or late run of the check does nothing twice."""
    row = MixStage.objects.select_for_update().get(pk=row.pk)
    if row.status != MixStageStatus.CHECKING:
        return
    question = row.question
    if failure is None and ballot.status != BallotStatus.CLOSED:
        failure = f"the ballot is “{ballot.get_status_display()}” now, no longer taking mixes"
    if failure is not None:
        row.status = MixStageStatus.REFUSED
        row.problem = f"Mix stage {row.stage} of “{question.title}” is refused: {failure}."
        row.save(update_fields=["status", "problem"])
        return
    row.status = MixStageStatus.ACCEPTED
    row.problem = ""
    row.save(update_fields=["status", "problem"])
    audit_ballot(
        actor,
        AuditAction.UPLOAD_MIX_STAGE,
        ballot,
        question=question.ledger_id,
        stage=row.stage,
        mixer=row.mixer,
    )


def run_mix_check(*, stage_id: int, actor_id: int | None) -> None:
    """The task: check a kept stage's proof of shuffle (outside any transaction: minutes for a
    large ballot), then accept or refuse it under the ballot's lock. An unexpected error is
    kept on the stage for the tellers' page, which offers to start the check again."""
    row = MixStage.objects.select_related("question__ballot").filter(pk=stage_id).first()
    if row is None or row.status != MixStageStatus.CHECKING:
        return
    try:
        failure = _proof_failure(row)
        with transaction.atomic(durable=True):
            ballot = locked_ballot(row.question.ballot)
            _settle_locked(ballot, row, failure, actor_by_id(actor_id))
    except Exception as error:
        logger.exception("The check of mix stage %s stopped", stage_id)
        MixStage.objects.filter(pk=stage_id, status=MixStageStatus.CHECKING).update(
            problem=(
                f"An unexpected error ({type(error).__name__}) stopped the check of mix stage "
                f"{row.stage} of “{row.question.title}”. Check it again: nothing is kept "
                "twice. If it stops again, tell the site's administrators."
            )
        )


def _enqueue_check(row: MixStage, actor: User | None) -> None:
    from grassroots.ballots import tasks

    stage_id, actor_id = row.pk, actor.pk if actor is not None else None
    transaction.on_commit(lambda: tasks.check_mix_stage_task.enqueue(stage_id, actor_id))


def _question_of(ballot: Ballot, question_id: str) -> Question:
    for question in ballot.questions.all():
        if question.ledger_id == question_id:
            return question
    raise BallotError(
        gettext("This ballot has no question %(question_id)s.") % {"question_id": repr(question_id)}
    )


def _own_teller(actor: User, teller: Teller) -> tuple[Member, Teller]:
    member = own_member(actor)
    teller = Teller.objects.select_related("ballot").get(pk=teller.pk)
    if member is None or teller.member_id != member.pk:
        raise BallotError(gettext("You are not this teller."))
    return member, teller


@transaction.atomic(durable=True)
def request_mix_stage(
    *, actor: User, teller: Teller, question_id: str, document: object
) -> MixStage:
    """A teller's mix stage (``teller mix``'s mix-<s>.json): kept at once as ``checking``, its
    proof checked by a task after the commit (the page shows the check's outcome)."""
    member, teller = _own_teller(actor, teller)
    ballot = _closed_e2e(teller.ballot)
    row = _admit_stage(ballot, _question_of(ballot, question_id), document, member)
    _enqueue_check(row, actor)
    return row


def upload_mix_stage(*, actor: User, teller: Teller, question_id: str, document: object) -> None:
    """``request_mix_stage`` and its check, both in this process (tests, scripts): the stage
    is accepted when this returns, or BallotError says why not."""
    member, teller = _own_teller(actor, teller)
    with transaction.atomic(durable=True):
        ballot = _closed_e2e(teller.ballot)
        row = _admit_stage(ballot, _question_of(ballot, question_id), document, member)
    run_mix_check(stage_id=row.pk, actor_id=actor.pk)
    row.refresh_from_db()
    if row.status != MixStageStatus.ACCEPTED:
        raise BallotError(row.problem)


@transaction.atomic(durable=True)
def recheck_mix_stage(*, actor: User, teller: Teller, stage_id: int) -> None:
    """Start again a check that stopped with an unexpected error (the stage is still
    ``checking``); a check still running, or one that has finished, is left alone."""
    _, teller = _own_teller(actor, teller)
    locked_ballot(teller.ballot)
    row = (
        MixStage.objects.select_for_update()
        .filter(pk=stage_id, question__ballot=teller.ballot_id)
        .first()
    )
    if row is None or row.status != MixStageStatus.CHECKING or not row.problem:
        raise WrongStage(
            gettext("That mix stage's check has not stopped, so there is nothing to restart.")
        )
    row.problem = ""
    row.save(update_fields=["problem"])
    _enqueue_check(row, actor)


@transaction.atomic(durable=True)
def mix_on_server(*, actor: User, ballot: Ballot, mixer: str) -> None:
    """A mix stage of every question made here (the demo's task worker): it needs no secret,
    and its proof is checked like any uploaded stage. A real ballot's mixers are its tellers."""
    require_runner(actor, ballot)
    ballot = _closed_e2e(ballot)
    public_key = bytes(ballot.tellers_public_key or b"")
    for question in ballot.questions.all():
        if unanswered(question):
            continue  # nothing to mix
        inputs = stage_inputs(question)
        stage = question.accepted_mixes().count() + 1
        outputs, permutation, randomness = shuffle(public_key, inputs, workers=MIX_WORKERS)
        proof = prove_shuffle(
            election_id=ballot.election_id,
            stage=stage,
            public_key=public_key,
            inputs=inputs,
            outputs=outputs,
            permutation=permutation,
            randomness=randomness,
            workers=MIX_WORKERS,
        )
        document = mix_to_json(MixFile(stage, mixer, outputs, proof))
        row = _admit_stage(ballot, question, document, None)
        _settle_locked(ballot, row, _proof_failure(row), actor)
        row.refresh_from_db()
        if row.status != MixStageStatus.ACCEPTED:
            raise BallotError(row.problem)


@transaction.atomic(durable=True)
def upload_decryption(*, actor: User, teller: Teller, question_id: str, document: object) -> None:
    """A teller's decryption shares of a question's last mix stage (decryption-<n>.json)."""
    _, teller = _own_teller(actor, teller)
    ballot = _closed_e2e(teller.ballot)
    question = _question_of(ballot, question_id)
    if question.mix_stages.filter(status=MixStageStatus.CHECKING).exists():
        raise WrongStage(
            gettext(
                "A mix stage of “%(title)s” is still being checked; decrypt the last stage once "
                "it is accepted or refused."
            )
            % {"title": question.title}
        )
    mixes = question.accepted_mixes().count()
    if mixes < MINIMUM_MIXES:
        raise WrongStage(
            gettext(
                "“%(title)s” is decrypted after %(minimum)s mix stages by different mixers;"
                " it has %(mixes)s."
            )
            % {"title": question.title, "minimum": MINIMUM_MIXES, "mixes": mixes}
        )
    e2e = _e2e(question)
    number = teller.share_index
    try:
        decryption = decryption_from_json(document, e2e.width, "your decryption shares")
    except E2EFileError as error:
        raise BallotError(
            gettext("That file is not a teller's decryption shares: %(error)s.") % {"error": error}
        ) from error
    if decryption.teller != number:
        raise BallotError(
            gettext("Those are teller %(teller)s's decryption shares; you are teller %(number)s.")
            % {"teller": decryption.teller, "number": number}
        )
    rows, proof = decryption.shares, decryption.proof
    last = stage_inputs(question)
    alphas = [c.alpha for ballot_ in last for c in ballot_]
    key = verification_key(commitments(ballot), number)
    if len(rows) != len(last) or not decryption_proof_is_valid(
        election_id=ballot.election_id,
        teller=number,
        verification_key=key,
        alphas=alphas,
        shares=[d for row in rows for d in row],
        proof=proof,
        workers=MIX_WORKERS,
    ):
        raise BallotError(
            gettext(
                "This is not the share teller %(number)s committed to: these decryption shares of"
                " “%(title)s” were not made with the key share teller %(number)s's device checked"
                " at the ceremony (or not from the last mix stage). Run `teller decrypt` again "
                "with your own share file and the latest public files."
            )
            % {"number": number, "title": question.title}
        )
    DecryptionShares.objects.update_or_create(
        question=question,
        teller=teller,
        defaults={"document": _document(decryption_to_json(Decryption(number, rows, proof)))},
    )
    audit_ballot(
        actor,
        AuditAction.UPLOAD_DECRYPTION_SHARES,
        ballot,
        question=question.ledger_id,
        teller=number,
    )


def decrypt_papers(ballot: Ballot) -> None:
    """Each question's papers from k tellers' decryption shares (``Question.e2e_papers``, one
    a line as plaintexts.jsonl has them: ``{"marks": [...]}`` or ``{"invalid": "why"}``)."""
    for question in ballot.questions.all():
        if unanswered(question):
            Question.objects.filter(pk=question.pk).update(e2e_papers="")
            continue
        e2e = _e2e(question)
        stored = list(question.decryptions.select_related("teller").order_by("teller__share_index"))
        if len(stored) < ballot.threshold:
            raise BallotError(
                gettext(
                    "“%(title)s”: %(count)s of the %(threshold)s tellers' decryption shares needed "
                    "have been uploaded."
                )
                % {"title": question.title, "count": len(stored), "threshold": ballot.threshold}
            )
        shares = {}
        for row in stored[: ballot.threshold]:
            data = json.loads(row.document)
            shares[row.teller.share_index] = [point_from_hex(d) for r in data["shares"] for d in r]
        last = stage_inputs(question)
        betas = [c.beta for ballot_ in last for c in ballot_]
        try:
            messages = combine_decryptions(betas, shares)
        except CeremonyError as error:
            raise BallotError(
                gettext("“%(title)s”: %(error)s") % {"title": question.title, "error": error}
            ) from error
        table = SlotTable(e2e.form)
        lines = []
        for i in range(len(last)):
            paper = decode_paper(
                e2e.form, e2e.encoding, messages[i * e2e.width : (i + 1) * e2e.width], table
            )
            lines.append(json.dumps(paper_to_json(paper)) + "\n")
        Question.objects.filter(pk=question.pk).update(e2e_papers="".join(lines))
