"""A motion sent to a ballot of members and taken to a published result through the real
ballot services: tellers, opening, casting, closing, the tellers' shares, the count."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from grassroots import clock
from grassroots.ballots.models import Ballot
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.meetings.models import Motion
from grassroots.meetings.services.decisions import send_motion_to_ballot
from grassroots.people.models import Member
from tests.ballots.conftest import Clock
from tests.meetings.builders import make_quorate

DAY = datetime.timedelta(days=1)


def send_to_ballot(motion: Motion, chair: Member, tellers: Sequence[Member]) -> Ballot:
    """The chair sends ``motion`` to a ballot opening in a day (the tellers signed in, so the
    meeting is quorate) and sets up its tellers."""
    make_quorate(motion.meeting, tellers, by=chair)
    opens = clock.now() + DAY
    send_motion_to_ballot(
        actor=chair.user, motion=motion, opens_at=opens, closes_at=opens + 7 * DAY
    )
    motion.refresh_from_db()
    ballot = Ballot.objects.get(pk=motion.ballot_id)
    set_up_tellers(actor=chair.user, ballot=ballot, members=list(tellers))
    return ballot


def vote_and_publish(
    ballot: Ballot,
    chair: Member,
    tellers: Sequence[Member],
    clock_: Clock,
    votes: Sequence[tuple[Member, str]],
    *,
    publish: bool = True,
) -> Ballot:
    """Collect the shares, open, cast ``votes`` ((member, "Yes"/"No"/"Abstain")), close,
    count and (unless ``publish`` is false) publish."""
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    clock_.advance(days=1, minutes=1)
    open_ballot(actor=chair.user, ballot=ballot)
    ballot = Ballot.objects.get(pk=ballot.pk)
    question = ballot.questions.get()
    answer = {c.name: c.pk for c in question.candidates.all()}
    for voter, choice in votes:
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers={question.pk: [answer[choice]]},
            idempotency_key=secrets.token_urlsafe(24),
        )
    clock_.advance(days=7, minutes=1)
    close_ballot(actor=chair.user, ballot=ballot)
    ballot = Ballot.objects.get(pk=ballot.pk)
    for teller, share in list(zip(tellers, shares, strict=True))[: ballot.threshold]:
        reveal_share(actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share)
    count_ballot(actor=chair.user, ballot=ballot)
    if publish:
        publish_results(actor=chair.user, ballot=ballot)
    return Ballot.objects.get(pk=ballot.pk)
