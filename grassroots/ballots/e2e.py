"""An end-to-end ballot's public files, as the tellers' CLI and the record read them.

docs/e2e.md specifies the ``e2e/`` folder; this module makes its files from the database:
``election.json`` (once the tellers' key exists), ``tellers/deal-<i>.json``, and after the
close each question's ``cast.jsonl`` (the box in log order), ``mix-<s>.json``,
``decryption-<l>.json`` and ``plaintexts.jsonl``. The tellers download them as one zip
(``e2e_zip``) to run ``python -m grassroots.ledger teller ...`` offline; the election record
carries the same files. Nothing here is secret: the server never holds a key share.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import io
import json
import zipfile
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.translation import gettext

from grassroots.ballots.forms import field_name
from grassroots.ballots.keys import server_key
from grassroots.ballots.models import Ballot, BallotStatus, Question, QuestionKind, RollEntry
from grassroots.ledger.e2e.ceremony import TellerCommitment
from grassroots.ledger.e2e.files import (
    E2EElection,
    E2EQuestion,
    election_to_json,
)
from grassroots.ledger.e2e.papers import Encoding, PaperForm, PaperKind

CREDENTIAL_PURPOSE = "e2e-credential"
# The vendored @noble/curves bundle the vote page loads, with its Subresource Integrity hash
# (static/vendor/README.md says how it was built; tests/ballots/test_e2e_casting.py checks it).
VENDORED_NOBLE = {
    "path": "vendor/noble-curves-2.4.0.js",
    "integrity": "sha384-rs1TMGYdLjAJXUR0a/zbmMv9J2NgRzoett094U0q2EITapd8VNMnzBSGTwbLEgQW",
}

_KINDS = {
    QuestionKind.IRV: PaperKind.RANKED,
    QuestionKind.STV: PaperKind.RANKED,
    QuestionKind.APPROVAL: PaperKind.APPROVAL,
    QuestionKind.SINGLE: PaperKind.SINGLE,
    # A yes/no question here has three answers (Yes, No, Abstain): one mark of three.
    QuestionKind.YESNO: PaperKind.SINGLE,
}


def e2e_question(question: Question, candidates: int) -> E2EQuestion:
    """The question as the e2e core sees it: its ledger id, paper kind and candidate count
    (every candidate, withdrawn ones too, since marks are positions in the full list)."""
    return E2EQuestion(
        question.ledger_id,
        PaperForm(_KINDS[QuestionKind(question.kind)], candidates),
        Encoding.PACKED,
    )


def e2e_questions(ballot: Ballot) -> list[tuple[Question, E2EQuestion]]:
    questions = list(ballot.questions.prefetch_related("candidates"))
    return [(q, e2e_question(q, len(q.candidates.all()))) for q in questions]


def voter_credential(ballot: Ballot, roll_entry_id: int) -> str:
    """The voter's roll credential: a pseudonym published beside their cast ballot, which the
    ballot's proof is bound to (so a ballot copied to another voter fails). Derived, not stored:
    HMAC-SHA-256 under a server key of the election id and the roll entry."""
    key = server_key(f"{CREDENTIAL_PURPOSE}:{ballot.election_id}")
    digest = hmac.new(key, f"{ballot.election_id}:{roll_entry_id}".encode(), hashlib.sha256)
    return "v-" + digest.hexdigest()[:32]


def commitments(ballot: Ballot) -> list[TellerCommitment]:
    return [
        TellerCommitment.from_json(t.deal["commitment"])
        for t in ballot.tellers.order_by("share_index")
        if t.deal is not None
    ]


def election(ballot: Ballot) -> E2EElection | None:
    """``e2e/election.json``'s content, once the tellers' key exists."""
    if not ballot.is_end_to_end or ballot.tellers_public_key is None:
        return None
    return E2EElection(
        election_id=ballot.election_id,
        threshold=ballot.threshold,
        tellers=ballot.tellers_count,
        public_key=bytes(ballot.tellers_public_key),
        questions=tuple(q for _, q in e2e_questions(ballot)),
    )


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True) + "\n").encode()


def _line(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")) + "\n"


def cast_lines(ballot: Ballot, question: Question) -> list[dict[str, object]]:
    """The question's cast ballots in log order, as stored at casting (docs/e2e.md)."""
    lines = []
    for entry in ballot.box.order_by("log_index").only("ciphertext"):
        stored = json.loads(bytes(entry.ciphertext))
        if stored.get("question") == question.ledger_id:
            lines.append({k: stored[k] for k in ("ballot", "credential", "proof")})
    return lines


