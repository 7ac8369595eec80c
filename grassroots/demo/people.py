"""The demo organisation's structure and people, and the demo logins, for ``grassroots.demo.seed``.

Deterministic: every name, postcode, date and role comes from one seeded random generator and
fixed tables, so two fresh databases seeded with the same member count hold the same people.
Idempotent: a database that already holds the demo is left alone.

The structure is fixed (6 regions, 20 areas, 80 groups); the number of members is a parameter
so the benchmarks can seed 100,000. Postcodes are made from each group's real postcode
districts, so a member's postcode matches the region their group is in.

Everything arrives as a movement's own would on day one, through audited services: the regions,
areas and groups through ``organisation.services.existing.set_up_structure`` (the path of
``manage.py set_up_structure``); the members as a membership file in Grassroots' import layout,
read by ``people.importing.parse_members`` and written by ``people.services.import_members``
(with each member's status history), the path of ``manage.py import_members``; the officers'
and demo logins through ``people.logins.issue_logins``; and the officers' roles through
``organisation.services.existing.record_existing_officers`` (``manage.py
record_existing_officers``).
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from dataclasses import dataclass, field

from grassroots.accounts.models import User
from grassroots.organisation.models import Area, Group, Region, Role
from grassroots.organisation.services.existing import (
    AreaPlan,
    ExistingOfficer,
    GroupPlan,
    RegionPlan,
    record_existing_officers,
    set_up_structure,
)
from grassroots.people.importing import COLUMNS, ParsedFile, parse_members
from grassroots.people.logins import issue_logins
from grassroots.people.models import ConsentSource, Member, MembershipStatus
from grassroots.people.queries import import_group_directory
from grassroots.people.services import import_members

# Published in the README on purpose: the demo is public and holds no real person.
DEMO_PASSWORD = "grassroots-demo"  # noqa: S105
DEMO_DOMAIN = "demo.grassroots.example"
DEFAULT_MEMBERS = 10_000
MINIMUM_MEMBERS = 500  # enough for four officers in each of the 80 groups and ordinary members
SEED = 20_170_504
IMPORT_FILE_NAME = "demo-members.csv"
ROLES_START = datetime.date(2025, 4, 1)
STRUCTURE_REASON = "the demo movement's regions, areas and groups"
OFFICERS_REASON = "officers appointed before the platform"

# Region -> area -> (group name, postcode districts). Real places, real postcode districts.
STRUCTURE: dict[str, dict[str, list[tuple[str, tuple[str, ...]]]]] = {
    "Yorkshire and the Humber": {
        "Leeds": [
            ("Leeds Central", ("LS1", "LS2", "LS3")),
            ("Headingley", ("LS6",)),
            ("Chapeltown", ("LS7",)),
            ("Armley", ("LS12",)),
        ],
        "Bradford and Calderdale": [
            ("Bradford City", ("BD1", "BD3", "BD5")),
            ("Shipley and Saltaire", ("BD18",)),
            ("Halifax", ("HX1", "HX3")),
            ("Keighley", ("BD20", "BD21")),
        ],
        "Sheffield": [
            ("Sheffield Central", ("S1", "S3")),
            ("Crookes and Walkley", ("S6", "S10")),
            ("Sharrow and Nether Edge", ("S7", "S11")),
            ("Hillsborough", ("S6",)),
        ],
        "Hull and East Riding": [
            ("Hull Central", ("HU1", "HU2", "HU3")),
            ("Beverley", ("HU17",)),
            ("Hessle", ("HU13",)),
            ("Bridlington", ("YO15", "YO16")),
        ],
    },
    "North West": {
        "Manchester": [
            ("Manchester City Centre", ("M1", "M4")),
            ("Chorlton", ("M21",)),
            ("Levenshulme", ("M19",)),
            ("Salford", ("M5", "M6")),
        ],
        "Greater Manchester North": [
            ("Bolton", ("BL1", "BL3")),
            ("Bury", ("BL9",)),
            ("Rochdale", ("OL11", "OL16")),
            ("Oldham", ("OL1", "OL8")),
        ],
        "Merseyside": [
            ("Liverpool Central", ("L1", "L3")),
            ("Toxteth", ("L8",)),
            ("Birkenhead", ("CH41", "CH42")),
            ("Southport", ("PR8", "PR9")),
        ],
        "Lancashire": [
            ("Preston", ("PR1", "PR2")),
            ("Lancaster", ("LA1",)),
            ("Blackburn", ("BB1", "BB2")),
            ("Burnley", ("BB11", "BB12")),
        ],
    },
    "London": {
        "North London": [
            ("Islington", ("N1", "N7")),
            ("Tottenham", ("N15", "N17")),
            ("Camden Town", ("NW1",)),
            ("Hornsey and Crouch End", ("N8",)),
        ],
        "South London": [
            ("Brixton", ("SW2", "SW9")),
            ("Peckham", ("SE15",)),
            ("Lewisham", ("SE13",)),
            ("Croydon", ("CR0",)),
        ],
        "East London": [
            ("Hackney", ("E8", "E9")),
            ("Stratford", ("E15",)),
            ("Walthamstow", ("E17",)),
            ("Bethnal Green", ("E2",)),
        ],
    },
    "West Midlands": {
        "Birmingham": [
            ("Birmingham Central", ("B1", "B5")),
            ("Moseley", ("B13",)),
            ("Erdington", ("B23", "B24")),
            ("Selly Oak", ("B29",)),
        ],
        "Black Country": [
            ("Wolverhampton", ("WV1", "WV3")),
            ("Walsall", ("WS1", "WS2")),
            ("Dudley", ("DY1", "DY2")),
            ("West Bromwich", ("B70", "B71")),
        ],
        "Coventry and Warwickshire": [
            ("Coventry Central", ("CV1", "CV2")),
            ("Earlsdon", ("CV5",)),
            ("Leamington Spa", ("CV31", "CV32")),
            ("Nuneaton", ("CV10", "CV11")),
        ],
    },
    "Scotland": {
        "Glasgow": [
            ("Glasgow Central", ("G1", "G2")),
            ("Govanhill", ("G42",)),
            ("Partick", ("G11",)),
            ("Dennistoun", ("G31",)),
        ],
        "Edinburgh and Lothians": [
            ("Edinburgh Old Town", ("EH1", "EH8")),
            ("Leith", ("EH6",)),
            ("Portobello", ("EH15",)),
            ("Livingston", ("EH54",)),
        ],
        "North East Scotland": [
            ("Aberdeen", ("AB10", "AB24")),
            ("Dundee", ("DD1", "DD4")),
            ("Perth", ("PH1", "PH2")),
            ("Montrose", ("DD10",)),
        ],
    },
    "South West": {
        "Bristol and Bath": [
            ("Bristol Central", ("BS1", "BS2")),
            ("Easton", ("BS5",)),
            ("Bedminster", ("BS3",)),
            ("Bath", ("BA1", "BA2")),
        ],
        "Devon and Cornwall": [
            ("Exeter", ("EX1", "EX4")),
            ("Plymouth", ("PL1", "PL4")),
            ("Torquay", ("TQ1", "TQ2")),
            ("Truro", ("TR1",)),
        ],
        "Gloucestershire and Wiltshire": [
            ("Gloucester", ("GL1", "GL4")),
            ("Cheltenham", ("GL50", "GL51")),
            ("Stroud", ("GL5",)),
            ("Swindon", ("SN1", "SN2")),
        ],
    },
}

# Groups deliberately left without a Data Manager, so "needs attention" has something to show.
GROUPS_WITHOUT_DATA_MANAGER = (
    "Hillsborough",
    "Bridlington",
    "Southport",
    "Croydon",
    "Dudley",
    "Montrose",
    "Torquay",
    "Stroud",
)

FIRST_NAMES = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Muhammad", "Thomas",
    "Oscar", "William", "James", "Leo", "Alfie", "Henry", "Joshua", "Freddie", "Archie", "Ethan",
    "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Daniel", "Arthur", "Lucas",
    "Mohammed", "Logan", "David", "Michael", "Paul", "Andrew", "Mark", "Stephen", "Peter",
    "Richard", "Christopher", "Gareth", "Rhys", "Callum", "Ewan", "Hamish", "Kwame", "Tunde",
    "Arjun", "Ravi", "Imran", "Tariq", "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia",
    "Grace", "Mia", "Poppy", "Ella", "Lily", "Evie", "Isabella", "Sophie", "Ivy", "Freya",
    "Harper", "Willow", "Florence", "Charlotte", "Sarah", "Emma", "Rachel", "Claire", "Helen",
    "Louise", "Joanne", "Catherine", "Elizabeth", "Margaret", "Susan", "Patricia", "Fiona",
    "Siobhan", "Niamh", "Eilidh", "Morag", "Cerys", "Bethan", "Aisha", "Fatima", "Zainab",
    "Priya", "Anjali", "Chloe", "Jessica", "Hannah", "Lauren", "Megan", "Abigail",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner",
    "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker",
    "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis", "Parker",
    "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter", "Richardson",
    "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall",
    "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson", "Foster", "Chapman",
    "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews",
    "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell",
    "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson",
    "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Macdonald",
    "O'Brien", "O'Connor", "Okafor", "Mensah", "Nowak", "Kowalski", "Chen", "Nguyen", "Shah",
)  # fmt: skip

VENUES = (
    "{place} Community Centre",
    "Friends Meeting House, {place}",
    "{place} Library, meeting room 2",
    "The Red Lion, upstairs room, {place}",
    "St Mark's Church Hall, {place}",
    "{place} Trades Club",
    "Unity Hall, {place}",
    "{place} Methodist Church Hall",
)
DESCRIPTIONS = (
    "We are the Grassroots group for {place}. We meet once a month to plan local campaigns, "
    "welcome new members and send motions to the area. Everyone is welcome, members or not.",
    "Grassroots in {place}: local members organising on housing, transport and the cost of "
    "living. Our meetings are open, accessible and finish by 9pm.",
    "The {place} group runs street stalls on Saturdays, a reading group and a monthly members' "
    "meeting. Come along to any of them and say hello.",
    "Members in {place} working together on local issues and on the movement's national "
    "decisions. New members get a call from our welcome team within a week.",
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXY"  # Royal Mail never uses C, I, K, M, O or V inward


@dataclass(frozen=True)
class DemoLogin:
    email: str
    first_name: str
    last_name: str
    description: str


def _login(local: str, first: str, last: str, description: str) -> DemoLogin:
    return DemoLogin(f"{local}@{DEMO_DOMAIN}", first, last, description)


MEMBER_LOGIN = _login("member", "Sam", "Okafor", "an ordinary member of Leeds Central")
DATA_MANAGER_LOGIN = _login("datamanager", "Priya", "Shah", "Data Manager of Leeds Central")
COORDINATOR_LOGIN = _login(
    "coordinator", "Gareth", "Hughes", "Area Coordinator of Leeds (four groups)"
)
NATIONAL_LOGIN = _login("national", "Helen", "Marshall", "National Office (whole movement)")
OTHER_DATA_MANAGER_LOGIN = _login(
    "datamanager.bristol", "Kwame", "Mensah", "Data Manager of Bristol Central"
)
CHAIR_LOGIN = _login("chair", "Fiona", "Campbell", "Chair of Leeds Central (no member list)")
REGIONAL_LOGIN = _login(
    "regional", "Imran", "Hussain", "Regional Coordinator of Yorkshire and the Humber"
)
COMMITTEE_LOGIN = _login("committee", "Niamh", "Walsh", "National Committee member")
AUDITOR_LOGIN = _login("auditor", "Arjun", "Patel", "Auditor (reads the audit log)")

DEMO_LOGINS = (
    MEMBER_LOGIN,
    DATA_MANAGER_LOGIN,
    COORDINATOR_LOGIN,
    NATIONAL_LOGIN,
    OTHER_DATA_MANAGER_LOGIN,
    CHAIR_LOGIN,
    REGIONAL_LOGIN,
    COMMITTEE_LOGIN,
    AUDITOR_LOGIN,
)


def login_of(member: Member) -> User:
    """The demo officer's login, which the demo always makes with the member (a member record
    found by its login's email has one)."""
    if member.user is None:
        raise ValueError(f"demo member {member.membership_number} has no login")
    return member.user


