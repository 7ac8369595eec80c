"""Proposals through the JSON API: the same scope, the same rules and the same errors as the
pages."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, api_as, assert_error
from tests.proposals.conftest import Branch, propose

pytestmark = pytest.mark.django_db


def test_members_list_their_bodys_proposals_and_read_one(branch: Branch):
    proposal = propose(branch)
    mine = api_as(branch.third).get("/proposals").json()
    assert [p["id"] for p in mine] == [proposal.pk]
    listed = api_as(branch.third).get("/proposals", body=f"group-{branch.group.slug}").json()
    assert listed[0]["process"] == "consent" and listed[0]["status"] == "open"
    detail = api_as(branch.third).get(f"/proposals/{proposal.pk}").json()
    assert detail["eligible"] == 5 and detail["responded"] == 0 and detail["may_take_part"]
    assert_error(api_as(branch.outsider).get(f"/proposals/{proposal.pk}"), 404, "not_found")
    assert_error(
        api_as(branch.outsider).get("/proposals", body=f"group-{branch.group.slug}"),
        404,
        "not_found",
    )
    assert_error(Api().get("/proposals"), 401, "not_authenticated")
    assert_error(api_as(branch.third).get("/proposals", body="Robert'); DROP"), 422, "invalid")


def test_a_position_through_the_api_follows_the_rules(branch: Branch):
    proposal = propose(branch)
    url = f"/proposals/{proposal.pk}/position"
    body = assert_error(
        api_as(branch.blocker).post(url, {"choice": "block"}), 400, "invalid_position"
    )
    assert "reason" in body["message"]
    taken = api_as(branch.blocker).post(url, {"choice": "block", "reason": "The picket"})
    assert taken.status_code == 200
    assert taken.json()["my_position"]["reason"] == "The picket"
    assert taken.json()["positions"][0]["member"] == "Sam Reid"
    assert_error(api_as(branch.outsider).post(url, {"choice": "consent"}), 404, "not_found")
    from grassroots.proposals.services.closing import close_proposal_now

    close_proposal_now(actor=branch.proposer.user, proposal=proposal)
    assert_error(api_as(branch.third).post(url, {"choice": "consent"}), 409, "proposal_closed")


def test_scores_through_the_api(branch: Branch):
    vote = propose(branch, process="dot", options=["Market", "Station"], budget=3)
    market, station = list(vote.options.all())
    url = f"/proposals/{vote.pk}/position"
    scores = [{"option_id": market.pk, "score": 2}, {"option_id": station.pk, "score": 1}]
    assert api_as(branch.third).post(url, {"scores": scores}).status_code == 200
    too_many = [{"option_id": market.pk, "score": 4}]
    assert_error(api_as(branch.third).post(url, {"scores": too_many}), 400, "invalid_position")
