#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Runs CMD with TEST_DATABASE_URL pointing at a PostgreSQL database.
# - If TEST_DATABASE_URL is already set, CMD simply runs against it.
# - Otherwise a throwaway cluster is created in a temp dir from the newest
#   /usr/lib/postgresql/*/bin, started on a free port (54329 upward), and always
#   stopped and removed afterwards. CMD's exit code is propagated.
# - Without PostgreSQL binaries: fails when CI=true, else warns and runs CMD
#   without TEST_DATABASE_URL (PostgreSQL tests then fail when run with
#   --include-ignored, as `make test` does, and show as ignored without it).
set -euo pipefail

log() { printf 'with-postgres: %s\n' "$*" >&2; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    exec "$@"
fi

PGBIN="$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1 || true)"
PGBIN="${PGBIN%/initdb}"
if [[ -z "$PGBIN" ]]; then
    if [[ "${CI:-}" == "true" ]]; then
        log "ERROR: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) found;"
        log "ERROR: install them (apt-get install -y postgresql, or run scripts/bootstrap.sh)"
        log "ERROR: or set TEST_DATABASE_URL to an existing database."
        exit 1
    fi
    log "WARNING: no PostgreSQL server binaries found; running without TEST_DATABASE_URL"
    log "WARNING: (PostgreSQL tests fail if run, and show as ignored if not)"
    exec "$@"
fi

# PostgreSQL refuses to run as root: run its tools as the `postgres` OS user then.
if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || { log "ERROR: running as root but no 'postgres' user exists"; exit 1; }
    as_pg() { (cd "$PGDIR" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$PGDIR" && "$@"); }
fi

PGDIR="$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")"
STARTED=0

cleanup() {
    local rc=$?
    if [[ $STARTED -eq 1 ]]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 \
            || as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 \
            || log "WARNING: could not stop the cluster in $PGDIR"
    fi
    rm -rf "$PGDIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$PGDIR"
fi

if ! as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres -E UTF8 --no-locale \
        >"$PGDIR/initdb.log" 2>&1; then
    log "ERROR: initdb failed:"
    cat "$PGDIR/initdb.log" >&2
    exit 1
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

PORT=54329
LAST_PORT=$((PORT + 50))
while :; do
    if [[ $PORT -gt $LAST_PORT ]]; then
        log "ERROR: could not start PostgreSQL on any port 54329..$LAST_PORT; last log:"
        tail -n 20 "$PGDIR/server.log" >&2 2>/dev/null || true
        exit 1
    fi
    if port_in_use "$PORT"; then
        PORT=$((PORT + 1))
        continue
    fi
    # Someone may take the port between the check and the start: then try the next.
    if as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
            -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c max_connections=200" \
            start >/dev/null 2>&1; then
        STARTED=1
        break
    fi
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    PORT=$((PORT + 1))
done

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
log "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') at $TEST_DATABASE_URL (data: $PGDIR)"

set +e
"$@"
rc=$?
set -e
exit "$rc"