def build_organisation(members: int) -> None:
    """The regions, areas and groups (``organisation.services.existing.set_up_structure``); the
    members through the membership import, as a movement's own file would arrive; then the
    officers' logins (``people.logins.issue_logins``) and their roles
    (``record_existing_officers``). Each is its own audited, durable use case."""
    builder = _Builder(members)
    builder.build_structure()
    people, with_login, roles = builder.build_people()
    outcome = import_members(
        actor=None, parsed=_parsed(builder, people), source_name=IMPORT_FILE_NAME
    )
    if not outcome.applied:
        problems = "; ".join(str(p) for p in outcome.problems[:5])
        raise ValueError(f"The demo's membership file was refused: {problems}")
    issue_logins(
        actor=None,
        membership_numbers=[p.number for p in with_login],
        source="the demo's officers and its published logins",
        password=DEMO_PASSWORD,
    )
    builder.build_roles(roles)


@dataclass
class _Person:
    """One row of the demo's membership file, as a movement's export would give it."""

    number: str
    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    status: str
    joined_on: datetime.date
    renewal_due_on: datetime.date | None
    group: Group
    consent_recorded_at: datetime.datetime | None
    consent_source: str
    other_groups: list[Group] = field(default_factory=list)


def _parsed(builder: _Builder, people: list[_Person]) -> ParsedFile:
    """The demo's members as an import file in Grassroots' layout, read by the same parser as
    ``manage.py import_members`` (so a row the parser would refuse fails the seeding)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in people:
        writer.writerow(
            (
                p.number,
                p.first_name,
                p.last_name,
                p.email,
                p.phone,
                p.postcode,
                p.status,
                p.joined_on.isoformat(),
                p.renewal_due_on.isoformat() if p.renewal_due_on else "",
                p.group.slug,
                ";".join(g.slug for g in p.other_groups),
                "yes" if p.consent_recorded_at else "no",
                p.consent_recorded_at.isoformat() if p.consent_recorded_at else "",
                p.consent_source,
            )
        )
    return parse_members(out.getvalue().encode(), groups=import_group_directory())


class _Builder:
    """The demo's structure, its membership file and its officers: every member is drawn from
    one seeded generator, so two seedings with the same count make the same people."""

    def __init__(self, member_count: int) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 - made-up people, reproducible on purpose
        self.member_count = member_count
        self.groups: list[Group] = []
        self.districts: dict[int, tuple[str, ...]] = {}
        self.areas: dict[str, Area] = {}
        self.regions: dict[str, Region] = {}
        self.sequence = 0

    def build_structure(self) -> None:
        """The regions, areas and groups, through ``organisation.services.existing``: the
        descriptions, meeting places and founding dates drawn from the generator in the order
        they always were, so the people drawn after them stay the same."""
        plans = [
            RegionPlan(
                name=region_name,
                areas=[
                    AreaPlan(
                        name=area_name,
                        groups=[
                            GroupPlan(
                                name=group_name,
                                postcode_districts=" ".join(districts),
                                description=self.rng.choice(DESCRIPTIONS).format(place=group_name),
                                meeting_place=self.rng.choice(VENUES).format(place=group_name),
                                founded_on=datetime.date(
                                    self.rng.randint(2016, 2023), self.rng.randint(1, 12), 1
                                ),
                            )
                            for group_name, districts in groups
                        ],
                    )
                    for area_name, groups in areas.items()
                ],
            )
            for region_name, areas in STRUCTURE.items()
        ]
        made = set_up_structure(actor=None, regions=plans, reason=STRUCTURE_REASON)
        # Made in this order, so in key order; each group holds its area and the area its region.
        self.regions = {region.name: region for region in made.regions}
        self.areas = {area.name: area for area in made.areas}
        self.groups = made.groups
        by_name = {
            name: d for areas in STRUCTURE.values() for gs in areas.values() for name, d in gs
        }
        self.districts = {g.pk: by_name[g.name] for g in self.groups}

    def group_named(self, name: str) -> Group:
        return next(g for g in self.groups if g.name == name)

    def _next_number(self) -> str:
        self.sequence += 1
        return f"GR{1_000_000 + self.sequence:07d}"

    def _postcode(self, group: Group) -> str:
        district = self.rng.choice(self.districts[group.pk])
        letters = self.rng.choice(INWARD_LETTERS) + self.rng.choice(INWARD_LETTERS)
        return f"{district} {self.rng.randint(0, 9)}{letters}"

    def _member(
        self,
        group: Group,
        *,
        first: str | None = None,
        last: str | None = None,
        email: str | None = None,
        status: str | None = None,
    ) -> _Person:
        rng = self.rng
        number = self._next_number()
        first = first or rng.choice(FIRST_NAMES)
        last = last or rng.choice(LAST_NAMES)
        if email is None:
            local = f"{first}.{last}".lower().replace("'", "")
            email = f"{local}.{self.sequence}@members.{DEMO_DOMAIN}"
        if status is None:
            roll = rng.random()
            status = (
                MembershipStatus.MEMBER
                if roll < 0.80
                else MembershipStatus.SUPPORTER
                if roll < 0.89
                else MembershipStatus.LAPSED
                if roll < 0.98
                else MembershipStatus.SUSPENDED
            )
        joined = datetime.date(2017, 1, 1) + datetime.timedelta(days=rng.randint(0, 3560))
        renewal: datetime.date | None = None
        if status in (MembershipStatus.MEMBER, MembershipStatus.SUSPENDED):
            renewal = datetime.date(2027, joined.month, min(joined.day, 28))
        elif status == MembershipStatus.LAPSED:
            renewal = datetime.date(rng.choice((2024, 2025)), joined.month, min(joined.day, 28))
        consent = rng.random() < 0.85
        consent_at = None
        source = ""
        if consent:
            consent_at = datetime.datetime.combine(
                joined, datetime.time(9 + rng.randint(0, 11), rng.randint(0, 59)), datetime.UTC
            )
            source = rng.choice(
                (
                    ConsentSource.JOIN_FORM,
                    ConsentSource.JOIN_FORM,
                    ConsentSource.JOIN_FORM,
                    ConsentSource.EVENT,
                    ConsentSource.PAPER,
                    ConsentSource.PROFILE,
                )
            )
        phone = f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.7 else ""
        return _Person(
            number=number,
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            postcode=self._postcode(group),
            status=str(status),
            joined_on=joined,
            renewal_due_on=renewal,
            group=group,
            consent_recorded_at=consent_at,
            consent_source=str(source),
        )

    def build_people(
        self,
    ) -> tuple[list[_Person], list[_Person], dict[tuple[str, str], _Person]]:
        """Everyone in the membership file (officers first: four per group, plus coordinators
        and national roles; then everyone else spread over groups of different sizes), those
        given a login, and the officers by role."""
        named_group = {
            MEMBER_LOGIN: "Leeds Central",
            DATA_MANAGER_LOGIN: "Leeds Central",
            CHAIR_LOGIN: "Leeds Central",
            COORDINATOR_LOGIN: "Headingley",
            REGIONAL_LOGIN: "Sheffield Central",
            NATIONAL_LOGIN: "Islington",
            COMMITTEE_LOGIN: "Glasgow Central",
            AUDITOR_LOGIN: "Birmingham Central",
            OTHER_DATA_MANAGER_LOGIN: "Bristol Central",
        }
        people: list[_Person] = []
        officers: dict[tuple[str, str], _Person] = {}

        def with_login(member: _Person) -> _Person:
            people.append(member)
            return member

        for login in DEMO_LOGINS:
            member = self._member(
                self.group_named(named_group[login]),
                first=login.first_name,
                last=login.last_name,
                email=login.email,
                status=MembershipStatus.MEMBER,
            )
            officers[("login", login.email)] = with_login(member)

        held = {
            ("Leeds Central", Role.DATA_MANAGER): DATA_MANAGER_LOGIN,
            ("Leeds Central", Role.CHAIR): CHAIR_LOGIN,
            ("Bristol Central", Role.DATA_MANAGER): OTHER_DATA_MANAGER_LOGIN,
        }
        for group in self.groups:
            for role in (Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.DATA_MANAGER):
                if role == Role.DATA_MANAGER and group.name in GROUPS_WITHOUT_DATA_MANAGER:
                    continue
                holder = held.get((group.name, role))
                if holder is not None:
                    officers[(group.slug, role)] = officers[("login", holder.email)]
                    continue
                member = self._member(group, status=MembershipStatus.MEMBER)
                officers[(group.slug, role)] = with_login(member)
        for key in [*self.areas, *self.regions]:
            area = self.areas.get(key)
            group = (
                self.rng.choice([g for g in self.groups if g.area_id == area.pk])
                if area
                else self.rng.choice([g for g in self.groups if g.area.region.name == key])
            )
            officers[("coordinator", key)] = with_login(
                self._member(group, status=MembershipStatus.MEMBER)
            )
        for index in range(9):  # two more national office staff and seven committee members
            officers[("national", str(index))] = with_login(
                self._member(self.rng.choice(self.groups), status=MembershipStatus.MEMBER)
            )

        weights = [self.rng.uniform(0.4, 2.2) for _ in self.groups]
        weights[self.groups.index(self.group_named("Leeds Central"))] = 3.0
        ordinary: list[_Person] = []
        for _ in range(max(0, self.member_count - len(people))):
            group = self.rng.choices(self.groups, weights)[0]
            ordinary.append(self._member(group))
        self._link_second_groups(ordinary)
        return [*people, *ordinary], people, officers

    def build_roles(self, officers: dict[tuple[str, str], _Person]) -> None:
        """The officers serving when the demo movement arrived, recorded through
        ``organisation.services.existing.record_existing_officers`` (checked and audited)."""
        appointments: list[ExistingOfficer] = []

        def assign(person: _Person, role: str, scope: str = "") -> None:
            appointments.append(
                ExistingOfficer(
                    membership_number=person.number, role=role, starts_on=ROLES_START, scope=scope
                )
            )

        for group in self.groups:
            for role in (Role.CHAIR, Role.SECRETARY, Role.TREASURER, Role.DATA_MANAGER):
                member = officers.get((group.slug, role))
                if member is not None:
                    assign(member, role, group.slug)
        for name, area in self.areas.items():
            holder = (
                officers[("login", COORDINATOR_LOGIN.email)]
                if name == "Leeds"
                else officers[("coordinator", name)]
            )
            assign(holder, Role.AREA_COORDINATOR, area.slug)
        for name, region in self.regions.items():
            holder = (
                officers[("login", REGIONAL_LOGIN.email)]
                if name == "Yorkshire and the Humber"
                else officers[("coordinator", name)]
            )
            assign(holder, Role.REGIONAL_COORDINATOR, region.slug)
        assign(officers[("login", NATIONAL_LOGIN.email)], Role.NATIONAL_OFFICE)
        assign(officers[("login", COMMITTEE_LOGIN.email)], Role.NATIONAL_COMMITTEE)
        assign(officers[("login", AUDITOR_LOGIN.email)], Role.AUDITOR)
        for index in range(9):
            role = Role.NATIONAL_OFFICE if index < 2 else Role.NATIONAL_COMMITTEE
            assign(officers[("national", str(index))], role)
        record_existing_officers(actor=None, appointments=appointments, reason=OFFICERS_REASON)

    def _link_second_groups(self, ordinary: list[_Person]) -> None:
        """About one member in ten also belongs to a second group in the same area."""
        by_area: dict[int, list[Group]] = {}
        for group in self.groups:
            by_area.setdefault(group.area_id, []).append(group)
        for member in ordinary:
            if self.rng.random() >= 0.1:
                continue
            choices = [g for g in by_area[member.group.area_id] if g.pk != member.group.pk]
            member.other_groups.append(self.rng.choice(choices))
