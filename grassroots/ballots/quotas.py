"""Quota rules of an STV question: "women: at least 2", "men: at most 3", "bame: at least 1".

A question's rules are stored as a JSON list on ``Question.constraints``
(``[{"category": "women", "minimum": 2, "maximum": null}, ...]``) and read back as the counting
engine's own ``CategoryConstraint``: the engine's constraints are the one definition of what a
rule means, and its ``check_feasible`` the one test of whether rules can be met. This module
only turns text and JSON into constraints and back, and says what is wrong in the officer's
words, naming the rule ("At least 2 women: only 1 candidate is in women").

Pure: no Django, no database (tests/ballots/test_quotas.py holds it to a brute-force reference).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext, ngettext

from grassroots.tally.constraints import check_feasible
from grassroots.tally.types import CategoryConstraint, TallyError

MAX_RULES = 20
MAX_LIMIT = 50
CATEGORY = re.compile(r"[a-z0-9][a-z0-9 +\-]{0,79}")
_LIMIT = re.compile(r"(at least|at most|exactly)\s+(\d{1,3})")


class QuotaError(ValueError):
    """Rules that cannot be read or cannot be met; the message names the rule."""


def category_name(text: str) -> str:
    """A category as stored: lower case, single spaces (``"LGBT+ "`` -> ``"lgbt+"``); an
    "and/or" rule's categories joined by " or " (``"Women and/or BAME"`` -> ``"women or bame"``)."""
    return " ".join(text.lower().replace("and/or", " or ").split())


def parts_of(category: str) -> tuple[str, ...]:
    """The categories an "and/or" rule joins (``"women or bame"``), or the category alone."""
    return tuple(part.strip() for part in category.split(" or "))


def labels_for(categories: Iterable[str], rules: Iterable[CategoryConstraint]) -> frozenset[str]:
    """A candidate's categories as the count sees them: those they declared, and every
    "and/or" rule's category they are in through any of its parts. The record carries these, so
    the verifier's recount treats a union rule exactly as the server's count did."""
    declared = frozenset(categories)
    unions = {
        rule.category
        for rule in rules
        if len(parts_of(rule.category)) > 1 and declared & set(parts_of(rule.category))
    }
    return declared | unions


def sentence(rule: CategoryConstraint) -> str:
    """A rule as the officer and the voter read it, in the page's language: ``At least 2
    women`` (the category is the officer's own word)."""
    words = {"category": rule.category, "minimum": rule.minimum, "maximum": rule.maximum}
    if rule.maximum is not None and 0 < rule.minimum == rule.maximum:
        return gettext("Exactly %(minimum)s %(category)s") % words
    if rule.minimum and rule.maximum is not None:
        return gettext("At least %(minimum)s and at most %(maximum)s %(category)s") % words
    if rule.minimum:
        return gettext("At least %(minimum)s %(category)s") % words
    if rule.maximum is not None:
        return gettext("At most %(maximum)s %(category)s") % words
    return gettext("No limit on %(category)s") % words


def as_text(rules: Sequence[CategoryConstraint]) -> str:
    """The rules as the form shows them, one a line; :func:`parse_rules` reads it back."""
    lines = []
    for rule in rules:
        parts = []
        if rule.maximum is not None and 0 < rule.minimum == rule.maximum:
            parts.append(f"exactly {rule.minimum}")
        else:
            if rule.minimum:
                parts.append(f"at least {rule.minimum}")
            if rule.maximum is not None:
                parts.append(f"at most {rule.maximum}")
        lines.append(f"{rule.category}: {', '.join(parts)}")
    return "\n".join(lines)


