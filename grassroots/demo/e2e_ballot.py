"""The demo's end-to-end verifiable ballot (issue 14): a national STV election, three seats
with at least two women, taken from the tellers' key ceremony to the published result.

Everything goes through the real services, as a real ballot's would: the three demo tellers
make their transport keys, deals and key shares "on their own devices" (here, in this
process's memory, with the same ledger functions the teller commands run), and bring the
public parts to the server; voters' papers are encrypted and proved as the vote page does
(``ledger.e2e.voter.encrypt_paper``) and cast by their personal roll entry; after the close two
mix stages are made on the server (the demo's task worker: it needs no secret) and two tellers
upload decryption shares with proofs; then the count and the publication. The tellers' key
shares are forgotten when the function returns: nothing secret is stored. Run on a shifted clock
like the finished demo ballot, so it reads as held last month. Idempotent by title.
"""

from __future__ import annotations

import datetime
import random

import nacl.public

from grassroots import clock
from grassroots.ballots.e2e import commitments, e2e_questions, voter_credential
from grassroots.ballots.models import Ballot, QuestionKind, RollEntry
from grassroots.ballots.services.ceremony import (
    confirm_shares,
    publish_deal,
    publish_transport_key,
)
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.e2e_casting import cast_e2e_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.mixing import (
    mix_on_server,
    stage_inputs,
    upload_decryption,
)
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.sealing import seal_pending
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import set_up_tellers
from grassroots.demo.ballots import NATIONAL_CANDIDATES, POPULARITY, _member
from grassroots.demo.clock import stepped_clock
from grassroots.demo.people import (
    AUDITOR_LOGIN,
    COMMITTEE_LOGIN,
    NATIONAL_LOGIN,
    REGIONAL_LOGIN,
    login_of,
)
from grassroots.ledger.e2e.ceremony import (
    combine_received_shares,
    deal,
    decryption_shares,
    election_public_key,
)
from grassroots.ledger.e2e.files import (
    Deal,
    Decryption,
    cast_to_json,
    deal_to_json,
    decryption_to_json,
)
from grassroots.ledger.e2e.group import scalar_from_hex, scalar_hex
from grassroots.ledger.e2e.papers import Paper
from grassroots.ledger.e2e.proofs import prove_decryption
from grassroots.ledger.e2e.voter import encrypt_paper
from grassroots.people.models import Member

E2E_TITLE = "National committee election 2026, end-to-end verifiable (demo)"
E2E_CEREMONY_TITLE = "National committee by-election, end-to-end verifiable (demo)"
E2E_VOTES = 60
SEED = 20_260_301


def _ceremony(ballot: Ballot, tellers: list[Member]) -> dict[int, int]:
    """The tellers' key ceremony, each teller's secret kept only in this function's memory."""
    n, k = ballot.tellers_count, ballot.threshold
    rows = {t.share_index: t for t in ballot.tellers.all()}
    transports = {number: nacl.public.PrivateKey.generate() for number in rows}
    for number, member in enumerate(tellers, start=1):
        publish_transport_key(
            actor=login_of(member),
            teller=rows[number],
            key_hex=bytes(transports[number].public_key).hex(),
        )
    dealt: dict[int, dict[int, bytes]] = {}
    for number, member in enumerate(tellers, start=1):
        commitment, shares = deal(
            election_id=ballot.election_id, teller=number, threshold=k, tellers=n
        )
        sealed = {
            to: nacl.public.SealedBox(transports[to].public_key).encrypt(scalar_hex(share).encode())
            for to, share in shares.items()
        }
        dealt[number] = sealed
        publish_deal(
            actor=login_of(member),
            teller=rows[number],
            document=deal_to_json(Deal(ballot.election_id, k, n, commitment, sealed)),
        )
    published = commitments(ballot)
    secrets: dict[int, int] = {}
    for number, member in enumerate(tellers, start=1):
        opener = nacl.public.SealedBox(transports[number])
        received = {
            sender: scalar_from_hex(opener.decrypt(boxes[number]).decode())
            for sender, boxes in dealt.items()
        }
        secrets[number] = combine_received_shares(published, number, received)
        confirm_shares(
            actor=login_of(member),
            teller=rows[number],
            election_key_hex=election_public_key(published).hex(),
        )
    return secrets


def _marks(rng: random.Random, candidates: int) -> tuple[int, ...]:
    pool = list(zip(range(candidates), POPULARITY, strict=True))
    ranking = []
    while pool:
        pick = rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
        ranking.append(pool.pop(pick)[0])
    return tuple(ranking[: rng.randint(1, len(ranking))])


