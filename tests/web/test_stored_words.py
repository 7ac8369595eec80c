"""Words kept in English in the database or the audit log are said in the reader's language
where pages show them: the nation's name in a scope, a live vote's choices, winner, result
sentence and outcome note, and the unsubscribe page's descriptions."""

from __future__ import annotations

from django.template import Context, Template
from django.utils.translation import override

from grassroots.assembly.counting import Paper, count_live_vote
from grassroots.assembly.models import LiveVote
from grassroots.assembly.services.votes import RECORDED_AS
from grassroots.messaging.models import Unsubscribe
from grassroots.messaging.queries import scope_name_for_key


def test_the_nation_in_a_scope_is_said_in_welsh_and_a_bodys_own_name_is_kept():
    page = Template("{{ nation|scope_words }} / {{ group|scope_words }}")
    context = Context({"nation": "National", "group": "Leeds Central"})
    assert page.render(context) == "National / Leeds Central"
    with override("cy"):
        assert page.render(context) == "Cenedlaethol / Leeds Central"


def test_a_live_yes_no_vote_reads_in_welsh_and_keeps_its_english_record():
    result = count_live_vote(
        method="yesno",
        options=["For", "Against", "Abstain"],
        papers=[Paper((0,)), Paper((0,)), Paper((1,)), Paper((2,))],
    )
    assert result["notes"] == (
        "2 for, 1 against, 1 abstaining (votes; more for than against of those voting for or "
        "against): carried."
    )
    vote = LiveVote(method="yesno", options=["For", "Against", "Abstain"], result=result)
    vote.outcome_note = RECORDED_AS["carried"]
    template = Template(
        "{% load i18n %}{{ vote.winners_shown.0 }}|{{ vote.rows_shown.0.option }}|"
        "{{ vote.options_shown.1 }}|{% translate vote.outcome_note %}"
    )
    english = template.render(Context({"vote": vote}))
    assert english == "Carried|For|Against|Recorded as the outcome: carried."
    with override("cy"):
        welsh = template.render(Context({"vote": vote}))
        notes = vote.notes_shown
    assert all(w != e for w, e in zip(welsh.split("|"), english.split("|"), strict=True))
    assert notes != vote.notes_shown and notes.startswith("2 ")
    # A result counted before its words were kept apart shows its stored English.
    old = LiveVote(method="yesno", options=[], result={"notes": "3 for, 0 against", "rows": []})
    with override("cy"):
        assert old.notes_shown == "3 for, 0 against"


def test_the_unsubscribe_pages_descriptions_follow_the_reader():
    english = scope_name_for_key(Unsubscribe.ALL)
    with override("cy"):
        assert scope_name_for_key(Unsubscribe.ALL) != english
