"""``python -m grassroots.ledger verify RECORD_DIR``: check a published election record.

(``python -m grassroots.ledger teller ...`` is a teller's offline steps: grassroots.ledger.e2e.cli.)

Prints one line per numbered check and exits 0 only if every check passed, 1 if any failed,
2 if the command line is wrong.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from grassroots.ledger.e2e.cli import add_teller_commands, run_teller
from grassroots.ledger.verify import verify_directory


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m grassroots.ledger",
        description="Check a Grassroots election record without trusting the server.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="recompute and check every part of a record")
    verify.add_argument("record", type=Path, help="the record's directory")
    verify.add_argument(
        "--election-key",
        metavar="HEX",
        help="the election's Ed25519 public key as published when the poll opened; "
        "without it the key in the record is trusted",
    )
    add_teller_commands(commands)
    arguments = parser.parse_args(argv)
    if arguments.command == "teller":
        return run_teller(arguments)

    election_key = None
    if arguments.election_key is not None:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", arguments.election_key):
            parser.error("--election-key must be 64 hex digits")
        election_key = bytes.fromhex(arguments.election_key)

    results = verify_directory(arguments.record, election_key=election_key)
    for result in results:
        print(result.line())
    failed = [str(r.number) for r in results if not r.passed]
    if failed:
        print(f"FAILED: check(s) {', '.join(failed)} of {len(results)}")
        return 1
    print(f"all {len(results)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
