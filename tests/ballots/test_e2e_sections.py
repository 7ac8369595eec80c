"""Sections on an end-to-end ballot (issue 16): a voter's page encrypts a paper for their own
region's sections only and the cast refuses one for another region's; each section is mixed,
decrypted and counted from its own members' papers, and the verifier agrees (check 9 holds
each section's papers to the members of it who voted)."""

from __future__ import annotations

import datetime
import json
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from grassroots import clock
from grassroots.ballots.e2e import e2e_questions
from grassroots.ballots.models import Ballot, BallotStatus, Question
from grassroots.ballots.publication import record_zip
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.mixing import upload_decryption, upload_mix_stage
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.setup import add_candidate, add_question, create_ballot
from grassroots.ballots.services.tellers import set_up_tellers
from grassroots.ledger.e2e.files import cast_to_json
from grassroots.ledger.e2e.papers import Paper
from grassroots.ledger.e2e.voter import encrypt_paper
from grassroots.ledger.verify import verify_directory
from grassroots.organisation.models import Role
from grassroots.organisation.permissions import NATION
from tests.ballots.conftest import Clock
from tests.ballots.e2e_helpers import E2ESetUp, hold_ceremony, teller_row
from tests.ballots.test_e2e_casting import credential_of, post_cast
from tests.ballots.test_e2e_count import decryption, mix
from tests.factories import AreaFactory, GroupFactory, MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _sections(tmp_path: Path) -> tuple[E2ESetUp, dict[str, Question], list, list]:
    midlands_group = GroupFactory(area=AreaFactory(region__name="Midlands"))
    south_west_group = GroupFactory(area=AreaFactory(region__name="South West"))
    # The North's one member does not vote: its section has nothing to mix.
    north_group = GroupFactory(area=AreaFactory(region__name="North"))
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=midlands_group).member
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="National committee slate",
        description="",
        level="nation",
        scope=NATION,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(hours=1),
        joined_before=datetime.date(2025, 1, 1),
        tellers_count=3,
        threshold=2,
        end_to_end=True,
    )
    questions = {}
    for title, region, seats, names in [
        ("Midlands", midlands_group.area.region, 2, ["Amara", "Brian", "Chen", "Dafydd"]),
        ("South West", south_west_group.area.region, 1, ["Eve", "Frank"]),
        ("North", north_group.area.region, 1, ["Ivo", "Jan"]),
        ("Chair", None, 1, ["Gita", "Harry"]),
    ]:
        question = add_question(
            actor=officer.user,
            ballot=ballot,
            title=title,
            kind="stv",
            stv_rule="scottish",
            seats=seats,
            section=region,
        )
        for name in names:
            add_candidate(actor=officer.user, question=question, name=name)
        questions[title] = question
    tellers = [MemberWithLoginFactory(home_group=midlands_group) for _ in range(3)]
    set_up_tellers(actor=officer.user, ballot=ballot, members=tellers)
    setup = E2ESetUp(
        Ballot.objects.get(pk=ballot.pk),
        officer,
        tellers,
        midlands_group,
        questions["Midlands"],
        questions["Chair"],
        tmp_path / "tellers",
    )
    setup.folder.mkdir()
    hold_ceremony(setup)
    midlanders = [MemberWithLoginFactory(home_group=midlands_group) for _ in range(3)]
    south_westers = [MemberWithLoginFactory(home_group=south_west_group) for _ in range(2)]
    MemberWithLoginFactory(home_group=north_group)
    open_ballot(actor=officer.user, ballot=setup.ballot)
    setup.ballot = Ballot.objects.get(pk=ballot.pk)
    return setup, questions, midlanders, south_westers


def _papers(setup: E2ESetUp, voter, marks: dict[Question, tuple[int, ...]]) -> dict:  # type: ignore[no-untyped-def]
    """What the vote page's script posts: a ballot and proof for each question in ``marks``."""
    credential = credential_of(setup, voter)
    by_pk = {q.pk: e2e for q, e2e in e2e_questions(setup.ballot)}
    papers = {}
    for question, order in marks.items():
        cast, _ = encrypt_paper(
            election_id=setup.ballot.election_id,
            question=by_pk[question.pk],
            credential=credential,
            public_key=bytes(setup.ballot.tellers_public_key),
            paper=Paper(order),
        )
        line = cast_to_json(cast)
        papers[question.ledger_id] = {"ballot": line["ballot"], "proof": line["proof"]}
    return papers


