"""The accountability page's commitments: made, updated with evidence, overdue when late."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from grassroots import clock
from grassroots.oversight import commitments, services
from grassroots.oversight.models import Commitment, CommitmentStatus

pytestmark = pytest.mark.django_db


def _commitment(world, *, due_in: int = 30) -> Commitment:
    today = clock.today()
    return commitments.add_commitment(
        actor=world.committee[0].user,
        title="Publish the accounts",
        description="Audited accounts for 2025.",
        made_on=today - datetime.timedelta(days=60),
        due_on=today + datetime.timedelta(days=due_in),
    )


def test_the_committee_adds_a_commitment_and_marks_it_done_only_with_evidence(world):
    commitment = _commitment(world)
    with pytest.raises(services.OversightError, match="evidence"):
        commitments.update_commitment(
            actor=world.committee[1].user,
            commitment=commitment,
            status=CommitmentStatus.DONE,
            note="",
            evidence="",
            evidence_url="",
        )
    assert Commitment.objects.get(pk=commitment.pk).status == CommitmentStatus.NOT_STARTED
    commitments.update_commitment(
        actor=world.committee[1].user,
        commitment=commitment,
        status=CommitmentStatus.DONE,
        note="Published.",
        evidence="Accounts on the website.",
        evidence_url="https://example.org/accounts.pdf",
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DONE
    assert [u.status for u in commitment.updates.all()] == ["not_started", "done"]


def test_a_commitment_past_its_due_date_is_overdue(world):
    commitment = _commitment(world, due_in=-5)
    assert commitment.is_overdue and commitment.days_overdue == 5


def test_a_member_cannot_add_commitments(world):
    with pytest.raises(PermissionDenied):
        commitments.add_commitment(
            actor=world.members[0].user,
            title="X",
            description="",
            made_on=clock.today(),
            due_on=clock.today(),
        )


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_overview_lists_an_overdue_commitment_with_its_days(world, client, language):
    """The overview's overdue line (it once failed with a 500: the template's ``c=c.title``
    replaced ``c`` before ``c.days_overdue`` was read)."""
    _commitment(world, due_in=-5)
    client.force_login(world.members[0].user)
    response = client.get("/oversight/", headers={"accept-language": language})
    assert response.status_code == 200
    page = response.content.decode()
    expected = "5 diwrnod yn hwyr" if language == "cy" else "5 days overdue"
    assert "Publish the accounts" in page and expected in page
