#!/usr/bin/env bash
# Usage: scripts/timed.sh NAME CMD [ARGS...]
#
# Prints a timestamped banner `==> phase NAME`, runs CMD, and appends
# `NAME SECONDS` (plus `FAILED(rc)` when CMD fails) to
# ${CARGO_TARGET_DIR:-<repo>/target}/phase-times.txt. Exits with CMD's code.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 NAME CMD [ARGS...]" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="$1"; shift
TIMES="${CARGO_TARGET_DIR:-$ROOT/target}/phase-times.txt"
mkdir -p "$(dirname "$TIMES")"

echo "==> phase $NAME [$(date -u +%Y-%m-%dT%H:%M:%SZ)]"
start=$(date +%s)
set +e
"$@"
rc=$?
set -e
secs=$(( $(date +%s) - start ))

if [[ $rc -eq 0 ]]; then
    echo "$NAME $secs" >>"$TIMES"
    echo "==> phase $NAME done in ${secs}s"
else
    echo "$NAME $secs FAILED($rc)" >>"$TIMES"
    echo "==> phase $NAME FAILED (exit $rc) after ${secs}s" >&2
fi
exit "$rc"
