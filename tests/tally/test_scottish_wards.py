"""Every 2017 Scottish council ward in tests/data/stv/scotland-2017, counted and checked against
the count the council declared: quota, winners, the stage each was elected at, and every
candidate's total at every stage at the precision published.

Published precision: most councils give five decimals, which must match exactly. Some (Glasgow)
publish fewer decimals; such a figure matches when it is our total cut to that precision (the
statute's "remainder ignored") or rounded half up to it (what the council's display did).

A declared count may carry one extra final stage (a formal exclusion after the last seats were
settled under r.52), which the statute does not require; that stage is not compared.

Known data defects are listed in ``DEFECTS``; for each, the test proves the declared figure
impossible rather than skipping the ward.
"""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from grassroots.tally.blt import load_blt
from grassroots.tally.scottish import count_scottish
from grassroots.tally.types import Result

DATA = Path(__file__).resolve().parent.parent / "data" / "stv" / "scotland-2017"
WARDS = sorted(path.stem for path in DATA.glob("*.blt"))

# ward -> {(stage, candidate) (both 1-based): why the declared figure cannot be right}
DEFECTS: dict[str, dict[tuple[int, int], str]] = {
    "glasgow_2017_ward1": {
        (3, 6): "declared 393 where stages 2 and 4 give 293 and 310; the stage's declared "
        "totals then add up to more than the valid poll",
    },
}
# ward -> why the declared valid poll disagrees with the declared first preferences.
VALID_POLL_DEFECTS: dict[str, str] = {
    "east_dunbartonshire_2017_ward2": "declared valid poll 7034, but the declared first "
    "preferences add up to 7035 (the quota, 1759, is the same for both)",
}


def _declared(ward: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((DATA / f"{ward}.declared.json").read_text())
    return result


def _matches(published: str, ours: Decimal) -> bool:
    places = len(published.partition(".")[2])
    step = Decimal(1).scaleb(-places)
    return Decimal(published) in (
        ours.quantize(step, rounding=ROUND_DOWN),
        ours.quantize(step, rounding=ROUND_HALF_UP),
    )


def _count(ward: str) -> Result:
    # No seed: no ward needs a lot, neither for a tie nor for the order of election of
    # candidates elected together (a lot without a seed would stop the count with an error).
    return count_scottish(load_blt(DATA / f"{ward}.blt"))


def test_all_197_wards_are_present() -> None:
    assert len(WARDS) == 197
    assert (DATA / "README.md").is_file()


@pytest.mark.parametrize("ward", WARDS)
def test_ward_count_matches_the_declared_count(ward: str) -> None:
    declared = _declared(ward)
    result = _count(ward)

    first_preferences = sum(Decimal(t) for t in declared["stages"][0]["totals"])
    assert result.valid_poll == first_preferences
    if ward not in VALID_POLL_DEFECTS:
        assert result.valid_poll == declared["valid_poll"]
    assert result.quota == declared["quota"]
    assert sorted(result.elected) == sorted(c - 1 for c in declared["elected"])

    # The declared order of election is meaningful between stages (within one stage councils
    # list winners in varying orders): it must follow the stages at which we elect them.
    elected_at = {c: stage.number for stage in result.stages for c in stage.elected}
    stages_in_declared_order = [elected_at[c - 1] for c in declared["elected"]]
    assert stages_in_declared_order == sorted(stages_in_declared_order)

    declared_stages = declared["stages"]
    assert len(declared_stages) in (len(result.stages), len(result.stages) + 1)
    defects = DEFECTS.get(ward, {})
    for ours, theirs in zip(result.stages, declared_stages, strict=False):
        for candidate, (total, published) in enumerate(
            zip(ours.totals, theirs["totals"], strict=True), start=1
        ):
            if (ours.number, candidate) in defects:
                continue
            assert _matches(published, total), (
                f"stage {ours.number}, candidate {candidate}: declared {published}, counted {total}"
            )


@pytest.mark.parametrize(
    ("ward", "stage", "candidate"),
    [(w, s, c) for w, cells in DEFECTS.items() for (s, c) in cells],
)
def test_declared_figure_listed_as_defect_is_impossible(
    ward: str, stage: int, candidate: int
) -> None:
    declared = _declared(ward)
    result = _count(ward)
    totals = declared["stages"][stage - 1]["totals"]
    # Votes cannot be created: a stage's totals never exceed the valid poll.
    assert sum(Decimal(t) for t in totals) > declared["valid_poll"]
    # Every other figure of that stage matches our count, and ours balances exactly.
    ours = result.stages[stage - 1]
    for number, (total, published) in enumerate(zip(ours.totals, totals, strict=True), 1):
        if number != candidate:
            assert _matches(published, total)
    assert not _matches(totals[candidate - 1], ours.totals[candidate - 1])
    balance = sum(ours.totals) + ours.exhausted + ours.loss_by_rounding
    assert balance == result.valid_poll
    # The candidate is continuing from stage 2 to 4, so its votes can only rise between them.
    before = Decimal(declared["stages"][stage - 2]["totals"][candidate - 1])
    after = Decimal(declared["stages"][stage]["totals"][candidate - 1])
    assert before <= ours.totals[candidate - 1] <= after < Decimal(totals[candidate - 1])


@pytest.mark.parametrize("ward", sorted(VALID_POLL_DEFECTS))
def test_declared_valid_poll_listed_as_defect_contradicts_its_first_preferences(ward: str) -> None:
    declared = _declared(ward)
    first_preferences = sum(Decimal(t) for t in declared["stages"][0]["totals"])
    assert first_preferences != declared["valid_poll"]
    seats = declared["seats"]
    # r.46: the quota from either figure is the same, so nothing else in the count depends on it.
    assert first_preferences // (seats + 1) + 1 == declared["valid_poll"] // (seats + 1) + 1
    assert _count(ward).valid_poll == first_preferences