def parse_rules(text: str) -> tuple[CategoryConstraint, ...]:
    """Read the form's rules, one a line: ``women: at least 2``, ``men: at most 3``,
    ``bame: at least 1, at most 4``, ``young: exactly 1``, and "and/or" rules over several
    categories, ``women and/or bame: at least 1`` (a candidate in any of them counts once).
    Blank lines are ignored."""
    rules: list[CategoryConstraint] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"Quota rule line {number} ({line[:60]})"
        category, colon, limits = line.partition(":")
        if not colon:
            raise QuotaError(
                gettext("%(where)s: write the category, a colon, then the limit.")
                % {"where": where}
            )
        name = category_name(category)
        if not CATEGORY.fullmatch(name) or any(
            len(part) > 40 or not CATEGORY.fullmatch(part) for part in parts_of(name)
        ):
            raise QuotaError(
                gettext(
                    "%(where)s: a category is up to 40 letters, digits, spaces, + or -, e.g. women "
                    "(or several joined by and/or)."
                )
                % {"where": where}
            )
        minimum, maximum = 0, None
        pieces = [p.strip() for p in re.split(r",|\band\b", limits.lower()) if p.strip()]
        if not pieces:
            raise QuotaError(
                gettext("%(where)s: give a limit, e.g. at least 1.") % {"where": where}
            )
        for piece in pieces:
            match = _LIMIT.fullmatch(" ".join(piece.split()))
            if match is None:
                raise QuotaError(
                    gettext(
                        "%(where)s: write each limit as 'at least N', 'at most N' or 'exactly N'."
                    )
                    % {"where": where}
                )
            word, value = match.group(1), int(match.group(2))
            if word in ("at least", "exactly"):
                minimum = value
            if word in ("at most", "exactly"):
                maximum = value
        rules.append(CategoryConstraint(name, minimum=minimum, maximum=maximum))
    return validated(rules)


def validated(rules: Sequence[CategoryConstraint]) -> tuple[CategoryConstraint, ...]:
    """The rules if each makes sense on its own, whatever the seats and candidates."""
    if len(rules) > MAX_RULES:
        raise QuotaError(
            gettext("No more than %(max)s quota rules on one question.") % {"max": MAX_RULES}
        )
    seen: set[str] = set()
    for rule in rules:
        if not CATEGORY.fullmatch(rule.category):
            raise QuotaError(
                gettext("%(category)s is not a category name.") % {"category": repr(rule.category)}
            )
        if rule.category in seen:
            raise QuotaError(
                gettext(
                    "%(category)s has two rules; give its limits on one line (e.g. at least 1, at "
                    "most 3)."
                )
                % {"category": rule.category}
            )
        seen.add(rule.category)
        if rule.minimum < 0 or (rule.maximum is not None and rule.maximum < 0):
            raise QuotaError(
                gettext("%(sentence)s: a limit cannot be negative.") % {"sentence": sentence(rule)}
            )
        if rule.minimum > MAX_LIMIT or (rule.maximum is not None and rule.maximum > MAX_LIMIT):
            raise QuotaError(
                gettext("%(sentence)s: a limit is at most %(max)s.")
                % {"sentence": sentence(rule), "max": MAX_LIMIT}
            )
        if rule.maximum is not None and rule.minimum > rule.maximum:
            raise QuotaError(
                gettext("%(sentence)s: the minimum is above the maximum.")
                % {"sentence": sentence(rule)}
            )
        if rule.minimum == 0 and rule.maximum is None:
            raise QuotaError(
                gettext("%(category)s: give a minimum or a maximum.") % {"category": rule.category}
            )
    return tuple(rules)


def from_json(raw: object) -> tuple[CategoryConstraint, ...]:
    """The rules stored on a question; :class:`QuotaError` if the stored JSON is not rules."""
    if not isinstance(raw, list):
        raise QuotaError(gettext("Quota rules are stored as a list."))
    rules = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - {"category", "minimum", "maximum"}:
            raise QuotaError(gettext("%(item)s is not a quota rule.") % {"item": repr(item)})
        category = item.get("category")
        minimum, maximum = item.get("minimum", 0), item.get("maximum")
        if not isinstance(category, str) or not isinstance(minimum, int | None):
            raise QuotaError(gettext("%(item)s is not a quota rule.") % {"item": repr(item)})
        if maximum is not None and not isinstance(maximum, int):
            raise QuotaError(gettext("%(item)s is not a quota rule.") % {"item": repr(item)})
        rules.append(CategoryConstraint(category, minimum=minimum or 0, maximum=maximum))
    return validated(rules)


