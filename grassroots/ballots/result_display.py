"""A counted question's result as a member reads it on the results page.

The count keeps its result as the published JSON object (``ledger.recount.result_to_json``,
candidates numbered from 0 in ballot-paper order) (every figure the
exact decimal the rule counted). This module turns that object, as stored, into what a page
shows: who was elected, in order, first; the rule's name in words; whole votes as whole
numbers, and decimals only where the rule makes fractions (the STV rules transfer surpluses at
a fractional value); and an SVG chart whose every line is named in a legend beside it (nothing
written on the plot itself can overlap). Working from the stored JSON rather than the HTML
fragment kept at count time means results published before this page changed read the same.

It also reads an opened ballot paper back into candidate names for the receipt check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grassroots.ballots.models import Question
from grassroots.ballots.note_words import note_in_words

# The rules that transfer part of a vote, so that a candidate's total can be a fraction.
FRACTIONAL_RULES = frozenset({"scottish", "ers97", "meek"})
# The rules counted in stages (votes move between candidates); the others count once, and
# their second stage only records who was elected with the same figures.
STAGED_RULES = FRACTIONAL_RULES | {"irv"}

RULE_NAMES = {
    "scottish": gettext_lazy(
        "Single transferable vote, counted by the Scottish local government rules "
        "(SSI 2007/42): surpluses transferred at a fractional value, to five decimal places"
    ),
    "ers97": gettext_lazy(
        "Single transferable vote, counted by the Electoral Reform Society's 1997 rules "
        "(ERS97): surpluses transferred at a fractional value, to two decimal places"
    ),
    "meek": gettext_lazy(
        "Single transferable vote, counted by Meek's method: each elected candidate keeps "
        "only the share of every vote needed to reach the quota, recalculated until it settles"
    ),
    "irv": gettext_lazy(
        "Alternative vote (instant runoff): the candidate with fewest votes is excluded and "
        "their votes go to the next preference, until one candidate has more than half"
    ),
    "plurality": gettext_lazy("First past the post: the candidate with most votes is elected"),
    "bloc plurality": gettext_lazy("Bloc vote: the candidates with most votes fill the seats"),
    "approval": gettext_lazy(
        "Approval vote: voters mark every candidate they approve of, and the "
        "candidates with most approvals fill the seats"
    ),
    "yesno": gettext_lazy("Yes or no: the motion is carried if the yes votes reach the threshold"),
}

_ACTION_WORDS = {
    "first preferences": gettext_lazy("First preferences"),
    "elect": gettext_lazy("Elected"),
    "transfer surplus": gettext_lazy("Surplus of"),
    "exclude": gettext_lazy("Exclusion of"),
    "iterate": gettext_lazy("Iteration"),
    "exclude by constraint": gettext_lazy("Excluded by constraint:"),
}

# A yes/no question's answers are stored in English (ballots.publication.YESNO_ANSWERS, part of
# the record); pages show them in the reader's language.
YESNO_LABELS = {
    "Yes": gettext_lazy("Yes"),
    "No": gettext_lazy("No"),
    "Abstain": gettext_lazy("Abstain"),
}


def answer_label(name: str) -> str:
    """A yes/no answer in the page's language; any other name as it is."""
    return str(YESNO_LABELS.get(name, name))


# Every colour has a contrast of at least 4.5:1 on white (tests/ballots/test_result_display.py
# holds it), so each line is as visible as text; the shapes tell lines apart without colour.
PALETTE = (
    "#1d70b8",
    "#b1300c",
    "#00703c",
    "#6f3b96",
    "#7a5600",
    "#00667a",
    "#912b88",
    "#505a5f",
    "#0b0c0c",
    "#a0114f",
)
CHART_INK = "#0b0c0c"
_MARKERS = ("circle", "square", "diamond", "up", "down")
_DASHES = ("", "6 3", "2 3")


def rule_name(rule: str) -> str:
    return str(RULE_NAMES.get(rule, rule))


def figure(value: str | None, *, fractional: bool) -> str:
    """A vote figure as counted (``"77.58044"``), shown as a person reads it: a whole number
    without decimals (``"76"``), a fraction only for a rule that makes fractions."""
    if value is None:
        return ""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    if not fractional:
        return f"{number.normalize():,f}"
    return f"{number:,f}"


@dataclass(frozen=True)
class ShownStage:
    number: int
    label: str  # "Stage 2"
    action: str  # "Surplus of Jane Doe"

    @property
    def heading(self) -> str:
        return f"{self.label}: {self.action}" if self.action else self.label


@dataclass(frozen=True)
class ShownRow:
    name: str
    cells: tuple[tuple[str, str], ...]  # (the column's label for a phone, the figure)
    outcome: str
    is_elected: bool


