"""A count's result as people and programs read it.

- :func:`render_text`: the round-by-round sheet returning officers publish (candidates down,
  stages across, then non-transferable votes and loss by rounding).
- :func:`render_html`: the same table as an HTML fragment, beside a server-side SVG chart of
  every candidate's votes stage by stage (with the quota line). Candidate names are escaped.
- :func:`result_json`: the object the CLI prints with ``--format json``::

      {"rule": "scottish", "seats": 4, "quota": "1502", "valid_poll": "7508",
       "candidates": ["..."], "withdrawn": [], "elected": [6, 2, 3, 1],
       "stages": [{"number": 1, "action": "first preferences", "candidates": [],
                   "totals": ["1210.00000", ...], "exhausted": "0.00000",
                   "loss_by_rounding": "0.00000", "transfer_value": null,
                   "elected": [6, 2], "note": ""}, ...],
       "seed": null, "notes": []}

  A Meek stage also has ``"keep_factors"`` (every candidate's, in BLT order) and an ERS97 stage
  that moved papers ``"parcels"`` (one line per parcel or batch). The text and HTML reports
  show the same: keep factors as a table (candidates down, stages across), parcels as lines
  under their stage.

  Candidates are 1-based BLT numbers. Every vote figure is a *string* holding the decimal
  exactly as counted (five places for Scottish STV), so no reader loses precision to binary
  floating point; ``quota`` is ``null`` for rules without one.
"""

from __future__ import annotations

import json
from decimal import Decimal
from html import escape
from typing import Any

from grassroots.tally.types import Action, Result, Stage

_ACTION_WORDS = {
    Action.FIRST: "First preferences",
    Action.ELECT: "Elected",
    Action.SURPLUS: "Surplus of",
    Action.EXCLUDE: "Exclusion of",
    Action.ITERATE: "Iteration",
    Action.CONSTRAINT: "Excluded by constraint:",
}


def _num(value: Decimal) -> str:
    """A vote figure in plain positional notation (never ``0E-9``), every place kept."""
    return format(value, "f")


def _names(result: Result, candidates: tuple[int, ...]) -> str:
    return ", ".join(result.candidates[c] for c in candidates)


def describe_stage(result: Result, stage: Stage) -> str:
    """``Stage 3: Exclusion of Jane DOE`` and the like."""
    words = _ACTION_WORDS.get(stage.action, str(stage.action))
    who = _names(result, stage.candidates)
    return f"Stage {stage.number}: {words} {who}".rstrip()


def _stage_json(stage: Stage) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": stage.number,
        "action": str(stage.action),
        "candidates": [c + 1 for c in stage.candidates],
        "totals": [_num(t) for t in stage.totals],
        "exhausted": _num(stage.exhausted),
        "loss_by_rounding": _num(stage.loss_by_rounding),
        "transfer_value": None if stage.transfer_value is None else _num(stage.transfer_value),
        "elected": [c + 1 for c in stage.elected],
        "note": stage.note,
    }
    if stage.keep_factors is not None:
        data["keep_factors"] = [_num(k) for k in stage.keep_factors]
    if stage.parcels:
        data["parcels"] = list(stage.parcels)
    return data


def result_json(result: Result) -> dict[str, Any]:
    """The result as the JSON object documented in this module."""
    return {
        "rule": result.rule,
        "seats": result.seats,
        "quota": None if result.quota is None else _num(result.quota),
        "valid_poll": _num(result.valid_poll),
        "candidates": list(result.candidates),
        "withdrawn": [c + 1 for c in result.withdrawn],
        "elected": [c + 1 for c in result.elected],
        "stages": [_stage_json(stage) for stage in result.stages],
        "seed": result.seed,
        "notes": list(result.notes),
    }


def render_json(result: Result) -> str:
    return json.dumps(result_json(result), indent=1, ensure_ascii=False)


def _elected_at(result: Result) -> dict[int, int]:
    return {c: stage.number for stage in result.stages for c in stage.elected}


def _keep(stage: Stage, candidate: int) -> str:
    return "" if stage.keep_factors is None else _num(stage.keep_factors[candidate])


