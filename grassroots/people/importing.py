"""Reading a member import file: decode, check the header, validate every row.

No database access here: the caller passes the groups it knows (slug and name to id), and gets
back either clean rows or a list of problems, each with the file's line number, the column and a
reason a person can act on. Whatever bytes arrive, the result is a report, never an exception.

Two layouts are understood (docs/import.md): Grassroots' own header, and a NationBuilder-style
export, which is translated column by column into Grassroots' fields before the same checks run.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext

from grassroots.bounds import EARLIEST_DATE, LATEST_DATE
from grassroots.people.models import ConsentSource, MembershipStatus

COLUMNS = (
    "membership_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "status",
    "joined_on",
    "renewal_due_on",
    "home_group",
    "other_groups",
    "consent_to_contact",
    "consent_recorded_at",
    "consent_source",
)

# NationBuilder-style export: which of its columns feeds which Grassroots field. Exports carry
# dozens of other columns; those are ignored. The tag list carries group membership.
NATIONBUILDER_REQUIRED = ("nationbuilder_id", "first_name", "last_name", "email", "tag_list")
NATIONBUILDER_OPTIONAL = (
    "phone_number",
    "mobile_number",
    "primary_zip",
    "membership_status",
    "membership_started_at",
    "membership_expires_on",
    "email_opt_in",
    "created_at",
)
NATIONBUILDER_USED = (*NATIONBUILDER_REQUIRED, *NATIONBUILDER_OPTIONAL)
NATIONBUILDER_GROUP_TAG = "group:"
NATIONBUILDER_STATUS = {
    "active": MembershipStatus.MEMBER,
    "grace period": MembershipStatus.MEMBER,
    "expired": MembershipStatus.LAPSED,
    "canceled": MembershipStatus.LAPSED,
    "cancelled": MembershipStatus.LAPSED,
    "suspended": MembershipStatus.SUSPENDED,
    "": MembershipStatus.SUPPORTER,  # in NationBuilder a person without a membership
}
NATIONBUILDER_PREFIX = "NB"

# What an import file may be: a membership export is tens of columns (NationBuilder's full export
# a few hundred) and a member's row well under a kilobyte. A file past either bound is refused at
# once with a reason, before a wide header or a giant line can hold a worker (issue 20, item 4).
MAX_COLUMNS = 1_000
MAX_LINE_CHARACTERS = 65_536


def line_too_long() -> str:
    return gettext(
        "This line is longer than %(most)s characters, the most an import file may have on one "
        "line. Is this the right file?"
    ) % {"most": f"{MAX_LINE_CHARACTERS:,}"}


# Spreadsheet programs run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_ANYWHERE_RE = re.compile(r"(?:^|\x1f)[=+\-@\t\r]")
# An international phone number is the one harmless cell that starts with "+".
PLAIN_PHONE_RE = re.compile(r"^\+[0-9 ]{7,20}$")
POSTCODE_RE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
PHONE_RE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
NUMBER_RE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
MAX_LENGTH = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 30,
}
_django_email_validator = EmailValidator()
# A stricter shape than Django's validator accepts, checked first because it is much faster;
# anything it does not match goes to Django's validator, which decides.
PLAIN_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
GRASSROOTS_LABELS = {c: c for c in COLUMNS}


def _email_is_valid(email: str) -> None:
    if not PLAIN_EMAIL_RE.match(email):
        _django_email_validator(email)


# Looked up once per row, so built once (an enum's .choices builds a new list on every call).
STATUS_BY_NAME = {
    **{str(choice): str(choice) for choice in MembershipStatus.values},
    **{str(label).casefold(): str(choice) for choice, label in MembershipStatus.choices},
}
CONSENT_SOURCES = frozenset(str(v) for v in ConsentSource.values)


class Layout(StrEnum):
    GRASSROOTS = "grassroots"
    NATIONBUILDER = "nationbuilder"


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the whole file, at line 0 or 1) cannot be imported."""

    line: int
    column: str
    message: str
    # A problem with the file itself (its encoding, header or form), not with one member's row:
    # such a file is not read row by row, so it counts no rejected rows (issue 21: the page
    # said "1 of 0 rows have problems" for a bad header).
    whole_file: bool = False

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        column = f", {self.column}" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass(frozen=True)
class MemberRow:
    """One valid row, cleaned: what the member's record should say."""

    line: int
    membership_number: str  # blank: match by email, or give a new member a new number
    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    status: str
    joined_on: datetime.date
    renewal_due_on: datetime.date | None
    home_group_id: int
    other_group_ids: frozenset[int]
    consent_to_contact: bool
    consent_recorded_at: datetime.datetime | None
    consent_source: str


