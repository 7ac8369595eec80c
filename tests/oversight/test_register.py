"""The decisions register: who records, named votes where the rules say, papers, publication
deadlines and the late flag, and search."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.oversight import queries, services
from grassroots.oversight.models import Decision, DecisionVote, Meeting, Paper
from tests.oversight.conftest import published_decision

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _meeting(world, *, days_ago: int = 2, actor=None, body="national_committee", region=None):
    return services.start_meeting(
        actor=(actor or world.national).user,
        body=body,
        region=region,
        title="Monthly meeting",
        held_on=clock.today() - datetime.timedelta(days=days_ago),
    )


def test_the_national_committee_records_each_members_vote_where_the_rules_say(world):
    meeting = _meeting(world, actor=world.committee[0])
    with pytest.raises(services.OversightError, match="recorded by name"):
        services.record_decision(
            actor=world.committee[0].user,
            meeting=meeting,
            title="Budget",
            text="Adopt the budget.",
            outcome="agreed",
            named_votes={world.committee[0].pk: "for"},  # two members missing
        )
    decision = services.record_decision(
        actor=world.committee[0].user,
        meeting=meeting,
        title="Budget",
        text="Adopt the budget.",
        outcome="agreed",
        named_votes={
            world.committee[0].pk: "for",
            world.committee[1].pk: "against",
            world.committee[2].pk: "absent",
        },
    )
    assert (decision.votes_for, decision.votes_against, decision.abstentions) == (1, 1, 0)
    assert DecisionVote.objects.filter(decision=decision).count() == 3


def test_a_regional_coordinator_records_their_regions_committee_and_not_the_national_one(world):
    meeting = _meeting(world, actor=world.regional, body="regional_committee", region=world.north)
    decision = services.record_decision(
        actor=world.regional.user,
        meeting=meeting,
        title="Conference venue",
        text="Durham.",
        outcome="agreed",
        totals=(4, 1, 1),
    )
    assert decision.votes_for == 4
    with pytest.raises(PermissionDenied):
        _meeting(world, actor=world.regional)
    with pytest.raises(PermissionDenied):
        _meeting(world, actor=world.regional, body="regional_committee", region=world.south)
    with pytest.raises(PermissionDenied):
        _meeting(world, actor=world.members[0])


def test_a_draft_is_hidden_from_members_until_published_and_then_cannot_change(world):
    meeting = _meeting(world)
    with pytest.raises(Http404):
        queries.get_meeting_for(world.members[0].user, meeting.pk)
    with pytest.raises(services.OversightError, match="minutes or at least one decision"):
        services.publish_meeting(actor=world.national.user, meeting=meeting)
    services.save_minutes(actor=world.national.user, meeting=meeting, minutes="Present: all.")
    services.publish_meeting(actor=world.national.user, meeting=meeting)
    assert queries.get_meeting_for(world.members[0].user, meeting.pk) == meeting
    with pytest.raises(services.OversightError, match="published and cannot change"):
        services.save_minutes(actor=world.national.user, meeting=meeting, minutes="Changed.")
    assert Meeting.objects.get(pk=meeting.pk).minutes == "Present: all."
    actions = list(
        AuditEntry.objects.filter(subject_type="meeting")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["start_meeting_record", "save_minutes", "publish_meeting"]


def test_a_record_published_after_the_deadline_is_flagged_late(world):
    on_time = published_decision(world, days_ago=3).meeting
    assert not on_time.is_late
    late = _meeting(world, days_ago=20)  # the rules allow 14 days
    assert late in queries.overdue_records()
    services.save_minutes(actor=world.national.user, meeting=late, minutes="Minutes.")
    services.publish_meeting(actor=world.national.user, meeting=late)
    late.refresh_from_db()
    assert late.is_late and late.days_late == 6
    assert late not in queries.overdue_records()


def test_search_finds_decisions_by_words_in_them_or_their_minutes(world):
    published_decision(world, title="Close the Leeds office")
    published_decision(world, title="Hire an organiser for Wales")
    found = list(queries.search_decisions("Leeds"))
    assert [d.title for d in found] == ["Close the Leeds office"]
    assert list(queries.search_decisions("nothing-like-this")) == []
    assert len(list(queries.search_decisions(""))) == 2


def test_a_paper_is_stored_when_it_is_a_pdf_within_the_limit(world):
    meeting = _meeting(world)
    paper = services.add_paper(
        actor=world.national.user,
        meeting=meeting,
        title="Budget",
        upload=io.BytesIO(PDF),
        size=len(PDF),
    )
    assert paper.content_type == "application/pdf" and paper.size == len(PDF)
    assert paper.file.name.endswith(".pdf") and "Budget" not in paper.file.name


def test_an_oversized_paper_is_refused_and_nothing_is_stored(world, settings):
    settings.GRASSROOTS_MAX_PAPER_BYTES = 1024
    meeting = _meeting(world)
    big = PDF + b"0" * 2000
    with pytest.raises(services.OversightError, match="larger than 1 KB"):
        services.add_paper(
            actor=world.national.user,
            meeting=meeting,
            title="Big",
            upload=io.BytesIO(big),
            size=None,
        )
    assert not Paper.objects.exists()


def test_a_paper_that_only_claims_to_be_a_pdf_is_refused(world):
    meeting = _meeting(world)
    with pytest.raises(services.OversightError, match="must be a PDF"):
        services.add_paper(
            actor=world.national.user,
            meeting=meeting,
            title="Fake",
            upload=io.BytesIO(b"<html><script>alert(1)</script></html>"),
            size=40,
        )
    assert not Paper.objects.exists()


def test_a_meeting_in_the_future_cannot_be_recorded(world):
    with pytest.raises(services.OversightError, match="future"):
        _meeting(world, days_ago=-1)
    assert not Decision.objects.exists()


def test_agreed_with_more_against_than_for_is_refused(world):
    meeting = _meeting(world, actor=world.regional, body="regional_committee", region=world.north)
    actor = world.regional.user
    with pytest.raises(services.OversightError, match="Agreed with 2 for and 30 against"):
        services.record_decision(
            actor=actor,
            meeting=meeting,
            title="Sell the office",
            text="We sell the office.",
            outcome="agreed",
            totals=(2, 30, 0),
        )
    assert not meeting.decisions.exists()
    services.record_decision(
        actor=actor,
        meeting=meeting,
        title="Sell the office",
        text="We sell the office.",
        outcome="rejected",
        totals=(12, 8, 0),
        threshold="two-thirds",
    )
