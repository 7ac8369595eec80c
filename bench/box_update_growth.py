"""The count's writes to the box, alone, at several sizes and fillfactors (issue 22).

A scratch table shaped like ``ballots_ballotboxentry`` (random UUID key, the tracker's and the
log position's unique indexes, a 176-byte ciphertext) is filled with N rows at the given
fillfactor, then every row gets a plaintext by the count's own statement shape (one
``UPDATE ... FROM (VALUES ...)`` per batch of 2,000, each its own transaction). Prints the wall
time, the PostgreSQL backend's CPU (from /proc: the database must run on this machine) and how
many of the updates were heap-only (HOT: no index entry written). The table is dropped after.

    .venv/bin/python bench/box_update_growth.py 100000,200000,400000 100,45 [DATABASE]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import psycopg

BATCH = 2000

CREATE = """CREATE TABLE box_exp (id uuid PRIMARY KEY, ballot_id bigint NOT NULL,
    log_index integer NOT NULL, ciphertext bytea NOT NULL, tracker varchar(64) NOT NULL,
    plaintext bytea, UNIQUE (ballot_id, log_index), UNIQUE (tracker))
    WITH (fillfactor = {fill})"""
FILL = """INSERT INTO box_exp SELECT gen_random_uuid(), 7, i,
    decode(repeat(md5(i::text), 11), 'hex'), encode(sha256(i::text::bytea), 'hex'), NULL
    FROM generate_series(0, %s - 1) i"""
UPDATE = """UPDATE box_exp b SET plaintext = v.p FROM (VALUES {values}) AS v (i, p)
    WHERE b.ballot_id = 7 AND b.log_index = v.i AND b.plaintext IS NULL"""


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    sizes = [int(x) for x in sys.argv[1].split(",")]
    fills = [int(x) for x in sys.argv[2].split(",")]
    database = sys.argv[3] if len(sys.argv) > 3 else "gr_national"
    conn = psycopg.connect(f"host=127.0.0.1 user=postgres dbname={database}", autocommit=True)
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]  # type: ignore[index]
    for fill in fills:
        for n in sizes:
            cur.execute("DROP TABLE IF EXISTS box_exp")
            cur.execute(CREATE.format(fill=int(fill)))
            cur.execute(FILL, [n])
            cur.execute("VACUUM ANALYZE box_exp")
            cur.execute("CHECKPOINT")
            cur.execute("SELECT pg_relation_size('box_exp'), pg_indexes_size('box_exp')")
            table, indexes = cur.fetchone()  # type: ignore[misc]
            began, cpu = time.monotonic(), backend_cpu(pid)
            for start in range(0, n, BATCH):
                values = ", ".join(
                    f"({i}, decode(md5('{i}') || md5('x{i}'), 'hex'))"
                    for i in range(start, min(n, start + BATCH))
                )
                with conn.transaction():
                    cur.execute(UPDATE.format(values=values))
            wall, used = time.monotonic() - began, backend_cpu(pid) - cpu
            time.sleep(0.6)  # the statistics are reported after the transactions
            cur.execute(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'box_exp'"
            )
            updated, hot = cur.fetchone()  # type: ignore[misc]
            print(
                f"fillfactor {fill}: {n} rows (table {table >> 20} MB, indexes "
                f"{indexes >> 20} MB): wall {wall:.2f} s, backend CPU {used:.2f} s, "
                f"updates {updated}, HOT {hot}, load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    cur.execute("DROP TABLE IF EXISTS box_exp")
    return 0


if __name__ == "__main__":
    sys.exit(main())