@dataclass
class ParsedFile:
    rows: list[MemberRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rejected_lines(self) -> set[int]:
        return {p.line for p in self.problems if not p.whole_file}

    @property
    def is_clean(self) -> bool:
        return not self.problems


def group_directory(groups: list[tuple[int, str, str]]) -> dict[str, int]:
    """Map each group's slug and its name (case-insensitively) to its id."""
    directory: dict[str, int] = {}
    for pk, _slug, name in groups:
        directory[name.strip().casefold()] = pk
    for pk, slug, _name in groups:
        directory[slug.casefold()] = pk  # a slug wins over another group's identical name
    return directory


def parse_members(
    data: bytes, *, groups: Mapping[str, int], layout: Layout = Layout.GRASSROOTS
) -> ParsedFile:
    """Read and check every row of an import file. Never raises for bad input."""
    parsed = ParsedFile()
    _parse(data, groups, layout, parsed)
    return parsed


def _file_problem(line: int, message: str) -> Problem:
    return Problem(line, "", message, whole_file=True)


def _parse(data: bytes, groups: Mapping[str, int], layout: Layout, parsed: ParsedFile) -> None:
    if not data.strip():
        parsed.problems.append(_file_problem(0, gettext("The file is empty.")))
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        parsed.problems.append(
            _file_problem(
                line,
                gettext(
                    "The file is not UTF-8 text (byte 0x%(byte)s cannot be read). Save it "
                    "from your spreadsheet as 'CSV UTF-8' and try again."
                )
                % {"byte": format(data[error.start], "02x")},
            )
        )
        return
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        parsed.problems.append(
            _file_problem(
                line, gettext("The file contains a NUL character, so it is not a CSV file.")
            )
        )
        return
    records = _records(text)
    try:
        header_line, header = next(records)
    except StopIteration:
        parsed.problems.append(_file_problem(0, gettext("The file is empty.")))
        return
    except _BadCsv as error:
        parsed.problems.append(_file_problem(error.line, error.reason(header=True)))
        return
    if len(header) > MAX_COLUMNS:
        parsed.problems.append(
            _file_problem(
                header_line,
                gettext(
                    "The header has %(count)s columns; an import file may have at most "
                    "%(MAX_COLUMNS)s. Is this the right file?"
                )
                % {"count": format(len(header), ","), "MAX_COLUMNS": format(MAX_COLUMNS, ",")},
            )
        )
        return
    columns = [name.strip().lstrip("\ufeff").casefold() for name in header]
    translate = _check_header(columns, layout, parsed)
    if translate is None:
        return
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    while True:
        try:
            line, cells = next(records)
        except StopIteration:
            break
        except _BadCsv as error:
            parsed.problems.append(_file_problem(error.line, error.reason(header=False)))
            break
        parsed.rows_read += 1
        if len(cells) != len(columns):
            parsed.problems.append(
                Problem(
                    line,
                    "",
                    gettext("This row has %(count)s cells but the header has %(columns)s columns.")
                    % {"count": len(cells), "columns": len(columns)},
                )
            )
            continue
        source = dict(zip(columns, cells, strict=True))
        values, labels, problems = translate(line, source)
        row = None if problems else _validate(line, values, labels, groups, problems)
        problems += _duplicates(line, values, labels, seen_numbers, seen_emails)
        if problems:
            parsed.problems.extend(problems)
        elif row is not None:
            parsed.rows.append(row)
    if parsed.rows_read == 0 and not parsed.problems:
        parsed.problems.append(
            _file_problem(header_line, gettext("The file has a header but no members."))
        )


class _BadCsv(Exception):
    def __init__(self, line: int, message: str, *, too_long: bool = False) -> None:
        super().__init__(message)
        self.line = line
        self.too_long = too_long

    def reason(self, *, header: bool) -> str:
        if self.too_long:
            return line_too_long()
        if header:
            return gettext("The header is not valid CSV: %(error)s.") % {"error": self}
        return gettext("This line is not valid CSV: %(error)s.") % {"error": self}


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records with the line each one starts on; a record longer than
    MAX_LINE_CHARACTERS ends the reading."""
    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer, strict=True)
    ended = 0
    position = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # csv's own bound on a cell (131,072 characters) is past ours on a line.
            too_long = "field larger than field limit" in str(error)
            raise _BadCsv(ended + 1, str(error), too_long=too_long) from None
        start = ended + 1
        ended = reader.line_num
        previous, position = position, buffer.tell()
        if position - previous > MAX_LINE_CHARACTERS:
            raise _BadCsv(start, "line too long", too_long=True)
        if cells and any(cell.strip() for cell in cells):
            yield start, cells


_Translated = tuple[dict[str, str], dict[str, str], list[Problem]]


class _Translator:
    """Turns one source row into Grassroots' fields, with the source's column names kept for
    the report."""

    def __init__(self, layout: Layout, columns: list[str]) -> None:
        self.layout = layout
        self.columns = set(columns)

    def __call__(self, line: int, source: dict[str, str]) -> _Translated:
        used = source if self.layout == Layout.GRASSROOTS else _nationbuilder_cells(source)
        problems: list[Problem] = []
        # One search per row finds the rare row that needs the cell-by-cell check.
        if FORMULA_ANYWHERE_RE.search("\x1f".join(used.values())):
            problems = [
                Problem(line, column, _formula_message(value))
                for column, value in used.items()
                if _looks_like_formula(column, value)
            ]
        if self.layout == Layout.GRASSROOTS:
            return source, GRASSROOTS_LABELS, problems
        return (*self._from_nationbuilder(line, source, problems), problems)

    def _from_nationbuilder(
        self, line: int, source: dict[str, str], problems: list[Problem]
    ) -> tuple[dict[str, str], dict[str, str]]:
        def get(column: str) -> str:
            return source.get(column, "").strip()

        tags = [t.strip() for t in get("tag_list").split(",")]
        group_tags = [
            t[len(NATIONBUILDER_GROUP_TAG) :].strip()
            for t in tags
            if t.casefold().startswith(NATIONBUILDER_GROUP_TAG)
        ]
        status_text = get("membership_status").casefold()
        status = NATIONBUILDER_STATUS.get(status_text)
        if status is None:
            problems.append(
                Problem(
                    line,
                    "membership_status",
                    gettext(
                        "Unknown membership status %(status)s; expected one of active, grace "
                        "period, expired, canceled, suspended or blank."
                    )
                    % {"status": repr(get("membership_status"))},
                )
            )
            status = MembershipStatus.SUPPORTER
        number = get("nationbuilder_id")
        opted_in = get("email_opt_in").casefold() in YES
        created = get("created_at")
        values = {
            "membership_number": f"{NATIONBUILDER_PREFIX}{number}" if number else "",
            "first_name": get("first_name"),
            "last_name": get("last_name"),
            "email": get("email"),
            "phone": get("phone_number") or get("mobile_number"),
            "postcode": get("primary_zip"),
            "status": str(status),
            "joined_on": get("membership_started_at") or created,
            "renewal_due_on": get("membership_expires_on"),
            "home_group": group_tags[0] if group_tags else "",
            "other_groups": ";".join(group_tags[1:]),
            "consent_to_contact": "yes" if opted_in else "no",
            "consent_recorded_at": created if opted_in else "",
            "consent_source": ConsentSource.IMPORT if opted_in else "",
        }
        phone_column = "phone_number" if get("phone_number") else "mobile_number"
        labels = {
            "membership_number": "nationbuilder_id",
            "first_name": "first_name",
            "last_name": "last_name",
            "email": "email",
            "phone": phone_column,
            "postcode": "primary_zip",
            "status": "membership_status",
            "joined_on": "membership_started_at" if get("membership_started_at") else "created_at",
            "renewal_due_on": "membership_expires_on",
            "home_group": "tag_list",
            "other_groups": "tag_list",
            "consent_to_contact": "email_opt_in",
            "consent_recorded_at": "created_at",
            "consent_source": "email_opt_in",
        }
        return values, labels


def _check_header(columns: list[str], layout: Layout, parsed: ParsedFile) -> _Translator | None:
    duplicated = sorted(c for c, n in Counter(columns).items() if n > 1)
    if duplicated:
        parsed.problems.append(
            _file_problem(
                1,
                gettext("The header repeats the column(s): %(names)s.")
                % {"names": ", ".join(duplicated)},
            )
        )
    if layout == Layout.GRASSROOTS:
        missing = [c for c in COLUMNS if c not in columns]
        unknown = [c for c in columns if c not in COLUMNS]
    else:
        missing = [c for c in NATIONBUILDER_REQUIRED if c not in columns]
        unknown = []
    if missing:
        parsed.problems.append(
            _file_problem(
                1,
                gettext("The header is missing the column(s): %(names)s.")
                % {"names": ", ".join(missing)},
            )
        )
    if unknown:
        shown = ", ".join(repr(c) for c in unknown[:10])
        parsed.problems.append(
            _file_problem(
                1,
                gettext(
                    "The header has column(s) this import does not know: %(shown)s. The "
                    "header must be: %(names)s."
                )
                % {"shown": shown, "names": ",".join(COLUMNS)},
            )
        )
    if parsed.problems:
        return None
    return _Translator(layout, columns)


def _nationbuilder_cells(source: dict[str, str]) -> dict[str, str]:
    return {c: source[c] for c in NATIONBUILDER_USED if c in source}


def _looks_like_formula(column: str, value: str) -> bool:
    if not value.startswith(FORMULA_STARTS):
        return False
    is_phone = column in ("phone", "phone_number", "mobile_number")
    return not (is_phone and PLAIN_PHONE_RE.match(value))


def _formula_message(value: str) -> str:
    first = {"\t": gettext("a tab"), "\r": gettext("a carriage return")}.get(
        value[0], repr(value[0])
    )
    return gettext(
        "The cell starts with %(first)s, which a spreadsheet would run as a formula "
        "(CSV injection). Remove that character and import again."
    ) % {"first": first}


def _duplicates(
    line: int,
    values: dict[str, str],
    labels: dict[str, str],
    seen_numbers: dict[str, int],
    seen_emails: dict[str, int],
) -> list[Problem]:
    problems = []
    number = values["membership_number"].strip().upper()
    email = values["email"].strip().lower()
    if number:
        if number in seen_numbers:
            problems.append(
                Problem(
                    line,
                    labels["membership_number"],
                    gettext("Membership number %(number)s is also on line %(line)s.")
                    % {"number": number, "line": seen_numbers[number]},
                )
            )
        else:
            seen_numbers[number] = line
    if email:
        if email in seen_emails:
            problems.append(
                Problem(
                    line,
                    labels["email"],
                    gettext("The email address %(email)s is also on line %(line)s.")
                    % {"email": email, "line": seen_emails[email]},
                )
            )
        else:
            seen_emails[email] = line
    return problems


def _validate(
    line: int,
    values: dict[str, str],
    labels: dict[str, str],
    groups: Mapping[str, int],
    problems: list[Problem],
) -> MemberRow | None:
    """Check one row's values; add its problems to ``problems``; return it clean if none."""
    found = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(line, labels[column], message))

    v = {k: value.strip() for k, value in values.items()}
    number = v["membership_number"].upper()
    if number and not NUMBER_RE.match(number):
        problem(
            "membership_number", gettext("A membership number is up to 20 letters, digits and '-'.")
        )
    if not v["first_name"]:
        problem("first_name", gettext("The first name is missing."))
    if not v["last_name"]:
        problem("last_name", gettext("The last name is missing."))
    for column, limit in MAX_LENGTH.items():
        if len(v[column]) > limit:
            problem(column, gettext("Longer than %(most)s characters.") % {"most": limit})
    email = v["email"]
    if not email:
        problem("email", gettext("The email address is missing."))
    else:
        try:
            _email_is_valid(email)
        except ValidationError:
            problem(
                "email",
                gettext("%(email)s is not a valid email address.") % {"email": repr(email)},
            )
    if v["phone"] and not PHONE_RE.match(v["phone"]):
        problem("phone", gettext("Use digits, spaces, brackets, '-' and a leading '+' only."))
    postcode = _clean_postcode(v["postcode"])
    if v["postcode"] and postcode is None:
        problem(
            "postcode",
            gettext("%(postcode)s is not a UK postcode (like SW1A 1AA).")
            % {"postcode": repr(v["postcode"])},
        )
    status = _clean_status(v["status"])
    if status is None:
        problem(
            "status",
            gettext("Unknown status %(status)s; use member, supporter, lapsed or suspended.")
            % {"status": repr(v["status"])},
        )
    joined_on = _clean_date(v["joined_on"])
    if not v["joined_on"]:
        problem("joined_on", gettext("The date the member joined is missing."))
    elif joined_on is None:
        problem("joined_on", _date_problem(v["joined_on"]))
    renewal = _clean_date(v["renewal_due_on"])
    if v["renewal_due_on"] and renewal is None:
        problem("renewal_due_on", _date_problem(v["renewal_due_on"]))
    home_group_id = groups.get(v["home_group"].casefold()) if v["home_group"] else None
    if not v["home_group"]:
        problem("home_group", gettext("The home group is missing."))
    elif home_group_id is None:
        problem(
            "home_group",
            gettext("No group has the slug or name %(name)s.") % {"name": repr(v["home_group"])},
        )
    other_ids: set[int] = set()
    for name in filter(None, (n.strip() for n in v["other_groups"].split(";"))):
        group_id = groups.get(name.casefold())
        if group_id is None:
            problem(
                "other_groups",
                gettext("No group has the slug or name %(name)s.") % {"name": repr(name)},
            )
        elif group_id != home_group_id:
            other_ids.add(group_id)
    consent_text = v["consent_to_contact"].casefold()
    consent = consent_text in YES
    if consent_text not in YES | NO:
        problem("consent_to_contact", gettext("Use yes or no."))
    consent_at = _clean_datetime(v["consent_recorded_at"])
    if v["consent_recorded_at"] and consent_at is None:
        problem(
            "consent_recorded_at",
            gettext("%(value)s is not a date and time: write it as %(formats)s, or a date alone.")
            % {"value": repr(v["consent_recorded_at"]), "formats": DATETIME_FORMATS_NAMED},
        )
    elif consent and consent_at is None:
        problem("consent_recorded_at", gettext("Consent to contact needs the date it was given."))
    source = v["consent_source"].casefold()
    if source and source not in CONSENT_SOURCES:
        problem(
            "consent_source",
            gettext("Unknown consent source %(source)s; use one of %(sources)s.")
            % {"source": repr(v["consent_source"]), "sources": ", ".join(ConsentSource.values)},
        )
    if len(problems) > found:
        return None
    assert status is not None and joined_on is not None and home_group_id is not None
    return MemberRow(
        line=line,
        membership_number=number,
        first_name=v["first_name"],
        last_name=v["last_name"],
        email=email,
        phone=v["phone"],
        postcode=postcode or "",
        status=status,
        joined_on=joined_on,
        renewal_due_on=renewal,
        home_group_id=home_group_id,
        other_group_ids=frozenset(other_ids),
        consent_to_contact=consent,
        consent_recorded_at=consent_at if consent else None,
        consent_source=(source or ConsentSource.IMPORT) if consent else "",
    )


