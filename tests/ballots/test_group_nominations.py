"""Groups nominate by resolution: a group's Chair or Secretary records that the group resolved
to support a nomination (date, reference, and the carried motion when the meeting is recorded
in grassroots.meetings). Recognised groups in the ballot's scope only, once each, withdrawable
before the close, counted by the group threshold, shown on the report, audited; every refusal
says why and stores nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grassroots import clock
from grassroots.audit.models import AuditEntry
from grassroots.ballots import queries
from grassroots.ballots.models import GroupSupport, Nomination, NominationStatus
from grassroots.ballots.services.errors import BallotError, WrongStage
from grassroots.ballots.services.group_support import record_group_support, withdraw_group_support
from grassroots.ballots.services.nominations import (
    confirm_nominations,
    nominate,
    support_nomination,
    withdraw_nomination,
)
from grassroots.meetings.models import MotionStatus, Outcome, OutcomeResult
from grassroots.meetings.services.decisions import record_motion_outcome
from grassroots.organisation.models import Group, GroupRecognition, GroupStatus, Role
from grassroots.people.models import Member
from tests.ballots.conftest import Clock
from tests.ballots.test_nominations import Setting
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.meetings.builders import group_meeting, motion_in
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def recognise(group: Group, status: str = GroupStatus.RECOGNISED) -> None:
    fix_by = clock.today() + datetime.timedelta(days=28) if status == GroupStatus.AT_RISK else None
    GroupRecognition.objects.update_or_create(
        group=group, defaults={"status": status, "fix_by": fix_by}
    )


def officer_of(group: Group, role: str = Role.SECRETARY) -> Member:
    return RoleFactory(role=role, level="group", group=group, member__home_group=group).member


def carried_motion(group: Group, *, days_ago: int = 2) -> Outcome:
    """A meeting of ``group`` held ``days_ago`` days ago at which its Chair recorded a motion
    to nominate as carried, through the meetings app's own service."""
    chair = officer_of(group, Role.CHAIR)
    meeting = group_meeting(
        group,
        chair,
        starts_in=-datetime.timedelta(days=days_ago),
        deadline_in=-datetime.timedelta(days=days_ago + 7),
    )
    motion = motion_in(
        meeting,
        MemberWithLoginFactory(home_group=group),
        MemberWithLoginFactory(home_group=group),
        title="Nominate for the area committee",
    )
    motion.status = MotionStatus.IN_ORDER
    motion.save(update_fields=["status"])
    return record_motion_outcome(
        actor=chair.user,
        motion=motion,
        result=OutcomeResult.CARRIED,
        votes_for=14,
        quorum_override="Attendance was taken on paper",
    )


def meeting_day(outcome: Outcome) -> datetime.date:
    return timezone.localdate(outcome.meeting.starts_at)


@pytest.fixture
def area_ballot(db: None) -> Setting:
    """An area ballot taking nominations: 5 supporting members or 2 groups."""
    setting = Setting(supporters=5, groups=2)
    for group in setting.groups:
        recognise(group)
    return setting


@pytest.fixture
def nomination(area_ballot: Setting) -> Nomination:
    nominee = area_ballot.member(0)
    # The question keeps a seat for a woman; confirming refuses a field that cannot meet it.
    return nominate(
        actor=nominee.user, question=area_ballot.question, nominee=nominee, categories=["women"]
    )


def _record(officer: Member, nomination: Nomination, group: Group, **kwargs) -> GroupSupport:
    kwargs.setdefault("resolved_on", clock.today() - datetime.timedelta(days=2))
    kwargs.setdefault("reference", "Minutes of the branch meeting, item 4")
    return record_group_support(actor=officer.user, nomination=nomination, group=group, **kwargs)


