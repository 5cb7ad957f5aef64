#!/usr/bin/env bash
# Start the already-built release server for the Playwright tests, on a fresh
# SQLite database in a temp dir. Started and awaited by Playwright's `webServer`
# (end2end/playwright.config.ts); does not build anything: run `make build` first.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/server"

if [[ ! -x "$BIN" ]]; then
    echo "e2e-server: $BIN not found; run \`make build\` first" >&2
    exit 1
fi
if [[ ! -d "$ROOT/target/site" ]]; then
    echo "e2e-server: $ROOT/target/site not found; run \`make build\` first" >&2
    exit 1
fi

# The server is exec'd (Playwright signals it directly: SIGTERM, then SIGKILL),
# so no trap here can clean up after it; instead remove leftovers of earlier
# runs (one e2e server per port; E2E_PORT picks another port, default 3300).
TMPBASE="${TMPDIR:-/tmp}"
PORT="${E2E_PORT:-3300}"
find "$TMPBASE" -maxdepth 1 -type d -name "medborgarloften-e2e-$PORT.*" -user "$(id -u)" \
    -exec rm -rf {} + 2>/dev/null || true
TMP="$(mktemp -d "$TMPBASE/medborgarloften-e2e-$PORT.XXXXXX")"
echo "e2e-server: database in $TMP/e2e.db" >&2

export DATABASE_URL="sqlite://$TMP/e2e.db?mode=rwc"
export DEMO_DATA=true
# Enough synthetic answers for the dashboards, few enough to start fast.
export DEMO_ANSWERS=1000
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT"
export SITE_URL="http://127.0.0.1:$PORT"
export LEPTOS_SITE_ROOT="$ROOT/target/site"
export LEPTOS_OUTPUT_NAME=medborgarloften
export LEPTOS_ENV=PROD
export SECRET_KEY=e2e-secret-key-not-for-production-0123456789abcdef
export RUST_LOG=info

# --- rate limits for e2e (raised, never off) ---------------------------------
export LOGIN_PER_ACCOUNT_PER_MINUTE=30
export LOGIN_PER_ADDRESS_PER_MINUTE=300
# Every test answers from 127.0.0.1; the minimum time on the page stays on (1 s).
export SUBMIT_PER_ADDRESS_PER_MINUTE=600
export SUBMIT_MIN_SECONDS=1
# ------------------------------------------------------------------------------

# --- mail: a real SMTP server on loopback (aiosmtpd; make test's bootstrap installs it) -
# Each mail lands as a file in $MAIL_DIR, where the tests read it. The sink ends when this
# process (which becomes the server) ends, or after an hour.
PY="$ROOT/target/py/bin/python"
if [[ ! -x "$PY" ]]; then
    echo "e2e-server: $PY not found; run scripts/bootstrap.sh (make test does)" >&2
    exit 1
fi
MAIL_DIR="${E2E_MAIL_DIR:-$TMPBASE/medborgarloften-e2e-mail-$PORT}"
rm -rf "$MAIL_DIR"
"$PY" "$ROOT/scripts/smtp-sink.py" --dir "$MAIL_DIR" --max-seconds 3600 &
for _ in $(seq 1 200); do
    [[ -s "$MAIL_DIR/port" ]] && break
    sleep 0.1
done
[[ -s "$MAIL_DIR/port" ]] || { echo "e2e-server: the SMTP sink did not start" >&2; exit 1; }
export SMTP_URL="smtp://127.0.0.1:$(cat "$MAIL_DIR/port")"
echo "e2e-server: mail to $SMTP_URL lands in $MAIL_DIR" >&2

# exec: the server replaces this shell, so Playwright stops it directly.
exec "$BIN"
