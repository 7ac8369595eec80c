"""Recognition's transitions, notices, appeals, permissions, dashboard and the group page."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import (
    AppealDecision,
    GroupRecognition,
    GroupStatus,
    RecognitionEvent,
    Role,
)
from grassroots.organisation.queries import recognition_dashboard
from grassroots.organisation.services.appeals import decide_appeal, lodge_appeal
from grassroots.organisation.services.common import RecognitionError
from grassroots.organisation.services.officers import accept_agreement, end_role, record_agm
from grassroots.organisation.services.review import (
    derecognise_group,
    review_recognition,
    update_criteria,
)
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.mail import Mailbox
from tests.organisation.conftest import Clock, Officers, make_recognised_group
from tests.web.roles import give_authenticator_app

pytestmark = pytest.mark.django_db


def status_of(officers: Officers) -> str:
    return GroupRecognition.objects.get(group=officers.group).status


def resign_data_manager(officers: Officers, clock: Clock) -> None:
    end_role(
        actor=officers.data_manager.user,
        assignment=officers.dm_role,
        ends_on=clock.today,
        reason="resigned",
    )


def test_a_group_drops_to_at_risk_when_its_data_manager_resigns_and_officers_are_told(
    officers: Officers, frozen_clock: Clock, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resign_data_manager(officers, frozen_clock)
    assert status_of(officers) == GroupStatus.AT_RISK
    event = RecognitionEvent.objects.get(group=officers.group)
    assert (event.from_status, event.to_status) == (GroupStatus.RECOGNISED, GroupStatus.AT_RISK)
    assert event.fix_by == frozen_clock.today + datetime.timedelta(days=28)
    assert event.decided_by is None and event.decided_by_label == "system"
    assert {f["code"] for f in event.failing} == {"data_manager", "agreement"}
    for person in (officers.chair, officers.secretary, officers.data_manager):
        notice = mailbox.last_to(person.email)
        assert "at risk" in notice.subject
        assert "30 March 2026" in notice.text
        assert "The group has no Data Manager." in notice.text
    assert not mailbox.to(officers.ordinary[0].email)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert {"end_role", "recognition_status_changed", "queue_system_mail"} <= set(actions)


def test_suspension_comes_only_after_the_fix_by_date_with_a_reminder_before(
    officers: Officers, frozen_clock: Clock, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    resign_data_manager(officers, frozen_clock)
    frozen_clock.advance(days=20)  # 8 days before the fix-by date: no reminder yet
    review_recognition(group=officers.group)
    assert status_of(officers) == GroupStatus.AT_RISK
    frozen_clock.advance(days=1)  # 7 days before
    with django_capture_on_commit_callbacks(execute=True):
        review_recognition(group=officers.group)
    assert "Reminder" in mailbox.last_to(officers.chair.email).subject
    frozen_clock.advance(days=7)  # the fix-by date itself: still at risk
    review_recognition(group=officers.group)
    assert status_of(officers) == GroupStatus.AT_RISK
    frozen_clock.advance(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("review_recognition", stdout=io.StringIO())
    assert status_of(officers) == GroupStatus.SUSPENDED
    assert "suspended" in mailbox.last_to(officers.secretary.email).subject
    reminders = AuditEntry.objects.filter(action="recognition_reminder_sent").count()
    assert reminders == 1


def test_a_suspended_group_is_never_de_recognised_automatically(
    officers: Officers, frozen_clock: Clock
):
    resign_data_manager(officers, frozen_clock)
    for _ in range(4):
        frozen_clock.advance(days=100)
        review_recognition(group=officers.group)
    assert status_of(officers) == GroupStatus.SUSPENDED
    assert not RecognitionEvent.objects.filter(to_status=GroupStatus.DERECOGNISED).exists()


def test_at_risk_group_is_recognised_again_when_every_criterion_passes(
    officers: Officers, frozen_clock: Clock
):
    resign_data_manager(officers, frozen_clock)
    frozen_clock.advance(days=3)
    new_dm = RoleFactory(
        role=Role.DATA_MANAGER,
        group=officers.group,
        starts_on=frozen_clock.today,
        accepted_agreement=False,
    )
    new_dm.member.home_group = officers.group
    new_dm.member.save()
    accept_agreement(actor=new_dm.member.user, assignment=new_dm)
    assert status_of(officers) == GroupStatus.RECOGNISED
    assert GroupRecognition.objects.get(group=officers.group).fix_by is None


def test_a_provisional_group_becomes_recognised_once_it_meets_the_criteria(frozen_clock: Clock):
    officers = make_recognised_group(status=GroupStatus.PROVISIONAL)
    review_recognition(group=officers.group)
    assert status_of(officers) == GroupStatus.RECOGNISED


def test_recording_an_agm_is_the_secretarys_and_is_reviewed_at_once(frozen_clock: Clock):
    officers = make_recognised_group(status=GroupStatus.PROVISIONAL)
    officers.group.agm_records.all().delete()
    review_recognition(group=officers.group)
    assert status_of(officers) == GroupStatus.PROVISIONAL
    with pytest.raises(PermissionDenied):
        record_agm(
            actor=officers.data_manager.user, group=officers.group, held_on=frozen_clock.today
        )
    record_agm(actor=officers.secretary.user, group=officers.group, held_on=frozen_clock.today)
    assert status_of(officers) == GroupStatus.RECOGNISED
    agm = officers.group.agm_records.get()
    assert agm.recorded_by == officers.secretary.user


def test_an_ordinary_member_cannot_end_a_role(officers: Officers, frozen_clock: Clock):
    other = MemberWithLoginFactory(home_group=officers.group)
    with pytest.raises(PermissionDenied):
        end_role(
            actor=other.user, assignment=officers.dm_role, ends_on=frozen_clock.today, reason="x"
        )


def suspend(officers: Officers, clock: Clock) -> None:
    resign_data_manager(officers, clock)
    clock.advance(days=29)
    review_recognition(group=officers.group)
    assert status_of(officers) == GroupStatus.SUSPENDED


def test_only_national_office_de_recognises_and_only_a_suspended_group(
    officers: Officers, frozen_clock: Clock
):
    national = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    with pytest.raises(RecognitionError):
        derecognise_group(actor=national, group=officers.group, reason="No DM.")
    suspend(officers, frozen_clock)
    with pytest.raises(PermissionDenied):
        derecognise_group(actor=officers.chair.user, group=officers.group, reason="No DM.")
    derecognise_group(actor=national, group=officers.group, reason="No DM for months.")
    event = RecognitionEvent.objects.filter(group=officers.group).first()
    assert event is not None and event.to_status == GroupStatus.DERECOGNISED
    assert event.decided_by == national


def test_an_upheld_appeal_restores_the_previous_status_and_a_dismissed_one_does_not(
    officers: Officers, frozen_clock: Clock
):
    suspend(officers, frozen_clock)
    committee = RoleFactory(role=Role.NATIONAL_COMMITTEE).member.user
    national = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    appeal = lodge_appeal(
        actor=officers.chair.user, group=officers.group, statement="Our DM was ill."
    )
    assert appeal.body == Role.NATIONAL_COMMITTEE
    with pytest.raises(RecognitionError):
        lodge_appeal(actor=officers.chair.user, group=officers.group, statement="again")
    with pytest.raises(PermissionDenied):
        decide_appeal(actor=national, appeal=appeal, upheld=True, reasons="ok")
    decide_appeal(actor=committee, appeal=appeal, upheld=True, reasons="Illness.")
    appeal.refresh_from_db()
    assert appeal.decision == AppealDecision.UPHELD
    recognition = GroupRecognition.objects.get(group=officers.group)
    assert recognition.status == GroupStatus.AT_RISK
    assert recognition.fix_by == frozen_clock.today + datetime.timedelta(days=28)
    # Suspended again later; this time the appeal is dismissed and nothing changes.
    frozen_clock.advance(days=29)
    review_recognition(group=officers.group)
    second = lodge_appeal(actor=officers.secretary.user, group=officers.group, statement="Please.")
    decide_appeal(actor=committee, appeal=second, upheld=False, reasons="No DM yet.")
    assert status_of(officers) == GroupStatus.SUSPENDED


def test_the_appeal_body_is_the_one_the_rules_name(officers: Officers, frozen_clock: Clock):
    national = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    update_criteria(actor=national, values={"appeal_body": Role.NATIONAL_OFFICE})
    suspend(officers, frozen_clock)
    appeal = lodge_appeal(actor=officers.chair.user, group=officers.group, statement="Reconsider.")
    decide_appeal(actor=national, appeal=appeal, upheld=False, reasons="No.")
    assert AuditEntry.objects.filter(action="update_recognition_criteria").exists()


def test_criteria_are_the_national_offices_to_change(officers: Officers, frozen_clock: Clock):
    with pytest.raises(PermissionDenied):
        update_criteria(actor=officers.chair.user, values={"minimum_members": 2})
    national = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    with pytest.raises(RecognitionError):
        update_criteria(actor=national, values={"reminder_days": 40})
    update_criteria(actor=national, values={"minimum_members": 50})
    review_recognition(group=officers.group)
    event = RecognitionEvent.objects.get(group=officers.group)
    assert [f["code"] for f in event.failing] == ["members"]


def test_dashboard_counts_by_status_within_the_coordinators_scope(
    officers: Officers, frozen_clock: Clock
):
    resign_data_manager(officers, frozen_clock)
    make_recognised_group(group=GroupFactory(area=officers.group.area))
    GroupFactory()  # another area: provisional, no row
    home = {"member__home_group": officers.group}
    area = officers.group.area
    coordinator = RoleFactory(role=Role.AREA_COORDINATOR, area=area, **home).member.user
    national = RoleFactory(role=Role.NATIONAL_OFFICE, **home).member.user
    area_view = recognition_dashboard(coordinator)
    assert area_view is not None
    assert {c.status: c.count for c in area_view.counts if c.count} == {
        "recognised": 1,
        "at_risk": 1,
    }
    assert [row.group for row in area_view.at_risk] == [officers.group]
    assert {f["code"] for f in area_view.at_risk[0].failing} == {"data_manager", "agreement"}
    national_view = recognition_dashboard(national)
    assert national_view is not None and national_view.total == 3
    assert recognition_dashboard(officers.chair.user) is None
    give_authenticator_app(national)
    client = Client()
    client.force_login(national)
    page = client.get(reverse("recognition_dashboard")).content.decode()
    assert "<svg" in page and "<table>" in page and "The group has no Data Manager." in page


def test_the_history_is_shown_to_the_groups_members_and_not_to_others(
    officers: Officers, frozen_clock: Clock
):
    resign_data_manager(officers, frozen_clock)
    url = reverse("group_detail", args=[officers.group.slug])
    member = MemberWithLoginFactory(home_group=officers.group)
    outsider = MemberWithLoginFactory()
    client = Client()
    client.force_login(member.user)
    page = client.get(url).content.decode()
    assert "Recognised to At risk" in page
    assert "The system, by the criteria" in page
    for viewer in (outsider, None):
        client = Client()
        if viewer is not None:
            client.force_login(viewer.user)
        page = client.get(url).content.decode()
        assert "At risk" in page  # the status itself is public
        assert "Recognised to At risk" not in page


def test_the_data_manager_accepts_the_agreement_on_its_page(frozen_clock: Clock):
    officers = make_recognised_group(status=GroupStatus.PROVISIONAL)
    officers.dm_role.agreement_acceptances.all().delete()
    give_authenticator_app(officers.data_manager.user)
    client = Client()
    client.force_login(officers.data_manager.user)
    url = reverse("data_protection_agreement")
    assert "Accept the agreement" in client.get(url).content.decode()
    response = client.post(url, {})
    assert "There is a problem" in response.content.decode()
    client.post(url, {"accept": "on"})
    assert officers.dm_role.agreement_acceptances.count() == 1
    assert status_of(officers) == GroupStatus.RECOGNISED


def test_a_lodged_appeal_is_mailed_to_the_body_the_rules_name_and_its_decision_recorded(
    officers: Officers, frozen_clock: Clock, mailbox: Mailbox, django_capture_on_commit_callbacks
):
    committee = [RoleFactory(role=Role.NATIONAL_COMMITTEE).member for _ in range(2)]
    office = RoleFactory(role=Role.NATIONAL_OFFICE).member
    suspend(officers, frozen_clock)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = lodge_appeal(
            actor=officers.chair.user,
            group=officers.group,
            statement="Our Data Manager was ill; a new one is being elected.",
        )
    assert appeal.body == Role.NATIONAL_COMMITTEE  # the default rules
    for person in committee:
        notice = mailbox.last_to(person.email)
        assert notice.subject == f"Appeal by {officers.group.name} against its suspension"
        assert "Our Data Manager was ill" in notice.text
        assert reverse("recognition_appeal_decide", args=[appeal.pk]) in notice.text
        assert officers.chair.email not in notice.text
    assert not mailbox.to(office.email)

    with django_capture_on_commit_callbacks(execute=True):
        decide_appeal(
            actor=committee[0].user, appeal=appeal, upheld=True, reasons="Illness is a fair cause."
        )
    appeal.refresh_from_db()
    assert appeal.decision == AppealDecision.UPHELD
    assert appeal.decided_by == committee[0].user
    assert appeal.decision_reasons == "Illness is a fair cause."
    assert "upheld" in mailbox.last_to(officers.secretary.email).subject
    assert AuditEntry.objects.filter(action="decide_recognition_appeal").exists()


def test_dashboard_lists_groups_at_risk_fifty_a_page_soonest_first(frozen_clock: Clock):
    national = RoleFactory(role=Role.NATIONAL_OFFICE).member.user
    for day in range(55):
        GroupRecognition.objects.create(
            group=GroupFactory(),
            status=GroupStatus.AT_RISK,
            fix_by=frozen_clock.today + datetime.timedelta(days=day + 1),
        )
    first = recognition_dashboard(national)
    assert first is not None and (first.troubled, first.pages) == (55, 2)
    assert len(first.at_risk) == 50
    assert [r.fix_by for r in first.at_risk] == sorted(r.fix_by for r in first.at_risk)
    last = recognition_dashboard(national, page=99)
    assert last is not None and last.page == 2 and len(last.at_risk) == 5
    assert {r.group.pk for r in first.at_risk}.isdisjoint(r.group.pk for r in last.at_risk)
    client = Client()
    give_authenticator_app(national)
    client.force_login(national)
    page = client.get(reverse("recognition_dashboard"), {"page": "2"}).content.decode()
    assert "Page 2 of 2" in page and "55 groups, the soonest" in page
    assert client.get(reverse("recognition_dashboard"), {"page": "x"}).status_code == 200
