"""The draw's reasons in the reader's language.

The draw (:mod:`grassroots.sortition.draw`) is plain Python, run the same way by a member who
reruns a published record, so its reasons are English words; each also carries its shape and
figures (:class:`~grassroots.sortition.draw.Reason`), from which the pages say it again here,
in the reader's language. In English that gives back the draw's own text."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext

from grassroots.sortition import draw as lot


def quota_in_words(quota: lot.Quota) -> str:
    """:meth:`~grassroots.sortition.draw.Quota.describe`, in the reader's language."""
    params = {
        "minimum": quota.minimum,
        "maximum": quota.maximum,
        "category": quota.category,
        "value": quota.value,
    }
    if quota.maximum is None:
        return gettext("at least %(minimum)s with %(category)s “%(value)s”") % params
    if quota.minimum == 0:
        return gettext("at most %(maximum)s with %(category)s “%(value)s”") % params
    return gettext("%(minimum)s to %(maximum)s with %(category)s “%(value)s”") % params


def reason_in_words(reason: str) -> str:
    """One reason the quotas cannot be met; a reason of no known shape as the draw said it."""
    if not isinstance(reason, lot.Reason):
        return reason
    p = reason.params
    quota = p.get("quota")
    quota_words = quota_in_words(quota) if isinstance(quota, lot.Quota) else ""
    if reason.code == "seats":
        need, total = int(str(p["need"])), int(str(p["total"]))
        return gettext("%(seats)s to fill but only %(volunteers)s available") % {
            "seats": ngettext("%(n)s seat", "%(n)s seats", need) % {"n": need},
            "volunteers": ngettext("%(n)s volunteer", "%(n)s volunteers", total) % {"n": total},
        }
    if reason.code == "quota_short":
        have = int(str(p["have"]))
        if p["chosen"]:
            such = ngettext(
                "%(n)s such volunteer are available", "%(n)s such volunteers are available", have
            )
        else:
            such = ngettext(
                "%(n)s such volunteer volunteered", "%(n)s such volunteers volunteered", have
            )
        return gettext("the quota needs %(quota)s but only %(such)s") % {
            "quota": quota_words,
            "such": such % {"n": have},
        }
    if reason.code == "over_quota":
        return gettext("%(count)s already chosen exceed the quota %(quota)s") % {
            "count": p["count"],
            "quota": quota_words,
        }
    if reason.code == "minimums":
        return (
            gettext(
                "the minimums for %(category)s need %(shortfall)s more seats than the %(need)s "
                "there are"
            )
            % p
        )
    if reason.code == "maximums":
        return (
            gettext(
                "the maximums for %(category)s leave room for only %(room)s of the %(need)s seats "
                "among the volunteers"
            )
            % p
        )
    if reason.code == "all_at_once":
        return gettext(
            "each quota could be met on its own, but no selection of the volunteers meets them "
            "all at once"
        )
    return str(reason)


def error_in_words(error: lot.SortitionError) -> str:
    """The draw's refusal in the reader's language (its reasons, when the quotas cannot be
    met; otherwise as the draw said it)."""
    if isinstance(error, lot.QuotasInfeasible):
        reasons = "; ".join(reason_in_words(reason) for reason in error.reasons)
        return gettext("The quotas cannot be met: %(reasons)s.") % {"reasons": reasons}
    return str(error)
