"""``seed_demo``: the whole demo movement, built once, each part by its own module.

The organisation and its people first (``demo.people``), then each app's part in turn, every
part through that app's services: the ballots (``demo.ballots``), group recognition
(``demo.recognition``), a draw by lot, the oversight register, surveys, meetings and delegation.
Every part is idempotent, so a database that already holds the demo is left as it is, and an
older demo gets a part added since.
"""

from __future__ import annotations

from dataclasses import dataclass

from grassroots.accounts.models import User
from grassroots.audit.actions import AuditAction
from grassroots.audit.services import record
from grassroots.demo.assembly import seed_demo_assembly
from grassroots.demo.ballots import seed_demo_ballots
from grassroots.demo.delegation import seed_demo_delegation
from grassroots.demo.e2e_ballot import seed_e2e_ballot, seed_e2e_ceremony_ballot
from grassroots.demo.meetings import seed_demo_meetings
from grassroots.demo.oversight import seed_demo_oversight
from grassroots.demo.people import (
    DEFAULT_MEMBERS,
    DEMO_LOGINS,
    MINIMUM_MEMBERS,
    NATIONAL_LOGIN,
    DemoLogin,
    build_organisation,
)
from grassroots.demo.proposals import seed_demo_proposals
from grassroots.demo.recognition import seed_demo_recognition
from grassroots.demo.slates import seed_demo_slate
from grassroots.demo.sortition import seed_demo_draw
from grassroots.demo.surveys import seed_demo_surveys
from grassroots.organisation.models import Group
from grassroots.people.models import Member


@dataclass(frozen=True)
class SeedResult:
    created: bool
    members: int
    groups: int
    logins: tuple[DemoLogin, ...] = DEMO_LOGINS


def demo_is_present() -> bool:
    return User.objects.filter(email=NATIONAL_LOGIN.email).exists()


def seed_demo(*, members: int = DEFAULT_MEMBERS) -> SeedResult:
    """Build the demo movement unless it is already there; return what the database holds."""
    if members < MINIMUM_MEMBERS:
        raise ValueError(f"The demo needs at least {MINIMUM_MEMBERS} members, not {members}.")
    created = not demo_is_present()
    if created:
        # The structure, the membership import and the logins are each their own transaction
        # (the import is a durable use case, as from the command line).
        build_organisation(members)
        record(
            actor=None,
            action=AuditAction.SEED_DEMO,
            subject_type="organisation",
            purpose="demo organisation for trying the platform",
            detail={"members": members},
        )
    # Outside the organisation's transaction: every ballot step is its own durable transaction.
    # Each part is made once; an older demo gets the parts added since.
    seed_demo_ballots()
    seed_e2e_ballot()
    seed_e2e_ceremony_ballot()
    seed_demo_recognition()
    seed_demo_draw()
    seed_demo_oversight()
    seed_demo_surveys()
    seed_demo_meetings()
    seed_demo_delegation()
    seed_demo_proposals()
    seed_demo_assembly()
    seed_demo_slate()
    return SeedResult(created=created, members=Member.objects.count(), groups=Group.objects.count())
