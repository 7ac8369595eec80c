"""Quota rules of an STV question (issue 16): the form's text, the stored JSON, the engine's
constraints, and feasibility named by rule at save time and when nominations are confirmed."""

from __future__ import annotations

import datetime
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots import clock
from grassroots.ballots import quotas
from grassroots.ballots.forms import QuestionForm, QuotaRulesForm
from grassroots.ballots.services.errors import BallotError
from grassroots.ballots.services.nominations import (
    confirm_nominations,
    nominate,
    open_nominations,
)
from grassroots.ballots.services.setup import add_question, create_ballot, set_quota_rules
from grassroots.organisation.models import Role
from grassroots.tally.constraints import check_feasible
from grassroots.tally.types import CategoryConstraint, TallyError
from tests.ballots.conftest import Clock
from tests.factories import GroupFactory, MemberWithLoginFactory, RoleFactory

C = CategoryConstraint


def test_each_form_rule_reads_as_the_engines_constraint():
    text = (
        "Women: at least 2\nmen: at most 3\n\nBAME: at least 1, at most 4\n"
        "young: exactly 1\nLGBT+ : at least 1 and at most 2"
    )
    assert quotas.parse_rules(text) == (
        C("women", minimum=2),
        C("men", maximum=3),
        C("bame", minimum=1, maximum=4),
        C("young", minimum=1, maximum=1),
        C("lgbt+", minimum=1, maximum=2),
    )
    assert quotas.parse_rules("Women and/or BAME: at least 1") == (C("women or bame", minimum=1),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("women 2", "line 1 (women 2): write the category, a colon"),
        ("women: two", "write each limit as 'at least N'"),
        ("women:", "give a limit"),
        ("women: at least 3, at most 2", "At least 3 and at most 2 women: the minimum is above"),
        ("women: at least 1\nWomen: at most 3", "women has two rules"),
        ("wo/men: at least 1", "a category is up to 40 letters"),
        ("women: at least 0", "women: give a minimum or a maximum"),
        ("women: at least 51", "a limit is at most 50"),
    ],
)
def test_unreadable_or_senseless_rules_are_refused_with_the_line_named(text: str, message: str):
    with pytest.raises(quotas.QuotaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        quotas.parse_rules(text)


rules_strategy = st.lists(
    st.builds(
        lambda cat, lo, hi: C(cat, minimum=lo, maximum=None if hi is None else lo + hi),
        st.sampled_from(["women", "bame", "disabled", "lgbt+", "young", "north"]),
        st.integers(0, 5),
        st.none() | st.integers(0, 5),
    ).filter(lambda r: r.minimum or r.maximum is not None),
    max_size=6,
    unique_by=lambda r: r.category,
)


@given(rules_strategy)
def test_rules_survive_the_form_and_the_database(rules: list[CategoryConstraint]):
    assert quotas.parse_rules(quotas.as_text(rules)) == tuple(rules)
    assert quotas.from_json(quotas.to_json(rules)) == tuple(rules)


def test_stored_json_that_is_not_rules_is_refused():
    for raw in [{}, [1], [{"category": "women", "minimum": "2"}], [{"category": "women", "x": 1}]]:
        with pytest.raises(quotas.QuotaError):
            quotas.from_json(raw)


def test_the_question_form_refuses_a_minimum_above_the_seats_naming_the_rule():
    form = QuestionForm(
        {
            "title": "National committee",
            "kind": "stv",
            "stv_rule": "scottish",
            "seats": "2",
            "quota_rules": "women: at least 3",
        }
    )
    assert not form.is_valid()
    assert form.errors["quota_rules"] == ["At least 3 women: only 2 seats to fill."]
    form = QuestionForm(
        {"title": "Motion", "kind": "yesno", "seats": "1", "quota_rules": "women: at least 1"}
    )
    assert not form.is_valid()
    assert "STV questions only" in form.errors["quota_rules"][0]
    form = QuotaRulesForm({"quota_rules": "women: at least 2\nnorth: at most 1"})
    assert form.is_valid()
    assert form.cleaned_data["quota_rules"] == (C("women", minimum=2), C("north", maximum=1))


@pytest.mark.parametrize(
    ("seats", "candidates", "rules", "message"),
    [
        (
            2,
            [{"women"}, set(), set()],
            [C("women", minimum=2)],
            "At least 2 women: only 1 candidate is in women.",
        ),
        (
            3,
            [{"bame"}, {"bame"}, set(), set()],
            [C("bame", maximum=0)],
            "At most 0 bame: 3 seats cannot be filled with only 2 candidates outside bame.",
        ),
        (3, [{"women"}, {"north"}, set()], [C("women", minimum=1), C("north", minimum=1)], ""),
        (
            1,
            [{"women"}, {"north"}, set()],
            [C("women", minimum=1), C("north", minimum=1)],
            "The quota rules together (At least 1 women; At least 1 north) cannot all be met",
        ),
        (1, [{"women", "north"}, set()], [C("women", minimum=1), C("north", minimum=1)], ""),
        (1, [{"bame"}, set()], [C("women or bame", minimum=1)], ""),
        (
            1,
            [{"north"}, set()],
            [C("women or bame", minimum=1)],
            "At least 1 women or bame: only 0 candidates are in women or bame.",
        ),
    ],
)
def test_feasibility_names_the_rule_that_cannot_be_met(seats, candidates, rules, message):
    problem = quotas.feasibility_problem(seats, [frozenset(c) for c in candidates], rules)
    assert problem.startswith(message) if message else problem == ""


def _brute_force_feasible(seats, candidates, rules) -> bool:
    """Every choice of seats tried; a candidate counts for an "and/or" rule if they are in any
    of its categories."""
    fill = min(seats, len(candidates))

    def counts_for(rule, c):
        return any(part in candidates[c] for part in rule.category.split(" or "))

    for chosen in itertools.combinations(range(len(candidates)), fill):
        counts = [sum(1 for c in chosen if counts_for(r, c)) for r in rules]
        if all(
            n >= r.minimum and (r.maximum is None or n <= r.maximum)
            for n, r in zip(counts, rules, strict=True)
        ):
            return True
    return False


small_rules = st.lists(
    st.builds(
        lambda cat, lo, hi: C(cat, minimum=lo, maximum=None if hi is None else lo + hi),
        st.sampled_from(["a", "b", "c", "a or b", "b or c"]),
        st.integers(0, 3),
        st.none() | st.integers(0, 3),
    ).filter(lambda r: r.minimum or r.maximum is not None),
    max_size=3,
    unique_by=lambda r: r.category,
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 4),
    st.lists(st.frozensets(st.sampled_from(["a", "b", "c"])), min_size=1, max_size=7),
    small_rules,
)
def test_feasibility_agrees_with_a_brute_force_reference(seats, candidates, rules):
    """Overlapping categories and "and/or" rules included: a choice of seats within every rule
    exists exactly when the form's check finds no problem, and the engine refuses to count
    exactly then too."""
    expected = _brute_force_feasible(seats, candidates, rules)
    assert (quotas.feasibility_problem(seats, candidates, rules) == "") == expected
    try:
        labels = {i: quotas.labels_for(c, rules) for i, c in enumerate(candidates)}
        check_feasible(range(len(candidates)), seats, labels, rules)
        engine = True
    except TallyError:
        engine = False
    assert engine == expected


