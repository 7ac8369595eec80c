"""Database secrecy of an end-to-end ballot (issue 14), on PostgreSQL: read every table, every
row and every system column (xmin, xmax, cmin, cmax, ctid) of a closed, mixed, counted and
published e2e ballot, as someone holding the database would, and find no link from a member to
a paper beyond what the published result says.

What links a member to their cast ciphertext is expected (the server sees who sends which
ciphertext, and the credential is derived from the roll entry); secrecy rests on that
ciphertext never being linked to its decryption. So the test holds, for every voter, the values
that would link them (their paper's group elements, the randomness that encrypted it, their
paper as the server-mode plaintext) and shows that none is stored anywhere; that the only
decrypted papers stored are the per-question list in the last mix stage's order (no box row,
no roll row, and no row written by a casting transaction holds one); and that this order is
not the order of casting.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from grassroots.ballots.e2e import e2e_questions, voter_credential
from grassroots.ballots.models import Ballot, BallotBoxEntry, Question, RollEntry
from grassroots.ballots.publication import election_parameters
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.e2e_casting import cast_e2e_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.mixing import mix_on_server, upload_decryption
from grassroots.ballots.services.publishing import publish_results
from grassroots.ledger.e2e.files import cast_to_json
from grassroots.ledger.e2e.group import scalar_hex
from grassroots.ledger.e2e.papers import Paper, encode_paper
from grassroots.ledger.e2e.voter import encrypt_paper
from grassroots.ledger.recount import ballot_plaintext
from tests.ballots.conftest import Clock
from tests.ballots.e2e_helpers import make_e2e_ballot, run, teller_row, unzip_e2e
from tests.factories import MemberWithLoginFactory

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("transactional_db")]

ORDERS = [(0, 1), (1, 0, 2), (2, 3), (3, 2, 1, 0), (0,), (1, 3), (2,), (3, 0)]


def dump_every_table() -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table in the schema, with its system columns, as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        dump = {}
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT xmin::text, xmax::text, cmin::text, cmax::text, ctid::text, t::text "
                f"FROM {quoted} t"
            )
            dump[table] = cursor.fetchall()
    return dump


def test_nothing_in_the_database_links_a_member_to_a_paper_after_mixing(
    tmp_path: Path, monkeypatch
):
    moved = Clock(monkeypatch)
    setup = make_e2e_ballot(tmp_path)
    voters = [MemberWithLoginFactory(home_group=setup.group) for _ in ORDERS]
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    key = bytes(ballot.tellers_public_key)
    questions = dict((e2e.id, e2e) for _, e2e in e2e_questions(ballot))
    ledger = {q.id: q for q in election_parameters(ballot).questions}
    linking: dict[int, set[str]] = {}
    cast_order: list[tuple[int, ...]] = []
    for voter, order in zip(voters, ORDERS, strict=True):
        entry = RollEntry.objects.get(ballot=ballot, member=voter)
        credential = voter_credential(ballot, entry.pk)
        papers, secrets_of_voter = {}, set()
        for question_id, marks in (("q1", order), ("q2", (order[0] % 2,))):
            question = questions[question_id]
            cast, randomness = encrypt_paper(
                election_id=ballot.election_id,
                question=question,
                credential=credential,
                public_key=key,
                paper=Paper(marks),
            )
            line = cast_to_json(cast)
            papers[question_id] = {"ballot": line["ballot"], "proof": line["proof"]}
            secrets_of_voter |= {scalar_hex(r) for r in randomness}
            secrets_of_voter |= {
                m.hex() for m in encode_paper(question.form, question.encoding, Paper(marks))
            }
            secrets_of_voter.add(ballot_plaintext(ledger[question_id], marks).decode())
        cast_order.append(order)
        cast_e2e_ballot(
            ballot=ballot,
            roll_entry=entry,
            papers=papers,
            idempotency_key=f"secrecy-test-{entry.pk:08d}",
        )
        linking[voter.pk] = secrets_of_voter

    moved.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=ballot)
    ballot.refresh_from_db()
    for mixer in ("Mixer one", "Mixer two"):
        mix_on_server(actor=setup.officer.user, ballot=ballot, mixer=mixer)
    for question_id in ("q1", "q2"):
        for number in (1, 2):
            e2e = unzip_e2e(ballot, tmp_path / f"decrypt-{number}-{question_id}")
            run(
                "teller",
                "decrypt",
                str(e2e),
                "--question",
                question_id,
                "--teller",
                str(number),
                "--share",
                str(setup.folder / f"teller-{number}.share"),
            )
            upload_decryption(
                actor=setup.tellers[number - 1].user,
                teller=teller_row(setup, number),
                question_id=question_id,
                document=json.loads((e2e / question_id / f"decryption-{number}.json").read_text()),
            )
    count_ballot(actor=setup.officer.user, ballot=ballot)
    publish_results(actor=setup.officer.user, ballot=Ballot.objects.get(pk=ballot.pk))

    dump = dump_every_table()
    text = "\n".join(" ".join(row) for rows in dump.values() for row in rows)
    # 1. No value that would link a voter to their paper is stored anywhere, in any column.
    for member_id, values in linking.items():
        for value in values:
            assert value not in text, f"member {member_id}'s {value[:20]}... is in the database"
    # 2. The box holds ciphertexts only; the decrypted papers are stored once, per question, in
    #    the last mix stage's order, not in casting order.
    assert not BallotBoxEntry.objects.filter(ballot=ballot, plaintext__isnull=False).exists()
    q1 = Question.objects.get(ballot=ballot, position=1)
    published = [tuple(json.loads(line)["marks"]) for line in q1.e2e_papers.splitlines()]
    assert sorted(published) == sorted(cast_order) and published != cast_order

    # 3. By transaction ids: no row holding decrypted papers was written by a transaction that
    #    wrote a roll mark or a box row (the close rewrote every roll mark; the count wrote the
    #    papers), so xmin joins nothing to them.
    def xmins(table: str) -> set[str]:
        return {row[0] for row in dump[table]}

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text FROM {Question._meta.db_table} WHERE ballot_id = %s",
            [ballot.pk],
        )
        paper_xmins = {x for (x,) in cursor.fetchall()}
    assert not paper_xmins & xmins(RollEntry._meta.db_table)
    assert not paper_xmins & xmins(BallotBoxEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(DISTINCT xmin::text) FROM {RollEntry._meta.db_table} "
            "WHERE ballot_id = %s AND has_voted",
            [ballot.pk],
        )
        assert cursor.fetchone() == (1,)  # every roll mark carries the close's transaction id


def test_simultaneous_e2e_submissions_give_one_vote_per_member(tmp_path: Path):
    """One member, one vote, for encrypted papers too: 12 members x 4 simultaneous submissions
    (two double clicks with one key, two other tabs each with its own encryption and key)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from grassroots.ballots.models import UnsealedBallot
    from grassroots.ballots.services.errors import AlreadyVoted

    setup = make_e2e_ballot(tmp_path)
    voters = [MemberWithLoginFactory(home_group=setup.group) for _ in range(12)]
    open_ballot(actor=setup.officer.user, ballot=setup.ballot)
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    key = bytes(ballot.tellers_public_key)
    questions = [e2e for _, e2e in e2e_questions(ballot)]
    jobs = []
    for voter in voters:
        entry = RollEntry.objects.get(ballot=ballot, member=voter)
        credential = voter_credential(ballot, entry.pk)
        for attempt in range(4):
            papers = {}
            for question in questions:
                cast, _ = encrypt_paper(
                    election_id=ballot.election_id,
                    question=question,
                    credential=credential,
                    public_key=key,
                    paper=Paper(()),
                )
                line = cast_to_json(cast)
                papers[question.id] = {"ballot": line["ballot"], "proof": line["proof"]}
            chosen = (
                f"same-key-{entry.pk:010d}" if attempt < 2 else f"tab-{attempt}-{entry.pk:010d}"
            )
            jobs.append((entry, papers, chosen))

    def submit(job):  # type: ignore[no-untyped-def]
        entry, papers, chosen = job
        try:
            return cast_e2e_ballot(
                ballot=ballot, roll_entry=entry, papers=papers, idempotency_key=chosen
            )
        except AlreadyVoted:
            return None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(submit, jobs))
    assert RollEntry.objects.filter(ballot=ballot, has_voted=True).count() == 12
    assert UnsealedBallot.objects.filter(ballot=ballot).count() == 12 * 2
    assert sum(1 for o in outcomes if o is not None and not o.is_repeat) == 12
