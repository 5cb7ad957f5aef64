#!/usr/bin/env bash
# `make bench` (issue #7): builds the release binaries, runs each scenario against SQLite and
# PostgreSQL on loopback, and writes docs/BENCHMARKS.md. Not part of `make test` or CI.
#
# Scenarios:
#   1. Respondent page weight: bytes as served (brotli) before the survey can be answered
#      (HTML + render-blocking CSS) and after full hydration (+ JS + WASM); then Lighthouse
#      (mobile profile, Debian's Chromium) on the same page.
#   2. Dashboard at scale: 1,000,000 answers bulk-loaded through the batched write path, then
#      the dashboard data call and the server-rendered page, cold (first call after start) and
#      warm (median of the next RUNS calls, with min and max).
#   3. Submit throughput: `bench throughput` (the `bench` crate), an open-loop generator
#      against the product and against a minimal axum + sqlx baseline in the same run.
#   4. Live fan-out: `bench fanout`, 1,000 dashboard streams while answers arrive.
#   5. The full crash (3 kills, 30 s) and hostile (10,000 requests) suites.
#   6. Audit log search: `bench audit`, 10,000 entries, each filter the log page offers.
# Every scenario runs on SQLite and on PostgreSQL (a throwaway cluster from
# scripts/with-postgres.sh) where the backend matters.
#
# Settings that differ from production are listed in the report. Protections stay on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/server"
BENCH="${CARGO_TARGET_DIR:-$ROOT/target}/release/bench"
export BENCH_SERVER_BIN="$BIN" BENCH_SITE_ROOT="$ROOT/target/site"
ANSWERS="${BENCH_ANSWERS:-1000000}"
RUNS="${BENCH_RUNS:-7}"
PORT="${BENCH_PORT:-3500}"
SITE="http://127.0.0.1:$PORT"
OUT="$ROOT/docs/BENCHMARKS.md"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/medborgarloften-bench.XXXXXX")"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { echo "bench: $*" >&2; }

build() {
    say "building the release binaries"
    make -s build >&2
    cargo build --release -p bench >&2
    # The load tools' own unit tests (form filling, percentiles, event parsing).
    cargo test --release -p bench >&2
}

# start_server DATABASE_URL: starts the release server with the demo data and $ANSWERS answers.
start_server() {
    local url="$1"
    DATABASE_URL="$url" DEMO_DATA=true DEMO_ANSWERS="$ANSWERS" \
        LEPTOS_SITE_ADDR="127.0.0.1:$PORT" SITE_URL="$SITE" \
        LEPTOS_SITE_ROOT=target/site LEPTOS_OUTPUT_NAME=medborgarloften \
        SECRET_KEY="bench-secret-key-0123456789abcdef-0123456789" \
        RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    local i
    for i in $(seq 1 1800); do
        if curl -sf "$SITE/healthz" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$WORK/server.log" >&2
            return 1
        fi
        sleep 1
    done
    say "the server did not start in 30 minutes"
    return 1
}

stop_server() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}

sign_in() {
    curl -s -o /dev/null -c "$WORK/cookies" -b "$WORK/cookies" -H "Origin: $SITE" \
        --data-urlencode "email=chef.kristinehamn@demo.polisen.se" \
        --data-urlencode "password=demo-losenord-2027" "$SITE/logga-in"
}

# time_ms METHOD PATH [BODY]: one request's total time in milliseconds.
time_ms() {
    local method="$1" path="$2" body="${3:-}"
    local t
    if [[ "$method" == POST ]]; then
        t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -b "$WORK/cookies" \
            -H "Origin: $SITE" -H 'Content-Type: application/x-www-form-urlencoded' \
            --data "$body" "$SITE$path")
    else
        t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -b "$WORK/cookies" "$SITE$path")
    fi
    local code="${t%% *}" secs="${t#* }"
    if [[ "$code" != 200 ]]; then
        say "$method $path answered $code"
        return 1
    fi
    awk -v s="$secs" 'BEGIN { printf "%.1f", s * 1000 }'
}

# stats: reads numbers, prints "median (min–max)".
stats() {
    sort -n | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.1f (%.1f–%.1f)", m, a[1], a[NR] }'
}

