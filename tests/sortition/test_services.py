"""Draws by lot through the services: the life of a draw, its refusals, and its record."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.sortition import queries, services
from grassroots.sortition.models import DrawStatus, Volunteer
from grassroots.sortition.record import commitment_of, record_from_json, rerun
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.sortition.helpers import council, national_officer, volunteers

pytestmark = pytest.mark.django_db


def drawn_council(n_volunteers: int = 30):
    officer = national_officer()
    draw = council(officer)
    volunteers(draw, n_volunteers)
    services.commit_seed(actor=officer.user, draw=draw)
    services.close_volunteering(actor=officer.user, draw=draw)
    return officer, services.draw_by_lot(actor=officer.user, draw=draw)


def test_a_council_is_drawn_meeting_every_quota_and_its_record_reruns():
    _, draw = drawn_council()
    assert draw.status == DrawStatus.DRAWN
    assert len(draw.selection) == 12
    chosen = Volunteer.objects.filter(draw=draw, pseudonym__in=draw.selection)
    genders = Counter(v.categories["gender"] for v in chosen)
    regions = Counter(v.categories["region"] for v in chosen)
    assert 5 <= genders["woman"] <= 7 and 5 <= genders["man"] <= 7
    assert all(3 <= regions[r] <= 5 for r in ("North", "Midlands", "South"))
    assert commitment_of(bytes.fromhex(draw.seed)) == draw.commitment
    assert draw.seed_sealed is None

    data = json.loads(json.dumps(queries.draw_record_json(draw)))
    assert "member" not in json.dumps(data)  # pseudonyms and categories only
    result = rerun(record_from_json(data), bytes.fromhex(data["seed"]))
    assert result.mismatches == ()
    assert list(result.selection) == draw.selection
    actions = set(AuditEntry.objects.filter(subject_type="draw").values_list("action", flat=True))
    assert {"create_draw", "volunteer_for_draw", "commit_draw_seed"} <= actions
    assert {"close_draw_volunteering", "draw_by_lot"} <= actions


def test_replacements_keep_the_quotas_and_rerun_from_the_record():
    officer, draw = drawn_council()
    leaving = [
        p
        for p in draw.selection
        if Volunteer.objects.get(draw=draw, pseudonym=p).categories["gender"] == "woman"
    ][:2]
    chosen = services.replace_members(actor=officer.user, draw=draw, standing_down=leaving)
    draw.refresh_from_db()
    assert len(chosen) == 2 and not set(chosen) & set(draw.selection)
    now = Volunteer.objects.filter(draw=draw, pseudonym__in=draw.members_now)
    assert len(draw.members_now) == 12
    assert Counter(v.categories["gender"] for v in now)["woman"] >= 5
    data = queries.draw_record_json(draw)
    result = rerun(record_from_json(data), bytes.fromhex(draw.seed))
    assert result.mismatches == ()
    assert result.rounds == (tuple(chosen),)


def test_a_tampered_record_is_caught_by_the_rerun():
    _, draw = drawn_council()
    data = queries.draw_record_json(draw)
    outsider = next(v["id"] for v in data["volunteers"] if v["id"] not in data["selection"])
    data["selection"][0] = outsider
    result = rerun(record_from_json(data), bytes.fromhex(draw.seed))
    assert len(result.mismatches) == 1
    assert result.mismatches[0].startswith("selection differs")


def test_volunteering_closes_only_after_the_commitment_and_when_quotas_can_be_met():
    officer = national_officer()
    draw = council(officer)
    volunteers(draw, 8)  # too few for 12 seats
    with pytest.raises(services.WrongStage, match="Commit the seed"):
        services.close_volunteering(actor=officer.user, draw=draw)
    services.commit_seed(actor=officer.user, draw=draw)
    with pytest.raises(services.DrawError, match="12 seats to fill but only 8 volunteers"):
        services.close_volunteering(actor=officer.user, draw=draw)
    draw.refresh_from_db()
    assert draw.status == DrawStatus.VOLUNTEERING
    assert queries.quota_problems(draw)


def test_a_member_volunteers_once_and_only_within_the_scope():
    officer = national_officer()
    group = GroupFactory()
    draw = council(officer, scope=group, level="group")
    inside = MemberWithLoginFactory(home_group=group)
    outside = MemberWithLoginFactory()
    services.volunteer(
        actor=inside.user, draw=draw, categories={"gender": "woman", "region": "North"}
    )
    with pytest.raises(services.DrawError, match="already volunteered"):
        services.volunteer(
            actor=inside.user, draw=draw, categories={"gender": "woman", "region": "North"}
        )
    with pytest.raises(services.DrawError, match="home group is in this draw's scope"):
        services.volunteer(
            actor=outside.user, draw=draw, categories={"gender": "man", "region": "North"}
        )
    with pytest.raises(services.DrawError, match="Choose your region"):
        services.volunteer(
            actor=MemberWithLoginFactory(home_group=group).user,
            draw=draw,
            categories={"gender": "man", "region": "Atlantis"},
        )


def test_a_member_without_the_capability_cannot_run_a_draw():
    officer = national_officer()
    draw = council(officer)
    treasurer = RoleFactory(role=Role.TREASURER, group=GroupFactory()).member
    with pytest.raises(PermissionDenied):
        services.commit_seed(actor=treasurer.user, draw=draw)
    with pytest.raises(PermissionDenied):
        council(treasurer)


@pytest.mark.parametrize(
    ("quotas", "message"),
    [
        ([{"category": "gender", "value": "elf", "minimum": 1, "maximum": None}], "not one of"),
        (
            [
                {"category": "region", "value": r, "minimum": 5, "maximum": None}
                for r in ("North", "South", "Midlands")
            ],
            "minimums for region add up to 15, more than the 12 seats",
        ),
        (
            [
                {"category": "gender", "value": g, "minimum": 0, "maximum": 3}
                for g in ("woman", "man", "non-binary")
            ],
            "maximums for gender add up to 9, fewer than the 12 seats",
        ),
        (
            [{"category": "gender", "value": "woman", "minimum": 4, "maximum": 2}],
            "maximum \\(2\\) below its minimum \\(4\\)",
        ),
    ],
)
def test_quotas_that_can_never_be_met_are_refused_when_the_draw_is_created(quotas, message):
    with pytest.raises(services.DrawError, match=message):
        council(national_officer(), quotas=quotas)


def test_the_seed_stays_sealed_until_the_draw():
    officer = national_officer()
    draw = council(officer)
    draw = services.commit_seed(actor=officer.user, draw=draw)
    assert draw.seed == "" and draw.seed_sealed and len(draw.commitment) == 64
    assert queries.draw_record_json(draw)["seed"] is None
    with pytest.raises(services.WrongStage, match="already committed"):
        services.commit_seed(actor=officer.user, draw=draw)
