"""Meetings and motions through the API: what the meeting pages show, to whom they show it."""

from __future__ import annotations

import datetime

import pytest

from grassroots.meetings.models import AmendmentStatus
from tests.api.conftest import Api, api_as, assert_error
from tests.meetings.builders import amendment_to, group_meeting, motion_in
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def test_members_list_their_bodies_meetings_only(branch):
    other = group_meeting(branch.other_group, branch.outsider, title="Bristol meeting")
    upcoming = api_as(branch.mover).get("/meetings").json()
    assert [m["id"] for m in upcoming["results"]] == [branch.meeting.pk]
    assert upcoming["results"][0]["scope"] == "Leeds Central"
    outsider = api_as(branch.outsider).get("/meetings").json()
    assert [m["id"] for m in outsider["results"]] == [other.pk]
    assert api_as(branch.mover).get("/meetings", when="past").json()["results"] == []
    assert_error(api_as(branch.mover).get("/meetings", when="someday"), 422, "invalid")
    assert_error(Api().get("/meetings"), 401, "not_authenticated")


def test_a_meeting_shows_its_agenda_and_seconded_motions(branch):
    seconded = motion_in(branch.meeting, branch.mover, branch.seconder)
    pending = motion_in(branch.meeting, branch.mover, branch.seconder, seconded=False, title="Two")
    body = api_as(branch.commenter).get(f"/meetings/{branch.meeting.pk}").json()
    assert body["address"] == "Trades Hall, 1 High Street"
    assert [a["title"] for a in body["agenda"]] == ["Officers' reports", "Motions"]
    assert [m["id"] for m in body["motions"]] == [seconded.pk]
    assert body["motions"][0]["proposer"] == "Maya Okafor"
    assert body["motions_open"] is True
    # The proposer and the meeting's officers also see the motion awaiting a seconder.
    give_authenticator_app(branch.secretary.user)  # officers use a second factor
    for person in (branch.mover, branch.secretary):
        motions = api_as(person).get(f"/meetings/{branch.meeting.pk}").json()["motions"]
        assert [m["id"] for m in motions] == [seconded.pk, pending.pk]


def test_another_groups_meeting_is_404_like_a_missing_one(branch):
    outside = assert_error(
        api_as(branch.outsider).get(f"/meetings/{branch.meeting.pk}"), 404, "not_found"
    )
    missing = assert_error(api_as(branch.outsider).get("/meetings/999999"), 404, "not_found")
    assert outside == missing


def test_a_motion_shows_its_text_and_amendments(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder)
    amendment = amendment_to(motion, branch.amender)
    url = f"/meetings/{branch.meeting.pk}/motions/{motion.pk}"
    body = api_as(branch.commenter).get(url).json()
    assert body["text"] == motion.text == body["original_text"]
    assert body["meeting"]["id"] == branch.meeting.pk
    assert body["debate_open"] is True
    assert body["amendments"] == [
        {
            "id": amendment.pk,
            "number": 1,
            "kind": "replace",
            "paragraph": 3,
            "new_text": amendment.new_text,
            "status": AmendmentStatus.PROPOSED,
            "proposer": "Ade Bello",
            "submitted_at": body["amendments"][0]["submitted_at"],
        }
    ]
    assert datetime.datetime.fromisoformat(
        body["amendments"][0]["submitted_at"].replace("Z", "+00:00")
    )
    assert_error(api_as(branch.outsider).get(url), 404, "not_found")


def test_a_motion_awaiting_its_seconder_is_hidden_from_other_members(branch):
    motion = motion_in(branch.meeting, branch.mover, branch.seconder, seconded=False)
    url = f"/meetings/{branch.meeting.pk}/motions/{motion.pk}"
    assert api_as(branch.mover).get(url).status_code == 200
    assert api_as(branch.seconder).get(url).status_code == 200
    assert_error(api_as(branch.commenter).get(url), 404, "not_found")