# dashboard BACKEND DATABASE_URL: prints one Markdown table row per measurement.
dashboard() {
    local backend="$1" url="$2"
    say "dashboard at $ANSWERS answers on $backend (bulk load first)"
    local t0=$SECONDS
    start_server "$url"
    local load=$((SECONDS - t0))
    sign_in
    local data_cold page_cold
    data_cold=$(time_ms POST /api/staff/dashboard "dialogue_id=1")
    page_cold=$(time_ms GET /personal/oversikt/1)
    local data=() page=() i
    for i in $(seq 1 "$RUNS"); do
        data+=("$(time_ms POST /api/staff/dashboard "dialogue_id=1")")
        page+=("$(time_ms GET /personal/oversikt/1)")
    done
    stop_server
    echo "| $backend | data call \`staff/dashboard\` | $data_cold | $(printf '%s\n' "${data[@]}" | stats) | ≤ 200 |"
    echo "| $backend | page \`/personal/oversikt/1\` | $page_cold | $(printf '%s\n' "${page[@]}" | stats) | ≤ 200 |"
    say "$backend: loaded and started in ${load} s"
}

# Bytes as served with brotli, of one path.
br_bytes() {
    curl -s -H 'Accept-Encoding: br' -o "$WORK/body" -w '%{size_download}' "$SITE$1"
}

page_weight() {
    say "respondent page weight"
    ANSWERS=0 start_server "sqlite://$WORK/weight.db?mode=rwc"
    local html css js wasm
    html=$(br_bytes /s/kh-invanare)
    curl -s "$SITE/s/kh-invanare" >"$WORK/page.html"
    local css_path js_path wasm_path
    css_path=$(grep -o 'href="/pkg/[^"]*\.css"' "$WORK/page.html" | head -1 | sed 's/href="//; s/"$//')
    js_path=$(grep -o '/pkg/[^"'"'"' ]*\.js' "$WORK/page.html" | head -1)
    wasm_path=$(grep -o '/pkg/[^"'"'"' ]*\.wasm' "$WORK/page.html" | head -1)
    [[ -n "$js_path" && -z "$wasm_path" ]] && wasm_path="${js_path%.js}_bg.wasm"
    css=0
    if [[ -n "$css_path" ]]; then css=$(br_bytes "$css_path"); fi
    js=$(br_bytes "$js_path")
    wasm=$(br_bytes "$wasm_path")
    # Lighthouse against the same server (scripts/bench-lighthouse.sh prints table rows).
    local lh
    lh=$(bash scripts/bench-lighthouse.sh "$SITE/s/kh-invanare" "${BENCH_LIGHTHOUSE_RUNS:-5}" \
        || echo "| Lighthouse | failed: see the log above | |")
    echo "$lh" >"$WORK/lighthouse.md"
    stop_server
    local first=$((html + css)) all=$((html + css + js + wasm))
    echo "| HTML \`/s/kh-invanare\` | $html |"
    echo "| render-blocking CSS ${css_path:-(none: the critical CSS is inlined in the HTML)} | $css |"
    echo "| **before the first answer can be given** (HTML + CSS) | **$first** (target ≤ 30,720) |"
    echo "| JS \`$js_path\` | $js |"
    echo "| WASM \`$wasm_path\` | $wasm |"
    echo "| **after full hydration** | **$all** (target ≤ 102,400; 153,600 at most) |"
}

