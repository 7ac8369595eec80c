"""Nominations: self and by others with consent, supporters' thresholds, photos, withdrawal,
the report, and the returning officer confirming valid nominations into candidates."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from grassroots import clock
from grassroots.ballots.models import Ballot, BallotStatus, Nomination, NominationStatus, Question
from grassroots.ballots.photos import MAX_PHOTO_BYTES
from grassroots.ballots.services.errors import BallotError, NotEligible, WrongStage
from grassroots.ballots.services.nominations import (
    confirm_nominations,
    nominate,
    open_nominations,
    reject_nomination,
    support_nomination,
    update_nomination,
    withdraw_nomination,
)
from grassroots.ballots.services.setup import add_question, create_ballot
from grassroots.ballots.services.tellers import set_up_tellers
from grassroots.organisation.models import Area, Group, Role
from grassroots.people.models import Member
from tests.ballots.conftest import JPEG_1X1, PNG_1X1, Clock
from tests.factories import AreaFactory, GroupFactory, MemberWithLoginFactory, RoleFactory

pytestmark = pytest.mark.django_db


class Setting:
    def __init__(self, supporters: int = 2, groups: int = 2) -> None:
        self.area: Area = AreaFactory()
        self.groups: list[Group] = [GroupFactory(area=self.area) for _ in range(3)]
        self.officer: Member = RoleFactory(
            role=Role.NATIONAL_OFFICE, member__home_group=self.groups[0]
        ).member
        now = clock.now()
        self.ballot: Ballot = create_ballot(
            actor=self.officer.user,
            title="Area committee 2026",
            description="",
            level="area",
            scope=self.area,
            opens_at=now + datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=10),
        )
        self.question: Question = add_question(
            actor=self.officer.user,
            ballot=self.ballot,
            title="Area committee",
            kind="stv",
            stv_rule="scottish",
            seats=2,
            constraints=[{"category": "women", "minimum": 1, "maximum": None}],
        )
        open_nominations(
            actor=self.officer.user,
            ballot=self.ballot,
            close_at=now + datetime.timedelta(days=1),
            supporters_needed=supporters,
            groups_needed=groups,
        )
        self.ballot.refresh_from_db()

    def member(self, group: int = 0) -> Member:
        return MemberWithLoginFactory(home_group=self.groups[group])


@pytest.fixture
def setting(db: None) -> Setting:
    return Setting()


def test_member_nominates_themselves_with_statement_category_and_photo(setting: Setting):
    member = setting.member()
    nomination = nominate(
        actor=member.user,
        question=setting.question,
        nominee=member,
        statement="I will listen.",
        categories=["Women", " "],
        photo=SimpleUploadedFile("me.png", PNG_1X1, content_type="image/png"),
    )
    assert nomination.status == NominationStatus.STANDING
    assert nomination.categories == ["women"]
    assert nomination.photo.name.endswith(".png") and "me" not in nomination.photo.name
    with nomination.photo.open("rb") as stored:
        assert stored.read() == PNG_1X1


def test_nomination_by_another_member_waits_for_the_nominees_consent(setting: Setting):
    nominator, nominee = setting.member(), setting.member(1)
    nomination = nominate(
        actor=nominator.user,
        question=setting.question,
        nominee=nominee,
        statement="ignored",
        categories=["women"],
    )
    assert nomination.status == NominationStatus.AWAITING_CONSENT
    assert nomination.statement == "" and nomination.categories == []
    with pytest.raises(PermissionDenied):
        update_nomination(actor=nominator.user, nomination=nomination, statement="x", categories=[])
    update_nomination(
        actor=nominee.user, nomination=nomination, statement="Happy to.", categories=["women"]
    )
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.STANDING
    assert nomination.categories == ["women"]


def test_members_outside_the_scope_can_neither_nominate_nor_be_nominated(setting: Setting):
    outsider = MemberWithLoginFactory()
    with pytest.raises(NotEligible):
        nominate(actor=outsider.user, question=setting.question, nominee=outsider)
    with pytest.raises(NotEligible):
        nominate(actor=setting.member().user, question=setting.question, nominee=outsider)


def test_a_member_is_nominated_once_per_question(setting: Setting):
    member = setting.member()
    nominate(actor=member.user, question=setting.question, nominee=member)
    with pytest.raises(WrongStage, match="already nominated"):
        nominate(actor=setting.member().user, question=setting.question, nominee=member)


def test_support_counts_members_and_their_groups_once_each(setting: Setting):
    nominee = setting.member()
    nomination = nominate(actor=nominee.user, question=setting.question, nominee=nominee)
    with pytest.raises(BallotError, match="your own"):
        support_nomination(actor=nominee.user, nomination=nomination)
    first = setting.member(1)
    support_nomination(actor=first.user, nomination=nomination)
    with pytest.raises(WrongStage, match="already support"):
        support_nomination(actor=first.user, nomination=nomination)
    with pytest.raises(NotEligible):
        support_nomination(actor=MemberWithLoginFactory().user, nomination=nomination)
    from grassroots.ballots.queries import nomination_line

    line = nomination_line(nomination, setting.ballot)
    assert (line.supporters, line.groups, line.is_valid) == (1, 1, False)
    support_nomination(actor=setting.member(1).user, nomination=nomination)
    line = nomination_line(nomination, setting.ballot)
    assert (line.supporters, line.groups, line.is_valid) == (2, 1, True)  # 2 members suffice


def test_group_threshold_alone_makes_a_nomination_valid(db):
    setting = Setting(supporters=5, groups=2)
    nominee = setting.member()
    nomination = nominate(actor=nominee.user, question=setting.question, nominee=nominee)
    from grassroots.ballots.queries import nomination_line

    support_nomination(actor=setting.member(1).user, nomination=nomination)
    assert not nomination_line(nomination, setting.ballot).is_valid
    support_nomination(actor=setting.member(2).user, nomination=nomination)
    assert nomination_line(nomination, setting.ballot).is_valid


def test_withdrawal_is_possible_only_before_the_close_of_nominations(
    setting: Setting, frozen_clock: Clock
):
    early, late = setting.member(), setting.member()
    first = nominate(actor=early.user, question=setting.question, nominee=early)
    second = nominate(actor=late.user, question=setting.question, nominee=late)
    with pytest.raises(PermissionDenied):
        withdraw_nomination(actor=late.user, nomination=first)
    withdraw_nomination(actor=early.user, nomination=first)
    first.refresh_from_db()
    assert first.status == NominationStatus.WITHDRAWN
    frozen_clock.advance(days=2)
    with pytest.raises(WrongStage, match="closed"):
        withdraw_nomination(actor=late.user, nomination=second)
    with pytest.raises(WrongStage):
        nominate(actor=setting.member().user, question=setting.question, nominee=late)


def test_returning_officer_confirms_valid_nominations_into_candidates(
    setting: Setting, frozen_clock: Clock
):
    people = [setting.member(i % 3) for i in range(4)]
    nominations = [
        nominate(
            actor=p.user,
            question=setting.question,
            nominee=p,
            statement=f"Statement {i}",
            categories=["women"] if i % 2 == 0 else [],
            photo=SimpleUploadedFile("p.jpg", JPEG_1X1) if i == 0 else None,
        )
        for i, p in enumerate(people)
    ]
    supporters = [setting.member(1), setting.member(2)]
    for nomination in nominations[:3]:
        for supporter in supporters:
            support_nomination(actor=supporter.user, nomination=nomination)
    withdraw_nomination(actor=people[2].user, nomination=nominations[2])
    with pytest.raises(WrongStage, match="still open"):
        confirm_nominations(actor=setting.officer.user, ballot=setting.ballot)
    with pytest.raises(WrongStage, match="Confirm the nominations"):
        set_up_tellers(actor=setting.officer.user, ballot=setting.ballot, members=[])
    frozen_clock.advance(days=1, minutes=1)
    other_runner = RoleFactory(role=Role.NATIONAL_OFFICE).member
    with pytest.raises(PermissionDenied):
        confirm_nominations(actor=other_runner.user, ballot=setting.ballot)
    candidates = confirm_nominations(actor=setting.officer.user, ballot=setting.ballot)
    assert [c.name for c in candidates] == [people[0].full_name, people[1].full_name]
    assert candidates[0].categories == ["women"] and candidates[0].photo.name.endswith(".jpg")
    assert candidates[1].statement == "Statement 1"
    statuses = [Nomination.objects.get(pk=n.pk).status for n in nominations]
    assert statuses == ["confirmed", "confirmed", "withdrawn", "invalid"]
    assert Nomination.objects.get(pk=nominations[3].pk).status_reason == "not enough supporters yet"
    setting.ballot.refresh_from_db()
    assert setting.ballot.status == BallotStatus.DRAFT


def test_photo_upload_refuses_other_types_and_large_files(client: Client, setting: Setting):
    member = setting.member()
    client.force_login(member.user)
    url = reverse("ballot_nominate", args=[setting.ballot.pk])
    base = {"question": str(setting.question.pk), "statement": "Hello"}
    cases = [
        SimpleUploadedFile("x.gif", b"GIF89a" + b"\x00" * 40, content_type="image/gif"),
        SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"),
        SimpleUploadedFile("x.png", PNG_1X1 + b"\x00" * MAX_PHOTO_BYTES, content_type="image/png"),
    ]
    for upload in cases:
        response = client.post(url, {**base, "photo": upload})
        assert response.status_code == 400
        assert "JPEG or PNG" in response.content.decode() or "2 MB" in response.content.decode()
    assert not Nomination.objects.exists()
    response = client.post(url, {**base, "photo": SimpleUploadedFile("x.png", PNG_1X1)})
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    photo = client.get(reverse("ballot_nomination_photo", args=[setting.ballot.pk, nomination.pk]))
    assert photo["Content-Type"] == "image/png" and photo["X-Content-Type-Options"] == "nosniff"


def test_nomination_pages_journey_nominate_support_report_confirm(
    client: Client, setting: Setting, frozen_clock: Clock
):
    from tests.web.roles import give_authenticator_app

    nominee, other = setting.member(), setting.member(1)
    client.force_login(nominee.user)
    response = client.post(
        reverse("ballot_nominate", args=[setting.ballot.pk]),
        {"question": str(setting.question.pk), "statement": "Vote for me", "categories": "women"},
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    response = client.post(
        reverse("ballot_nominate", args=[setting.ballot.pk]),
        {"question": str(setting.question.pk), "nominee": other.membership_number},
    )
    assert response.status_code == 302
    for supporter in (setting.member(1), setting.member(2)):
        client.force_login(supporter.user)
        response = client.post(
            reverse("ballot_nomination_support", args=[setting.ballot.pk, nomination.pk])
        )
        assert response.status_code == 302
    report = client.get(reverse("ballot_nominations", args=[setting.ballot.pk])).content.decode()
    assert escape(nominee.full_name) in report and "(valid)" in report
    assert "the nominee has not consented" in report
    client.force_login(MemberWithLoginFactory().user)
    assert client.get(reverse("ballot_nominations", args=[setting.ballot.pk])).status_code == 404
    frozen_clock.advance(days=2)
    give_authenticator_app(setting.officer.user)
    client.force_login(setting.officer.user)
    response = client.post(reverse("ballot_nominations_confirm", args=[setting.ballot.pk]))
    assert response.status_code == 302
    assert list(setting.question.candidates.values_list("name", flat=True)) == [nominee.full_name]


def test_officer_rejects_a_nomination_with_a_reason_the_nominee_and_report_show(
    client: Client, setting: Setting, frozen_clock: Clock
):
    from grassroots.audit.models import AuditEntry
    from tests.web.roles import give_authenticator_app

    nominee = setting.member()
    nomination = nominate(
        actor=nominee.user, question=setting.question, nominee=nominee, statement="Hi"
    )
    reject_url = reverse("ballot_nomination_reject", args=[setting.ballot.pk, nomination.pk])
    give_authenticator_app(setting.officer.user)
    client.force_login(setting.officer.user)
    report = client.get(reverse("ballot_nominations", args=[setting.ballot.pk])).content.decode()
    assert reject_url in report
    response = client.post(reject_url, {"reason": "   "})
    assert response.status_code == 400
    assert "Give the reason for rejecting the nomination" in response.content.decode()
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.STANDING
    reason = "Not a member for the 12 months standing orders 4.2 require"
    response = client.post(reject_url, {"reason": reason})
    assert response.status_code == 302
    nomination.refresh_from_db()
    assert (nomination.status, nomination.status_reason) == (NominationStatus.REJECTED, reason)
    entry = AuditEntry.objects.get(action="reject_nomination")
    assert entry.actor_id == setting.officer.user.pk and entry.detail["reason"] == reason
    # The nominee sees it on their page; every member sees it on the report.
    client.force_login(nominee.user)
    page = client.get(reverse("ballot_nomination", args=[setting.ballot.pk, nomination.pk]))
    assert "Rejected by the returning officer: " + reason in page.content.decode()
    assert reject_url not in page.content.decode()
    client.force_login(setting.member(2).user)
    report = client.get(reverse("ballot_nominations", args=[setting.ballot.pk])).content.decode()
    assert reason in report and reject_url not in report
    assert client.get(reject_url).status_code == 404
    # A rejected nomination cannot be rejected again, supported, or confirmed.
    with pytest.raises(WrongStage, match="cannot be rejected"):
        reject_nomination(actor=setting.officer.user, nomination=nomination, reason="x")
    with pytest.raises(WrongStage):
        support_nomination(actor=setting.member(1).user, nomination=nomination)
    frozen_clock.advance(days=1, minutes=1)
    assert confirm_nominations(actor=setting.officer.user, ballot=setting.ballot) == []
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.REJECTED


def test_rejection_needs_a_runner_a_reason_and_open_nominations(
    client: Client, setting: Setting, frozen_clock: Clock
):
    from tests.web.roles import give_authenticator_app

    nominee = setting.member()
    nomination = nominate(actor=nominee.user, question=setting.question, nominee=nominee)
    with pytest.raises(PermissionDenied):
        reject_nomination(actor=nominee.user, nomination=nomination, reason="I say so")
    with pytest.raises(BallotError, match="Give the reason"):
        reject_nomination(actor=setting.officer.user, nomination=nomination, reason=" ")
    with pytest.raises(BallotError, match="300 characters"):
        reject_nomination(actor=setting.officer.user, nomination=nomination, reason="x" * 301)
    frozen_clock.advance(days=1, minutes=1)
    with pytest.raises(WrongStage, match="Nominations have closed"):
        reject_nomination(actor=setting.officer.user, nomination=nomination, reason="No")
    give_authenticator_app(setting.officer.user)
    client.force_login(setting.officer.user)
    url = reverse("ballot_nomination_reject", args=[setting.ballot.pk, nomination.pk])
    for response in (client.get(url), client.post(url, {"reason": "Too late"})):
        assert response.status_code == 409
        assert "Nominations have closed" in response.content.decode()
    assert Nomination.objects.get(pk=nomination.pk).status == NominationStatus.STANDING