@pytest.fixture
def nominations_ballot(db: None, monkeypatch: pytest.MonkeyPatch):
    group = GroupFactory()
    officer = RoleFactory(role=Role.NATIONAL_OFFICE, member__home_group=group).member
    now = clock.now()
    ballot = create_ballot(
        actor=officer.user,
        title="Slate selection",
        description="",
        level="group",
        scope=group,
        opens_at=now + datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=10),
    )
    question = add_question(
        actor=officer.user,
        ballot=ballot,
        title="National committee",
        kind="stv",
        stv_rule="scottish",
        seats=2,
        constraints=[{"category": "women", "minimum": 2, "maximum": None}],
    )
    open_nominations(actor=officer.user, ballot=ballot, close_at=now + datetime.timedelta(days=1))
    return group, officer, ballot, question, Clock(monkeypatch)


def test_rules_needing_more_seats_than_the_question_has_are_refused_at_save(nominations_ballot):
    _, officer, ballot, question, _ = nominations_ballot
    with pytest.raises(BallotError, match="At least 3 bame: only 2 seats to fill"):
        set_quota_rules(
            actor=officer.user,
            question=question,
            constraints=[{"category": "bame", "minimum": 3, "maximum": None}],
        )
    with pytest.raises(BallotError, match="STV questions only"):
        add_question(
            actor=officer.user,
            ballot=ballot,
            title="Motion",
            kind="yesno",
            constraints=[{"category": "women", "minimum": 1, "maximum": None}],
        )
    question.refresh_from_db()
    assert question.quota_rules == ["At least 2 women"]