def _ballot_with_candidates(
    rng: random.Random,
    *,
    title: str,
    description: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
) -> tuple[Ballot, Member, list[Member]]:
    """A national e2e STV ballot, three seats with at least two women, its candidates and its
    three tellers named (the ceremony not yet held); with its officer and tellers."""
    officer = _member(NATIONAL_LOGIN.email)
    tellers = [_member(e.email) for e in (COMMITTEE_LOGIN, AUDITOR_LOGIN, REGIONAL_LOGIN)]
    pool = list(Member.objects.filter(status="member").exclude(user__isnull=False).order_by("pk"))
    candidates = rng.sample(pool, len(NATIONAL_CANDIDATES))
    ballot = create_ballot(
        actor=login_of(officer),
        title=title,
        description=description,
        level="nation",
        scope=None,
        opens_at=opens_at,
        closes_at=closes_at,
        tellers_count=3,
        threshold=2,
        end_to_end=True,
    )
    question = add_question(
        actor=login_of(officer),
        ballot=ballot,
        title="National committee",
        kind=QuestionKind.STV,
        stv_rule="scottish",
        seats=3,
        constraints=[{"category": "women", "minimum": 2, "maximum": None}],
    )
    for number, member in enumerate(candidates):
        add_candidate(
            actor=login_of(officer),
            question=question,
            name=member.full_name,
            statement=f"{member.first_name} wants the committee to answer to members.",
            categories=list(NATIONAL_CANDIDATES[number]),
            member=member,
        )
    set_up_tellers(actor=login_of(officer), ballot=ballot, members=tellers)
    return ballot, officer, tellers


def seed_e2e_ceremony_ballot() -> Ballot:
    """The same kind of ballot waiting for its tellers' key ceremony: what a visitor (and issue
    14's acceptance journey) takes through the pages to a published result. The three demo
    tellers hold the ceremony on their pages, with the teller commands on their own computers;
    the returning officer (National Office) opens, closes, counts and publishes. Made once."""
    existing = Ballot.objects.filter(title=E2E_CEREMONY_TITLE).first()
    if existing is not None:
        return existing
    rng = random.Random(SEED + 1)  # noqa: S311 - made-up candidates, reproducible on purpose
    today = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    ballot, _, _ = _ballot_with_candidates(
        rng,
        title=E2E_CEREMONY_TITLE,
        description="The national committee: three seats, at least two of them women. Its "
        "tellers have yet to make its key: each on their own computer, so that no one, "
        "not even whoever runs this site, holds a key that opens a ballot.",
        opens_at=today + datetime.timedelta(days=7),
        closes_at=today + datetime.timedelta(days=14),
    )
    return Ballot.objects.get(pk=ballot.pk)


def seed_e2e_ballot(*, votes: int = E2E_VOTES) -> Ballot:
    """The end-to-end STV ballot with a women's quota, published; made once."""
    existing = Ballot.objects.filter(title=E2E_TITLE).first()
    if existing is not None:
        return existing
    rng = random.Random(SEED)  # noqa: S311 - made-up votes, reproducible on purpose
    today = clock.now().replace(hour=12, minute=0, second=0, microsecond=0)
    opens_at = today - datetime.timedelta(days=40)
    closes_at = today - datetime.timedelta(days=33)
    with stepped_clock(opens_at - datetime.timedelta(days=3)) as advance:
        ballot, officer, tellers = _ballot_with_candidates(
            rng,
            title=E2E_TITLE,
            description="The national committee: three seats, at least two of them women. "
            "Every paper was encrypted in the voter's browser; nobody running this site could "
            "read one.",
            opens_at=opens_at,
            closes_at=closes_at,
        )
        secrets = _ceremony(ballot, tellers)
        advance(datetime.timedelta(days=3, minutes=1))
        open_ballot(actor=login_of(officer), ballot=ballot)
        ballot = Ballot.objects.get(pk=ballot.pk)
        ((_, e2e_question),) = e2e_questions(ballot)
        key = bytes(ballot.tellers_public_key or b"")
        roll = list(RollEntry.objects.filter(ballot=ballot).order_by("pk"))
        for entry in rng.sample(roll, min(votes, len(roll))):
            credential = voter_credential(ballot, entry.pk)
            cast, _ = encrypt_paper(
                election_id=ballot.election_id,
                question=e2e_question,
                credential=credential,
                public_key=key,
                paper=Paper(_marks(rng, len(NATIONAL_CANDIDATES))),
            )
            line = cast_to_json(cast)
            cast_e2e_ballot(
                ballot=ballot,
                roll_entry=entry,
                papers={e2e_question.id: {"ballot": line["ballot"], "proof": line["proof"]}},
                idempotency_key=f"demo-e2e-{entry.pk:010d}",
            )
            advance(datetime.timedelta(minutes=11))
        seal_pending(ballot, min_batch=1)
        advance(closes_at - clock.now() + datetime.timedelta(minutes=1))
        close_ballot(actor=login_of(officer), ballot=ballot)
        for mixer in ("Demo mixer 1 (task worker)", "Demo mixer 2 (task worker)"):
            advance(datetime.timedelta(hours=1))
            mix_on_server(actor=login_of(officer), ballot=ballot, mixer=mixer)
        alphas = [c.alpha for b in stage_inputs(ballot.questions.get()) for c in b]
        for number in (1, 2):
            advance(datetime.timedelta(hours=1))
            shares = decryption_shares(secrets[number], alphas)
            proof = prove_decryption(
                election_id=ballot.election_id,
                teller=number,
                secret_share=secrets[number],
                alphas=alphas,
                shares=shares,
            )
            upload_decryption(
                actor=login_of(tellers[number - 1]),
                teller=ballot.tellers.get(share_index=number),
                question_id=e2e_question.id,
                document=decryption_to_json(Decryption(number, [(s,) for s in shares], proof)),
            )
        del secrets
        count_ballot(actor=login_of(officer), ballot=ballot)
        advance(datetime.timedelta(hours=1))
        publish_results(actor=login_of(officer), ballot=ballot)
    return Ballot.objects.get(pk=ballot.pk)
