"""The counting rules' notes in the reader's language (docs/i18n.md).

The record keeps the rules' English words, which the verifier and the published record share;
``grassroots.tally.notes`` reads them back into shapes (a code and its parameters), and this
puts each shape into words in the active language. A part of no known shape, and the words of
a language with no translation, stay as the record has them: in English the page shows the
record's own text, character for character (the tests hold it so).
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grassroots.tally.notes import Note, parse

WORDS: dict[str, Promise] = {
    "lot": _("lot (seed %(seed)s) drawn between %(names)s: %(name)s %(decides)s"),
    "tie_break_order": _(
        "tie between %(names)s settled by the file's tie-break order: %(name)s %(decides)s"
    ),
    "tie_earlier_stage": _("tie between candidates %(numbers)s: %(word)s at an earlier stage"),
    "tie_looking_back": _("tie for fewest votes settled by looking back: %(name)s excluded"),
    "tie_earliest_point": _(
        "tie for %(what)s settled by the earliest point at which the votes differed"
    ),
    "tie_earliest_stage": _("tie for fewest votes settled by the earliest stage that differed"),
    "tie_name_order": _("tie between %(names)s takes the next seats in name order"),
    "only_continuing": _("%(name)s is the only continuing candidate"),
    "majority": _("%(name)s has %(votes)s of %(held)s continuing votes"),
    "seats_left": _("r.52(1): continuing candidates no more than the seats left"),
    "constraint_kept": _("candidates %(numbers)s kept: a category constraint needs them"),
    "constraint_protects": _("candidates a category constraint needs are protected from exclusion"),
    "constraint_maximum": _("constraint %(constraint)s: the category has its maximum elected"),
    "constraint_needs_seats": _(
        "constraint %(constraint)s: the %(seats)s seats left are needed for the category"
    ),
    "constraint_exceeds": _("constraint %(constraint)s: electing would exceed the maximum"),
    "constraint_leaves_too_few": _(
        "constraint %(constraint)s: electing would leave %(seats)s seats for %(need)s still needed"
    ),
    "constraints_together_electing": _(
        "constraints %(constraints)s together: electing would leave no way of filling the "
        "seats left within them"
    ),
    "constraint_forbids": _("a constraint forbids election"),
    "limit_both": _("%(category)s: at least %(minimum)s and at most %(maximum)s"),
    "limit_minimum": _("%(category)s: at least %(minimum)s"),
    "limit_maximum": _("%(category)s: at most %(maximum)s"),
    "limit_none": _("%(category)s: no limit"),
    "constraints_together": _(
        "constraints %(constraints)s together: no way of filling the %(seats)s seats left "
        "within them includes these candidates"
    ),
    "bulk_exclusion_limited": _(
        "bulk exclusion limited to %(allowed)s of %(best)s candidates: a category constraint "
        "needs the others"
    ),
    "quota": _("quota %(quota)s"),
    "quota_recalculated": _("quota recalculated to %(quota)s (5.4.8)"),
    "order_drawn": _("order of election: %(drawn)s"),
    "order_earliest_point": _(
        "order of election of %(names)s settled by the earliest point at which the votes differed"
    ),
    "order_earliest_stage": _(
        "order of election of %(names)s settled by the earliest stage that differed"
    ),
    "equal_throughout": _(
        "equal votes throughout for the last place(s): %(names)s not deemed elected at this "
        "stage (5.6.2)"
    ),
    "not_deemed_elected": _("%(name)s not deemed elected: %(why)s"),
    "as_many_as_places": _("as many continuing candidates as places remaining (5.5.1)"),
    "as_many_as_seats": _("as many candidates remain as seats to fill"),
    "excluding_leaves_places": _(
        "excluding %(names)s would leave as many continuing candidates as places (5.5.1)"
    ),
    "surplus_deferred": _("surplus(es) totalling %(total)s deferred (5.2.2)"),
    "excluded_together": _("%(count)s candidates excluded together (5.2.5)"),
    "void_papers": _("%(count)s void or blank paper(s) not counted"),
    "carried": _("carried"),
    "not_carried": _("not carried"),
    "quorum_met": _("turnout %(turnout)s meets the quorum of %(needed)s"),
    "quorum_not_met": _("turnout %(turnout)s does not meet the quorum of %(needed)s"),
    "threshold_met_at_least": _(
        "yes %(yes)s of %(base)s: meets the threshold (at least %(share)s = %(needed)s)"
    ),
    "threshold_not_met_at_least": _(
        "yes %(yes)s of %(base)s: does not meet the threshold (at least %(share)s = %(needed)s)"
    ),
    "threshold_met_more_than": _(
        "yes %(yes)s of %(base)s: meets the threshold (more than %(share)s = %(needed)s)"
    ),
    "threshold_not_met_more_than": _(
        "yes %(yes)s of %(base)s: does not meet the threshold (more than %(share)s = %(needed)s)"
    ),
    "college_units": _(
        "Electoral college: every figure is in units of 1/%(scale)s of the whole college (the "
        "whole college is %(whole)s votes)."
    ),
    "college_worth": _(
        "%(college)s: weight %(weight)s, each valid paper worth %(worth)s of the electoral college"
    ),
    "college_no_paper": _(
        "%(college)s: weight %(weight)s, no valid paper, so its weight goes to nobody"
    ),
}

DECIDES: dict[str, Promise] = {
    "excluded": _("excluded"),
    "elected": _("elected"),
    "elected first": _("elected first"),
    "surplus transferred first": _("surplus transferred first"),
}
WORD: dict[str, Promise] = {"highest": _("highest"), "lowest": _("lowest")}
WHAT: dict[str, Promise] = {
    "fewest votes": _("fewest votes"),
    "largest surplus": _("largest surplus"),
}
_SEAT = re.compile(r"^gets seat (\d+)$")


def note_in_words(note: str) -> str:
    """A note of the record in the active language."""
    return "; ".join(_part(part) for part in parse(note))


def _part(note: Note) -> str:
    if not note.code:
        return note.text
    values = dict(note.params)
    for name, inner in note.inner.items():
        values[name] = "; ".join(_part(part) for part in inner)
    if note.code in ("iteration", "iterations"):
        count = int(values["count"])
        return ngettext("after %(count)d iteration", "after %(count)d iterations", count) % {
            "count": count
        }
    if "decides" in values:
        seat = _SEAT.match(values["decides"])
        values["decides"] = (
            str(_("gets seat %(seat)s") % {"seat": seat.group(1)})
            if seat
            else str(DECIDES.get(values["decides"], values["decides"]))
        )
    if "word" in values:
        values["word"] = str(WORD[values["word"]])
    if "what" in values:
        values["what"] = str(WHAT.get(values["what"], values["what"]))
    return str(WORDS[note.code]) % values
