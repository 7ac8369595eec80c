"""``{% question_result question %}``: a counted question's result, as the results page, the
returning officer's page and any other page show it (ballots/result_display.py)."""

from __future__ import annotations

from typing import Any

from django import template

from grassroots.ballots.models import Question
from grassroots.ballots.result_display import show_result

register = template.Library()


@register.inclusion_tag("ballots/_question_result.html")
def question_result(question: Question, heading: int = 3) -> dict[str, Any]:
    return {"shown": show_result(question), "question": question, "heading": heading}
