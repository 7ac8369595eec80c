"""Survey pages: the answer form says what is missing, results show charts, and members see
results only after the close and never the free text."""

from __future__ import annotations

import pytest
from django.test import Client

from grassroots.surveys import services
from grassroots.surveys.models import Respondent, Survey
from tests.factories import MemberWithLoginFactory
from tests.sortition.helpers import national_officer
from tests.surveys.helpers import answers, questions, survey_with_every_kind

pytestmark = pytest.mark.django_db


def client_for(member) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def test_the_answer_form_names_each_missing_answer_and_stores_nothing():
    survey = survey_with_every_kind(national_officer())
    member = MemberWithLoginFactory()
    q = questions(survey)
    response = client_for(member).post(f"/surveys/{survey.pk}/", {f"q{q[1].pk}": ["0"]})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose one option." in text and "Choose a point on the scale." in text
    assert not Respondent.objects.exists()


def test_a_member_answers_from_the_page_once():
    survey = survey_with_every_kind(national_officer())
    member = MemberWithLoginFactory()
    q = questions(survey)
    page = client_for(member)
    form = {f"q{q[0].pk}": "1", f"q{q[1].pk}": ["0", "2"], f"q{q[2].pk}": "4"}
    assert page.post(f"/surveys/{survey.pk}/", form).status_code == 302
    again = page.post(f"/surveys/{survey.pk}/", form)
    assert again.status_code == 409
    assert "You have answered this survey." in again.content.decode()
    assert Respondent.objects.filter(member=member).count() == 1


def test_results_show_a_chart_per_question_and_hide_free_text_from_members():
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    member = MemberWithLoginFactory()
    services.answer_survey(
        actor=member.user, survey=survey, answers=answers(survey, 0, [1, 2], 4, "Meet on Sundays")
    )
    assert client_for(member).get(f"/surveys/{survey.pk}/results/").status_code == 404
    officer_view = client_for(officer).get(f"/surveys/{survey.pk}/results/").content.decode()
    assert officer_view.count("<svg") == 3 and "Meet on Sundays" in officer_view

    services.close_survey(actor=officer.user, survey=survey)
    member_view = client_for(member).get(f"/surveys/{survey.pk}/results/").content.decode()
    assert member_view.count("<svg") == 3
    assert "Meet on Sundays" not in member_view
    assert "read only by the officers" in member_view


def test_a_bad_question_is_refused_on_the_form():
    officer = national_officer()
    survey = Survey.objects.create(
        title="Draft",
        level="nation",
        created_by=officer,
        created_at="2026-01-01T00:00Z",
    )
    response = client_for(officer).post(
        f"/surveys/{survey.pk}/questions/new/",
        {
            "text": "Pick one",
            "kind": "single",
            "options": "Only one",
            "scale_min": 1,
            "scale_max": 5,
        },
    )
    assert response.status_code == 400
    assert "A choice question needs at least two options, one per line." in (
        response.content.decode()
    )