def _table(rows: list[list[str]]) -> list[str]:
    """Rows of cells as aligned text: the first column left, the last as it is, others right."""
    widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells.extend(cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:-1]))
        cells.append(row[-1])
        lines.append("  ".join(cells).rstrip())
    return lines


def render_text(result: Result) -> str:
    """The round-by-round table, one column per stage."""
    elected_at = _elected_at(result)
    lines = [
        f"Rule: {result.rule}   Seats: {result.seats}   Valid poll: {result.valid_poll}"
        + ("" if result.quota is None else f"   Quota: {result.quota}"),
        "",
    ]
    for stage in result.stages:
        lines.append(describe_stage(result, stage))
        lines.extend(f"  parcel: {parcel}" for parcel in stage.parcels)
    for stage in result.stages:
        if stage.note:
            lines.append(f"  note, stage {stage.number}: {stage.note}")
    lines.append("")
    header = ["Candidate", *(f"Stage {s.number}" for s in result.stages), "Result"]
    rows: list[list[str]] = [header]
    for index, name in enumerate(result.candidates):
        outcome = f"elected at stage {elected_at[index]}" if index in elected_at else ""
        rows.append(
            [f"{index + 1}. {name}", *(_num(s.totals[index]) for s in result.stages), outcome]
        )
    rows.append(["Non-transferable", *(_num(s.exhausted) for s in result.stages), ""])
    rows.append(["Loss by rounding", *(_num(s.loss_by_rounding) for s in result.stages), ""])
    lines.extend(_table(rows))
    keep_stages = [s for s in result.stages if s.keep_factors is not None]
    if keep_stages:
        lines.append("")
        lines.append("Keep factors after each stage")
        keep_rows = [["Candidate", *(f"Stage {s.number}" for s in keep_stages), ""]]
        for index, name in enumerate(result.candidates):
            keep_rows.append([f"{index + 1}. {name}", *(_keep(s, index) for s in keep_stages), ""])
        lines.extend(_table(keep_rows))
    if result.withdrawn:
        lines.append("")
        lines.append("Withdrawn: " + _names(result, result.withdrawn))
    lines.append("")
    lines.append("Elected, in order: " + ", ".join(result.candidates[c] for c in result.elected))
    if result.seed is not None:
        lines.append(f"Lots were drawn with the published seed {result.seed}.")
    lines.extend(result.notes)
    return "\n".join(lines) + "\n"


_PALETTE = (
    "#1d70b8",
    "#d4351c",
    "#00703c",
    "#6f3b96",
    "#b58840",
    "#28a197",
    "#f47738",
    "#5694ca",
    "#912b88",
    "#505a5f",
)


