"""The peers' own test elections, counted here and compared with the peers' reference counts.

Data: ``tests/data/stv/peers`` (droop's test BLT files, stv-rs's test ballots, and
``reference.json``, the figures extracted from droop's reference counts and stv-rs's Meek
transcripts by ``make_reference.py``; sources and licences in the README there).

Compared, for every file:

* Scottish STV against droop's ``scotland`` rule (5-place fixed point, as SSI 2007/42): the
  candidates elected and every candidate's total at every stage. droop records a transfer
  of a surplus of 0 (a candidate at exactly the quota) as a stage that changes nothing; the
  Order makes no transfer then, so repeated identical stages are compared once.
* Meek against droop's ``meek`` (18 digits with guard, omega 10^-9), droop's PRF reference
  Meek (9 places, omega 10^-6) and stv-rs's Meek (9 places, omega 10^-6): the candidates
  elected, and stv-rs's first-stage totals, equal preferences included. These Meek variants
  stop iterating by different tests from Schedule 1A's cl. 13, so later totals are not
  compared; the winners agree except where :data:`DIFFERENT` says why.

The order of election is not compared: droop lists candidates elected together in ballot
order and stv-rs in name order, where the rules here order them by votes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from grassroots.tally import count
from grassroots.tally.blt import load_blt, read_blt
from grassroots.tally.types import Election

PEERS = Path(__file__).resolve().parent.parent / "data" / "stv" / "peers"
REFERENCE: dict[str, dict[str, object]] = json.loads(
    (PEERS / "reference.json").read_text(encoding="utf-8")
)

# Where the peer's answer is not the rules' answer, and why. Each is checked: the count here
# must give the winners named, and the peer's different winners are in reference.json.
DIFFERENT: dict[str, tuple[list[str], str]] = {
    "droop/42t/meek-o9": (
        ["Castor", "Helen"],
        "droop's Meek quota is v/(n+1) exactly, so Castor's surplus (2) is not below the gap "
        "between Pollux (0) and Helen (2) and it iterates to a tie that [tie] settles; "
        "Schedule 1A cl. 5 adds 0.000000001 to the quota, the surplus is 1.999999999 and "
        "cl. 13 excludes Pollux at once. droop's PRF Meek, with the same quota, agrees.",
    ),
    "droop/SC-Vm-12/meek-prf": (
        ["A", "B", "X"],
        "the Voting matters (issue 12) example built to show that Meek's result depends on "
        "the arithmetic: the PRF rule's omega of 10^-6 stops iterating where X, Y and Z are "
        "within rounding of each other; droop's own Meek at 18 digits elects X, as here.",
    ),
    "stv-rs/recursive_descent/transfer_is_blocked/meek": (
        ["Banana", "Date"],
        "stv-rs reproduces a droop behaviour on purpose (the file's title says so): a paper "
        "with an equal preference stops at a preference whose candidates are all excluded, "
        "so Apple's 9 papers 'Apple, Banana, Cherry=Date' never reach Banana. Here an "
        "excluded candidate is skipped on every paper (Schedule 1A cl. 10), the papers "
        "reach Banana (19 votes), who is elected.",
    ),
}


def _election(key: str) -> Election:
    peer, *name, _ = key.split("/")
    election = load_blt(PEERS / peer / ("/".join(name) + ".blt"))
    if election.tie_order is None:
        # droop and stv-rs break a tie they cannot settle by ballot order (candidate number);
        # given the same order, the counts here draw the same way, without a seed.
        election = replace(election, tie_order=tuple(range(len(election.candidates))))
    return election


def _names(election: Election, candidates: tuple[int, ...]) -> list[str]:
    # droop reads a quoted name as words joined by single spaces.
    return sorted(" ".join(election.candidates[c].split()) for c in candidates)


def _distinct(stages: list[list[str]]) -> list[list[str]]:
    return [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]]


SCOTTISH = sorted(k for k in REFERENCE if k.endswith("/scottish"))
MEEK = sorted(k for k in REFERENCE if not k.endswith("/scottish"))


@pytest.mark.parametrize("key", SCOTTISH)
def test_scottish_stv_matches_droop_at_every_stage(key: str) -> None:
    election = _election(key)
    expected = REFERENCE[key]
    result = count(election, rule="scottish")
    assert _names(election, result.elected) == sorted(
        " ".join(n.split())
        for n in expected["elected"]  # type: ignore[attr-defined]
    )
    ours = [
        ["0" if c in election.withdrawn else format(t, "f") for c, t in enumerate(s.totals)]
        for s in result.stages
    ]
    theirs = [
        ["0" if c in election.withdrawn else v for c, v in enumerate(stage)]
        for stage in expected["stages"]  # type: ignore[attr-defined]
    ]
    assert _distinct(ours) == _distinct(theirs)


@pytest.mark.parametrize("key", MEEK)
def test_meek_elects_whom_the_peers_elect(key: str) -> None:
    election = _election(key)
    expected = REFERENCE[key]
    result = count(election, rule="meek")
    ours = _names(election, result.elected)
    theirs = sorted(expected["elected"])  # type: ignore[call-overload]
    if key in DIFFERENT:
        winners, _why = DIFFERENT[key]
        assert ours == sorted(winners)
        assert ours != theirs
    else:
        assert ours == theirs
    first = expected.get("first")
    if first:
        standing = {
            election.candidates[c]: format(t, "f")
            for c, t in enumerate(result.stages[0].totals)
            if c not in election.withdrawn
        }
        assert standing == first


def test_every_peer_file_is_compared() -> None:
    blts = {p.relative_to(PEERS).with_suffix("").as_posix() for p in PEERS.rglob("*.blt")}
    compared = {k.rsplit("/", 1)[0] for k in REFERENCE}
    assert blts - compared == {"droop/42ubom"}  # 42u.blt with a byte-order mark: same counts
    assert read_blt((PEERS / "droop" / "42ubom.blt").read_bytes()) == load_blt(
        PEERS / "droop" / "42u.blt"
    )
    assert len(SCOTTISH) == 32
    assert len(MEEK) == 35
