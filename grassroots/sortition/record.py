"""The published record of a draw by lot, and rerunning it.

PURE PYTHON, no Django import. The record is JSON (docs/sortition.md shows an example)::

    {"format": "grassroots-sortition-record/1", "title": "...", "seats": 12,
     "categories": ["gender", "region"],
     "quotas": [{"category": "gender", "value": "woman", "minimum": 5, "maximum": 7}, ...],
     "volunteers": [{"id": "v-3f9a2c1b", "categories": {"gender": "woman", ...}}, ...],
     "commitment": "<SHA-256 of the seed, hex>",
     "seed": "<hex, once revealed, else null>",
     "selection": ["v-...", ...] or null,
     "replacements": [{"standing_down": ["v-..."], "chosen": ["v-..."]}, ...]}

Volunteers appear only by pseudonym and category values.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grassroots.sortition.draw import (
    Pool,
    Quota,
    SortitionError,
    Volunteer,
    draw,
    replace,
)

FORMAT = "grassroots-sortition-record/1"


@dataclass(frozen=True)
class Replacement:
    standing_down: tuple[str, ...]
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class DrawRecord:
    title: str
    pool: Pool
    commitment: str
    seed: str | None = None
    selection: tuple[str, ...] | None = None
    replacements: tuple[Replacement, ...] = ()


def commitment_of(seed: bytes) -> str:
    """What is published before the draw: SHA-256 of the seed's bytes, in hex."""
    return hashlib.sha256(seed).hexdigest()


def parse_seed(text: str) -> bytes:
    try:
        seed = bytes.fromhex(text.strip())
    except ValueError:
        raise SortitionError("the seed must be written in hexadecimal (0-9, a-f)") from None
    if not seed:
        raise SortitionError("the seed is empty")
    return seed


def seed_matches(seed: bytes, commitment: str) -> bool:
    return hmac.compare_digest(commitment_of(seed), commitment.strip().lower())


