"""Erasure's rules for every row that names a member or their login: every relation has one
(found through the app registry, so a new app cannot forget), each rule does what the table in
docs/data-protection.md says with real rows, and an erasure is all or nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, models, transaction

from grassroots import clock
from grassroots.api import services as api_services
from grassroots.api.models import ApiToken
from grassroots.audit.models import AuditEntry
from grassroots.audit.services import record
from grassroots.meetings.models import (
    Attendance,
    Comment,
    CommentReport,
    CommentRevision,
    MeetingKind,
    Motion,
    Rsvp,
    RsvpResponse,
    SignInMethod,
)
from grassroots.meetings.personal_data import REMOVED_COMMENT
from grassroots.meetings.services.debate import edit_comment
from grassroots.organisation.models import Role, RoleAssignment
from grassroots.oversight import services as oversight_services
from grassroots.oversight.models import DecisionVote, OversightRules, Signature
from grassroots.people import erasure, erasure_rules, personal_data
from grassroots.people.erasure_rules import Action, Rule, all_rules, rule_owners
from grassroots.people.models import Member
from grassroots.sortition import queries as sortition_queries
from grassroots.sortition import services as sortition_services
from grassroots.sortition.models import Volunteer
from grassroots.surveys import queries as survey_queries
from grassroots.surveys import services as survey_services
from grassroots.surveys.models import Answer, Respondent, Response
from tests.factories import MemberWithLoginFactory, RoleFactory, change_status
from tests.meetings.builders import comment_on, group_meeting, motion_in
from tests.oversight.conftest import build_world, published_decision
from tests.sortition.helpers import council, national_officer, volunteers
from tests.surveys.helpers import answers, survey_with_every_kind
from tests.web.roles import build_movement

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"


def relations_to_members_and_logins() -> dict[str, models.Field]:
    """Every concrete foreign key or one-to-one field, in every model (many-to-many through
    tables included), that points at Member or at the login: walked here, independently of
    the rules."""
    targets = {Member, apps.get_model(settings.AUTH_USER_MODEL)}
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey)  # OneToOneField included
                and field.related_model in targets
            ):
                found[f"{model._meta.label_lower}.{field.name}"] = field
    return found


def relations_without_a_rule(rules: dict[str, Rule]) -> list[str]:
    return sorted(set(relations_to_members_and_logins()) - set(rules))


def test_every_relation_to_a_member_or_a_login_has_an_erasure_rule():
    missing = relations_without_a_rule(all_rules())
    assert not missing, (
        f"{missing} point at a member or a login but erasure has no rule for them: add one to "
        "ERASURE_RULES in the app's personal_data.py, registered from its AppConfig.ready "
        "(delete, anonymise or keep, and why), and a row to the table in docs/data-protection.md"
    )
    stale = sorted(set(all_rules()) - set(relations_to_members_and_logins()))
    assert not stale, f"{stale} have erasure rules but no longer point at a member or a login"


def test_an_app_that_registers_no_rules_is_caught(monkeypatch):
    """The check above reads the registry: an app whose AppConfig.ready forgot to register
    leaves its relations without a rule, and they are named."""
    without_surveys = {o: r for o, r in erasure_rules._registered.items() if o != "surveys"}
    monkeypatch.setattr(erasure_rules, "_registered", without_surveys)
    missing = relations_without_a_rule(all_rules())
    assert {"surveys.response.member", "surveys.respondent.member"} <= set(missing)
    assert all(key.startswith("surveys.") for key in missing)


def test_each_app_registers_the_rules_for_its_own_relations():
    """An app declares its own rules, so people imports none of the apps above it; the login's
    own tables are accounts', and the audit log (below people) is people's."""
    login_tables = {"account", "mfa", "admin", "accounts"}
    for key, owner in rule_owners().items():
        app_label = key.split(".")[0]
        expected = "accounts" if app_label in login_tables else app_label
        if app_label == "audit":
            expected = "people"
        assert owner == expected, key


def test_every_rule_says_what_it_does_and_why():
    for key, rule in all_rules().items():
        assert rule.does.strip() and rule.why.strip(), key


def test_rules_on_the_login_agree_with_what_deleting_the_login_does():
    """The login is deleted: a "delete" rule must be its CASCADE, any other must be a link
    the deletion clears or leaves (SET NULL, or the audit log's DO_NOTHING)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for key, field in relations_to_members_and_logins().items():
        if field.related_model is not user_model or key == "people.member.user":
            continue
        on_delete = field.remote_field.on_delete
        if all_rules()[key].action == Action.DELETE:
            assert on_delete is models.CASCADE, key
        else:
            assert on_delete in (models.SET_NULL, models.DO_NOTHING), key


def test_every_rule_is_in_the_documented_table():
    text = DOCS.read_text()
    undocumented = sorted(key for key in all_rules() if f"`{key}`" not in text)
    assert not undocumented, f"{undocumented} are missing from docs/data-protection.md"


# -- behaviour, rule by rule, with real rows ----------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_meetings_comments_lose_their_words_and_history_the_record_stays():
    m = build_movement()
    meeting = group_meeting(m.group_a, m.secretary_a)
    motion = motion_in(meeting, m.member, m.in_group_a, title="Rent strike support")
    comment = comment_on(motion, m.member, body="My landlord at 4 Elm Road raised my rent.")
    reply = comment_on(motion, m.in_group_a, body="Solidarity.", parent=comment)
    edit_comment(actor=m.member.user, comment=comment, body="My landlord raised my rent by 20%.")
    other = comment_on(motion, m.in_group_a, body="Second.")
    CommentReport.objects.create(
        comment=other, reporter=m.member, reason="Off topic", reported_at=clock.now()
    )
    event = group_meeting(m.group_a, m.secretary_a, kind=MeetingKind.PICKET, capacity=10)
    Rsvp.objects.create(
        meeting=event, member=m.member, response=RsvpResponse.GOING, responded_at=clock.now()
    )
    Attendance.objects.create(
        meeting=meeting,
        member=m.member,
        signed_in_at=clock.now(),
        signed_in_by=m.secretary_a,
        method=SignInMethod.SECRETARY,
    )

    erasure.erase_member(actor=m.national.user, member=m.member, reason="request")

    comment.refresh_from_db()
    assert comment.body == REMOVED_COMMENT and comment.edited_at is None
    assert comment.author.full_name == "Erased member"
    assert not CommentRevision.objects.filter(comment=comment).exists()
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk  # the thread holds
    assert Comment.objects.get(pk=reply.pk).body == "Solidarity."
    assert not CommentReport.objects.filter(reporter=m.member).exists()
    assert not Rsvp.objects.filter(member=m.member).exists()
    assert Attendance.objects.filter(meeting=meeting, member=m.member).count() == 1
    kept = Motion.objects.get(pk=motion.pk)
    assert (kept.title, kept.text, kept.proposer_id) == (motion.title, motion.text, m.member.pk)


@pytestmark_db
def test_an_open_draw_loses_the_volunteer_a_closed_draw_keeps_its_verifiable_record():
    officer = national_officer()
    open_draw = council(officer)
    closed_draw = council(officer, seats=2, quotas=[])
    leaving = MemberWithLoginFactory()
    for draw in (open_draw, closed_draw):
        sortition_services.volunteer(
            actor=leaving.user, draw=draw, categories={"gender": "woman", "region": "North"}
        )
    volunteers(closed_draw, 4)
    sortition_services.commit_seed(actor=officer.user, draw=closed_draw)
    sortition_services.close_volunteering(actor=officer.user, draw=closed_draw)
    closed_draw = sortition_services.draw_by_lot(actor=officer.user, draw=closed_draw)
    record_before = sortition_queries.draw_record_json(closed_draw)

    erasure.erase_member(actor=officer.user, member=leaving, reason="request")

    assert not Volunteer.objects.filter(draw=open_draw, member=leaving).exists()
    assert Volunteer.objects.filter(draw=closed_draw, member=leaving).count() == 1
    closed_draw.refresh_from_db()
    assert sortition_queries.draw_record_json(closed_draw) == record_before


@pytestmark_db
def test_a_named_survey_response_is_unlinked_its_counts_stay_its_free_text_goes():
    officer = national_officer()
    survey = survey_with_every_kind(officer, anonymous=False)
    leaving, staying = MemberWithLoginFactory(), MemberWithLoginFactory()
    survey_services.answer_survey(
        actor=leaving.user, survey=survey, answers=answers(survey, 2, [0, 3], 5, "I live at 4 Elm")
    )
    survey_services.answer_survey(
        actor=staying.user, survey=survey, answers=answers(survey, 2, [1], 4, "More socials")
    )
    before = survey_queries.results(officer.user, survey)

    erasure.erase_member(actor=officer.user, member=leaving, reason="request")

    assert not Response.objects.filter(member=leaving).exists()
    unlinked = Response.objects.get(survey=survey, member__isnull=True)
    assert unlinked.submitted_at is None
    assert not Answer.objects.filter(response=unlinked).exclude(text="").exists()
    assert Respondent.objects.filter(survey=survey, member=leaving).count() == 1
    after = survey_queries.results(officer.user, survey)
    for question_before, question_after in zip(
        before.questions[:3], after.questions[:3], strict=True
    ):
        assert [b.count for b in question_after.bars] == [b.count for b in question_before.bars]
    assert [t.text for t in after.questions[3].texts] == ["More socials"]


@pytestmark_db
def test_oversight_signatures_and_named_votes_stay_offices_in_the_rules_end():
    world = build_world()
    decision = published_decision(world)
    initiative = oversight_services.start_initiative(
        actor=world.members[0].user,
        kind="policy",
        title="Open the books",
        text="Publish the accounts every quarter.",
    )
    oversight_services.sign_initiative(actor=world.members[1].user, initiative_id=initiative.pk)
    signatures = Signature.objects.filter(initiative=initiative).count()
    teller = world.tellers[0]

    erasure.erase_member(actor=world.national.user, member=world.members[1], reason="request")
    erasure.erase_member(actor=None, member=teller, reason="request")
    erasure.erase_member(actor=None, member=world.committee[2], reason="request")
    erasure.erase_member(actor=None, member=world.national, reason="request")

    assert Signature.objects.filter(initiative=initiative).count() == signatures
    rules = OversightRules.objects.get()
    assert teller not in rules.standing_tellers.all()
    assert rules.returning_officer is None
    vote = DecisionVote.objects.get(decision=decision, member=world.committee[2])
    assert vote.name == "Cy Committee" and vote.vote == "against"


@pytestmark_db
def test_labels_holding_the_email_become_the_erased_label_and_tokens_go():
    m = build_movement()
    officer = m.data_manager_a
    email = officer.user.email
    appointed = RoleFactory(
        role=Role.SECRETARY,
        group=m.group_a,
        appointed_by=officer.user,
        appointed_by_label=email,
        ended_by_label=email,
    )
    untouched = RoleFactory(role=Role.TREASURER, group=m.group_a, appointed_by_label="x@y.z")
    api_services.create_token(actor=officer.user, name="phone", days=30)
    assert ApiToken.objects.filter(user=officer.user).exists()

    erasure.erase_member(actor=m.national.user, member=officer, reason="request")

    label = f"erased member #{officer.membership_number}"
    appointed.refresh_from_db()
    assert appointed.appointed_by_id is None
    assert (appointed.appointed_by_label, appointed.ended_by_label) == (label, label)
    assert RoleAssignment.objects.get(pk=untouched.pk).appointed_by_label == "x@y.z"
    assert not ApiToken.objects.exists()


@pytestmark_db
def test_audit_rows_written_by_the_member_lose_the_email_and_keep_the_trail():
    m = build_movement()
    officer = m.data_manager_a
    email, user_id = officer.user.email, officer.user_id
    record(actor=officer.user, action="view_member", subject_type="member", subject_id="GR1")
    record(actor=m.national.user, action="view_member", subject_type="member", subject_id="GR1")

    erasure.erase_member(actor=m.national.user, member=officer, reason="request")

    theirs = AuditEntry.objects.filter(actor_id=user_id)
    assert theirs.exists()
    assert set(theirs.values_list("actor_label", flat=True)) == {
        f"erased member #{officer.membership_number}"
    }
    assert not AuditEntry.objects.filter(actor_label__iexact=email).exists()
    assert (
        AuditEntry.objects.filter(actor=m.national.user)
        .exclude(actor_label=m.national.user.email)
        .count()
        == 0
    )


@pytestmark_db
@pytest.mark.parametrize(
    "change",
    [
        "a living login's row",
        "an erased row a second time",
        "another column with the label",
        "a label naming a member who is not erased",
    ],
)
def test_the_audit_guard_still_refuses_every_other_update(change):
    m = build_movement()
    leaving = m.data_manager_a
    record(actor=leaving.user, action="view_member", subject_type="member", subject_id="GR1")
    living = record(
        actor=m.national.user, action="view_member", subject_type="member", subject_id="GR1"
    )
    erasure.erase_member(actor=m.national.user, member=leaving, reason="request")
    theirs = AuditEntry.objects.filter(actor_label=f"erased member #{leaving.membership_number}")
    rows, values = {
        "a living login's row": (
            AuditEntry.objects.filter(pk=living.pk),
            {"actor_label": f"erased member #{leaving.membership_number}"},
        ),
        "an erased row a second time": (
            theirs,
            {"actor_label": f"erased member #{leaving.membership_number}"},
        ),
        "another column with the label": (theirs, {"purpose": "rewritten"}),
        "a label naming a member who is not erased": (
            theirs,
            {"actor_label": f"erased member #{m.member.membership_number}"},
        ),
    }[change]
    before = list(AuditEntry.objects.values_list("pk", "actor_label", "purpose"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        rows.update(**values)
    assert list(AuditEntry.objects.values_list("pk", "actor_label", "purpose")) == before


@pytestmark_db
def test_an_erasure_that_fails_part_way_changes_nothing(monkeypatch):
    """The audit relabel runs last, after the login is deleted: make it fail, and the member,
    the login, the comments and the RSVPs are all as they were."""
    m = build_movement()
    member = m.member
    meeting = group_meeting(m.group_a, m.secretary_a)
    motion = motion_in(meeting, member, m.in_group_a)
    comment = comment_on(motion, member, body="My words")
    Rsvp.objects.create(
        meeting=meeting, member=member, response=RsvpResponse.GOING, responded_at=clock.now()
    )
    record(actor=member.user, action="subject_access_export", subject_type="member")

    def fail(_erasure):
        raise RuntimeError("disk full")

    monkeypatch.setitem(
        personal_data.ERASURE_RULES,
        "audit.auditentry.actor",
        Rule(Action.ANONYMISE, "x", "x", fail, after_login_deleted=True),
    )
    with pytest.raises(RuntimeError, match="disk full"):
        erasure.erase_member(actor=m.national.user, member=member, reason="request")

    member.refresh_from_db()
    assert not member.is_erased and member.full_name == "Maya Okafor"
    assert member.user is not None and member.user.email
    assert Comment.objects.get(pk=comment.pk).body == "My words"
    assert Rsvp.objects.filter(member=member).exists()
    assert AuditEntry.objects.filter(actor_label=member.user.email).exists()
    assert not AuditEntry.objects.filter(action="erase_member").exists()


@pytestmark_db
def test_retention_erasure_applies_the_same_rules():
    """The retention job (no actor) goes through the same rules as the national office."""
    m = build_movement()
    lapsed = m.in_group_a
    meeting = group_meeting(m.group_a, m.secretary_a)
    Rsvp.objects.create(
        meeting=meeting, member=lapsed, response=RsvpResponse.GOING, responded_at=clock.now()
    )
    lapsed.renewal_due_on = clock.today() - datetime.timedelta(days=800)
    lapsed.save()
    change_status(lapsed, "lapsed")

    run = erasure.apply_retention(dry_run=False)

    assert lapsed.membership_number in run.erased
    assert not Rsvp.objects.filter(member=lapsed).exists()
    assert Member.objects.get(pk=lapsed.pk).is_erased


@pytestmark_db
def test_an_unpublished_nominations_photo_goes_only_when_the_erasure_commits(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from grassroots.ballots.models import Nomination, NominationStatus
    from grassroots.ballots.services.nominations import nominate
    from tests.ballots.conftest import PNG_1X1
    from tests.ballots.test_nominations import Setting

    settings.MEDIA_ROOT = tmp_path
    setting = Setting()
    member = setting.member()
    nomination = nominate(
        actor=member.user,
        question=setting.question,
        nominee=member,
        statement="I grew up on the Meadows estate.",
        categories=["Women"],
        photo=SimpleUploadedFile("me.png", PNG_1X1, content_type="image/png"),
    )
    photo = tmp_path / nomination.photo.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        erasure.erase_member(actor=setting.officer.user, member=member, reason="request")
    assert photo.exists()  # not yet committed: a rollback would still find it
    for callback in callbacks:
        callback()

    assert not photo.exists()
    nomination.refresh_from_db()
    assert (nomination.name, nomination.statement, nomination.categories) == (
        "Erased member",
        "",
        [],
    )
    assert not nomination.photo and nomination.status == NominationStatus.WITHDRAWN
    assert Nomination.objects.filter(member=member).count() == 1


@pytestmark_db
def test_the_audit_guard_lets_only_the_label_change_not_the_login_id(monkeypatch):
    """With the relabel step skipped, the rows of an erased member still hold the email: the
    guard lets the label alone become the pseudonym, but not with ``actor_id`` cleared too."""
    m = build_movement()
    leaving = m.data_manager_a
    email = leaving.user.email
    record(actor=leaving.user, action="view_member", subject_type="member", subject_id="GR1")
    monkeypatch.setitem(
        personal_data.ERASURE_RULES,
        "audit.auditentry.actor",
        Rule(Action.ANONYMISE, "x", "x", lambda _e: None, after_login_deleted=True),
    )
    erasure.erase_member(actor=m.national.user, member=leaving, reason="request")
    theirs = AuditEntry.objects.filter(actor_label=email)
    label = f"erased member #{leaving.membership_number}"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        theirs.update(actor_label=label, actor_id=None)
    assert theirs.count() == 1

    theirs.update(actor_label=label)
    assert AuditEntry.objects.filter(actor_label=label).count() == 1


@pytestmark_db
def test_a_forwarded_motion_stays_its_forwarders_email_label_becomes_the_pseudonym():
    from grassroots.delegation.bodies import Body
    from grassroots.delegation.models import MotionForward
    from grassroots.delegation.services.forwarding import forward_motion
    from grassroots.organisation.models import ScopeLevel
    from tests.delegation.builders import build_area, carried_group_motion

    setup = build_area()
    secretary = Member.objects.get(user=setup.secretary)
    email = setup.secretary.email
    motion = carried_group_motion(
        group=setup.gateshead,
        title="Save the central library",
        text="This branch resolves to campaign to keep the central library open.",
        proposer=setup.delegate,
        seconder=setup.voter,
        chair=secretary,
    )
    forward = forward_motion(
        actor=setup.secretary, motion=motion, to=Body(level=ScopeLevel.AREA, area=setup.area)
    )
    assert forward.forwarded_by_label == email

    erasure.erase_member(actor=setup.national, member=secretary, reason="request")
    erasure.erase_member(actor=setup.national, member=setup.delegate, reason="request")

    forward = MotionForward.objects.get(pk=forward.pk)
    assert forward.forwarded_by_id is None
    assert forward.forwarded_by_label == f"erased member #{secretary.membership_number}"
    assert forward.mover_id == setup.delegate.pk  # the mover stays, now "Erased member"
    assert forward.mover.full_name == "Erased member"


def test_a_relation_registered_by_two_apps_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    from grassroots.people.erasure_rules import register_erasure_rules

    taken = {"surveys.response.member": Rule(Action.KEEP, "kept", "a second opinion")}
    with pytest.raises(ImproperlyConfigured, match=r"surveys\.response\.member"):
        register_erasure_rules("meetings", taken)
    assert rule_owners()["surveys.response.member"] == "surveys"
