"""On PostgreSQL: each member answers once when 15 members each submit 3 times at once, while
the mixer runs; nothing is lost or doubled, and after the close every answer is mixed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grassroots.surveys import services
from grassroots.surveys.models import PendingResponse, Respondent, Response
from tests.factories import MemberWithLoginFactory
from tests.sortition.helpers import national_officer
from tests.surveys.helpers import answers, survey_with_every_kind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MEMBERS = 15
TRIES = 3


def test_simultaneous_answers_count_each_member_once():
    officer = national_officer()
    survey = survey_with_every_kind(officer)
    members = [MemberWithLoginFactory() for _ in range(MEMBERS)]
    given = answers(survey, 1, [0, 2], 4)
    accepted: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(MEMBERS * TRIES)

    def submit(member) -> None:
        try:
            start.wait(timeout=60)
            services.answer_survey(actor=member.user, survey=survey, answers=given)
            accepted.append(member.pk)
        except services.AlreadyAnswered:
            refused.append(member.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(m,)) for m in members for _ in range(TRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert sorted(accepted) == sorted(m.pk for m in members)
    assert len(refused) == MEMBERS * (TRIES - 1)
    assert Respondent.objects.filter(survey=survey).count() == MEMBERS

    services.close_survey(actor=officer.user, survey=survey)
    assert not PendingResponse.objects.filter(survey=survey).exists()
    assert Response.objects.filter(survey=survey, member__isnull=True).count() == MEMBERS
