"""The same test elections counted by OpenSTV 1.7's ERS97 and New Zealand Meek rules.

Data: ``tests/data/stv/peers/openstv.json``, OpenSTV's own reports (its CSV report: the
candidates elected, the quota, every candidate's total and the non-transferable votes at the
end of every round) on the strict ballot files of the conformance set; how they were made, and
the source and licence, in ``tests/data/stv/peers/README.md``.

* ERS97 against OpenSTV's ``ERS97STV``: the candidates elected, the quota, and every
  candidate's total at the end of every round, to the second place. OpenSTV splits an
  exclusion into sub-stages and reports the last; where this count records a stage OpenSTV
  does not (a count complete within a round), OpenSTV's rounds are found in order among this
  count's stages. OpenSTV's "non-transferable" includes the votes lost to rounding, which this
  count reports apart: their sum is compared.
* Meek against OpenSTV's ``MeekNZSTV``: the candidates elected and the first stage exactly;
  the final quota and every candidate's final total within 0.0001. OpenSTV reports each
  iteration as a round and stops iterating by its own reading of cl. 13 (total surplus below
  0.0001), so the last figures may differ within that tolerance and the rounds in between are
  not comparable.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots.tally import count
from grassroots.tally.blt import load_blt
from grassroots.tally.types import Election

DATA = Path(__file__).resolve().parent.parent / "data" / "stv"
OPENSTV: dict[str, dict[str, object]] = json.loads(
    (DATA / "peers" / "openstv.json").read_text(encoding="utf-8")
)
ERS97 = sorted(k for k in OPENSTV if k.endswith("/ers97"))
MEEK = sorted(k for k in OPENSTV if k.endswith("/meeknz"))
TOLERANCE = Decimal("0.0001")  # Schedule 1A cl. 13's surplus, which both counts stop below


def _election(key: str) -> Election:
    election = load_blt(DATA / (key.rsplit("/", 1)[0] + ".blt"))
    # OpenSTV was run with "-t index" (a tie it cannot settle goes by candidate number); given
    # the same order, the counts here draw the same way, without a seed.
    return replace(election, tie_order=tuple(range(len(election.candidates))))


def _names(election: Election, candidates: tuple[int, ...]) -> list[str]:
    # Names as the file has them, spaces and all (Canal-2007's "Kieran  Wild "), as OpenSTV.
    return sorted(election.candidates[c] for c in candidates)


def _figures(values: list[str]) -> list[Decimal]:
    return [Decimal(v) for v in values]


@pytest.mark.parametrize("key", ERS97)
def test_ers97_matches_openstv_at_every_round(key: str) -> None:
    election = _election(key)
    expected = OPENSTV[key]
    result = count(election, rule="ers97")
    assert _names(election, result.elected) == sorted(expected["elected"])  # type: ignore[call-overload]
    assert result.quota == Decimal(str(expected["quota"]))
    ours = [[Decimal(t) for t in s.totals] for s in result.stages]
    lost = [Decimal(s.exhausted) + Decimal(s.loss_by_rounding) for s in result.stages]
    found = 0
    for totals, non_transferable in zip(
        expected["stages"],  # type: ignore[call-overload]
        expected["non_transferable"],  # type: ignore[call-overload]
        strict=True,
    ):
        while found < len(ours) and ours[found] != _figures(totals):
            found += 1
        assert found < len(ours), f"OpenSTV's round {totals} is not a stage of this count"
        assert lost[found] == Decimal(non_transferable)
        found += 1
    assert ours[-1] == _figures(expected["stages"][-1])  # type: ignore[index]


@pytest.mark.parametrize("key", MEEK)
def test_meek_matches_openstv_meeknz(key: str) -> None:
    election = _election(key)
    expected = OPENSTV[key]
    result = count(election, rule="meek")
    assert _names(election, result.elected) == sorted(expected["elected"])  # type: ignore[call-overload]
    stages: list[list[str]] = expected["stages"]  # type: ignore[assignment]
    assert [Decimal(t) for t in result.stages[0].totals] == _figures(stages[0])
    assert result.quota is not None
    assert abs(result.quota - Decimal(str(expected["quota"]))) < TOLERANCE
    final = zip(result.stages[-1].totals, _figures(stages[-1]), strict=True)
    assert all(abs(Decimal(ours) - theirs) < TOLERANCE for ours, theirs in final)


def test_every_strict_file_of_the_set_is_compared_with_openstv() -> None:
    """OpenSTV reads neither droop's options nor equal preferences, nor a byte-order mark, so
    the files with them are counted against droop and stv-rs only (test_conformance.py)."""
    strict = set()
    for path in [*(DATA / "peers").rglob("*.blt"), *(DATA / "reference").glob("*.blt")]:
        text = path.read_text(encoding="utf-8-sig")
        if "=" in text or "\n[" in text or path.read_bytes().startswith(b"\xef\xbb\xbf"):
            continue
        strict.add(path.relative_to(DATA).with_suffix("").as_posix())
    assert {k.rsplit("/", 1)[0] for k in ERS97} == strict
    assert {k.rsplit("/", 1)[0] for k in MEEK} == strict
    assert len(ERS97) == len(MEEK) == 32
