#!/usr/bin/env bash
# Lighthouse scenario for `make bench` (issue #7): runs Lighthouse RUNS times against URL and
# prints Markdown table rows (no header) to stdout:
#
#   | LCP | median (min–max) | ≤ 1,000 ms |
#   | TBT | … | ≤ 50 ms |
#   | CLS | … | ≤ 0.1 |
#   | performance score | … | 0–100 |
#   | FCP | … | (context) |
#   | Speed Index | … | (context) |
#   | transferred | … | (context) |
#
# Usage: bash scripts/bench-lighthouse.sh URL [RUNS]
#
# Lighthouse 12.2.3 from end2end/node_modules/.bin, Debian's Chromium (CHROME_PATH, default
# /usr/bin/chromium), the default mobile profile with simulated throttling, the performance
# category only. Every run has a time limit; the Chromium each run starts is found by a marker
# switch on its command line and ended by its process id, so nothing is left behind. Progress goes to
# stderr. Exits 1 when no run produced a report.
set -euo pipefail

URL="${1:?usage: bench-lighthouse.sh URL [RUNS]}"
RUNS="${2:-3}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIGHTHOUSE="${LIGHTHOUSE:-$ROOT/end2end/node_modules/.bin/lighthouse}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
# Seconds one run may take before it is ended (Lighthouse's own page-load limit is 45 s).
RUN_TIMEOUT="${LIGHTHOUSE_RUN_TIMEOUT:-150}"
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"

say() { echo "bench-lighthouse: $*" >&2; }

[[ -x "$LIGHTHOUSE" ]] || { say "lighthouse not found at $LIGHTHOUSE"; exit 1; }
[[ -x "$CHROME_PATH" ]] || { say "Chromium not found at $CHROME_PATH"; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { say "RUNS must be a positive number"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench-lighthouse.XXXXXX")"
# A switch Chromium ignores, unique to this invocation: it marks the command line of the
# Chromium each run starts (and of Lighthouse), so cleanup finds exactly those processes.
MARKER="--bench-lighthouse-run=$$-$RANDOM"

# Process ids of the processes whose command line carries the marker.
marked_pids() {
    pgrep -f -- "$MARKER" || true
}

end_marked() {
    local pids
    pids="$(marked_pids)"
    [[ -z "$pids" ]] && return 0
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    sleep 1
    pids="$(marked_pids)"
    # shellcheck disable=SC2086
    [[ -n "$pids" ]] && kill -9 $pids 2>/dev/null || true
}

cleanup() {
    end_marked
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok=0
for i in $(seq 1 "$RUNS"); do
    out="$WORK/run-$i.json"
    say "run $i of $RUNS: $URL"
    # --kill-after: a run that ignores the first signal is killed 10 s later.
    if timeout --kill-after=10 "$RUN_TIMEOUT" "$LIGHTHOUSE" "$URL" \
        --quiet \
        --only-categories=performance \
        --output=json \
        --output-path="$out" \
        --max-wait-for-load=45000 \
        --chrome-flags="$CHROME_FLAGS $MARKER" \
        >"$WORK/run-$i.log" 2>&1 \
        && [[ -s "$out" ]]; then
        ok=$((ok + 1))
    else
        say "run $i failed or timed out (last lines of its log follow)"
        tail -n 5 "$WORK/run-$i.log" >&2 || true
        rm -f "$out"
    fi
    # Chrome-launcher ends its Chromium itself; this catches one left by a failed run.
    end_marked
done

say "$ok of $RUNS runs produced a report"

node - "$WORK" "$RUNS" <<'NODE'
const fs = require('node:fs');
const path = require('node:path');
const [dir, runs] = process.argv.slice(2);
const reports = fs
  .readdirSync(dir)
  .filter((f) => /^run-\d+\.json$/.test(f))
  .map((f) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    } catch {
      return null;
    }
  })
  .filter((r) => r && r.audits && r.categories);

const num = (n, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const stat = (values, fmt, unit) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return 'n/a';
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return `${fmt(median)}${unit} (${fmt(v[0])}–${fmt(v[v.length - 1])}${unit})`;
};
const audit = (id) => reports.map((r) => r.audits[id] && r.audits[id].numericValue);
const ms = (x) => num(Math.round(x));
const rows = [
  ['LCP', stat(audit('largest-contentful-paint'), ms, ' ms'), '≤ 1,000 ms'],
  ['TBT', stat(audit('total-blocking-time'), ms, ' ms'), '≤ 50 ms'],
  ['CLS', stat(audit('cumulative-layout-shift'), (x) => num(x, 3), ''), '≤ 0.1'],
  [
    'performance score',
    stat(
      reports.map((r) => (r.categories.performance.score ?? NaN) * 100),
      (x) => num(Math.round(x)),
      '',
    ),
    '0–100',
  ],
  ['FCP', stat(audit('first-contentful-paint'), ms, ' ms'), '(context)'],
  ['Speed Index', stat(audit('speed-index'), ms, ' ms'), '(context)'],
  ['transferred', stat(audit('total-byte-weight'), (x) => num(Math.round(x)), ' B'), '(context)'],
];
for (const [name, value, target] of rows) console.log(`| ${name} | ${value} | ${target} |`);
console.error(`bench-lighthouse: medians of ${reports.length} of ${runs} runs`);
process.exit(reports.length > 0 ? 0 : 1);
NODE