def test_group_officer_records_the_groups_resolution_linked_to_its_carried_motion(
    area_ballot: Setting, nomination: Nomination
):
    group = area_ballot.groups[1]
    outcome = carried_motion(group)
    secretary = officer_of(group)
    support = _record(
        secretary, nomination, group, resolved_on=meeting_day(outcome), carried_motion=outcome.pk
    )
    assert support.group == group and support.carried_motion_id == outcome.pk
    assert support.recorded_by == secretary and support.withdrawn_at is None
    entry = AuditEntry.objects.filter(action="record_group_support").get()
    assert entry.detail["group"] == group.slug
    assert entry.detail["reference"] == "Minutes of the branch meeting, item 4"
    assert entry.detail["carried_motion"] == outcome.pk
    # A Chair may record too.
    other = area_ballot.groups[2]
    _record(officer_of(other, Role.CHAIR), nomination, other)
    line = queries.nomination_line(nomination, area_ballot.ballot)
    assert [r.support.group for r in line.resolutions] == [group, other]
    assert line.groups == 2 and line.supporters == 0


def test_group_threshold_counts_resolutions_and_withdrawal_takes_one_away(
    area_ballot: Setting, nomination: Nomination
):
    first, second = area_ballot.groups[1], area_ballot.groups[2]
    one = _record(officer_of(first), nomination, first)
    line = queries.nomination_line(nomination, area_ballot.ballot)
    assert (line.groups, line.is_valid, line.problem) == (1, False, "not enough supporters yet")
    _record(officer_of(second), nomination, second)
    assert queries.nomination_line(nomination, area_ballot.ballot).is_valid
    withdraw_group_support(actor=one.recorded_by.user, support=one)
    line = queries.nomination_line(nomination, area_ballot.ballot)
    assert (line.groups, line.is_valid) == (1, False)
    assert GroupSupport.objects.get(pk=one.pk).withdrawn_at is not None  # kept, marked
    assert AuditEntry.objects.filter(action="withdraw_group_support").count() == 1
    # The group may resolve again after withdrawing; it still counts once.
    _record(officer_of(first), nomination, first)
    assert queries.nomination_line(nomination, area_ballot.ballot).groups == 2


def test_a_group_counts_once_whether_by_resolution_or_a_members_support(
    area_ballot: Setting, nomination: Nomination
):
    group = area_ballot.groups[1]
    supporter = area_ballot.member(1)
    support_nomination(actor=supporter.user, nomination=nomination)
    _record(officer_of(group), nomination, group)
    line = queries.nomination_line(nomination, area_ballot.ballot)
    assert (line.supporters, line.groups, line.is_valid) == (1, 1, False)


def test_confirmation_makes_a_candidate_of_a_nomination_carried_by_two_groups(
    area_ballot: Setting, nomination: Nomination, frozen_clock: Clock
):
    for group in area_ballot.groups[1:]:
        _record(officer_of(group), nomination, group)
    frozen_clock.advance(days=2)
    give_authenticator_app(area_ballot.officer.user)
    # The returning officer is the ballot's creator (national office).
    (candidate,) = confirm_nominations(actor=area_ballot.officer.user, ballot=area_ballot.ballot)
    assert candidate.name == nomination.name
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.CONFIRMED


def test_a_group_that_loses_recognition_stops_counting(
    area_ballot: Setting, nomination: Nomination
):
    group = area_ballot.groups[1]
    _record(officer_of(group), nomination, group)
    recognise(group, GroupStatus.SUSPENDED)
    ((_, (line,)),) = queries.nominations_report(area_ballot.ballot)
    assert line.groups == 0 and [r.counts for r in line.resolutions] == [False]
    recognise(group, GroupStatus.AT_RISK)  # still recognised until its fix-by date
    ((_, (line,)),) = queries.nominations_report(area_ballot.ballot)
    assert line.groups == 1


def _nothing_stored(before_supports: int, before_audit: int) -> None:
    assert GroupSupport.objects.count() == before_supports
    assert AuditEntry.objects.filter(action="record_group_support").count() == before_audit


