"""The largest integers a form or the API accepts, so each fits the column it is stored in, and
the range of dates a form accepts (tests/security/test_sane_input.py holds every form to it).

A number past its column is an error on the form, never a database error: SQLite raises
OverflowError past 64 bits and PostgreSQL refuses anything past 2,147,483,647 in an integer
column, and either was a 500 (issue 20, item 9). tests/security/test_form_bounds.py finds every
form and API input and holds each integer field to these.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext

# PostgreSQL `integer`: Django's IntegerField and PositiveIntegerField.
MAX_INT32 = 2**31 - 1
# PostgreSQL `bigint` and SQLite's INTEGER: ids (BigAutoField) and BigIntegerField.
MAX_ID = 2**63 - 1
# Votes counted by hand at a meeting or a committee: more than the movement has members.
MAX_VOTES = 1_000_000


# Dates a person types: a sane range, so that a committee meeting "held on 0001-01-01" or a
# ballot closing in 9999 is an error on the field (issue 21), not a record nobody can read. The
# movement's records start well after 1900; nothing is planned beyond 2100.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


@deconstructible
class SaneDate:
    """A validator for a form's DateField or DateTimeField: the day is within
    ``EARLIEST_DATE`` and ``LATEST_DATE``."""

    def __call__(self, value: datetime.date | datetime.datetime | None) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, datetime.datetime) else value
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(
                gettext("Enter a date between %(first)s and %(last)s: %(day)s cannot be right.")
                % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year, "day": day.isoformat()},
                code="date_out_of_range",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SaneDate)

    def __hash__(self) -> int:
        return hash(SaneDate)


SANE_DATE = SaneDate()
