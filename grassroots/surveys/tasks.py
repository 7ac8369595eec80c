"""Background tasks: the database worker (``manage.py db_worker``) runs them."""

from __future__ import annotations

from django_tasks import task

from grassroots.surveys import services


@task()
def mix_responses_task(survey_id: int) -> None:
    services.mix_responses(survey_id=survey_id)