def unanswered(question: Question) -> bool:
    """Whether no paper was cast for the question: a section none of whose members voted (an
    end-to-end voter leaves a paper only in their own region's sections), or a ballot nobody
    voted in. Such a question has nothing to mix or decrypt: no stage, no share and no paper
    (docs/e2e.md, "Sections"), and its count is void."""
    voters = RollEntry.objects.filter(ballot_id=question.ballot_id, has_voted=True)
    if question.section_region_id is not None:
        voters = voters.filter(region_id=question.section_region_id)
    return not voters.exists()


def e2e_files(ballot: Ballot) -> dict[str, bytes]:
    """Every public file of the ballot's ``e2e/`` folder as it stands, by path inside it."""
    files: dict[str, bytes] = {}
    tellers = list(ballot.tellers.order_by("share_index"))
    files["recipients.json"] = _json(
        {str(t.share_index): t.transport_key for t in tellers if t.transport_key}
    )
    for teller in tellers:
        if teller.deal is not None:
            files[f"tellers/deal-{teller.share_index}.json"] = _json(teller.deal)
    described = election(ballot)
    if described is None:
        return files
    files["election.json"] = _json(election_to_json(described))
    if ballot.status in (BallotStatus.DRAFT, BallotStatus.READY, BallotStatus.OPEN):
        return files
    for question, _ in e2e_questions(ballot):
        folder = question.ledger_id
        files[f"{folder}/cast.jsonl"] = "".join(
            _line(c) for c in cast_lines(ballot, question)
        ).encode()
        for mix in question.accepted_mixes().order_by("stage"):
            files[f"{folder}/mix-{mix.stage}.json"] = mix.document.encode()
        for decryption in question.decryptions.select_related("teller"):
            files[f"{folder}/decryption-{decryption.teller.share_index}.json"] = (
                decryption.document.encode()
            )
        if question.e2e_papers or ballot.status in (BallotStatus.COUNTED, BallotStatus.PUBLISHED):
            files[f"{folder}/plaintexts.jsonl"] = question.e2e_papers.encode()
    return files


def e2e_zip(ballot: Ballot) -> bytes:
    """The files under ``e2e/`` in a zip, for the tellers' CLI."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(e2e_files(ballot).items()):
            archive.writestr(f"e2e/{path}", data)
    return buffer.getvalue()


def paper_config(ballot: Ballot, questions: list[Question], credential: str) -> dict[str, object]:
    """What the vote page's script needs to encrypt a paper (``static/js/e2e-vote.js``): each
    question's form and, for each input on the paper, which candidate position it marks."""
    items = []
    for question in questions:
        candidates = list(question.candidates.all())
        e2e = e2e_question(question, len(candidates))
        standing = [(position, c) for position, c in enumerate(candidates) if not c.withdrawn]
        items.append(
            {
                "title": question.title,
                "paper": {
                    "id": e2e.id,
                    "kind": str(e2e.form.kind),
                    "candidates": e2e.form.candidates,
                    "encoding": str(e2e.encoding),
                },
                "ranked": question.is_ranked,
                "field": field_name(question),
                "boxes": [[field_name(question, c.pk), p, c.name] for p, c in standing],
                "choices": [[str(c.pk), p, c.name] for p, c in standing],
            }
        )
    return {
        "election_id": ballot.election_id,
        "public_key": bytes(ballot.tellers_public_key or b"").hex(),
        "credential": credential,
        "questions": items,
        "words": paper_words(),
    }


def paper_words() -> dict[str, str]:
    """The vote page script's own words, in the reader's language (``say`` in
    ``static/js/e2e-vote.js`` fills in each %(name)s)."""
    return {
        "whole_numbers": gettext(
            "%(title)s: use whole numbers only (“%(text)s” beside %(label)s)."
        ),
        "number_range": gettext(
            "%(title)s: number the candidates from 1 to %(count)s (%(label)s has %(n)s)."
        ),
        "same_number": gettext(
            "%(title)s: you gave the number %(n)s to both %(first)s and %(label)s."
        ),
        "gap": gettext(
            "%(title)s: there is a gap in your numbers (no %(n)s). Number your choices 1, 2, 3 "
            "and so on."
        ),
        "then": gettext(", then "),
        "blank": gettext("blank (no choice)"),
        "review_item": gettext("%(title)s: %(choice)s. Tracker %(tracker)s"),
        "new_tracker": gettext("%(title)s: new tracker %(tracker)s"),
        "discarded": gettext(
            "That encryption is discarded. Your paper is encrypted afresh: %(fresh)s."
        ),
        "not_recorded": gettext("The vote was not recorded."),
        "nothing_lost": gettext("%(error)s Nothing was lost: press “Cast my vote” again."),
    }


@functools.cache
def static_integrity(path: str) -> str:
    """The Subresource Integrity value (sha384) of a static file, as the page's tag carries it."""
    found = finders.find(path)
    if not isinstance(found, str):
        raise FileNotFoundError(path)
    digest = hashlib.sha384(Path(found).read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()
