"""The demo's decisions between meetings, through the proposals services: in Leeds Central an
open consent proposal the demo member has not yet answered (it waits on their home page), and a
dot vote already decided, in the group's decision log with its outcome statement. Idempotent:
a proposal already present (by title) is left alone."""

from __future__ import annotations

import datetime

from grassroots import clock
from grassroots.demo.people import CHAIR_LOGIN, DATA_MANAGER_LOGIN
from grassroots.organisation.models import Group, ScopeLevel
from grassroots.people.models import Member
from grassroots.proposals.models import Proposal
from grassroots.proposals.services.closing import close_proposal_now, write_outcome_statement
from grassroots.proposals.services.discussion import post_comment
from grassroots.proposals.services.positions import take_position
from grassroots.proposals.services.proposing import make_proposal

OPEN_TITLE = "Co-sign the tenants' union letter on damp homes"
DECIDED_TITLE = "Where to hold the January stall"


def _login_member(email: str) -> Member | None:
    return Member.objects.select_related("user").filter(user__email=email).first()


def seed_demo_proposals() -> None:
    group = Group.objects.filter(name="Leeds Central").first()
    chair = _login_member(CHAIR_LOGIN.email)
    data_manager = _login_member(DATA_MANAGER_LOGIN.email)
    if group is None or chair is None or data_manager is None or chair.user is None:
        return
    if data_manager.user is None:
        return
    if not Proposal.objects.filter(title=DECIDED_TITLE).exists():
        vote = make_proposal(
            actor=chair.user,
            level=ScopeLevel.GROUP,
            scope=group,
            title=DECIDED_TITLE,
            text="We have ten dots each: put them where you think the stall will reach most "
            "people on Saturday 9 January.",
            process="dot",
            closes_at=clock.now() + datetime.timedelta(days=3),
            options=["Kirkgate Market", "Leeds station forecourt", "Briggate"],
            budget=10,
        )
        market, station, briggate = list(vote.options.all())
        take_position(
            actor=chair.user,
            proposal=vote,
            scores={market.pk: 6, station.pk: 1, briggate.pk: 3},
            reason="Market shoppers stop and talk.",
        )
        take_position(
            actor=data_manager.user,
            proposal=vote,
            scores={market.pk: 4, briggate.pk: 6},
        )
        close_proposal_now(actor=chair.user, proposal=vote)
        write_outcome_statement(
            actor=chair.user,
            proposal=vote,
            statement="Kirkgate Market it is, 10 till 2. Fiona books the pitch; bring leaflets.",
        )
    if not Proposal.objects.filter(title=OPEN_TITLE).exists():
        letter = make_proposal(
            actor=chair.user,
            level=ScopeLevel.GROUP,
            scope=group,
            title=OPEN_TITLE,
            text="The Leeds tenants' union asks local groups to co-sign its letter to the "
            "council on damp and mould in private rentals. We sign as Leeds Central.",
            process="consent",
            closes_at=clock.now() + datetime.timedelta(days=5),
        )
        take_position(
            actor=data_manager.user,
            proposal=letter,
            choice="consent",
            reason="It matches what members told us in the survey.",
        )
        question = post_comment(
            actor=chair.user,
            proposal=letter,
            body="Does the letter name any landlords? We should not sign one that does.",
        )
        post_comment(
            actor=data_manager.user,
            proposal=letter,
            body="The letter's full text is on the tenants' union site; it names no landlords.",
            parent=question,
        )
