"""``python -m grassroots.ledger verify RECORD --election-key HEX``: check an election record.

RECORD is the downloaded zip as it is, the folder it unpacks to, or the record's own folder.
Prints one line per numbered check. Exit status: 0 every check passed with the election key
pinned; 1 a check failed; 2 the command line is wrong; 3 every check passed but no
``--election-key`` was given, so the record was checked only against the key written in it
(a forged record re-signed with a new key would pass that way). ``--no-key-pinning`` accepts
that knowingly and exits 0.

(``python -m grassroots.ledger teller ...`` is a teller's offline steps: grassroots.ledger.e2e.cli;
``python -m grassroots.ledger audit-ballot FILE`` checks a vote page's Benaloh audit: e2e.audit.)
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from grassroots.ledger.e2e.audit import add_audit_command, run_audit
from grassroots.ledger.e2e.cli import add_teller_commands, run_teller
from grassroots.ledger.heads import SignedTreeHead, key_fingerprint
from grassroots.ledger.record import RecordError, read_saved_heads
from grassroots.ledger.verify import verify_directory

EXIT_FAILED = 1
EXIT_KEY_NOT_PINNED = 3

UNPINNED_WARNING = """\
WARNING: no --election-key was given, so the record was checked against the key written in it.
A forged record re-signed with a new key passes every check that way. Run again with
--election-key and the key published on the ballot's results page (check its fingerprint against
the one in your invitation mail or on the ballot page)."""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grassroots.ledger",
        description="Check a Grassroots election record without trusting the server.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="recompute and check every part of a record")
    verify.add_argument(
        "record",
        type=Path,
        help="the downloaded zip, the folder it unpacks to, or the record's folder",
    )
    verify.add_argument(
        "--election-key",
        metavar="HEX",
        help="the election's Ed25519 public key (64 hex digits) as published on the ballot's "
        "results page; without it the key in the record is trusted",
    )
    verify.add_argument(
        "--no-key-pinning",
        action="store_true",
        help="accept checking against the key written in the record (exit 0 rather than 3); "
        "this does not show the record is the one the election published",
    )
    verify.add_argument(
        "--head",
        metavar="FILE",
        type=Path,
        action="append",
        default=[],
        help="a signed head you saved while the poll was open (repeatable): the record must "
        "hold it unchanged",
    )
    add_teller_commands(commands)
    add_audit_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "teller":
        return run_teller(arguments)
    if arguments.command == "audit-ballot":
        return run_audit(arguments)

    election_key = None
    if arguments.election_key is not None:
        if not re.fullmatch(r"[0-9a-fA-F]{64}", arguments.election_key):
            parser.error("--election-key must be 64 hex digits")
        election_key = bytes.fromhex(arguments.election_key)
    saved: list[SignedTreeHead] = []
    for path in arguments.head:
        try:
            saved.extend(read_saved_heads(path))
        except RecordError as error:
            parser.error(f"--head {path}: {error}")

    results = verify_directory(
        arguments.record, election_key=election_key, saved_heads=tuple(saved)
    )
    for result in results:
        print(result.line())
    if election_key is not None:
        fingerprint = key_fingerprint(election_key)
        print(f"election key pinned: {election_key.hex()} (fingerprint {fingerprint})")
    if saved:
        print(f"{len(saved)} saved head(s) checked against the record (check 5)")
    failed = [str(r.number) for r in results if not r.passed]
    if failed:
        print(f"FAILED: check(s) {', '.join(failed)} of {len(results)}")
        return EXIT_FAILED
    if election_key is None:
        print(UNPINNED_WARNING, file=sys.stderr)
        if not arguments.no_key_pinning:
            print(
                f"all {len(results)} checks passed, but NOT against a pinned election key: "
                "not verified (exit 3)"
            )
            return EXIT_KEY_NOT_PINNED
        print(f"all {len(results)} checks passed against the key in the record (not pinned)")
        return 0
    print(f"all {len(results)} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
