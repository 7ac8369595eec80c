"""Fuzzing the ballot paper (grassroots.ballots.forms.VoteForm and papers.ranking_from_numbers):
whatever a browser or a script posts, the form is valid with answers naming only standing
candidates of the question, each at most once, or invalid with a message for the voter."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grassroots.ballots.forms import VoteForm, field_name
from grassroots.ballots.papers import PaperError, ranking_from_numbers
from tests.ballots.conftest import make_ballot

box = st.one_of(
    st.sampled_from(["", "1", "2", "3", "4", "5", " 1 ", "0", "-1", "01", "1.0", "٣", "²", "1e3"]),
    st.text(max_size=6),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(box, min_size=1, max_size=8))
def test_any_numbers_in_the_boxes_give_a_ranking_or_a_paper_error(texts: list[str]):
    entries = [(100 + i, f"Candidate {i}", text) for i, text in enumerate(texts)]
    try:
        ranking = ranking_from_numbers(entries)
    except PaperError as error:
        assert error.message and error.candidate in {c for c, _, _ in entries}
        return
    assert len(ranking) == len(set(ranking))
    assert set(ranking) <= {c for c, _, _ in entries}
    assert len(ranking) == sum(1 for t in texts if t.strip())


@pytest.mark.django_db
def test_any_post_to_the_ballot_paper_is_answers_or_errors():
    setup = make_ballot()
    stv_ids = list(setup.stv.candidates.values_list("pk", flat=True))
    motion_ids = [str(pk) for pk in setup.motion.candidates.values_list("pk", flat=True)]
    names = [field_name(setup.stv, pk) for pk in stv_ids] + [field_name(setup.motion)]
    keys = st.sampled_from([*names, "idempotency_key", "q999", "q1_c", "csrfmiddlewaretoken"])
    values = st.one_of(
        box,
        st.sampled_from([*motion_ids, "999999", "-1", "x" * 80, "A" * 16, "a-b_c" * 5]),
        st.text(max_size=70),
    )

    @settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(keys, values), max_size=12))
    def post(pairs: list[tuple[str, str]]) -> None:
        data = QueryDict(mutable=True)
        for key, value in pairs:
            data.appendlist(key, value)
        form = VoteForm(data, ballot=setup.ballot)
        if not form.is_valid():
            assert form.errors
            for messages in form.errors.values():
                assert all(isinstance(m, str) and m for m in messages)
            return
        answers = form.cleaned_data["answers"]
        assert set(answers) == {setup.stv.pk, setup.motion.pk}
        assert len(answers[setup.stv.pk]) == len(set(answers[setup.stv.pk]))
        assert set(answers[setup.stv.pk]) <= set(stv_ids)
        assert {str(a) for a in answers[setup.motion.pk]} <= set(motion_ids)
        assert len(answers[setup.motion.pk]) <= 1

    post()
