"""Extract the figures the conformance test compares from the peers' own reference outputs.

Run from the repository root with local clones of the peers at the commits README.md names::

    python tests/data/stv/peers/make_reference.py DROOP_CLONE STV_RS_CLONE

It reads droop's ``test/ref/json/*`` counts and stv-rs's ``testdata/meek/*.fixed9.log``
transcripts and writes ``reference.json`` beside this file: for each ballot file and rule,
the candidates elected (names, in droop's order of election) and the vote totals the test
compares. Nothing else of the peers is kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _droop(clone: Path) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    refs = clone / "test" / "ref" / "json"
    for blt in sorted((HERE / "droop").rglob("*.blt")):
        name = blt.relative_to(HERE / "droop").with_suffix("").as_posix()
        for rule, suffix in (
            ("scottish", "scotland-fixed-p5-d5"),
            ("meek-prf", "meek-prf-o6-fixed-p9-d9"),
            ("meek-o9", "meek-o9-guarded-p18-g9-d18"),
        ):
            path = refs / f"{name}-{suffix}.txt"
            if not path.exists():
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            names = {int(c): data["cdict"][c]["name"] for c in data["cdict"]}
            elected = [names[int(c)] for c in data.get("elected", [])] or _elected_from_actions(
                data, names
            )
            stages = []
            for action in data["actions"]:
                if action["tag"] in ("begin", "transfer") and "cstate" in action:
                    stages.append(
                        [action["cstate"][str(c)].get("vote", "0") for c in sorted(names)]
                    )
            found[f"droop/{name}/{rule}"] = {"elected": elected, "stages": stages}
    return found


def _elected_from_actions(data: dict[str, object], names: dict[int, str]) -> list[str]:
    elected: list[str] = []
    actions = data["actions"]
    assert isinstance(actions, list)
    for action in actions:
        if action["tag"] != "elect":
            continue
        message = action["msg"]
        for name in names.values():
            named = message.endswith(f": {name}") or f": {name}," in message
            if (named or f", {name}" in message) and name not in elected:
                elected.append(name)
    final = actions[-1]["cstate"]
    kept = [names[int(c)] for c, state in final.items() if state["state"] == "elected"]
    return [n for n in elected if n in kept] + [n for n in kept if n not in elected]


_ELECTED = re.compile(r"^\tElected:\s+(.+?) \(")
_HOPEFUL = re.compile(r"^\t(?:Hopeful|Elected|Defeated|Withdrawn):\s+(.+?) \(([0-9.]+)\)")


def _stv_rs(clone: Path) -> dict[str, dict[str, object]]:
    found: dict[str, dict[str, object]] = {}
    for blt in sorted((HERE / "stv-rs").rglob("*.blt")):
        name = blt.relative_to(HERE / "stv-rs").with_suffix("").as_posix()
        # Files that overflow 64-bit fixed point have a big-integer transcript too.
        log = clone / "testdata" / "meek" / f"{name}.bigfixed9.log"
        if not log.exists():
            log = clone / "testdata" / "meek" / f"{name}.fixed9.log"
        if not log.exists():
            continue
        lines = log.read_text(encoding="utf-8").splitlines()
        first: dict[str, str] = {}
        elected: list[str] = []
        section = ""
        announced: list[str] = []
        for line in lines:
            if line.startswith("Action: "):
                section = line
                if line.startswith("Action: Elect: "):
                    announced.extend(line.removeprefix("Action: Elect: ").split(", "))
                continue
            if section == "Action: Begin Count":
                match = _HOPEFUL.match(line)
                if match:
                    first[match.group(1)] = match.group(2)
            if section == "Action: Count Complete":
                match = _ELECTED.match(line)
                if match:
                    elected.append(match.group(1))
        found[f"stv-rs/{name}/meek"] = {"elected": elected or announced, "first": first}
    return found


def main() -> None:
    droop, stv_rs = Path(sys.argv[1]), Path(sys.argv[2])
    reference = {**_droop(droop), **_stv_rs(stv_rs)}
    (HERE / "reference.json").write_text(
        json.dumps(reference, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
