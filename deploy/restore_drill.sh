#!/usr/bin/env bash
# The restore drill (docs/deploy.md, section 9): base backup + WAL replay into a scratch
# cluster, then the ledger verifier against the last published tree head.
# Usage: deploy/restore_drill.sh [--port 5440] [--keep]
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python bench/restore_drill.py "$@"
