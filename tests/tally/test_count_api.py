"""The public ``count`` entry point dispatches by rule name and checks options."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grassroots import tally
from grassroots.tally import Ballot, Election, TallyError, count


def simple_election(seats: int = 1) -> Election:
    return Election(
        candidates=("A", "B", "C"),
        seats=seats,
        ballots=(Ballot((0, 1), 5), Ballot((1, 0), 4), Ballot((2, 1), 2)),
    )


@pytest.mark.parametrize(("rule", "winner"), [("plurality", 0), ("approval", 1), ("irv", 1)])
def test_count_dispatches_by_rule(rule, winner):
    options = {"first_preferences": True} if rule == "plurality" else {}
    result = count(simple_election(), rule=rule, **options)
    assert result.elected == (winner,)


def test_yesno_through_count_takes_threshold_and_quorum():
    e = Election(candidates=("Yes", "No"), seats=1, ballots=(Ballot((0,), 7), Ballot((1,), 3)))
    assert count(e, rule="yesno", threshold="two-thirds").elected == (0,)
    assert count(e, rule="yesno", quorum=Fraction(1, 2), roll=30).elected == ()


def test_unknown_rule_lists_the_rules():
    with pytest.raises(TallyError, match="plurality, approval, yesno, irv, scottish, ers97, meek"):
        count(simple_election(), rule="borda")


def test_unknown_option_is_refused():
    with pytest.raises(TallyError, match="does not take option"):
        count(simple_election(), rule="irv", threshold="majority")


def test_constraints_are_for_stv_only():
    with pytest.raises(TallyError, match="STV"):
        count(simple_election(), rule="irv", constraints=(tally.CategoryConstraint("women", 1),))


def test_no_module_of_the_package_imports_django():
    from pathlib import Path

    package = Path(tally.__file__).parent
    for source in package.glob("*.py"):
        text = source.read_text()
        assert "import django" not in text and "from django" not in text, source.name


def test_stv_rule_not_yet_available_is_a_tally_error_not_a_traceback(monkeypatch):
    import importlib

    real = importlib.import_module

    def missing(name: str, package: str | None = None):
        if name == "grassroots.tally.scottish":
            raise ImportError("no module named scottish")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", missing)
    with pytest.raises(TallyError, match="not available"):
        count(simple_election(), rule="scottish")


@pytest.mark.parametrize("rule", ["ers97", "meek", "scottish"])
def test_count_dispatches_stv_rules_with_constraints(rule):
    e = Election(
        candidates=("A", "B", "C", "D"),
        seats=2,
        ballots=(Ballot((0,), 40), Ballot((1,), 30), Ballot((2,), 20), Ballot((3, 2), 10)),
        categories={2: frozenset({"women"}), 3: frozenset({"women"})},
    )
    result = count(e, rule=rule, constraints=(tally.CategoryConstraint("women", minimum=1),))
    assert result.rule == rule
    assert 0 in result.elected
    assert 2 in result.elected


@pytest.mark.parametrize("rule", ["plurality", "approval", "scottish", "ers97", "meek"])
def test_seats_override_the_election(rule):
    options = {"first_preferences": True} if rule == "plurality" else {}
    result = count(simple_election(seats=1), rule=rule, seats=2, seed=1, **options)
    assert result.seats == 2
    assert len(result.elected) == 2
    assert count(simple_election(seats=2), rule=rule, seats=1, seed=1, **options).seats == 1


@pytest.mark.parametrize(
    ("seats", "message"),
    [
        (0, r"seats must be from 1 to the number of candidates \(3\), not 0"),
        (4, r"seats must be from 1 to the number of candidates \(3\), not 4"),
        (-1, "not -1"),
        (True, "seats must be a whole number, not True"),
        ("2", "seats must be a whole number, not '2'"),
    ],
)
def test_bad_seats_are_a_clear_tally_error(seats, message):
    with pytest.raises(TallyError, match=message):
        count(simple_election(), rule="scottish", seats=seats)


def test_irv_and_yesno_keep_their_one_seat():
    assert count(simple_election(seats=3), rule="irv", seats=1).seats == 1
    with pytest.raises(TallyError, match="the alternative vote fills one seat, not 2"):
        count(simple_election(), rule="irv", seats=2)
    e = Election(candidates=("Yes", "No"), seats=1, ballots=(Ballot((0,), 7),))
    with pytest.raises(TallyError, match="yes/no motion"):
        count(e, rule="yesno", seats=2)


@pytest.mark.parametrize("rule", ["plurality", "approval", "irv", "scottish", "ers97", "meek"])
def test_every_rule_needing_a_lot_stops_without_a_seed_and_records_the_seed_it_used(rule):
    level = Election(candidates=("A", "B"), seats=1, ballots=(Ballot((0,), 3), Ballot((1,), 3)))
    with pytest.raises(TallyError, match="A, B must be broken by lot: give the published seed"):
        count(level, rule=rule)
    result = count(level, rule=rule, seed=12)
    assert result.seed == 12
    clear = Election(candidates=("A", "B"), seats=1, ballots=(Ballot((0,), 4), Ballot((1,), 3)))
    assert count(clear, rule=rule, seed=12).seed is None


@pytest.mark.parametrize("rule", ["scottish", "ers97", "meek"])
def test_equal_votes_elected_together_are_ordered_by_lot_with_the_seed(rule):
    # A and B are level at every stage and both elected: only the order of election is open,
    # and every STV rule draws it by lot (so it needs the published seed).
    level = Election(
        candidates=("A", "B", "C"),
        seats=2,
        ballots=(Ballot((0,), 4), Ballot((1,), 4), Ballot((2,), 1)),
    )
    with pytest.raises(TallyError, match="A, B must be broken by lot"):
        count(level, rule=rule)
    orders = {count(level, rule=rule, seed=seed).elected for seed in range(8)}
    assert orders == {(0, 1), (1, 0)}
    assert count(level, rule=rule, seed=3).seed == 3