def test_each_e2e_section_is_cast_mixed_and_counted_by_its_own_members_and_verifies(
    client: Client, tmp_path: Path, frozen_clock: Clock
):
    setup, q, midlanders, south_westers = _sections(tmp_path)
    midlands, south_west, chair = q["Midlands"], q["South West"], q["Chair"]

    # The page encrypts only the voter's own questions.
    client.force_login(south_westers[0].user)
    page = client.get(reverse("ballot_vote", args=[setup.ballot.pk]))
    config = page.context["e2e_config"]
    assert [item["title"] for item in config["questions"]] == ["South West", "Chair"]
    assert "Midlands" not in page.content.decode()

    # A paper for another region's section is refused, and so is one missing a question.
    other = _papers(setup, south_westers[0], {south_west: (0,), chair: (0,), midlands: (1,)})
    refused = post_cast(client, setup, other)
    assert refused.status_code == 400
    assert "another region" in refused.json()["error"]
    short = _papers(setup, south_westers[0], {south_west: (0,)})
    assert post_cast(client, setup, short).status_code == 400

    for voter, order in zip(midlanders, [(1, 3), (1, 0), (3, 1, 2)], strict=True):
        client.force_login(voter.user)
        papers = _papers(setup, voter, {midlands: order, chair: (0,)})
        assert post_cast(client, setup, papers).status_code == 200
    for voter in south_westers:
        client.force_login(voter.user)
        papers = _papers(setup, voter, {south_west: (1, 0), chair: (1,)})
        assert post_cast(client, setup, papers).status_code == 200

    frozen_clock.advance(hours=2)
    close_ballot(actor=setup.officer.user, ballot=setup.ballot)
    setup.ballot.refresh_from_db()
    for question in (midlands, south_west, chair):
        for number in (1, 2):
            upload_mix_stage(
                actor=setup.tellers[number - 1].user,
                teller=teller_row(setup, number),
                question_id=question.ledger_id,
                document=mix(setup, tmp_path, number, question.ledger_id),
            )
        for number in (1, 2):
            upload_decryption(
                actor=setup.tellers[number - 1].user,
                teller=teller_row(setup, number),
                question_id=question.ledger_id,
                document=decryption(setup, tmp_path, number, question.ledger_id),
            )
    count_ballot(actor=setup.officer.user, ballot=setup.ballot)
    ballot = Ballot.objects.get(pk=setup.ballot.pk)
    assert ballot.status == BallotStatus.COUNTED
    counted = {question.title: question for question in ballot.questions.all()}
    assert counted["North"].e2e_papers == ""
    assert counted["North"].result["elected"] == []  # void: no valid papers
    assert len(counted["Midlands"].e2e_papers.splitlines()) == 3
    assert len(counted["South West"].e2e_papers.splitlines()) == 2
    assert len(counted["Chair"].e2e_papers.splitlines()) == 5
    results = {title: question.result for title, question in counted.items()}
    assert results["Midlands"]["valid_poll"].startswith("3")
    assert results["South West"]["valid_poll"].startswith("2")
    assert results["Chair"]["valid_poll"].startswith("5")
    names = {t: [r["candidates"][i] for i in r["elected"]] for t, r in results.items()}
    assert names["North"] == []
    assert names["Midlands"][0] == "Brian"
    assert names["South West"] == ["Frank"]
    assert names["Chair"] == ["Gita"]

    publish_results(actor=setup.officer.user, ballot=ballot)
    archive = tmp_path / "record.zip"
    archive.write_bytes(record_zip(Ballot.objects.get(pk=ballot.pk)))
    checks = verify_directory(archive, election_key=bytes(ballot.election_public_key))
    assert [c.number for c in checks] == list(range(1, 15))
    assert all(c.passed for c in checks), [c.line() for c in checks if not c.passed]
    record = json.loads(_read(archive, "record.json"))
    assert record["roll"]["sections"] == [
        {"question": midlands.ledger_id, "roll_size": 3 + 4, "voted": 3},
        {"question": south_west.ledger_id, "roll_size": 2, "voted": 2},
        {"question": q["North"].ledger_id, "roll_size": 1, "voted": 0},
    ]

    # A paper put where none was cast (the North's section) fails check 14.
    folder = tmp_path / "forged"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    (north,) = folder.glob(f"*/e2e/{q['North'].ledger_id}/plaintexts.jsonl")
    assert north.read_bytes() == b""
    north.write_text('{"marks": [0]}\n')
    failed = {c.number: c for c in verify_directory(folder) if not c.passed}
    assert 14 in failed and "none was cast" in failed[14].line()


def _read(archive: Path, name: str) -> bytes:
    with zipfile.ZipFile(archive) as opened:
        (path,) = [n for n in opened.namelist() if n.endswith("/" + name)]
        return opened.read(path)
