"""Finding one's local group from a postcode, for visitors (no login, no personal data).

A UK postcode is an outward code (the district, "LS6") and an inward code ("3AB"); each group
lists the districts it covers (``Group.postcode_districts``). A postcode in no group's district
is answered with the groups of its postcode area (the letters, "LS"), as the nearest we know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext

from grassroots.organisation.models import Group

# Outward code: 1-2 letters, a digit, then an optional letter or digit (A9, A9A, A99, AA9, ...).
_OUTWARD = re.compile(r"^([A-Z]{1,2})(\d[A-Z\d]?)$")
_INWARD = re.compile(r"^\d[A-Z]{2}$")


class PostcodeError(ValueError):
    """Text that is not a UK postcode or postcode district; the message says what to type."""


@dataclass(frozen=True)
class Found:
    district: str  # "LS6"
    area_letters: str  # "LS"
    groups: list[Group]  # groups covering the district
    nearby: list[Group]  # when none does: groups in the same postcode area


def district_of(text: str) -> tuple[str, str]:
    """The outward code and the area letters of a postcode ("ls6 3ab" -> ("LS6", "LS"));
    a district alone ("LS6") is accepted too."""
    compact = re.sub(r"\s+", "", text).upper()
    if not compact:
        raise PostcodeError(
            gettext("Enter a postcode, for example LS6 3AB, or its first half, LS6.")
        )
    outward = compact
    if len(compact) >= 5 and _INWARD.match(compact[-3:]):
        outward = compact[:-3]
    match = _OUTWARD.match(outward)
    if match is None or len(compact) > 8:
        raise PostcodeError(
            gettext(
                "“%(value)s” is not a UK postcode: enter one like LS6 3AB, or its first half, LS6."
            )
            % {"value": text.strip()[:20]}
        )
    return outward, match.group(1)


def _covering(pattern: str) -> QuerySet[Group]:
    return Group.objects.filter(
        postcode_districts__iregex=pattern, closed_on__isnull=True
    ).select_related("area__region")


def find_groups(text: str) -> Found:
    district, letters = district_of(text)
    groups = list(_covering(rf"(^| ){district}( |$)").order_by("name"))
    nearby: list[Group] = []
    if not groups:
        # The area letters followed by a digit: "L" must not match "LS6".
        nearby = list(_covering(rf"(^| ){letters}[0-9]").order_by("name")[:20])
    return Found(district=district, area_letters=letters, groups=groups, nearby=nearby)