def _clean_postcode(value: str) -> str | None:
    """A UK postcode in Royal Mail's form (outward code, one space, inward code), or None."""
    compact = "".join(value.upper().split())
    if not POSTCODE_RE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def _clean_status(value: str) -> str | None:
    if not value:
        return str(MembershipStatus.MEMBER)
    return STATUS_BY_NAME.get(value.casefold())


DATE_FORMATS_NAMED = "YYYY-MM-DD (2024-03-31) or DD/MM/YYYY (31/03/2024)"
DATETIME_FORMATS_NAMED = "YYYY-MM-DD HH:MM (2024-03-31 14:05) or DD/MM/YYYY HH:MM"


def _date_problem(value: str) -> str:
    if _read_date(value) is not None:
        return gettext(
            "%(value)s is outside the years %(first)s to %(last)s: is it a typing mistake?"
        ) % {"value": repr(value), "first": EARLIEST_DATE.year, "last": LATEST_DATE.year}
    return gettext("%(value)s is not a date: write it as %(formats)s.") % {
        "value": repr(value),
        "formats": DATE_FORMATS_NAMED,
    }


def _read_date(value: str) -> datetime.date | None:
    """Each form the messages name: ISO ``YYYY-MM-DD`` (and the date part of an ISO timestamp)
    and the UK's ``DD/MM/YYYY`` (one-digit days and months too), whatever the year."""
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
            year, month, day = (int(part) for part in value.split("-"))
            return datetime.date(year, month, day)
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
            day, month, year = (int(part) for part in value.split("/"))
            return datetime.date(year, month, day)
        return datetime.datetime.fromisoformat(value).date()
    except (ValueError, IndexError, OverflowError):
        return None


def _clean_date(value: str) -> datetime.date | None:
    """A date in a form the messages name and within the sane range (grassroots.bounds)."""
    if not value:
        return None
    day = _read_date(value)
    return day if day is not None and EARLIEST_DATE <= day <= LATEST_DATE else None


def _clean_datetime(value: str) -> datetime.datetime | None:
    """An ISO timestamp (UTC when it has no offset), or a date taken as midnight UTC."""
    if not value:
        return None
    uk = re.fullmatch(r"(\d{1,2}/\d{1,2}/\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?", value.strip())
    try:
        if uk is not None:
            day = _clean_date(uk.group(1))
            if day is None:
                return None
            moment = datetime.datetime.combine(
                day, datetime.time(int(uk.group(2)), int(uk.group(3)), int(uk.group(4) or 0))
            )
        else:
            moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        day = _clean_date(value)
        if day is None:
            return None
        moment = datetime.datetime.combine(day, datetime.time(0, 0))
    if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    try:
        return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        return None
