"""The proposal pages without JavaScript: forms with clear errors, the group page's section,
the home page's attention, the officers' turnout page and the reminder."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots import clock
from grassroots.notifications.models import Notification
from grassroots.proposals.models import Position, Proposal
from grassroots.proposals.services.positions import take_position
from tests.proposals.conftest import Branch, propose

pytestmark = pytest.mark.django_db


def client_for(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_member_makes_a_proposal_and_a_past_closing_time_is_refused_clearly(branch: Branch):
    client = client_for(branch.proposer)
    url = reverse("proposals:create", args=[f"group-{branch.group.slug}"])
    data = {
        "title": "Run a stall on Saturday",
        "text": "Outside the market.",
        "process": "consent",
        "closes_at": _local(clock.now() - datetime.timedelta(days=1)),
        "meeting_minutes": "120",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "The closing time has already passed" in refused.content.decode()
    assert not Proposal.objects.exists()
    nonsense = client.post(url, {**data, "closes_at": "2026-02-31T10:00"})
    assert "Give the closing time as a date and a time." in nonsense.content.decode()
    data["closes_at"] = _local(clock.now() + datetime.timedelta(days=2))
    response = client.post(url, data)
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/proposals/{proposal.pk}/"


def test_a_block_without_a_reason_is_refused_on_the_page_and_kept_with_one(branch: Branch):
    proposal = propose(branch)
    client = client_for(branch.blocker)
    url = reverse("proposals:position", args=[proposal.pk])
    refused = client.post(url, {"choice": "block", "reason": ""})
    assert refused.status_code == 400 and "Write the reason." in refused.content.decode()
    client.post(url, {"choice": "block", "reason": "Saturday is the picket"})
    assert Position.objects.get().reason == "Saturday is the picket"
    page = client_for(branch.third).get(reverse("proposals:detail", args=[proposal.pk]))
    text = page.content.decode()
    assert "Saturday is the picket" in text and "Blocked" in text  # the standing outcome


def test_the_group_page_lists_open_proposals_for_members_only(branch: Branch):
    proposal = propose(branch)
    url = reverse("group_detail", args=[branch.group.slug])
    assert proposal.title in client_for(branch.third).get(url).content.decode()
    public = Client().get(url).content.decode()
    assert "Decisions between meetings" in public and proposal.title not in public


def test_home_page_asks_for_a_position_until_one_is_taken(branch: Branch):
    proposal = propose(branch)
    client = client_for(branch.third)
    assert "Take your position on “Run a stall on Saturday”" in client.get("/").content.decode()
    client.post(reverse("proposals:position", args=[proposal.pk]), {"choice": "consent"})
    assert "Take your position" not in client.get("/").content.decode()


def test_officers_see_who_has_not_responded_and_remind_them(branch: Branch):
    proposal = propose(branch)
    client_for(branch.third).post(
        reverse("proposals:position", args=[proposal.pk]), {"choice": "consent"}
    )
    officer = client_for(branch.secretary)
    page = officer.get(reverse("proposals:turnout", args=[proposal.pk])).content.decode()
    assert "Sam Reid" in page and "Kit Marsh" not in page
    assert "1 of 5 members" in page
    officer.post(reverse("proposals:remind", args=[proposal.pk]))
    assert Notification.objects.filter(title__startswith="Reminder:").count() == 4
    assert (
        client_for(branch.third).get(reverse("proposals:turnout", args=[proposal.pk])).status_code
        == 404
    )


def test_score_and_time_positions_work_from_the_form(branch: Branch):
    vote = propose(branch, process="score", options=["Market", "Station"], budget=5)
    market, station = list(vote.options.all())
    client = client_for(branch.third)
    url = reverse("proposals:position", args=[vote.pk])
    too_high = client.post(url, {f"option_{market.pk}": "9", f"option_{station.pk}": "1"})
    assert too_high.status_code == 400
    client.post(url, {f"option_{market.pk}": "5", f"option_{station.pk}": "1"})
    assert Position.objects.get().scores == {str(market.pk): 5, str(station.pk): 1}


def test_closing_early_asks_first_and_only_then_closes(branch: Branch):
    proposal = propose(branch)
    client = client_for(branch.proposer)
    url = reverse("proposals:close", args=[proposal.pk])
    asked = client.post(url)
    assert asked.status_code == 200 and "This cannot be undone." in asked.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "open"
    client.post(url, {"confirmed": "yes"})
    proposal.refresh_from_db()
    assert proposal.status == "closed" and proposal.result == "passed"
    assert client_for(branch.outsider).post(url, {"confirmed": "yes"}).status_code == 404


def test_the_page_shows_the_latest_hundred_changes_of_position_and_says_how_many(branch):
    proposal = propose(branch)
    for n in range(103):
        choice = "consent" if n % 2 == 0 else "stand_aside"
        take_position(actor=branch.third.user, proposal=proposal, choice=choice)
    page = client_for(branch.third).get(reverse("proposals:detail", args=[proposal.pk]))
    text = page.content.decode()
    assert "History of positions (103)" in text
    assert "The latest 100 of 103 changes." in text


def test_a_second_click_on_send_on_lands_on_the_proposal_and_sends_nothing_again(branch):
    from grassroots.meetings.models import AgendaItem
    from grassroots.proposals.services.closing import close_proposal_now

    proposal = propose(branch)
    take_position(actor=branch.blocker.user, proposal=proposal, choice="block", reason="No")
    close_proposal_now(actor=branch.secretary.user, proposal=proposal)
    officer = client_for(branch.secretary)
    url = reverse("proposals:escalate", args=[proposal.pk])
    first = officer.post(url, {"to": "agenda"})
    second = officer.post(url, {"to": "agenda"}, follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Already sent to the next meeting&#x27;s agenda." in second.content.decode()
    assert AgendaItem.objects.filter(title__startswith="Proposal:").count() == 1


def test_positions_are_shown_in_words_not_as_stored_keys(branch: Branch):
    consent = propose(branch)
    take_position(actor=branch.third.user, proposal=consent, choice="stand_aside")
    text = client_for(branch.third).get(reverse("proposals:detail", args=[consent.pk]))
    page = text.content.decode()
    assert "Stand aside" in page and "Standaside" not in page

    vote = propose(branch, process="majority", options=["Market square", "Station forecourt"])
    market, _station = list(vote.options.all())
    take_position(actor=branch.third.user, proposal=vote, choice=str(market.pk))
    page = client_for(branch.third).get(reverse("proposals:detail", args=[vote.pk]))
    text = page.content.decode()
    # The option's label, where the page used to print its database id.
    assert f"{branch.third.last_name}</strong>: Market square" in text.replace("&#x27;", "'")
    assert "took “Market square”" in text

    scored = propose(branch, process="score", options=["Leaflets", "Banner"], budget=5)
    leaflets, banner = list(scored.options.all())
    take_position(actor=branch.third.user, proposal=scored, scores={leaflets.pk: 4, banner.pk: 1})
    page = client_for(branch.third).get(reverse("proposals:detail", args=[scored.pk]))
    assert "Leaflets: 4, Banner: 1" in page.content.decode()
