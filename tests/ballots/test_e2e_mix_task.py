"""A mix stage uploaded on the tellers' page is kept at once and its proof of shuffle checked by
a background task (minutes for a large ballot, too long for a web request): the page shows the
check running, then its outcome; a refusal says why and the corrected stage takes its number; a
check stopped by an unexpected error is started again from the page, and nothing is accepted or
audited twice, however often the task runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.ballots.models import MixStage, MixStageStatus
from grassroots.ballots.services import mixing
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ballots.services.lifecycle import close_ballot
from grassroots.ballots.services.mixing import (
    recheck_mix_stage,
    request_mix_stage,
    run_mix_check,
    upload_decryption,
)
from tests.ballots.e2e_helpers import E2ESetUp, teller_row
from tests.ballots.test_e2e_casting import credential_of, encrypted_papers, open_e2e, post_cast
from tests.ballots.test_e2e_count import decryption, mix
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def _closed(client: Client, tmp_path: Path, clock) -> E2ESetUp:  # type: ignore[no-untyped-def]
    setup, voters = open_e2e(tmp_path, 3)
    for voter, order in zip(voters, [(0, 1), (2,), (1, 0, 3)], strict=True):
        papers, _ = encrypted_papers(setup, credential_of(setup, voter), {"q1": order})
        client.force_login(voter.user)
        assert post_cast(client, setup, papers).status_code == 200
    clock.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    setup.ballot.refresh_from_db()
    return setup


def _as_teller(client: Client, setup: E2ESetUp, number: int) -> str:
    user = setup.tellers[number - 1].user
    give_authenticator_app(user)
    client.force_login(user)
    return reverse("ballot_teller_reveal", args=[setup.ballot.pk])


def _upload(client: Client, page: str, question: str, document: dict):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("mix.json", json.dumps(document).encode(), "application/json")
    return client.post(page, {"step": "mix", "mix-question": question, "mix-document": upload})


def _mix_audits(setup: E2ESetUp) -> int:
    return AuditEntry.objects.filter(
        action="upload_mix_stage", subject_id=setup.ballot.election_id
    ).count()


def test_an_uploaded_stage_is_checked_by_the_task_while_the_page_polls(
    client: Client, tmp_path: Path, frozen_clock, django_capture_on_commit_callbacks
):
    setup = _closed(client, tmp_path, frozen_clock)
    stage = mix(setup, tmp_path, 1, "q1")
    page = _as_teller(client, setup, 1)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = _upload(client, page, "q1", stage)
    assert response.status_code == 302
    assert len(queued) == 1  # the check is queued after the commit, not run in the request
    row = MixStage.objects.get(question__ballot=setup.ballot)
    assert row.status == MixStageStatus.CHECKING and _mix_audits(setup) == 0

    shown = client.get(page).content.decode()
    assert "Stage 1 by Teller 1: its proof is being checked." in shown
    assert 'hx-trigger="every 2s"' in shown and 'http-equiv="refresh"' in shown
    fragment = client.get(page, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section id="mix-progress"')
    assert "HX-Refresh" not in fragment
    # Nothing else can be mixed or decrypted on top of a stage not yet accepted.
    with pytest.raises(BallotError, match="still being checked"):
        request_mix_stage(
            actor=setup.tellers[1].user, teller=teller_row(setup, 2), question_id="q1", document={}
        )

    queued[0]()  # the worker runs the task
    row.refresh_from_db()
    assert row.status == MixStageStatus.ACCEPTED and _mix_audits(setup) == 1
    fragment = client.get(page, headers={"HX-Request": "true"})
    assert fragment["HX-Refresh"] == "true"
    assert "its proof is being checked" not in fragment.content.decode()
    # A late duplicate of the task changes nothing.
    run_mix_check(stage_id=row.pk, actor_id=setup.tellers[0].user.pk)
    assert _mix_audits(setup) == 1
    assert MixStage.objects.filter(question__ballot=setup.ballot).count() == 1


def test_a_refused_stage_shows_why_and_the_corrected_stage_takes_its_number(
    client: Client, tmp_path: Path, frozen_clock, django_capture_on_commit_callbacks
):
    setup = _closed(client, tmp_path, frozen_clock)
    stage = mix(setup, tmp_path, 1, "q1")
    page = _as_teller(client, setup, 1)
    dropped = {**stage, "ballots": stage["ballots"][1:]}
    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, page, "q1", dropped).status_code == 302
    refused = MixStage.objects.get(question__ballot=setup.ballot)
    assert refused.status == MixStageStatus.REFUSED
    assert refused.problem.startswith("Mix stage 1 of “")
    shown = client.get(page).content.decode()
    assert "is refused:" in shown and "Upload a corrected stage 1." in shown
    assert 'hx-trigger="every 2s"' not in shown and _mix_audits(setup) == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert _upload(client, page, "q1", stage).status_code == 302
    accepted = MixStage.objects.get(question__ballot=setup.ballot, status=MixStageStatus.ACCEPTED)
    assert (accepted.stage, accepted.mixer) == (1, "Teller 1")
    assert _mix_audits(setup) == 1
    assert "is refused" not in client.get(page).content.decode()


def test_a_check_stopped_by_an_unexpected_error_is_started_again_without_double_effects(
    client: Client,
    tmp_path: Path,
    frozen_clock,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    setup = _closed(client, tmp_path, frozen_clock)
    stage = mix(setup, tmp_path, 1, "q1")
    page = _as_teller(client, setup, 1)
    real_check = mixing.shuffle_proof_failure

    def broken(**kwargs: object) -> str | None:
        raise MemoryError

    monkeypatch.setattr(mixing, "shuffle_proof_failure", broken)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, page, "q1", stage)
    row = MixStage.objects.get(question__ballot=setup.ballot)
    assert row.status == MixStageStatus.CHECKING
    assert "An unexpected error (MemoryError) stopped the check of mix stage 1" in row.problem
    shown = client.get(page).content.decode()
    assert "Stopped: An unexpected error (MemoryError)" in shown and "Check it again" in shown
    assert 'hx-trigger="every 2s"' not in shown
    # A stage number that is not one is refused plainly, nothing restarted.
    refused = client.post(page, {"step": "recheck", "stage": "two"}, follow=True)
    assert "There is no such mix stage." in refused.content.decode()
    assert MixStage.objects.get(pk=row.pk).problem == row.problem
    # A check that has not stopped cannot be restarted; nor another ballot's stage.
    with pytest.raises(WrongStage):
        recheck_mix_stage(actor=setup.tellers[0].user, teller=teller_row(setup, 1), stage_id=0)

    monkeypatch.setattr(mixing, "shuffle_proof_failure", real_check)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(page, {"step": "recheck", "stage": str(row.pk)})
    assert response.status_code == 302 and len(queued) == 1
    row.refresh_from_db()
    assert row.problem == ""  # running again: the page polls
    assert 'hx-trigger="every 2s"' in client.get(page).content.decode()
    with pytest.raises(WrongStage, match="has not stopped"):
        recheck_mix_stage(actor=setup.tellers[0].user, teller=teller_row(setup, 1), stage_id=row.pk)
    queued[0]()
    queued[0]()  # delivered twice: the second finds it accepted and does nothing
    row.refresh_from_db()
    assert row.status == MixStageStatus.ACCEPTED and _mix_audits(setup) == 1


def test_decryption_waits_for_a_stage_being_checked_and_ends_the_mixing(
    client: Client, tmp_path: Path, frozen_clock, django_capture_on_commit_callbacks
):
    setup = _closed(client, tmp_path, frozen_clock)
    for number in (1, 2):
        document = mix(setup, tmp_path, number, "q1")
        with django_capture_on_commit_callbacks(execute=True):
            request_mix_stage(
                actor=setup.tellers[number - 1].user,
                teller=teller_row(setup, number),
                question_id="q1",
                document=document,
            )
    shares = decryption(setup, tmp_path, 1, "q1")
    third = mix(setup, tmp_path, 3, "q1")
    with django_capture_on_commit_callbacks(execute=False):
        request_mix_stage(
            actor=setup.tellers[2].user,
            teller=teller_row(setup, 3),
            question_id="q1",
            document=third,
        )
    with pytest.raises(WrongStage, match="still being checked"):
        upload_decryption(
            actor=setup.tellers[0].user,
            teller=teller_row(setup, 1),
            question_id="q1",
            document=shares,
        )
    MixStage.objects.filter(stage=3).delete()
    upload_decryption(
        actor=setup.tellers[0].user, teller=teller_row(setup, 1), question_id="q1", document=shares
    )
    with pytest.raises(WrongStage, match="takes no more mix stages"):
        request_mix_stage(
            actor=setup.tellers[2].user,
            teller=teller_row(setup, 3),
            question_id="q1",
            document=third,
        )
