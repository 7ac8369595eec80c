"""bench/cast_load.py's end-to-end half (``--e2e``): the ballot, the voters' encrypted papers,
and the count after the mix-net.

- The ballot is cast_load's (an STV question of 8 candidates, 3 seats, at least one woman; a
  yes/no motion) in end-to-end mode; its three tellers (the first three voters) hold the key
  ceremony through the real services, each secret share kept only in this process's memory
  (``grassroots.demo.e2e_ballot._ceremony``, the demo's own).
- Each voter's request is built before the load, as the vote page's script would post it: every
  question's paper encrypted for the voter's roll credential with its proof
  (``ledger.e2e.voter.encrypt_paper``, the code the browser's is held equal to), in JSON, to
  the lean cast endpoint. The encryption is the voters' browsers' work, so it is done before the
  clock starts, on both cores. The server checks every proof as it casts: that is what the load
  measures.
- After the close: two mix stages of every question on the server (``mix_on_server``, each
  proof of shuffle checked as an uploaded stage's is), two tellers' decryption shares with their
  proofs, the count, the publication; the verifier then checks every cast proof, every shuffle
  and every decryption again (checks 1-14).
"""

from __future__ import annotations

import json
import os
import random
import secrets
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# A random STV ranking of 8 and a yes/no answer (10% blank), as cast_load's form voters send.
STV_CANDIDATES = 8


def seed_e2e_ballot(officer: Any, users: list[Any]) -> tuple[Any, list[Any], dict[int, int]]:
    """cast_load's ballot in end-to-end mode, its key made by the tellers' ceremony. Returns the
    ballot, the tellers and their secret shares (this process's memory only)."""
    import datetime

    from grassroots import clock
    from grassroots.ballots.models import Ballot, QuestionKind
    from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
    from grassroots.ballots.services.tellers import set_up_tellers
    from grassroots.demo.e2e_ballot import _ceremony
    from grassroots.people.models import Member

    now = clock.now()
    ballot = create_ballot(
        actor=officer,
        title="National committee election (end-to-end load test)",
        description="Eight candidates for three seats, and a motion.",
        level="nation",
        scope=None,
        opens_at=now - datetime.timedelta(seconds=60),
        closes_at=now + datetime.timedelta(days=1),
        tellers_count=3,
        threshold=2,
        end_to_end=True,
    )
    stv = add_question(
        actor=officer,
        ballot=ballot,
        title="National committee",
        kind=QuestionKind.STV,
        stv_rule="scottish",
        seats=3,
        constraints=[{"category": "women", "minimum": 1, "maximum": None}],
    )
    names = ["Aisha", "Ben", "Carys", "Dev", "Efua", "Finn", "Grace", "Hamza"]
    for number, name in enumerate(names):
        add_candidate(
            actor=officer,
            question=stv,
            name=f"{name} Candidate",
            categories=["women"] if number % 2 == 0 else [],
        )
    add_question(actor=officer, ballot=ballot, title="Adopt the new constitution?", kind="yesno")
    tellers = list(Member.objects.filter(user__in=users[:3]).select_related("user"))
    set_up_tellers(actor=officer, ballot=ballot, members=tellers)
    secret_shares = _ceremony(ballot, tellers)
    return Ballot.objects.get(pk=ballot.pk), tellers, secret_shares


def _encrypt_batch(job: tuple[str, bytes, list[Any], list[tuple[str, int]]]) -> list[bytes]:
    """One process's share of the voters' browsers' work: each voter's JSON body."""
    from grassroots.ledger.e2e.files import cast_to_json
    from grassroots.ledger.e2e.papers import Paper
    from grassroots.ledger.e2e.voter import encrypt_paper

    election_id, public_key, questions, voters = job
    bodies = []
    for credential, seed in voters:
        rng = random.Random(seed)
        papers = {}
        for question in questions:
            if question.id == "q1":
                order = list(range(STV_CANDIDATES))
                rng.shuffle(order)
                marks = tuple(order[: rng.randint(1, STV_CANDIDATES)])
            else:
                marks = (rng.randrange(2),) if rng.random() < 0.9 else ()
            cast, _ = encrypt_paper(
                election_id=election_id,
                question=question,
                credential=credential,
                public_key=public_key,
                paper=Paper(marks),
            )
            line = cast_to_json(cast)
            papers[question.id] = {"ballot": line["ballot"], "proof": line["proof"]}
        body = {"idempotency_key": secrets.token_urlsafe(24), "papers": papers}
        bodies.append(json.dumps(body, separators=(",", ":")).encode())
    return bodies


def encrypted_bodies(ballot_id: int, voter_users: list[Any], seed: int) -> list[bytes]:
    """Every voter's cast request body, in the order of ``voter_users``, encrypted on every
    core before the load."""
    from grassroots.ballots.e2e import e2e_questions, voter_credential
    from grassroots.ballots.models import Ballot, RollEntry

    ballot = Ballot.objects.get(pk=ballot_id)
    questions = [q for _, q in e2e_questions(ballot)]
    entry_of = dict(RollEntry.objects.filter(ballot=ballot).values_list("member__user_id", "pk"))
    rng = random.Random(seed)
    voters = [
        (voter_credential(ballot, entry_of[user.pk]), rng.randrange(2**32)) for user in voter_users
    ]
    key = bytes(ballot.tellers_public_key or b"")
    processes = os.cpu_count() or 1
    size = max(1, -(-len(voters) // (processes * 4)))
    jobs = [
        (ballot.election_id, key, questions, voters[i : i + size])
        for i in range(0, len(voters), size)
    ]
    from django.db import connections

    connections.close_all()  # the forked processes must not share (and close) its socket
    with ProcessPoolExecutor(processes) as pool:
        return [body for bodies in pool.map(_encrypt_batch, jobs) for body in bodies]


def mix_and_decrypt(ballot_id: int, officer: Any, secret_shares: dict[int, int]) -> None:
    """After the close: two server mix stages of every question, then tellers 1 and 2 upload
    their decryption shares of the last stage with their proofs."""
    from grassroots.ballots.models import Ballot
    from grassroots.ballots.services.mixing import mix_on_server, stage_inputs, upload_decryption
    from grassroots.ledger.e2e.ceremony import decryption_shares
    from grassroots.ledger.e2e.files import Decryption, decryption_to_json
    from grassroots.ledger.e2e.proofs import prove_decryption

    for mixer in ("Bench mixer 1", "Bench mixer 2"):
        mix_on_server(actor=officer, ballot=Ballot.objects.get(pk=ballot_id), mixer=mixer)
    ballot = Ballot.objects.get(pk=ballot_id)
    for question in ballot.questions.order_by("position"):
        last = stage_inputs(question)
        width = len(last[0]) if last else 1
        alphas = [c.alpha for encrypted in last for c in encrypted]
        for number in (1, 2):
            teller = ballot.tellers.select_related("member__user").get(share_index=number)
            shares = decryption_shares(secret_shares[number], alphas)
            proof = prove_decryption(
                election_id=ballot.election_id,
                teller=number,
                secret_share=secret_shares[number],
                alphas=alphas,
                shares=shares,
            )
            rows = [tuple(shares[i : i + width]) for i in range(0, len(shares), width)]
            upload_decryption(
                actor=teller.member.user,
                teller=teller,
                question_id=question.ledger_id,
                document=decryption_to_json(Decryption(number, rows, proof)),
            )