# What profiling found and what changed (measured on this machine while building issue #7,
# 2026-12-01; the figures above are re-measured on every run, these are the record of before/after).
history() {
    cat <<'HISTORY'
## Missed targets: what limited them, what changed, before and after

Measured with this harness on the same 2-core machine (1–3 ladders each, so indicative; other
builds sometimes ran at the same time).

**Submit throughput, SQLite.** *Before:* every answer took a savepoint and four statements
(submission, browser, response, answers) inside the shared commit. `perf` on the server at 1,500
answers a second: a third of its samples were the kernel switching between the tokio workers and
sqlx's SQLite thread (each statement is a hand-off over a channel), and glibc's malloc/free another
sixth. The product held p99 ≤ 50 ms at 500 a second (p99 9.3 ms), missed at 1,000 (p99 131.8 ms)
and saturated at about 1,550 a second (2,000 offered: p50 119 ms, p99 781 ms), while the baseline
held 3,000–4,000. *Change 1:* the batch is stored with set-based statements (claims with
`ON CONFLICT DO NOTHING RETURNING`, multi-row response and answer INSERTs, merged counter upserts):
a handful of statements per batch instead of about six per answer, with the same outcome per answer
(tested in `db/tests/survey.rs`). After: 1,000 a second p99 11.3 ms; 2,000 p99 85 ms; 3,000 no longer
saturates (2,990 a second achieved). *Change 2:* mimalloc as the allocator. Server CPU per answer at
1,000–1,500 a second went from 972 µs to 505 µs.

**Submit throughput, PostgreSQL.** *Before (with change 1):* four writer tasks per instance. At 1,000
a second p99 was 142.6 ms and the server spent 547 µs of CPU per answer, 15 % of it in socket writes
to PostgreSQL: the queue split into four small batches, each paying its round trips, and the four
mostly waited on each other's row locks on the same counter rows. *Change:* one writer per instance
(and mimalloc). After: 1,000 a second p99 50.1 ms, 385 µs CPU per answer; the baseline (one writer)
held 1,500–3,000 in the same runs.

**Respondent page after hydration (target ≤ 100 KB).** *Before:* 142,588 B br (WASM 127,708 B br,
380,702 raw). `twiggy`: the island's view code (41 KB), float formatting pulled in by serde's error
messages (13.9 KB), serde/serde_json (39 KB), the question model's deserialisers. *Change:* the
survey island takes no props: the whole form is server-rendered children (it still posts without
JavaScript), and a small browser module reads the rules and texts from a JSON block with the
browser's `JSON.parse` and runs the same `domain` validation; gloo is gone. After: 62,611 B br (WASM
48,922 B br, 134,550 raw). What is left is Leptos's floor for islands, std's formatting and panic
strings (removing those needs nightly).

**Lighthouse LCP (target ≤ 1.0 s) and TBT (≤ 50 ms).** *Before:* LCP 1,587 ms (1,507–1,664), TBT
136 ms (99–419): the simulation counted the preloaded WASM into LCP, and hydration's walk of every
element with an `await` each was the longest task. *Change:* JS and WASM load after the load event,
the first frame and an idle callback (no preload), and the islands are found with one query. After:
LCP 714 ms (700–1,204), TBT 31 ms (18–72), score 100.

**Live fan-out memory.** *Before:* every stream that opened before its view's first frame existed
computed that frame itself: 100 screens opening at once ran 100 dashboard computations at 10,000
answers, and the server's RSS grew by 927 KB per stream. *Change:* the first subscriber computes the
frame and the others wait for it. After, at 1,000 streams: 31.5 KB per stream (see the table above
for this run's figure against the 20 KB target). Until `6cdda20` the fan-out's runs shared one
server, so only the first run's figure was from a fresh one (the later ones read 0 KB, reusing the
memory earlier streams had freed); each run now starts a fresh server. On fresh servers the figure
was 30.9–40.3 KB on SQLite and 22.8–37.4 KB on PostgreSQL, one-time costs included. Measured as
what the second half of the streams adds (the cost of one more stream): 36.2 KB (29.3–40.5) on
SQLite, missed, and 16.1 KB (15.4–45.5) on PostgreSQL. Tried and not kept: one pre-encoded SSE
event per frame shared by every stream (31.8 KB (14.3–60.5) on SQLite: inside the noise).

**The writer's connection.** *Before:* the writer took a connection from the shared pool for each
commit, and the pool hands its idle connections out in turn, so each commit ran on another
connection: a cold statement cache and, on SQLite, a page cache the previous commit through another
connection had invalidated. *Change:* the writer has a connection of its own
(`db::connect_writer`), as the baseline has. After, on SQLite: server CPU per answer 3–6 % lower
(342–343 → 321–338 µs at 3,000 a second; 258–264 → 248–258 µs at 4,000); the highest rate held
stayed 4,000–5,000 a second against the baseline's 5,000–6,000 in the same runs (ratio 0.67–1.00).
HISTORY
}

# The full crash (3 kills, 30 s) and hostile (10,000 requests) suites on both backends; prints
# their summary lines and the verdict.
robustness() {
    say "full crash and hostile suites"
    local log="$WORK/robust.log" verdict=passed
    if ! HOSTILE_REQUESTS="${BENCH_HOSTILE_REQUESTS:-10000}" CRASH_KILLS="${BENCH_CRASH_KILLS:-3}" \
        CRASH_SECONDS="${BENCH_CRASH_SECONDS:-30}" bash scripts/with-postgres.sh \
        cargo test --release -p server --features app/ssr --test hostile --test crash -- --include-ignored --nocapture \
        >"$log" 2>&1; then
        verdict=FAILED
    fi
    echo "Verdict: **$verdict**."
    echo
    echo '```'
    grep -E '^(hostile|crash): ' "$log" | grep -vE 'quoting the payload|payload progress' || true
    echo '```'
}