@dataclass(frozen=True)
class LegendEntry:
    name: str
    colour: str
    marker: str
    dash: str
    swatch: SafeString


@dataclass(frozen=True)
class ShownResult:
    rule: str
    rule_name: str
    is_yes_no: bool
    is_carried: bool
    # No valid papers: the question was declared void and nothing counted (no stages).
    is_void: bool
    elected: tuple[str, ...]
    headline: str
    seats: int
    valid_poll: str
    quota: str
    stages: tuple[ShownStage, ...]
    rows: tuple[ShownRow, ...]
    totals_rows: tuple[ShownRow, ...]  # non-transferable, loss by rounding (when not all 0)
    keep_factor_stages: tuple[ShownStage, ...]
    keep_factor_rows: tuple[ShownRow, ...]
    parcels: tuple[tuple[str, tuple[str, ...]], ...]
    notes: tuple[str, ...]
    chart: SafeString
    legend: tuple[LegendEntry, ...]
    chart_id: str


def _names(candidates: list[str], numbers: list[int]) -> str:
    return ", ".join(candidates[n] for n in numbers if 0 <= n < len(candidates))


def _stage(candidates: list[str], stage: dict[str, Any]) -> ShownStage:
    words = str(_ACTION_WORDS.get(stage.get("action", ""), stage.get("action", "")))
    who = _names(candidates, list(stage.get("candidates", [])))
    number = int(stage.get("number", 0))
    action = f"{words} {who}".strip() if who else words
    return ShownStage(
        number=number, label=_("Stage %(number)s") % {"number": number}, action=action
    )


def _yes_no_headline(result: dict[str, Any], fractional: bool) -> tuple[bool, str]:
    carried = list(result.get("elected", [])) == [0]
    totals = result["stages"][-1]["totals"] if result.get("stages") else []
    names = [answer_label(str(c)) for c in result.get("candidates", [])]
    parts = [
        f"{name} {figure(t, fractional=fractional)}" for name, t in zip(names, totals, strict=False)
    ]
    word = _("Carried") if carried else _("Not carried")
    return carried, f"{word}: {', '.join(parts)}." if parts else f"{word}."


def show_result(question: Question) -> ShownResult | None:
    """The page's view of ``question.result``; ``None`` before it is counted."""
    result = question.result
    if not result:
        return None
    return show_result_json(result, chart_id=f"chart-{question.ledger_id}")