def test_confirming_nominations_that_cannot_meet_a_rule_is_refused_naming_it(nominations_ballot):
    group, officer, ballot, question, clock_ = nominations_ballot
    for categories in (["women", "bame"], [], ["bame"], []):
        member = MemberWithLoginFactory(home_group=group)
        nominate(actor=member.user, question=question, nominee=member, categories=categories)
    clock_.advance(days=2)
    with pytest.raises(BallotError, match="At least 2 women: only 1 candidate is in women"):
        confirm_nominations(actor=officer.user, ballot=ballot)
    assert not question.candidates.exists()
    set_quota_rules(
        actor=officer.user,
        question=question,
        constraints=[
            {"category": "women", "minimum": 1, "maximum": None},
            {"category": "bame", "minimum": 0, "maximum": 0},
        ],
    )
    question.refresh_from_db()
    with pytest.raises(BallotError, match="cannot all be met"):
        confirm_nominations(actor=officer.user, ballot=ballot)
    set_quota_rules(
        actor=officer.user,
        question=question,
        constraints=[{"category": "women", "minimum": 1, "maximum": None}],
    )
    assert len(confirm_nominations(actor=officer.user, ballot=ballot)) == 4
    # Now the candidates are known, a rule they cannot meet is refused when it is saved.
    with pytest.raises(BallotError, match="Exactly 2 women: only 1 candidate is in women"):
        set_quota_rules(
            actor=officer.user,
            question=question,
            constraints=[{"category": "women", "minimum": 2, "maximum": 2}],
        )
    question.refresh_from_db()
    assert question.quota_rules == ["At least 1 women"]


def test_voters_see_the_rules_and_the_categories_a_quota_uses(client, ready_ballot):
    from django.urls import reverse

    from grassroots.ballots.models import Candidate
    from tests.ballots.conftest import open_with_voters

    Candidate.objects.filter(name="Ben Carter").update(categories=["north", "vegan"])
    (voter,) = open_with_voters(ready_ballot, 1)
    client.force_login(voter.user)
    page = client.get(reverse("ballot_vote", args=[ready_ballot.ballot.pk])).content.decode()
    assert "Quota rules: At least 1 women" in page
    assert 'Aisha Khan <span class="candidate-categories">(women)</span>' in page
    # Categories no rule uses are the candidate's own business, not the paper's.
    assert "vegan" not in page and "north" not in page


def test_the_record_and_the_count_see_an_and_or_rule_as_the_form_does(ready_ballot):
    """South West: 1 seat, which must be a woman and/or BAME (issue 16's example)."""
    from grassroots.ballots.models import Candidate
    from grassroots.ballots.publication import ledger_question

    question = ready_ballot.stv
    question.constraints = [{"category": "women or bame", "minimum": 1, "maximum": None}]
    question.save()
    Candidate.objects.filter(name="Dev Patel").update(categories=["bame"])
    ledger = ledger_question(question)
    assert ledger.categories == {
        0: ("women", "women or bame"),
        2: ("women", "women or bame"),
        3: ("bame", "women or bame"),
    }
    question.refresh_from_db()
    assert question.quota_rules == ["At least 1 women or bame"]
    dev = Candidate.objects.get(name="Dev Patel")
    assert question.quota_categories_of(dev) == ["bame"]
