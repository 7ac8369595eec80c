"""Imports running at the same moment on PostgreSQL: each waits for the other, none fails."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from grassroots.people import services
from grassroots.people.importing import COLUMNS, parse_members
from grassroots.people.models import Member
from grassroots.people.queries import import_group_directory
from tests.factories import AreaFactory, GroupFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _file(prefix: str, count: int) -> bytes:
    # No membership numbers: the import hands out new ones, the step two imports could race on.
    rows = [
        f",Given{i},{prefix}Surname,{prefix.lower()}{i}@example.org,,,member,2021-01-01,,"
        "leeds-central,,no,,"
        for i in range(count)
    ]
    return ("\n".join([",".join(COLUMNS), *rows]) + "\n").encode()


def test_two_imports_at_once_both_succeed_with_distinct_new_numbers():
    area = AreaFactory(name="Leeds", slug="leeds")
    GroupFactory(area=area, name="Leeds Central", slug="leeds-central")
    files = [_file("Alpha", 300), _file("Beta", 300)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(files))

    def run(data: bytes) -> None:
        try:
            parsed = parse_members(data, groups=import_group_directory())
            start.wait()
            outcome = services.import_members(actor=None, parsed=parsed)
            assert outcome.created == 300, outcome
        except BaseException as error:  # reported to the main thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(data,)) for data in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    numbers = list(Member.objects.values_list("membership_number", flat=True))
    assert len(numbers) == 600
    assert len(set(numbers)) == 600


def test_the_command_lines_import_outlasts_a_requests_statement_timeout():
    """A whole register from the command line (actor None: the operator holds the database)
    runs its COPY to the end; the same file under a request's statement timeout is cut off
    and leaves nothing behind."""
    area = AreaFactory(name="Leeds", slug="leeds")
    GroupFactory(area=area, name="Leeds Central", slug="leeds-central")
    parsed = parse_members(_file("Gamma", 10_000), groups=import_group_directory())
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '20ms'")
    try:
        outcome = services.import_members(actor=None, parsed=parsed)
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone() == ("20ms",)  # SET LOCAL: only the import's transaction
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert outcome.created == 10_000
    assert Member.objects.count() == 10_000
