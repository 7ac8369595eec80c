"""One clock for every service, read when it is called (grassroots.clock).

The demo seeds weeks of a movement's life with ``grassroots.clock.now`` pointed at each step's
day (``grassroots.demo.clock.stepped_clock``), and tests move it the same way. A module that
imported the function itself (``from grassroots.clock import now``) kept whichever function was
there when it was first imported: one first imported while the demo was seeding stamped every
later change in that process with the demo's frozen moment (a quorum rule changed "on 4
December", so a meeting under way took the new rule: a browser test failed after any test that
restored the demo), and one imported before a test moved the clock never saw it move.
"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from grassroots import clock
from grassroots.demo.clock import stepped_clock
from grassroots.meetings.models import QuorumRuleChange
from grassroots.meetings.services.quorum import set_quorum_rule
from grassroots.organisation.models import Role, ScopeLevel
from tests.factories import GroupFactory, RoleFactory
from tests.web.roles import give_authenticator_app

PACKAGE = Path(clock.__file__).resolve().parent


def test_no_module_keeps_its_own_copy_of_the_clock():
    copies = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "grassroots.clock":
                names = ", ".join(alias.name for alias in node.names)
                copies.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} imports {names}")
    assert not copies, "read the clock as clock.now() / clock.today():\n" + "\n".join(copies)


@pytest.mark.django_db
def test_a_change_made_after_the_demo_s_stepped_clock_is_stamped_with_the_time_now():
    group = GroupFactory()
    chair = RoleFactory(role=Role.CHAIR, group=group).member.user
    give_authenticator_app(chair)
    past = timezone.now() - datetime.timedelta(days=30)

    def change(minimum: int) -> QuorumRuleChange:
        set_quorum_rule(
            actor=chair,
            level=ScopeLevel.GROUP,
            body=group,
            minimum_present=minimum,
            percent_of_members=0,
            reason="Agreed at the AGM",
        )
        return QuorumRuleChange.objects.get(group=group, minimum_present=minimum)

    with stepped_clock(past) as advance:
        advance(datetime.timedelta(hours=1))
        during = change(4)
    before = timezone.now()
    after = change(5)
    assert during.changed_at == past + datetime.timedelta(hours=1)
    assert after.changed_at >= before