def show_result_json(result: dict[str, Any], *, chart_id: str = "chart") -> ShownResult:
    rule = str(result.get("rule", ""))
    fractional = rule in FRACTIONAL_RULES
    candidates = [str(c) for c in result.get("candidates", [])]
    if rule == "yesno":
        candidates = [answer_label(c) for c in candidates]
    all_stages = list(result.get("stages", []))
    raw_stages = all_stages if rule in STAGED_RULES else all_stages[:1]
    stages = tuple(_stage(candidates, s) for s in raw_stages)
    elected_numbers = [int(n) for n in result.get("elected", [])]
    elected = tuple(candidates[n] for n in elected_numbers if 0 <= n < len(candidates))
    elected_at = {int(n): int(s.get("number", 0)) for s in all_stages for n in s.get("elected", [])}
    withdrawn = {int(n) for n in result.get("withdrawn", [])}
    is_yes_no = rule == "yesno"
    single_stage = len(stages) == 1
    # On a phone the table stacks, one block per candidate, each figure labelled by its stage;
    # what each stage did is listed above the table there (the column headings are hidden).
    labels = [_("Votes")] if single_stage else [stage.label for stage in stages]
    rows = []
    for index, name in enumerate(candidates):
        if index in elected_at:
            outcome = _("Carried") if is_yes_no else _("Elected")
            if not single_stage:
                outcome = (
                    _("Carried at stage %(stage)s")
                    if is_yes_no
                    else _("Elected at stage %(stage)s")
                ) % {"stage": elected_at[index]}
        elif index in withdrawn:
            outcome = _("Withdrawn")
        else:
            outcome = ""
        rows.append(
            ShownRow(
                name=name,
                cells=tuple(
                    (label, figure(s["totals"][index], fractional=fractional))
                    for label, s in zip(labels, raw_stages, strict=True)
                ),
                outcome=outcome,
                is_elected=index in elected_at,
            )
        )
    totals_rows = []
    for label, key in (
        (_("Non-transferable"), "exhausted"),
        (_("Loss by rounding"), "loss_by_rounding"),
    ):
        values = [s.get(key) for s in raw_stages]
        if any(v is not None and Decimal(v) != 0 for v in values):
            totals_rows.append(
                ShownRow(
                    name=label,
                    cells=tuple(
                        (label, figure(v, fractional=fractional))
                        for label, v in zip(labels, values, strict=True)
                    ),
                    outcome="",
                    is_elected=False,
                )
            )
    keep = [
        (stage, s) for stage, s in zip(stages, raw_stages, strict=True) if s.get("keep_factors")
    ]
    keep_rows = tuple(
        ShownRow(
            name=name,
            cells=tuple((stage.label, str(s["keep_factors"][index])) for stage, s in keep),
            outcome="",
            is_elected=False,
        )
        for index, name in enumerate(candidates)
    )
    # The rules' notes are the record's English words; shown in the reader's language.
    notes = [
        _("Stage %(number)s: %(note)s")
        % {"number": s["number"], "note": note_in_words(str(s["note"]))}
        for s in raw_stages
        if s.get("note")
    ]
    if is_yes_no:
        notes = [note_in_words(str(n)) for n in result.get("notes", [])] or notes
    else:
        notes.extend(note_in_words(str(n)) for n in result.get("notes", []))
    if withdrawn:
        notes.append(_("Withdrawn: %(names)s") % {"names": _names(candidates, sorted(withdrawn))})
    if result.get("seed") is not None:
        notes.append(
            _("Lots were drawn with the published seed %(seed)s.") % {"seed": result["seed"]}
        )
    if is_yes_no:
        is_carried, headline = _yes_no_headline(result, fractional)
    else:
        is_carried = bool(elected)
        headline = (
            _("Elected: %(names)s") % {"names": ", ".join(elected)}
            if elected
            else _("No one was elected.")
        )
    is_void = not all_stages and not is_yes_no
    if is_void:
        headline = _("No valid papers: this question is void and nobody was elected.")
    legend = tuple(_legend_entry(c, name) for c, name in enumerate(candidates))
    chart = _chart(result, raw_stages, legend, chart_id) if len(raw_stages) > 1 else SafeString("")
    return ShownResult(
        rule=rule,
        rule_name=rule_name(rule),
        is_yes_no=is_yes_no,
        is_carried=is_carried,
        is_void=is_void,
        elected=elected,
        headline=headline,
        seats=int(result.get("seats", 1)),
        valid_poll=figure(result.get("valid_poll"), fractional=fractional),
        quota=figure(result.get("quota"), fractional=fractional),
        stages=stages,
        rows=tuple(rows),
        totals_rows=tuple(totals_rows),
        keep_factor_stages=tuple(stage for stage, _ in keep),
        keep_factor_rows=keep_rows if keep else (),
        parcels=tuple(
            (stage.heading, tuple(str(p) for p in s["parcels"]))
            for stage, s in zip(stages, raw_stages, strict=True)
            if s.get("parcels")
        ),
        notes=tuple(notes),
        chart=chart,
        legend=legend if chart else (),
        chart_id=chart_id,
    )


# The chart


def _marker(shape: str, x: float, y: float, colour: str, size: float = 4.5) -> str:
    fill = f'fill="{colour}" stroke="{colour}"'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" {fill}/>'
    if shape == "square":
        s = size * 0.9
        return (
            f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" '
            f'height="{2 * s:.1f}" {fill}/>'
        )
    if shape == "diamond":
        s = size * 1.2
        points = f"{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}"
    elif shape == "up":
        s = size * 1.2
        points = f"{x:.1f},{y - s:.1f} {x + s:.1f},{y + s * 0.8:.1f} {x - s:.1f},{y + s * 0.8:.1f}"
    else:
        s = size * 1.2
        points = f"{x:.1f},{y + s:.1f} {x + s:.1f},{y - s * 0.8:.1f} {x - s:.1f},{y - s * 0.8:.1f}"
    return f'<polygon points="{points}" {fill}/>'


