"""schemathesis against the API's own OpenAPI schema, loaded from the WSGI application (no
server): every operation, as an anonymous caller, a member on an open ballot's roll and an
officer, must never answer 5xx and must always answer as the schema says (status codes,
content type, body schema), for generated valid and invalid requests.

Bounded: a fixed number of examples per operation, no shrinking beyond hypothesis' default,
so the whole file stays short (docs/api.md has the measured time).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from grassroots.wsgi import application
from tests.api.conftest import token_for
from tests.ballots.conftest import make_ballot, open_with_voters
from tests.meetings.builders import amendment_to, group_meeting, motion_in
from tests.web.roles import build_movement

pytestmark = pytest.mark.django_db

EXAMPLES = 10


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection() -> Iterator[None]:
    """Calls go straight to the WSGI application, whose request signals would close the
    database connection after each request; on PostgreSQL that ends the test's transaction.
    Django's own test client disconnects the same receiver for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(db) -> dict[str, dict[str, str]]:
    """Headers per caller, with real data behind them: the access-table movement, a ballot
    open in group A with every one of them on its roll, a meeting of group A with a motion and
    an amendment, and personal tokens."""
    movement = build_movement()
    setup = make_ballot(group=movement.group_a)
    open_with_voters(setup, 2)
    meeting = group_meeting(movement.group_a, movement.secretary_a)
    motion = motion_in(meeting, movement.member, movement.in_group_a)
    amendment_to(motion, movement.in_group_a)
    return {
        "anonymous": {},
        "member": {"Authorization": f"Bearer {token_for(movement.member)}"},
        "officer": {"Authorization": f"Bearer {token_for(movement.national)}"},
    }


# Every default check runs (no 5xx; status codes, content types, headers and bodies as the
# schema says; invalid requests refused, valid ones accepted). One allowance: a cast whose body
# fits the schema can still name a candidate of another ballot, which the ballot's rules refuse
# with 400 invalid_ballot; the schema cannot say which candidate ids belong to which ballot.
CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""
)

# Read from the application itself at collection (the schema view touches no database).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@bounded
def test_api_conforms_to_its_schema_for_anonymous_callers(case, callers):
    case.call_and_validate(headers=callers["anonymous"])


@schema.parametrize()
@bounded
def test_api_conforms_to_its_schema_for_a_member(case, callers):
    case.call_and_validate(headers=callers["member"])


@schema.parametrize()
@bounded
def test_api_conforms_to_its_schema_for_an_officer(case, callers):
    case.call_and_validate(headers=callers["officer"])
