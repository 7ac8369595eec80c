"""``python -m grassroots.sortition rerun DRAW.json [--seed HEX]``: rerun a published draw.

Reads the record downloaded from the draw's page (volunteers' pseudonyms and categories, quotas,
the seed's commitment and, once drawn, the seed, the selection and any replacements), checks
the seed against the commitment, draws again and replays every replacement, and prints the
result. ``--seed`` gives the seed yourself (for a record saved before the reveal, or to check
the one the record shows); without it the record's revealed seed is used.

``python -m grassroots.sortition commit --seed HEX`` prints the commitment of a seed.

Exit status: 0 when everything matches, 1 when the rerun differs from the record (each
difference named on standard error), 2 when the record or the arguments cannot be used (one
line on standard error, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from grassroots.sortition.draw import SortitionError
from grassroots.sortition.record import commitment_of, load_record, parse_seed, rerun


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise SortitionError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m grassroots.sortition",
        description="Rerun a Grassroots draw by lot from its published record.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    again = commands.add_parser("rerun", help="redraw from the record and compare")
    again.add_argument("record", type=Path, help="the draw's record (JSON)")
    again.add_argument("--seed", metavar="HEX", help="the revealed seed (default: the record's)")
    commit = commands.add_parser("commit", help="print SHA-256 of a seed, as published")
    commit.add_argument("--seed", metavar="HEX", required=True)
    return parser


def _rerun(path: Path, seed_text: str | None, out: TextIO, err: TextIO) -> int:
    record = load_record(path)
    if seed_text is None:
        if record.seed is None:
            raise SortitionError("the record has no revealed seed yet: give it with --seed HEX")
        seed_text = record.seed
    seed = parse_seed(seed_text)
    result = rerun(record, seed)
    categories = {v.id: v.categories for v in record.pool.volunteers}

    def line(vid: str) -> str:
        values = ", ".join(f"{c}: {categories[vid][c]}" for c in record.pool.categories)
        return f"  {vid}  ({values})" if values else f"  {vid}"

    out.write(f"{record.title or 'Draw'}: {record.pool.seats} seats, ")
    out.write(f"{len(record.pool.volunteers)} volunteers\n")
    seed_ok = not any(m.startswith("seed:") for m in result.mismatches)
    out.write(f"Commitment {record.commitment}: {'matches' if seed_ok else 'DOES NOT MATCH'}\n")
    out.write("Selection, in the order the seats were filled:\n")
    out.writelines(line(vid) + "\n" for vid in result.selection)
    for n, chosen in enumerate(result.rounds, start=1):
        standing_down = record.replacements[n - 1].standing_down
        out.write(f"Replacement {n}: {', '.join(standing_down)} stood down; chosen:\n")
        out.writelines(line(vid) + "\n" for vid in chosen)
    if result.mismatches:
        for problem in result.mismatches:
            err.write(f"MISMATCH {problem}\n")
        return 1
    if record.selection is None:
        out.write("The record has no selection yet to compare with.\n")
    else:
        out.write("The rerun matches the published record.\n")
    return 0


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
        if args.command == "commit":
            out.write(commitment_of(parse_seed(args.seed)) + "\n")
            return 0
        return _rerun(args.record, args.seed, out, err)
    except SortitionError as error:
        err.write(f"error: {error}\n")
        return 2
