"""The server-mode ballot paper (issue 21): a review step shows the voter their choices in words
before anything is cast (cast, or go back and change them, without JavaScript), and a rejected
paper reports every mistake at once, each box involved marked invalid and described."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.ballots.forms import field_name
from grassroots.ballots.models import RollEntry, UnsealedBallot
from grassroots.ballots.papers import paper_problems, ranking_from_numbers
from tests.ballots.conftest import SetUp, candidate_ids, open_with_voters

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


@pytest.fixture
def voting(client: Client, ready_ballot: SetUp) -> tuple[Client, SetUp, str, str]:
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    url = reverse("ballot_vote", args=[ready_ballot.ballot.pk])
    key = KEY.search(client.get(url).content.decode()).group(1)
    return client, ready_ballot, url, key


def _hidden(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        found.setdefault(name, []).append(value)
    return found


def _cast_nothing() -> bool:
    return (
        not UnsealedBallot.objects.exists()
        and not RollEntry.objects.filter(has_voted=True).exists()
    )


@pytest.mark.django_db
def test_a_paper_is_reviewed_in_words_and_cast_only_when_confirmed(voting):
    client, setup, url, key = voting
    stv = candidate_ids(setup.stv)
    yes = setup.motion.candidates.get(name="Yes").pk
    paper = {
        "idempotency_key": key,
        field_name(setup.stv, stv[2]): "1",
        field_name(setup.stv, stv[0]): "2",
        field_name(setup.motion): str(yes),
    }
    # The paper's button (and Enter in a box, which submits with it) asks for the review.
    review = client.post(url, paper)
    html = review.content.decode()
    assert review.status_code == 200 and _cast_nothing()
    assert "<title>Check your vote: Steering committee election" in html
    names = {c.pk: c.name for c in setup.stv.candidates.all()}
    listed = re.findall(r"<li>([^<]+)</li>", html.split('id="vote-review"')[1].split("</dl>")[0])
    assert [item.split(" (")[0] for item in listed] == [names[stv[2]], names[stv[0]]]
    assert "<dd>Yes</dd>" in html
    carried = _hidden(html)
    assert carried[field_name(setup.stv, stv[2])] == ["1"]
    assert carried["idempotency_key"] == [key]

    # Going back draws the paper again as marked; still nothing cast.
    back = client.post(url, {**{k: v[0] for k, v in carried.items()}, "step": "change"})
    page = back.content.decode()
    assert back.status_code == 200 and _cast_nothing()
    assert re.search(rf'<input[^>]*name="{field_name(setup.stv, stv[2])}"[^>]*value="1"', page)
    assert "There is a problem" not in page

    cast = client.post(url, {**{k: v[0] for k, v in carried.items()}, "step": "cast"})
    assert cast.status_code == 200 and "Your vote is recorded" in cast.content.decode()
    assert UnsealedBallot.objects.count() == 2  # one paper per question


@pytest.mark.django_db
def test_a_blank_question_is_said_to_be_blank_in_the_review(voting):
    client, _setup, url, key = voting
    html = client.post(url, {"idempotency_key": key}).content.decode()
    assert html.count("a blank paper is cast for this question") == 2 and _cast_nothing()


@pytest.mark.django_db
def test_every_mistake_is_reported_at_once_with_every_box_marked(voting):
    client, setup, url, key = voting
    a, b, c, d = candidate_ids(setup.stv)
    marks = {a: "x", b: "-1", c: "2", d: "2"}  # a letter, a negative number, a repeat
    paper = {"idempotency_key": key, **{field_name(setup.stv, pk): v for pk, v in marks.items()}}
    response = client.post(url, {**paper, "step": "cast"})
    html = response.content.decode()
    assert response.status_code == 400 and _cast_nothing()
    assert "<title>Error: Vote: Steering committee election" in html
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    items = re.findall(r'<li><a href="#id_([^"]+)">([^<]+)</a></li>', summary)
    assert [name for name, _ in items] == [
        field_name(setup.stv, a),
        field_name(setup.stv, b),
        field_name(setup.stv, c),  # the repeat, listed once, at its first box
        field_name(setup.stv, c),  # the gap it leaves (no 1)
    ]
    assert "Use whole numbers only" in items[0][1] and "“-1”" in items[1][1]
    assert "You gave the number 2 to both" in items[2][1] and "gap" in items[3][1]
    for pk in (a, b, c, d):
        name = field_name(setup.stv, pk)
        tag = re.search(rf'<input[^>]*id="id_{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag, name
        assert f'aria-describedby="id_{name}_error q{setup.stv.pk}-hint"' in tag, name
        assert f'id="id_{name}_error"' in html, name


@pytest.mark.django_db
def test_a_good_box_is_described_by_the_numbering_hint_and_not_marked(voting):
    client, setup, url, key = voting
    a, b, *_ = candidate_ids(setup.stv)
    html = client.post(
        url, {"idempotency_key": key, field_name(setup.stv, a): "1", field_name(setup.stv, b): "1x"}
    ).content.decode()
    tag = re.search(rf'<input[^>]*id="id_{field_name(setup.stv, a)}"[^>]*>', html).group(0)
    assert "aria-invalid" not in tag and f'aria-describedby="q{setup.stv.pk}-hint"' in tag


box = st.one_of(
    st.sampled_from(["", "1", "2", "3", "4", "5", "0", "-1", "01", "x", "٣", " 2 "]),
    st.text(max_size=3),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(box, min_size=1, max_size=7))
def test_every_bad_box_is_named_and_a_clean_paper_has_no_problems(texts: list[str]):
    entries = [(100 + i, f"Candidate {i}", text) for i, text in enumerate(texts)]
    problems = paper_problems(entries)
    flagged = {p.candidate for p in problems}
    numbers: dict[int, list[int]] = {}
    for candidate, _, text in entries:
        text = text.strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= len(entries):
            assert candidate in flagged, (texts, problems)  # not a number, or out of range
        else:
            numbers.setdefault(int(text), []).append(candidate)
    for holders in numbers.values():
        if len(holders) > 1:
            assert set(holders) <= flagged, (texts, problems)  # every box of a repeat
    if not problems:
        ranking = ranking_from_numbers(entries)
        assert len(ranking) == len(set(ranking)) == sum(1 for t in texts if t.strip())
    else:
        with pytest.raises(ValueError):
            ranking_from_numbers(entries)
    assert all(p.message for p in problems)
