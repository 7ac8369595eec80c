"""Surveys through the services: answering once, anonymity by construction, results, and
refusals that say what is wrong."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from grassroots.audit.models import AuditEntry
from grassroots.organisation.models import Role
from grassroots.people.models import MembershipStatus
from grassroots.surveys import queries, services
from grassroots.surveys.models import Answer, PendingResponse, Respondent, Response
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory
from tests.sortition.helpers import national_officer
from tests.surveys.helpers import answers, questions, survey_with_every_kind

pytestmark = pytest.mark.django_db


def test_anonymous_answers_keep_no_link_to_the_member_once_mixed():
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    members = [MemberWithLoginFactory() for _ in range(25)]
    for n, member in enumerate(members):
        services.answer_survey(
            actor=member.user, survey=survey, answers=answers(survey, n % 3, [n % 4], 1 + n % 5)
        )
    assert Respondent.objects.filter(survey=survey).count() == 25
    # The results count every answer, pending or mixed.
    assert queries.results(officer.user, survey).counted == 25

    # While open, a random pool of MIX_POOL stays pending; at the close, everything moves.
    moved = services.mix_responses(survey_id=survey.pk)
    assert moved == 25 - services.MIX_POOL
    assert PendingResponse.objects.filter(survey=survey).count() == services.MIX_POOL
    services.close_survey(actor=officer.user, survey=survey)
    services.mix_responses(survey_id=survey.pk)  # on_commit in real use; tests run in one txn
    assert not PendingResponse.objects.filter(survey=survey).exists()
    assert Response.objects.filter(survey=survey).count() == 25
    assert not Response.objects.filter(survey=survey, member__isnull=False).exists()
    assert not Response.objects.filter(survey=survey, submitted_at__isnull=False).exists()
    # No audit row says who answered when.
    assert not AuditEntry.objects.filter(
        subject_type="survey", actor__in=[m.user for m in members]
    ).exists()


def test_a_member_answers_once():
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    member = MemberWithLoginFactory()
    services.answer_survey(actor=member.user, survey=survey, answers=answers(survey, 0, [1], 3))
    with pytest.raises(services.AlreadyAnswered):
        services.answer_survey(actor=member.user, survey=survey, answers=answers(survey, 1, [2], 4))
    assert PendingResponse.objects.filter(survey=survey).count() == 1


def test_a_named_survey_keeps_each_answer_with_its_member():
    officer = national_officer()
    survey = survey_with_every_kind(officer, anonymous=False)
    member = MemberWithLoginFactory()
    services.answer_survey(
        actor=member.user, survey=survey, answers=answers(survey, 2, [0, 3], 5, "More socials")
    )
    response = Response.objects.get(survey=survey)
    assert response.member == member and response.submitted_at is not None
    text = queries.results(officer.user, survey).questions[3].texts
    assert [(t.text, t.member_name) for t in text] == [("More socials", member.full_name)]


def test_results_count_each_option_and_average_the_scale():
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    given = [(0, [0, 1], 5), (0, [1], 4), (1, [1, 2], 2), (2, [3], 4)]
    for single, multiple, scale in given:
        services.answer_survey(
            actor=MemberWithLoginFactory().user,
            survey=survey,
            answers=answers(survey, single, multiple, scale),
        )
    result = queries.results(officer.user, survey)
    single, multiple, scale, text = result.questions
    assert [(b.label, b.count, b.percent) for b in single.bars] == [
        ("In person", 2, Decimal("50.0")),
        ("Online", 1, Decimal("25.0")),
        ("Both", 1, Decimal("25.0")),
    ]
    assert [b.count for b in multiple.bars] == [1, 3, 1, 1]
    assert [b.px for b in multiple.bars] == [120, 360, 120, 120]
    assert [b.count for b in scale.bars] == [0, 1, 0, 2, 1]
    assert scale.mean == Decimal("3.75")
    assert text.answered == 0


def test_free_text_is_for_the_officers_and_reading_it_is_audited():
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    member = MemberWithLoginFactory()
    services.answer_survey(
        actor=member.user, survey=survey, answers=answers(survey, 0, [0], 3, "The chair is rude")
    )
    services.close_survey(actor=officer.user, survey=survey)
    as_member = queries.results(member.user, survey)
    assert as_member.shows_text is False and as_member.questions[3].texts == []
    as_officer = queries.results(officer.user, survey)
    assert [t.text for t in as_officer.questions[3].texts] == ["The chair is rude"]
    assert as_officer.questions[3].texts[0].member_name == ""
    assert AuditEntry.objects.filter(action="read_survey_free_text", actor=officer.user).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q, a: a.pop(q[0].pk), "Question 1: please answer this question."),
        (lambda q, a: a.update({q[0].pk: [0, 1]}), "Question 1: choose one option."),
        (lambda q, a: a.update({q[1].pk: [9]}), "Question 2: choose from the options given."),
        (lambda q, a: a.update({q[2].pk: 6}), "Question 3: choose a number from 1 to 5."),
        (lambda q, a: a.update({q[3].pk: "x" * 2001}), "Question 4: at most 2000 characters"),
        (lambda q, a: a.update({999999: "?"}), "a question this survey does not have"),
    ],
)
def test_bad_answers_are_refused_naming_the_question(change, message):
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    given = answers(survey, 0, [1], 3)
    change(questions(survey), given)
    with pytest.raises(services.SurveyError, match=message.replace("(", r"\(")):
        services.answer_survey(actor=MemberWithLoginFactory().user, survey=survey, answers=given)
    assert not Respondent.objects.exists() and not Answer.objects.exists()


def test_only_members_in_scope_answer():
    officer = national_officer()
    group = GroupFactory()
    survey = survey_with_every_kind(officer, scope=group, level="group")
    outsider = MemberWithLoginFactory()
    supporter = MemberWithLoginFactory(home_group=group, status=MembershipStatus.SUPPORTER)
    for person in (outsider, supporter):
        with pytest.raises(services.SurveyError, match="home group is in this survey's scope"):
            services.answer_survey(
                actor=person.user, survey=survey, answers=answers(survey, 0, [0], 1)
            )


def test_questions_that_make_no_sense_are_refused():
    officer = national_officer()
    survey = services.create_survey(
        actor=officer.user, title="T", description="", level="nation", scope=None, is_anonymous=True
    )
    with pytest.raises(services.SurveyError, match="at least two options"):
        services.add_question(
            actor=officer.user, survey=survey, text="Pick", kind="single", options=["Only"]
        )
    with pytest.raises(services.SurveyError, match="Each option must be different"):
        services.add_question(
            actor=officer.user, survey=survey, text="Pick", kind="multiple", options=["a", "A"]
        )
    with pytest.raises(services.SurveyError, match="lower to a higher number"):
        services.add_question(
            actor=officer.user, survey=survey, text="Rate", kind="scale", scale_min=5, scale_max=1
        )
    with pytest.raises(services.SurveyError, match="at least one question"):
        services.open_survey(actor=officer.user, survey=survey)


def test_only_officers_in_scope_run_surveys():
    treasurer = RoleFactory(role=Role.TREASURER, group=GroupFactory()).member
    with pytest.raises(PermissionDenied):
        services.create_survey(
            actor=treasurer.user,
            title="T",
            description="",
            level="nation",
            scope=None,
            is_anonymous=True,
        )
    secretary = RoleFactory(role=Role.SECRETARY, group=GroupFactory()).member
    with pytest.raises(PermissionDenied):
        services.create_survey(
            actor=secretary.user,
            title="T",
            description="",
            level="group",
            scope=GroupFactory(),
            is_anonymous=True,
        )


def test_the_mixer_runs_as_answers_arrive_and_takes_everything_at_the_close(
    django_capture_on_commit_callbacks,
):
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    for n in range(25):
        with django_capture_on_commit_callbacks(execute=True):
            services.answer_survey(
                actor=MemberWithLoginFactory().user,
                survey=survey,
                answers=answers(survey, n % 3, [n % 4], 1 + n % 5),
            )
    # At 20 waiting the task ran (tests run tasks at once) and left a pool of MIX_POOL behind.
    assert Response.objects.filter(survey=survey).count() == 20 - services.MIX_POOL
    assert PendingResponse.objects.filter(survey=survey).count() == 5 + services.MIX_POOL
    with django_capture_on_commit_callbacks(execute=True):
        services.close_survey(actor=officer.user, survey=survey)
    assert Response.objects.filter(survey=survey).count() == 25
    assert not PendingResponse.objects.filter(survey=survey).exists()
    assert queries.results(officer.user, survey).counted == 25