def stored(raw: object) -> tuple[CategoryConstraint, ...]:
    """The rules stored on a question as they are, without judging them: for pages, the count
    and the record, which must read every row ever stored (:func:`from_json` is for writes)."""
    if not isinstance(raw, list):
        return ()
    return tuple(
        CategoryConstraint(
            str(item.get("category", "")),
            minimum=int(item.get("minimum") or 0),
            maximum=None if item.get("maximum") is None else int(item["maximum"]),
        )
        for item in raw
        if isinstance(item, dict)
    )


def to_json(rules: Sequence[CategoryConstraint]) -> list[dict[str, object]]:
    return [{"category": r.category, "minimum": r.minimum, "maximum": r.maximum} for r in rules]


def seats_problem(seats: int, rules: Sequence[CategoryConstraint]) -> str:
    """What no list of candidates could put right: a rule needing more seats than there are
    (alone, or minimums together when no candidate could count for two). "" when none."""
    for rule in rules:
        if rule.minimum > seats:
            return ngettext(
                "%(rule)s: only %(seats)s seat to fill.",
                "%(rule)s: only %(seats)s seats to fill.",
                seats,
            ) % {"rule": sentence(rule), "seats": seats}
    return ""


def _for_seats(candidates: int, seats: int) -> str:
    return ngettext(
        "(%(candidates)s candidates for %(seats)s seat)",
        "(%(candidates)s candidates for %(seats)s seats)",
        seats,
    ) % {"candidates": candidates, "seats": seats}


def feasibility_problem(
    seats: int, candidates: Sequence[frozenset[str]], rules: Sequence[CategoryConstraint]
) -> str:
    """Why no choice of candidates meets the rules, naming the rule; "" when some choice does.

    ``candidates`` are the standing candidates' declared categories ("and/or" rules are
    applied here, as :func:`labels_for` applies them for the count). The answer is the engine's
    (``check_feasible``): the count would refuse exactly these rules; the messages for one rule
    alone are put in the officer's words first."""
    if not rules:
        return ""
    candidates = [labels_for(labels, rules) for labels in candidates]
    fill = min(seats, len(candidates))
    for rule in rules:
        inside = sum(1 for labels in candidates if rule.category in labels)
        if rule.minimum > inside:
            return ngettext(
                "%(rule)s: only %(count)s candidate is in %(category)s.",
                "%(rule)s: only %(count)s candidates are in %(category)s.",
                inside,
            ) % {"rule": sentence(rule), "count": inside, "category": rule.category}
        if rule.minimum > fill:
            only = ngettext(
                "%(rule)s: only %(fill)s seat can be filled",
                "%(rule)s: only %(fill)s seats can be filled",
                fill,
            ) % {"rule": sentence(rule), "fill": fill}
            return f"{only} {_for_seats(len(candidates), seats)}."
        outside = len(candidates) - inside
        if rule.maximum is not None and outside + rule.maximum < fill:
            return gettext(
                "%(rule)s: %(seats)s cannot be filled with only %(candidates)s outside "
                "%(category)s."
            ) % {
                "rule": sentence(rule),
                "seats": ngettext("%(n)s seat", "%(n)s seats", fill) % {"n": fill},
                "candidates": ngettext("%(n)s candidate", "%(n)s candidates", outside)
                % {"n": outside},
                "category": rule.category,
            }
    standing = range(len(candidates))
    categories = dict(enumerate(candidates))
    try:
        check_feasible(standing, seats, categories, rules)
    except TallyError as error:
        named = "; ".join(sentence(rule) for rule in rules)
        return gettext("The quota rules together (%(named)s) cannot all be met: %(error)s.") % {
            "named": named,
            "error": error,
        }
    return ""
