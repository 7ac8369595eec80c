"""The box's indexes on PostgreSQL (issue 22): the count stores each paper's plaintext by an
UPDATE that writes a new entry in every index of the box, so the box has only the indexes a
query needs. A unique CharField would bring a LIKE index nobody asks, and a foreign key its
own index on the ballot, which the (ballot, log_index) pair already covers."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from grassroots.ballots.models import BallotBoxEntry
from tests.ballots.conftest import SetUp

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_box_has_only_the_indexes_its_queries_use():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
            [BallotBoxEntry._meta.db_table],
        )
        definitions = sorted(row[0].split(" USING ")[1] for row in cursor.fetchall())
    assert definitions == ["btree (ballot_id, log_index)", "btree (id)", "btree (tracker)"]


def test_a_tracker_stays_unique_in_the_box(ready_ballot: SetUp):
    entry = {"ballot": ready_ballot.ballot, "ciphertext": b"x", "tracker": "ab" * 32}
    BallotBoxEntry.objects.create(log_index=0, **entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotBoxEntry.objects.create(log_index=1, **entry)