main() {
    build
    local commit cores ram when
    commit=$(git rev-parse --short HEAD)
    cores=$(nproc)
    ram=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
    when=$(date -u +%Y-%m-%dT%H:%MZ)

    local weight sqlite pg lighthouse
    weight=$(page_weight)
    lighthouse=$(cat "$WORK/lighthouse.md")
    sqlite=$(dashboard SQLite "sqlite://$WORK/bench.db?mode=rwc")
    # PostgreSQL: a throwaway server (scripts/with-postgres.sh), this script again inside it.
    pg=$(bash scripts/with-postgres.sh bash scripts/bench.sh --dashboard-pg || true)
    local submit_sqlite submit_pg
    say "submit throughput on SQLite"
    submit_sqlite=$("$BENCH" throughput sqlite || echo "SQLite: the run failed (see the log).")
    say "submit throughput on PostgreSQL"
    submit_pg=$(bash scripts/with-postgres.sh "$BENCH" throughput postgres \
        || echo "PostgreSQL: the run failed (see the log).")
    local fan_sqlite fan_pg
    say "live fan-out on SQLite"
    fan_sqlite=$("$BENCH" fanout sqlite || echo "| SQLite | the run failed (see the log) | | | | | | | |")
    say "live fan-out on PostgreSQL"
    fan_pg=$(bash scripts/with-postgres.sh "$BENCH" fanout postgres \
        || echo "| PostgreSQL | the run failed (see the log) | | | | | | | |")
    local audit_sqlite audit_pg
    say "audit log search on SQLite"
    audit_sqlite=$("$BENCH" audit sqlite || echo "SQLite: the run failed (see the log).")
    say "audit log search on PostgreSQL"
    audit_pg=$(bash scripts/with-postgres.sh "$BENCH" audit postgres \
        || echo "PostgreSQL: the run failed (see the log).")
    local robust
    robust=$(robustness)

    mkdir -p "$(dirname "$OUT")"
    {
        echo "# Benchmarks"
        echo
        echo "Written by \`make bench\` (\`scripts/bench.sh\`) on $when, commit \`$commit\`, on $cores cores and $ram."
        echo "Every server runs the release build with production settings; the load and the measuring"
        echo "client share the same cores. Settings that differ from production: \`DEMO_DATA=true\` with"
        echo "\`DEMO_ANSWERS=$ANSWERS\` for the dashboard (the bulk load), 0 for the page and the throughput and"
        echo "10,000 for the fan-out; a fixed \`SECRET_KEY\`; \`RUST_LOG=warn\`; and for the throughput and fan-out"
        echo "runs \`SUBMIT_PER_ADDRESS_PER_MINUTE=100000000\`, since every simulated respondent comes from"
        echo "127.0.0.1 (raised, never off). Rate limits, CSRF checks, the form token's minimum time, body limits"
        echo "and n < 5 suppression stay on everywhere."
        echo
        echo "## Dashboard at scale ($ANSWERS answers)"
        echo
        echo "Milliseconds, as \`curl\` sees them on loopback. Cold: the first call after start. Warm: median"
        echo "(min–max) of $RUNS calls."
        echo
        echo "| backend | what | cold | warm | target |"
        echo "|---|---|---|---|---|"
        echo "$sqlite"
        if [[ -n "$pg" ]]; then echo "$pg"; else echo "| PostgreSQL | not measured: the run failed | | | |"; fi
        echo
        echo "## Respondent page weight"
        echo
        echo "Bytes transferred with brotli, as served."
        echo
        echo "| what | bytes |"
        echo "|---|---|"
        echo "$weight"
        echo
        echo "## Respondent page speed (Lighthouse)"
        echo
        echo "Lighthouse 12.2.3, default mobile profile (simulated throttling), performance only, against"
        echo "Debian's Chromium on loopback; median (min–max) of ${BENCH_LIGHTHOUSE_RUNS:-5} runs."
        echo
        echo "| metric | median (min–max) | target |"
        echo "|---|---|---|"
        echo "$lighthouse"
        echo
        echo "## Submit throughput"
        echo
        echo "\`bench throughput\` (\`bench/\`): an open-loop generator (tokio + hyper) first loads each"
        echo "respondent's form as a fresh browser (its own cookie, submission id and signed form token), waits"
        echo "the form's minimum time (3 s, as in production), then posts the whole answer through the public"
        echo "\`POST /s/{link}\` at a fixed arrival rate, whatever the server's pace. Latency runs from the moment"
        echo "a post was due to its whole 303 answer. Rates rise until two in a row miss p99 ≤ 50 ms."
        echo "The **baseline**, in the same run and on the same database schema and demo data, is a minimal"
        echo "axum handler (\`bench/src/baseline.rs\`): the same checks (form token and minimum time, honeypot,"
        echo "per-address limit, submission id, openness, the questionnaire's validation, the browser hash), one"
        echo "writer, and batched multi-row INSERTs and counter upserts through sqlx with the same PRAGMAs,"
        echo "writing the same rows. The generator, the server under test and (for PostgreSQL) the database all"
        echo "share the 2 cores. Targets: ratio ≥ 0.5 (the gate); ≥ 5,000 a second on SQLite and ≥ 2,500 on"
        echo "PostgreSQL at p99 ≤ 50 ms (the goals)."
        echo
        echo "$submit_sqlite"
        echo
        echo "$submit_pg"
        echo
        echo "## Live fan-out"
        echo
        echo "\`bench fanout\`: ${BENCH_STREAMS:-1000} staff dashboard streams (\`/personal/oversikt/1/live\`, one"
        echo "connection each, one signed-in manager) on the demo dialogue with 10,000 answers; answers are posted"
        echo "one at a time at a steady rate, and every stream timestamps each event on arrival. Latency: from"
        echo "posting an answer to the first event on a stream whose total includes it (frames are coalesced"
        echo "to at most 2 a second by design). RSS growth: half the streams open first, then the rest; *per added"
        echo "stream* is what the second half added to the server's resident memory, per stream (the cost of one"
        echo "more open stream); *all-in* is the growth from before the first stream, per stream, with the streams"
        echo "open and at the end, which also holds one-time costs (the view's first frame, the database"
        echo "connections' caches). Median (min–max) of ${BENCH_FANOUT_RUNS:-3} runs, each on a fresh server"
        echo "(a server that has held streams before reuses the memory they freed, and would read low)."
        echo
        echo "| backend | streams | answers | p50 ms | p99 ms (≤ 1,000) | max ms | samples / missed | KB per added stream (≤ 20) | KB per stream all-in, open | all-in, end |"
        echo "|---|---|---|---|---|---|---|---|---|---|"
        echo "$fan_sqlite"
        echo "$fan_pg"
        echo
        history
        echo
        echo "## Audit log search (10,000 entries)"
        echo
        echo "\`bench audit\`: 10,000 entries by six staff members over a year in one LPO, then each query the"
        echo "log page makes (\`db::audit::search\`: the page of 50, the total, and the filter's choices) timed"
        echo "in the server process, median (min–max) of 21 calls after one warm-up. Target: ≤ 100 ms on SQLite."
        echo
        echo "$audit_sqlite"
        echo
        echo "$audit_pg"
        echo
        echo "## Crash under load and hostile input (full versions)"
        echo
        echo "\`server/tests/crash.rs\` with 3 \`kill -9\` over 30 s of load per backend, and"
        echo "\`server/tests/hostile.rs\` with 10,000 generated requests per backend (\`make test\` runs 1 kill"
        echo "and 1,000 requests). Raised for the crash suite, never off: \`SUBMIT_MIN_SECONDS=1\`,"
        echo "\`SUBMIT_PER_ADDRESS_PER_MINUTE=1000000\` (every client is 127.0.0.1)."
        echo
        echo "$robust"
    } >"$OUT"
    say "wrote $OUT"
}

if [[ "${1:-}" == --dashboard-pg ]]; then
    if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
        echo "| PostgreSQL | not measured: no PostgreSQL server binaries | | | |"
    else
        dashboard PostgreSQL "$TEST_DATABASE_URL"
    fi
    exit 0
fi
main "$@"