def record_to_json(record: DrawRecord) -> dict[str, Any]:
    pool = record.pool
    return {
        "format": FORMAT,
        "title": record.title,
        "seats": pool.seats,
        "categories": list(pool.categories),
        "quotas": [
            {"category": q.category, "value": q.value, "minimum": q.minimum, "maximum": q.maximum}
            for q in pool.quotas
        ],
        "volunteers": [
            {"id": v.id, "categories": {c: v.categories[c] for c in pool.categories}}
            for v in sorted(pool.volunteers, key=lambda v: v.id)
        ],
        "commitment": record.commitment,
        "seed": record.seed,
        "selection": None if record.selection is None else list(record.selection),
        "replacements": [
            {"standing_down": list(r.standing_down), "chosen": list(r.chosen)}
            for r in record.replacements
        ],
    }


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    if name not in data:
        raise SortitionError(f"{where}: “{name}” is missing")
    value = data[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise SortitionError(f"{where}: “{name}” has the wrong type")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SortitionError(f"{where} must be a list of strings")
    return tuple(value)


def record_from_json(data: Any) -> DrawRecord:
    """Read a record, naming the first thing wrong with it."""
    if not isinstance(data, dict):
        raise SortitionError("the record must be a JSON object")
    if data.get("format") != FORMAT:
        raise SortitionError(f"not a sortition record (expected “format”: “{FORMAT}”)")
    categories = _strings(_field(data, "categories", list, "record"), "“categories”")
    quotas = []
    for n, raw in enumerate(_field(data, "quotas", list, "record"), start=1):
        if not isinstance(raw, dict):
            raise SortitionError(f"quota {n} must be an object")
        maximum = raw.get("maximum")
        if maximum is not None and (not isinstance(maximum, int) or isinstance(maximum, bool)):
            raise SortitionError(f"quota {n}: “maximum” must be a whole number or null")
        quotas.append(
            Quota(
                category=_field(raw, "category", str, f"quota {n}"),
                value=_field(raw, "value", str, f"quota {n}"),
                minimum=_field(raw, "minimum", int, f"quota {n}"),
                maximum=maximum,
            )
        )
    volunteers = []
    for n, raw in enumerate(_field(data, "volunteers", list, "record"), start=1):
        if not isinstance(raw, dict):
            raise SortitionError(f"volunteer {n} must be an object")
        values = _field(raw, "categories", dict, f"volunteer {n}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items()):
            raise SortitionError(f"volunteer {n}: category values must be strings")
        volunteers.append(Volunteer(id=_field(raw, "id", str, f"volunteer {n}"), categories=values))
    seed = data.get("seed")
    if seed is not None and not isinstance(seed, str):
        raise SortitionError("record: “seed” must be hexadecimal text or null")
    selection = data.get("selection")
    replacements = []
    for n, raw in enumerate(data.get("replacements") or [], start=1):
        if not isinstance(raw, dict):
            raise SortitionError(f"replacement {n} must be an object")
        replacements.append(
            Replacement(
                standing_down=_strings(raw.get("standing_down"), f"replacement {n} standing_down"),
                chosen=_strings(raw.get("chosen"), f"replacement {n} chosen"),
            )
        )
    return DrawRecord(
        title=str(data.get("title", "")),
        pool=Pool(
            seats=_field(data, "seats", int, "record"),
            categories=categories,
            volunteers=tuple(volunteers),
            quotas=tuple(quotas),
        ),
        commitment=_field(data, "commitment", str, "record"),
        seed=seed,
        selection=None if selection is None else _strings(selection, "“selection”"),
        replacements=tuple(replacements),
    )


def load_record(path: str | Path) -> DrawRecord:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SortitionError(f"{path}: cannot read the record ({error})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SortitionError(f"{path}: not valid JSON ({error})") from None
    return record_from_json(data)


@dataclass(frozen=True)
class Rerun:
    """What rerunning a record found: the selection and each replacement round recomputed,
    and every difference from what the record says (empty when all agree)."""

    selection: tuple[str, ...]
    rounds: tuple[tuple[str, ...], ...]
    members_now: tuple[str, ...]
    mismatches: tuple[str, ...] = field(default_factory=tuple)


def _differ(label: str, published: Sequence[str], computed: Sequence[str]) -> str | None:
    if tuple(published) == tuple(computed):
        return None
    if set(published) == set(computed):
        return (
            f"{label}: the same people in a different order "
            f"(published {list(published)}, rerun {list(computed)})"
        )
    only_published = sorted(set(published) - set(computed))
    only_rerun = sorted(set(computed) - set(published))
    return (
        f"{label} differs: published but not drawn {only_published}, "
        f"drawn but not published {only_rerun}"
    )


def rerun(record: DrawRecord, seed: bytes) -> Rerun:
    """Check the seed against the commitment, redraw, replay the replacements and compare.

    Raises SortitionError (or QuotasInfeasible) when the record cannot be rerun at all; a
    draw that runs but disagrees with the record comes back in ``mismatches``.
    """
    mismatches: list[str] = []
    if not seed_matches(seed, record.commitment):
        mismatches.append(
            f"seed: SHA-256 of the seed is {commitment_of(seed)}, "
            f"but the published commitment is {record.commitment}"
        )
    if record.seed is not None and parse_seed(record.seed) != seed:
        mismatches.append("seed: the seed given is not the one the record reveals")
    result = draw(record.pool, seed)
    if record.selection is not None:
        problem = _differ("selection", record.selection, result.selected)
        if problem:
            mismatches.append(problem)
    members = list(result.selected if record.selection is None else record.selection)
    ever = set(members)
    rounds = []
    for n, published in enumerate(record.replacements, start=1):
        chosen = replace(
            record.pool,
            seed,
            members=members,
            standing_down=published.standing_down,
            ever_selected=ever,
        )
        rounds.append(chosen)
        problem = _differ(f"replacement {n}", published.chosen, chosen)
        if problem:
            mismatches.append(problem)
        # Continue from what was published, so one difference is reported once.
        members = [m for m in members if m not in published.standing_down] + list(published.chosen)
        ever |= set(published.chosen)
    return Rerun(
        selection=result.selected,
        rounds=tuple(rounds),
        members_now=tuple(members),
        mismatches=tuple(mismatches),
    )