def _legend_entry(index: int, name: str) -> LegendEntry:
    colour = PALETTE[index % len(PALETTE)]
    marker = _MARKERS[index % len(_MARKERS)]
    dash = _DASHES[(index // len(PALETTE)) % len(_DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    swatch = (
        '<svg class="legend-swatch" viewBox="0 0 36 14" width="36" height="14" '
        'aria-hidden="true" focusable="false">'
        f'<line x1="2" y1="7" x2="34" y2="7" stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
        f"{_marker(marker, 18, 7, colour, 4)}</svg>"
    )
    # Built from our own constants and numbers only: nothing a person typed.
    safe = mark_safe(swatch)  # noqa: S308  # nosec B308 B703
    return LegendEntry(name=name, colour=colour, marker=marker, dash=dash, swatch=safe)


def _nice_step(peak: float, rows: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving at most ``rows`` gridlines."""
    rough = max(peak / rows, 1e-9)
    power = 10 ** len(str(int(rough))) / 10 if rough >= 1 else 1
    for multiple in (1, 2, 5, 10):
        if power * multiple >= rough:
            return float(power * multiple)
    return float(power * 10)


def _chart(
    result: dict[str, Any],
    stages: list[dict[str, Any]],
    legend: tuple[LegendEntry, ...],
    chart_id: str,
) -> SafeString:
    """One line per candidate across the stages, quota dashed. Text is only the axes' own
    (stage numbers, a few round vote figures, "Quota"), placed where nothing else is drawn:
    the names are in the legend under the chart and the figures in the table."""
    width, height, left, right, top, bottom = 480, 300, 52, 16, 28, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(Decimal(t)) for s in stages for t in s["totals"]]
    quota = None if result.get("quota") is None else float(Decimal(result["quota"]))
    peak = max([1.0, *values, *([quota] if quota is not None else [])])
    step = _nice_step(peak, 5)
    top_value = step * -(-peak // step)

    def x(i: int) -> float:
        return left + plot_w * i / (len(stages) - 1)

    def y(value: float) -> float:
        return top + plot_h - value / top_value * plot_h

    font = f'font-size="16" fill="{CHART_INK}"'
    ident = escape(chart_id)
    title = escape(_("Votes of each candidate at every stage"))
    stage_word = escape(_("Stage"))
    quota_word = escape(_("quota"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" class="tally-chart">',
        f'<title id="{ident}-title">{title}</title>',
        f'<desc id="{ident}-desc">'
        + escape(
            _(
                "One line per candidate across the %(stages)s stages; the legend names each "
                "line and the table above has every figure."
            )
            % {"stages": len(stages)}
        )
        + "</desc>",
    ]
    tick = 0.0
    while tick <= top_value + 1e-9:
        ty = y(tick)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" '
            'stroke="#d8dadb" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{ty + 5:.1f}" text-anchor="end" {font}>{tick:g}</text>'
        )
        tick += step
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="{CHART_INK}"/>'
    )
    for i, stage in enumerate(stages):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" {font}>'
            f"{int(stage.get('number', i + 1))}</text>"
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" {font}>'
        f"{stage_word}</text>"
    )
    if quota is not None:
        qy = y(quota)
        parts.append(
            f'<line x1="{left}" y1="{qy:.1f}" x2="{left + plot_w}" y2="{qy:.1f}" '
            f'stroke="{CHART_INK}" stroke-width="1.5" stroke-dasharray="8 4"/>'
        )
        # Above the plot, right-aligned, where no gridline label or line point is drawn.
        parts.append(
            f'<text x="{left + plot_w}" y="{top - 8}" text-anchor="end" {font}>'
            f"- - - {quota_word} {escape(figure(result['quota'], fractional=True))}</text>"
        )
    for c, entry in enumerate(legend):
        points = [(x(i), y(float(Decimal(s["totals"][c])))) for i, s in enumerate(stages)]
        dash = f' stroke-dasharray="{entry.dash}"' if entry.dash else ""
        parts.append(
            f'<g><title>{escape(entry.name)}</title><polyline fill="none" '
            f'stroke="{entry.colour}" stroke-width="2.5"{dash} points="'
            + " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            + '"/>'
            + "".join(_marker(entry.marker, px, py, entry.colour) for px, py in points)
            + "</g>"
        )
    parts.append("</svg>")
    # Every name and figure in it went through escape() above.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703


# The receipt check


@dataclass(frozen=True)
class ShownPaper:
    question: str
    is_ranked: bool
    # candidate names, in preference order for a ranked question ("A = B" for equal ones)
    choices: tuple[str, ...]


def show_paper(plaintext: str, questions: list[Question]) -> ShownPaper | None:
    """An opened ballot paper (``{"question": "q1", "ranking": [0, 1, 3]}``) with the
    candidates' names in the voter's order; ``None`` if it cannot be read as one."""
    try:
        paper = json.loads(plaintext)
    except ValueError:
        return None
    if not isinstance(paper, dict):
        return None
    question = next((q for q in questions if q.ledger_id == paper.get("question")), None)
    if question is None:
        return None
    marks = paper.get("ranking", paper.get("choices"))
    if not isinstance(marks, list):
        return None
    # Marks number the candidates from 0 in ballot-paper order (publication.ledger_question).
    names = [c.name for c in question.candidates.all()]
    shown = []
    for mark in marks:
        # A list in the place of one mark: candidates ranked equally (Meek, record-spec 5).
        group = mark if isinstance(mark, list) and "ranking" in paper else [mark]
        if not group or not all(_is_index(m, len(names)) for m in group):
            return None
        shown.append(" = ".join(names[m] for m in group))
    return ShownPaper(question=question.title, is_ranked="ranking" in paper, choices=tuple(shown))


def _is_index(mark: object, count: int) -> bool:
    return isinstance(mark, int) and not isinstance(mark, bool) and 0 <= mark < count