def _chart(result: Result, chart_id: str) -> str:
    width, height, left, right, top, bottom = 640, 320, 56, 64, 16, 36
    stages = result.stages
    peak = max([Decimal(1), *(t for s in stages for t in s.totals)])
    if result.quota is not None:
        peak = max(peak, result.quota)
    plot_w = width - left - right
    plot_h = height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / (len(stages) - 1) if len(stages) > 1 else plot_w / 2)

    def y(value: Decimal) -> float:
        return top + plot_h - float(value / peak) * plot_h

    title = f"Votes of each candidate at every stage ({result.rule})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="tally-chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">One line per candidate across the {len(stages)} '
        "stages; the same figures are in the table.</desc>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#0b0c0c"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#0b0c0c"/>',
    ]
    for i, stage in enumerate(stages):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 12}" text-anchor="middle" '
            f'font-size="12">{stage.number}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 1}" text-anchor="middle" '
        'font-size="12">Stage</text>'
    )
    parts.append(
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" font-size="12">'
        f"{peak.quantize(Decimal(1))}</text>"
    )
    parts.append(
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="12">0</text>'
    )
    if result.quota is not None:
        qy = y(result.quota)
        parts.append(
            f'<line x1="{left}" y1="{qy:.1f}" x2="{left + plot_w}" y2="{qy:.1f}" '
            'stroke="#0b0c0c" stroke-dasharray="6 4"/>'
            f'<text x="{left + plot_w + 4}" y="{qy + 4:.1f}" font-size="12">quota</text>'
        )
    for c in range(len(result.candidates)):
        colour = _PALETTE[c % len(_PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(s.totals[c]):.1f}" for i, s in enumerate(stages))
        dash = "" if c < len(_PALETTE) else ' stroke-dasharray="2 2"'
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}">'
            f"<title>{escape(result.candidates[c])}</title></polyline>"
        )
        last = stages[-1].totals[c] if stages else Decimal(0)
        parts.append(
            f'<text x="{left + plot_w + 4}" y="{y(last) + 4:.1f}" font-size="11" '
            f'fill="{colour}">{c + 1}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(result: Result, *, chart_id: str = "tally") -> str:
    """An HTML fragment: the stage table (with caption and header scopes) and the SVG chart."""
    elected_at = _elected_at(result)
    quota = "" if result.quota is None else f", quota {escape(str(result.quota))}"
    out = [
        '<section class="tally-result">',
        f"<p>Rule: {escape(result.rule)}; seats: {result.seats}; "
        f"valid poll: {escape(str(result.valid_poll))}{quota}.</p>",
    ]
    if not result.stages and not result.valid_poll:
        # A question declared void (no valid papers): no table of empty stages, only why.
        out.extend(f"<p><strong>{escape(note)}</strong></p>" for note in result.notes)
        return "\n".join([*out, "</section>"]) + "\n"
    out += [
        "<table>",
        f"<caption>Count of the votes, stage by stage ({escape(result.rule)})</caption>",
        '<thead><tr><th scope="col">Candidate</th>',
    ]
    for stage in result.stages:
        out.append(
            f'<th scope="col">Stage {stage.number}<br>'
            f"<small>{escape(describe_stage(result, stage).partition(': ')[2])}</small></th>"
        )
    out.append('<th scope="col">Result</th></tr></thead><tbody>')
    for c, name in enumerate(result.candidates):
        outcome = f"Elected at stage {elected_at[c]}" if c in elected_at else ""
        out.append(f'<tr><th scope="row">{c + 1}. {escape(name)}</th>')
        out.extend(f"<td>{_num(s.totals[c])}</td>" for s in result.stages)
        out.append(f"<td>{outcome}</td></tr>")
    for label, attribute in (
        ("Non-transferable", "exhausted"),
        ("Loss by rounding", "loss_by_rounding"),
    ):
        out.append(f'<tr><th scope="row">{label}</th>')
        out.extend(f"<td>{_num(getattr(s, attribute))}</td>" for s in result.stages)
        out.append("<td></td></tr>")
    out.append("</tbody></table>")
    keep_stages = [s for s in result.stages if s.keep_factors is not None]
    if keep_stages:
        out.append('<table class="tally-keep-factors">')
        out.append(f"<caption>Keep factors after each stage ({escape(result.rule)})</caption>")
        out.append('<thead><tr><th scope="col">Candidate</th>')
        out.extend(f'<th scope="col">Stage {s.number}</th>' for s in keep_stages)
        out.append("</tr></thead><tbody>")
        for c, name in enumerate(result.candidates):
            out.append(f'<tr><th scope="row">{c + 1}. {escape(name)}</th>')
            out.extend(f"<td>{_keep(s, c)}</td>" for s in keep_stages)
            out.append("</tr>")
        out.append("</tbody></table>")
    parcel_stages = [s for s in result.stages if s.parcels]
    if parcel_stages:
        out.append('<dl class="tally-parcels">')
        for stage in parcel_stages:
            out.append(f"<dt>Stage {stage.number}: parcels transferred</dt>")
            out.extend(f"<dd>{escape(parcel)}</dd>" for parcel in stage.parcels)
        out.append("</dl>")
    notes = [f"Stage {s.number}: {s.note}" for s in result.stages if s.note]
    if result.withdrawn:
        notes.append("Withdrawn: " + _names(result, result.withdrawn))
    if result.seed is not None:
        notes.append(f"Lots were drawn with the published seed {result.seed}.")
    notes.extend(result.notes)
    if notes:
        out.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
    if result.stages:
        out.append(_chart(result, escape(chart_id)))
    out.append("</section>")
    return "\n".join(out) + "\n"
