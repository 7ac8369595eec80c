"""The demo's surveys (``manage.py seed_demo``), through the real services: a closed national
anonymous survey answered by 300 demo members (its results page shows the charts), and an open
survey of Leeds Central that the demo member can answer. Deterministic answers (a seeded
generator); idempotent: a survey already present (by title) is left alone."""

from __future__ import annotations

import random

from grassroots.demo.people import CHAIR_LOGIN, NATIONAL_LOGIN, login_of
from grassroots.organisation.models import Group
from grassroots.people.models import Member, MembershipStatus
from grassroots.surveys import services
from grassroots.surveys.models import Survey
from grassroots.surveys.services import AnswerValue

CLOSED_TITLE = "How should the movement meet? (demo)"
OPEN_TITLE = "Leeds Central: what should we campaign on next? (demo)"
ANSWERS = 300
SEED = 20_260_301
COMMENTS = [
    "Meetings start too late for parents.",
    "More socials, please: people come back when they know each other.",
    "Please send papers a week before, not the night before.",
    "Online meetings let me take part from the villages.",
    "Rotate the venue between towns.",
]


def _officer(email: str) -> Member | None:
    return Member.objects.select_related("user").filter(user__email=email).first()


def seed_demo_surveys() -> None:
    national = _officer(NATIONAL_LOGIN.email)
    if national is not None and not Survey.objects.filter(title=CLOSED_TITLE).exists():
        _closed_national_survey(national)
    chair = _officer(CHAIR_LOGIN.email)
    group = Group.objects.filter(name="Leeds Central").first()
    if (
        chair is not None
        and group is not None
        and not Survey.objects.filter(title=OPEN_TITLE).exists()
    ):
        actor = login_of(chair)
        survey = services.create_survey(
            actor=actor,
            title=OPEN_TITLE,
            description="Tell the group's officers what you want the group to work on.",
            level="group",
            scope=group,
            is_anonymous=True,
        )
        services.add_question(
            actor=actor,
            survey=survey,
            text="Which campaigns should we take on?",
            kind="multiple",
            options=["Bus fares", "Damp homes", "Library hours", "Clean air near schools"],
        )
        services.add_question(
            actor=actor, survey=survey, text="Any other ideas?", kind="text", is_required=False
        )
        services.open_survey(actor=actor, survey=survey)


def _closed_national_survey(officer: Member) -> None:
    actor = login_of(officer)
    survey = services.create_survey(
        actor=actor,
        title=CLOSED_TITLE,
        description="The national office asked every member how the movement should meet.",
        level="nation",
        scope=None,
        is_anonymous=True,
    )
    single = services.add_question(
        actor=actor,
        survey=survey,
        text="How should branch meetings be held?",
        kind="single",
        options=["In person", "Online", "Both (hybrid)"],
    )
    multiple = services.add_question(
        actor=actor,
        survey=survey,
        text="Which would help you take part?",
        kind="multiple",
        options=[
            "Childcare",
            "Evening times",
            "Weekend times",
            "Papers in advance",
            "Travel costs",
        ],
    )
    scale = services.add_question(
        actor=actor,
        survey=survey,
        text="How well does the national committee keep you informed?",
        kind="scale",
        scale_min=1,
        scale_max=5,
        scale_min_label="Not at all",
        scale_max_label="Very well",
    )
    text = services.add_question(
        actor=actor, survey=survey, text="Anything else?", kind="text", is_required=False
    )
    services.open_survey(actor=actor, survey=survey)
    rng = random.Random(SEED)  # noqa: S311 - made-up answers, reproducible on purpose
    members = list(
        Member.objects.filter(status=MembershipStatus.MEMBER, user__isnull=True).order_by(
            "membership_number"
        )[:3000]
    )
    for member in rng.sample(members, min(ANSWERS, len(members))):
        given: dict[int, AnswerValue] = {
            single.pk: [rng.choices([0, 1, 2], weights=[3, 2, 5])[0]],
            multiple.pk: sorted(rng.sample(range(5), rng.randint(1, 3))),
            scale.pk: rng.choices([1, 2, 3, 4, 5], weights=[3, 5, 4, 2, 1])[0],
        }
        if rng.random() < 0.1:
            given[text.pk] = rng.choice(COMMENTS)
        services.answer_for_demo(survey, member, given)
    services.close_survey(actor=actor, survey=survey)
