"""``python -m grassroots.tally count FILE.blt --rule scottish``: count a published ballot file.

Rules: ``--rule scottish|ers97|meek|irv|plurality|approval``, each with ``--seats N`` (overrides
the seats in the file: 1 to the number of candidates), ``--seed S`` (the published seed for
drawing lots; a count that needs a lot stops without it) and ``--format text|json|html`` (see
:mod:`grassroots.tally.report`).

Plurality on a BLT file counts each paper's first preference (its first N preferences when N
seats are filled by bloc voting), which is what the paper's voter marked first; ``--marks``
instead treats each ballot line as a set of marks (an X-vote file), and a line with more marks
than seats is void.

Category constraints: ``--min-category women=2`` and ``--max-category region-north=3`` (each
may be repeated), with the categories given by ``--category-file F``, a text file of lines::

    # candidate number (1-based, as in the BLT file), category
    1,women
    3,women
    3,region-north

Blank lines and text after ``#`` are ignored; a candidate may be in several categories.

Any problem (bad file, bad arguments, infeasible constraint) ends with exit status 2 and one
line on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from grassroots.tally import check_seats
from grassroots.tally.blt import load_blt
from grassroots.tally.report import render_html, render_json, render_text
from grassroots.tally.types import CategoryConstraint, Election, Result, TallyError

RULE_CHOICES = ("scottish", "ers97", "meek", "irv", "plurality", "approval")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise TallyError(message)


def read_categories(path: str | Path, ncand: int) -> dict[int, frozenset[str]]:
    """Parse a category file (format in this module's docstring) into 0-based categories."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TallyError(f"{path}: cannot read the category file ({error})") from None
    found: dict[int, set[str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.partition("#")[0].strip()
        if not line:
            continue
        candidate, comma, category = (part.strip() for part in line.partition(","))
        if not comma or not category:
            raise TallyError(f"{path} line {number}: expected 'candidate number,category'")
        if not candidate.isdigit() or not 1 <= int(candidate) <= ncand:
            raise TallyError(
                f"{path} line {number}: candidate {candidate!r} is not a number from 1 to {ncand}"
            )
        found.setdefault(int(candidate) - 1, set()).add(category)
    return {c: frozenset(labels) for c, labels in found.items()}


def _limits(values: Sequence[str], flag: str) -> dict[str, int]:
    limits: dict[str, int] = {}
    for value in values:
        category, equals, amount = value.partition("=")
        if not equals or not category or not amount.isdigit():
            raise TallyError(f"{flag} {value!r}: expected CATEGORY=NUMBER, e.g. women=2")
        limits[category] = int(amount)
    return limits


def build_constraints(minimums: Sequence[str], maximums: Sequence[str]) -> list[CategoryConstraint]:
    low = _limits(minimums, "--min-category")
    high = _limits(maximums, "--max-category")
    return [
        CategoryConstraint(category, minimum=low.get(category, 0), maximum=high.get(category))
        for category in sorted(set(low) | set(high))
    ]


def run_count(
    election: Election,
    rule: str,
    constraints: Sequence[CategoryConstraint],
    seed: int | None,
    *,
    seats: int | None = None,
    marks: bool = False,
    blank_papers_valid: bool = False,
) -> Result:
    """Count by ``rule`` through :func:`grassroots.tally.count`.

    Plurality counts first preferences (the first ``seats`` preferences for bloc voting)
    unless ``marks`` says each ballot line is a set of marks.
    """
    from grassroots.tally import count

    if marks and rule != "plurality":
        raise TallyError("--marks applies to --rule plurality only")
    if blank_papers_valid and rule not in ("scottish", "ers97", "meek"):
        raise TallyError("--blank-papers-valid applies to --rule scottish, ers97 or meek only")
    options: dict[str, bool] = {"first_preferences": not marks} if rule == "plurality" else {}
    if blank_papers_valid:
        options["blank_papers_valid"] = True
    return count(election, rule=rule, seats=seats, constraints=constraints, seed=seed, **options)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(prog="python -m grassroots.tally", description="Count a BLT ballot file.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    counting = commands.add_parser("count", help="count a BLT file")
    counting.add_argument("file", help="the BLT ballot file")
    counting.add_argument("--rule", required=True, choices=RULE_CHOICES)
    counting.add_argument("--seats", type=int, help="seats to fill (default: the file's)")
    counting.add_argument("--min-category", action="append", default=[], metavar="CAT=N")
    counting.add_argument("--max-category", action="append", default=[], metavar="CAT=N")
    counting.add_argument("--category-file", help="lines of 'candidate number,category'")
    counting.add_argument("--seed", type=int, help="published seed for drawing lots")
    counting.add_argument("--format", choices=("text", "json", "html"), default="text")
    counting.add_argument(
        "--blank-papers-valid",
        action="store_true",
        help="scottish, ers97, meek: count blank papers (no standing candidate marked) in the "
        "valid poll and the quota, non-transferable from the first stage",
    )
    counting.add_argument(
        "--marks",
        action="store_true",
        help="plurality only: count each ballot line as a set of marks, not its first "
        "preference(s); a line with more marks than seats is void",
    )
    try:
        args = parser.parse_args(argv)
        election = load_blt(args.file)
        if args.seats is not None and args.seats < 1:
            raise TallyError("--seats must be at least 1")
        if args.seats is None:
            check_seats(
                election.seats,
                election,
                args.rule,
                source="the number of seats in the file's header",
            )
        if args.category_file:
            categories = read_categories(args.category_file, len(election.candidates))
            election = replace(election, categories=categories)
        constraints = build_constraints(args.min_category, args.max_category)
        if constraints and not args.category_file:
            raise TallyError("--min-category/--max-category need --category-file")
        result = run_count(
            election,
            args.rule,
            constraints,
            args.seed,
            seats=args.seats,
            marks=args.marks,
            blank_papers_valid=args.blank_papers_valid,
        )
    except TallyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    renderers = {"text": render_text, "json": render_json, "html": render_html}
    output = renderers[args.format](result)
    sys.stdout.write(output if output.endswith("\n") else output + "\n")
    return 0
