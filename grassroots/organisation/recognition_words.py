"""The recognition criteria's words, drawn when shown so each reader has them in their own
language; what a criterion found is kept as a code and its values (``CriterionResult``)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def describe(code: str, values: Mapping[str, Any], *, passed: bool) -> tuple[str, str]:
    """A criterion's label and, when it is not met, what is wrong, in the active language."""
    if code == "data_manager":
        return _("A Data Manager appointed"), "" if passed else _("The group has no Data Manager.")
    if code == "secretary":
        return _("A Secretary appointed"), "" if passed else _("The group has no Secretary.")
    if code == "members":
        label = ngettext(
            "At least %(minimum)d member", "At least %(minimum)d members", values["minimum"]
        ) % {"minimum": values["minimum"]}
        if passed:
            return label, ""
        return label, ngettext(
            "The group has %(members)d member.",
            "The group has %(members)d members.",
            values["members"],
        ) % {"members": values["members"]}
    if code == "agm":
        label = ngettext(
            "An AGM held in the last month",
            "An AGM held in the last %(months)d months",
            values["months"],
        ) % {"months": values["months"]}
        if passed:
            return label, ""
        if not values.get("last_agm_on"):
            return label, _("No AGM has been recorded.")
        held = datetime.date.fromisoformat(values["last_agm_on"])
        return label, _("The last AGM was on %(date)s.") % {"date": date_format(held, "j F Y")}
    if code == "agreement":
        return _("The Data Manager accepted the data protection agreement"), (
            ""
            if passed
            else _("No Data Manager has accepted the current data protection agreement.")
        )
    raise ValueError(f"unknown recognition criterion {code!r}")


def described_failing(stored: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A recognition event's stored failing criteria in the reader's language; entries kept
    before their values were (or of a criterion since retired) keep their stored words."""
    shown = []
    for entry in stored:
        try:
            label, detail = describe(entry["code"], entry["values"], passed=False)
        except (KeyError, TypeError, ValueError):
            label, detail = entry.get("label", ""), entry.get("detail", "")
        shown.append({"code": entry.get("code", ""), "label": label, "detail": detail})
    return shown
