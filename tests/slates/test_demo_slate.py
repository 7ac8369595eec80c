"""The demo's national committee slate (issue 16): seeded taking nominations, with regional
sections and a weighted college seat; taken through the services from the close of
nominations to the published slate, whose record verifies."""

from __future__ import annotations

import secrets
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from grassroots.ballots.models import Ballot, Question
from grassroots.ballots.publication import record_zip
from grassroots.ballots.services.casting import cast_ballot
from grassroots.ballots.services.counting import count_ballot
from grassroots.ballots.services.lifecycle import close_ballot, open_ballot
from grassroots.ballots.services.nominations import confirm_nominations
from grassroots.ballots.services.publishing import publish_results
from grassroots.ballots.services.tellers import collect_share, reveal_share, set_up_tellers
from grassroots.demo import people as demo_people
from grassroots.demo.slates import BALLOT_TITLE, CHAIR_TITLE, SLATE_NAME, seed_demo_slate
from grassroots.ledger.verify import verify_directory
from grassroots.people.models import Member
from grassroots.slates.models import Slate
from tests.ballots.conftest import Clock
from tests.demo_database import restore_demo
from tests.factories import MemberWithLoginFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _candidates(question: Question) -> dict[str, int]:
    return {c.name: c.pk for c in question.candidates.all()}


def test_the_demo_slate_goes_from_nominations_to_a_published_slate_whose_record_verifies(
    frozen_clock: Clock, tmp_path: Path
):
    restore_demo()  # what seed_demo makes (tests/demo_database.py)
    assert seed_demo_slate() == Slate.objects.get(name=SLATE_NAME)  # made once
    ballot = Ballot.objects.get(title=BALLOT_TITLE)
    slate_url = reverse("slates:detail", args=[Slate.objects.get(name=SLATE_NAME).pk])
    # From the slate's public page a member finds where to stand, nominate or support.
    nominations_url = reverse("ballot_nominations", args=[ballot.pk])
    assert f'href="{nominations_url}"' in Client().get(slate_url).content.decode()
    questions = {q.title: q for q in ballot.questions.select_related("section_region")}
    assert {
        t: (q.section_region.name if q.section_region else "") for t, q in questions.items()
    } == {
        "Midlands": "West Midlands",
        "South West": "South West",
        CHAIR_TITLE: "",
    }
    assert questions["Midlands"].quota_rules == ["At least 1 bame"]
    assert questions["South West"].quota_rules == ["At least 1 women or bame"]
    assert [c["weight"] for c in questions[CHAIR_TITLE].colleges] == ["1/3", "2/3"]
    assert questions[CHAIR_TITLE].college_members.count() == 6

    officer = Member.objects.get(user__email=demo_people.NATIONAL_LOGIN.email).user
    midlands_group = questions["Midlands"].section_region.areas.first().groups.first()
    south_west_group = questions["South West"].section_region.areas.first().groups.first()
    midlanders = [MemberWithLoginFactory(home_group=midlands_group) for _ in range(4)]
    south_westers = [MemberWithLoginFactory(home_group=south_west_group) for _ in range(3)]

    frozen_clock.advance(days=8)
    confirm_nominations(actor=officer, ballot=ballot)
    tellers = [
        Member.objects.get(user__email=login.email)
        for login in (
            demo_people.COMMITTEE_LOGIN,
            demo_people.AUDITOR_LOGIN,
            demo_people.REGIONAL_LOGIN,
        )
    ]
    set_up_tellers(actor=officer, ballot=ballot, members=tellers)
    shares = [collect_share(actor=t.user, teller=ballot.tellers.get(member=t)) for t in tellers]
    frozen_clock.advance(days=2, hours=1)
    open_ballot(actor=officer, ballot=ballot)
    ballot = Ballot.objects.get(pk=ballot.pk)
    slate_page = Client().get(slate_url).content.decode()
    assert f'href="{reverse("ballot_vote", args=[ballot.pk])}"' in slate_page
    assert f'href="{nominations_url}"' not in slate_page

    midlands = _candidates(questions["Midlands"])
    south_west = _candidates(questions["South West"])
    chair = _candidates(questions[CHAIR_TITLE])
    midlands_order = sorted(midlands.values())
    for voter in midlanders:
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers={
                questions["Midlands"].pk: midlands_order,
                questions[CHAIR_TITLE].pk: sorted(chair.values())[:1],
            },
            idempotency_key=secrets.token_urlsafe(24),
        )
    for voter in south_westers:
        cast_ballot(
            actor=voter.user,
            ballot=ballot,
            answers={
                questions["South West"].pk: sorted(south_west.values()),
                questions[CHAIR_TITLE].pk: sorted(chair.values())[1:],
            },
            idempotency_key=secrets.token_urlsafe(24),
        )
    frozen_clock.advance(days=8)
    close_ballot(actor=officer, ballot=ballot)
    for teller, share in list(zip(tellers, shares, strict=True))[:2]:
        reveal_share(actor=teller.user, teller=ballot.tellers.get(member=teller), share_text=share)
    count_ballot(actor=officer, ballot=ballot)
    publish_results(actor=officer, ballot=ballot)
    ballot = Ballot.objects.get(pk=ballot.pk)

    elected = {
        q.title: [q.result["candidates"][i] for i in q.result["elected"]]
        for q in ballot.questions.all()
    }
    assert len(elected["Midlands"]) == 2 and len(elected["South West"]) == 1
    assert len(elected[CHAIR_TITLE]) == 1
    slate = Slate.objects.get(name=SLATE_NAME)
    assert slate.places.count() == 4

    with zipfile.ZipFile(BytesIO(record_zip(ballot))) as archive:
        archive.extractall(tmp_path)
    assert all(check.passed for check in verify_directory(tmp_path))

    page = Client().get(reverse("slates:detail", args=[slate.pk])).content.decode()
    for name in elected["Midlands"] + elected["South West"] + elected[CHAIR_TITLE]:
        assert escape(name) in page