@pytest.mark.parametrize(
    "status", [None, GroupStatus.PROVISIONAL, GroupStatus.SUSPENDED, GroupStatus.DERECOGNISED]
)
def test_an_unrecognised_group_cannot_nominate(
    area_ballot: Setting, nomination: Nomination, status
):
    group = area_ballot.groups[1]
    if status is None:
        GroupRecognition.objects.filter(group=group).delete()  # never reviewed: provisional
    else:
        recognise(group, status)
    with pytest.raises(BallotError, match="is not a recognised group"):
        _record(officer_of(group), nomination, group)
    _nothing_stored(0, 0)


def test_a_group_outside_the_ballots_scope_cannot_nominate(
    area_ballot: Setting, nomination: Nomination
):
    elsewhere = GroupFactory()  # another area
    recognise(elsewhere)
    with pytest.raises(BallotError, match="is not in this ballot's scope"):
        _record(officer_of(elsewhere), nomination, elsewhere)
    _nothing_stored(0, 0)


def test_no_group_support_after_the_close_of_nominations(
    area_ballot: Setting, nomination: Nomination, frozen_clock: Clock
):
    group = area_ballot.groups[1]
    secretary = officer_of(group)
    support = _record(secretary, nomination, group)
    frozen_clock.advance(days=1, seconds=1)
    with pytest.raises(WrongStage, match="Nominations have closed"):
        _record(secretary, nomination, group)
    with pytest.raises(WrongStage, match="no longer be withdrawn"):
        withdraw_group_support(actor=secretary.user, support=support)
    assert GroupSupport.objects.get(pk=support.pk).withdrawn_at is None
    _nothing_stored(1, 1)


def test_a_group_supports_a_nomination_once(area_ballot: Setting, nomination: Nomination):
    group = area_ballot.groups[1]
    _record(officer_of(group), nomination, group)
    with pytest.raises(WrongStage, match="already supports this nomination"):
        _record(officer_of(group, Role.CHAIR), nomination, group)
    _nothing_stored(1, 1)


def test_only_the_groups_own_officers_record_or_withdraw(
    area_ballot: Setting, nomination: Nomination
):
    group = area_ballot.groups[1]
    for outsider in (
        area_ballot.member(1),  # a member of the group
        officer_of(group, Role.TREASURER),
        officer_of(group, Role.DATA_MANAGER),
        officer_of(area_ballot.groups[2]),  # another group's secretary
        area_ballot.officer,  # national office runs the ballot, but is not the group
    ):
        with pytest.raises(PermissionDenied):
            _record(outsider, nomination, group)
    _nothing_stored(0, 0)
    support = _record(officer_of(group), nomination, group)
    with pytest.raises(PermissionDenied):
        withdraw_group_support(actor=officer_of(area_ballot.groups[2]).user, support=support)
    assert GroupSupport.objects.get(pk=support.pk).withdrawn_at is None


def test_a_linked_outcome_must_be_the_groups_own_carried_motion_on_that_day(
    area_ballot: Setting, nomination: Nomination
):
    group, other = area_ballot.groups[1], area_ballot.groups[2]
    secretary = officer_of(group)
    theirs = carried_motion(other)
    with pytest.raises(BallotError, match=f"not a meeting of {group.name}"):
        _record(
            secretary, nomination, group, resolved_on=meeting_day(theirs), carried_motion=theirs.pk
        )
    ours = carried_motion(group, days_ago=3)
    with pytest.raises(BallotError, match="That meeting was held on"):
        _record(
            secretary,
            nomination,
            group,
            resolved_on=meeting_day(ours) + datetime.timedelta(days=1),
            carried_motion=ours.pk,
        )
    fallen = carried_motion(group, days_ago=4)
    Outcome.objects.filter(pk=fallen.pk).update(result=OutcomeResult.FALLEN)
    fallen.refresh_from_db()
    with pytest.raises(BallotError, match="motion the meeting carried"):
        _record(
            secretary, nomination, group, resolved_on=meeting_day(fallen), carried_motion=fallen.pk
        )
    with pytest.raises(BallotError, match="cannot be in the future"):
        _record(
            secretary, nomination, group, resolved_on=clock.today() + datetime.timedelta(days=1)
        )
    with pytest.raises(BallotError, match="Say where the resolution is recorded"):
        _record(secretary, nomination, group, reference="   ")
    _nothing_stored(0, 0)


def test_a_withdrawn_nomination_takes_no_group_support(
    area_ballot: Setting, nomination: Nomination
):
    withdraw_nomination(actor=nomination.member.user, nomination=nomination)
    group = area_ballot.groups[1]
    with pytest.raises(WrongStage, match="takes no more support"):
        _record(officer_of(group), nomination, group)
    _nothing_stored(0, 0)


# Pages


def test_secretary_records_and_withdraws_through_the_pages_and_the_report_shows_it(
    client: Client, area_ballot: Setting, nomination: Nomination
):
    group = area_ballot.groups[1]
    outcome = carried_motion(group)
    secretary = officer_of(group)
    give_authenticator_app(secretary.user)
    client.force_login(secretary.user)
    detail = reverse("ballot_nomination", args=[area_ballot.ballot.pk, nomination.pk])
    form_url = reverse(
        "ballot_nomination_group_support", args=[area_ballot.ballot.pk, nomination.pk]
    )
    assert form_url in client.get(detail).content.decode()
    page = client.get(form_url).content.decode()
    assert f'<option value="{group.pk}">{group.name}</option>' in page
    assert "Nominate for the area committee" in page  # the carried motion to link
    response = client.post(
        form_url,
        {
            "group": group.pk,
            "resolved_on": meeting_day(outcome).isoformat(),
            "reference": "Minutes, item 4",
            "outcome": outcome.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == detail
    support = GroupSupport.objects.get()
    report = client.get(
        reverse("ballot_nominations", args=[area_ballot.ballot.pk])
    ).content.decode()
    assert f"{group.name}, resolved {meeting_day(outcome):%-d %b %Y} (Minutes, item 4;" in report
    motion_url = reverse("meetings:motion_detail", args=[outcome.meeting_id, outcome.motion_id])
    assert f'<a href="{motion_url}">the motion carried</a>' in report
    withdraw = reverse(
        "ballot_nomination_group_support_withdraw",
        args=[area_ballot.ballot.pk, nomination.pk, support.pk],
    )
    assert withdraw in client.get(detail).content.decode()
    assert client.post(withdraw).status_code == 302
    assert GroupSupport.objects.get().withdrawn_at is not None
    assert "none" in client.get(detail).content.decode().split("Groups by resolution")[1][:200]


def test_a_refused_group_support_is_shown_on_the_form_and_stores_nothing(
    client: Client, area_ballot: Setting, nomination: Nomination
):
    elsewhere = GroupFactory()
    recognise(elsewhere)
    secretary = officer_of(area_ballot.groups[1])
    # The same person is also Secretary of a group in another area.
    RoleFactory(role=Role.SECRETARY, level="group", group=elsewhere, member=secretary)
    give_authenticator_app(secretary.user)
    client.force_login(secretary.user)
    form_url = reverse(
        "ballot_nomination_group_support", args=[area_ballot.ballot.pk, nomination.pk]
    )
    response = client.post(
        form_url,
        {
            "group": elsewhere.pk,
            "resolved_on": (clock.today() - datetime.timedelta(days=1)).isoformat(),
            "reference": "Minutes, item 2",
            "outcome": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary" role="alert"' in page
    assert f"{elsewhere.name} is not in this ballot&#x27;s scope" in page
    _nothing_stored(0, 0)


def test_the_group_support_page_is_for_group_officers_only(
    client: Client, area_ballot: Setting, nomination: Nomination
):
    form_url = reverse(
        "ballot_nomination_group_support", args=[area_ballot.ballot.pk, nomination.pk]
    )
    client.force_login(area_ballot.member(1).user)  # an eligible member, no office
    assert client.get(form_url).status_code == 404
    outsider = officer_of(GroupFactory())  # a secretary in another area
    give_authenticator_app(outsider.user)
    client.force_login(outsider.user)
    assert client.get(form_url).status_code == 404
