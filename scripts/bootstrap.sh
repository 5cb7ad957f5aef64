#!/usr/bin/env bash
# Install (or verify) every tool the build and tests need. Idempotent: each
# step checks first and skips quickly when already satisfied.
#
#   bash scripts/bootstrap.sh      # install / verify
#   source scripts/bootstrap.sh    # same, then also puts the tools on PATH
#
# Recipe and rationale: /work/shared/TOOLCHAIN.md (offline machine; only
# crates.io, npm, PyPI and Debian apt are reachable).

# --- when sourced: run in a child bash (so `set -e`/`exit` cannot hurt the
# caller's shell), then extend the caller's PATH on success.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    if bash "${BASH_SOURCE[0]}" "$@"; then
        __bootstrap_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
        export PATH="$__bootstrap_root/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
        unset __bootstrap_root
        return 0
    else
        return $?
    fi
fi

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130

say() { printf '[bootstrap] %s\n' "$*"; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when root, else through sudo.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

APT_UPDATED=0
apt_install() {
    if [[ $APT_UPDATED -eq 0 ]]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# Background cargo installs; killed if the script exits early.
CARGO_PIDS=()
CARGO_NAMES=()
CARGO_LOGS=()
cleanup() {
    local pid
    for pid in "${CARGO_PIDS[@]:-}"; do
        [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# Start `cargo install ARGS...` in the background, logging to a file.
# Runs from $HOME with CARGO_TARGET_DIR unset, so it neither picks up this
# workspace's .cargo/config.toml nor contends for the project's target dir lock.
LOG_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/bootstrap-logs"
start_cargo_install() {
    local name="$1"; shift
    mkdir -p "$LOG_DIR"
    local log="$LOG_DIR/$name.log"
    (cd "$HOME" && exec env -u CARGO_TARGET_DIR cargo install "$@") >"$log" 2>&1 &
    CARGO_PIDS+=("$!")
    CARGO_NAMES+=("$name")
    CARGO_LOGS+=("$log")
    say "$name: installing in background (log: $log)"
}

# ---------------------------------------------------------------- rust target
command -v rustup >/dev/null 2>&1 || die "rustup not found (expected in \$HOME/.cargo/bin)"
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
    say "wasm32-unknown-unknown target: ok"
else
    rustup target add wasm32-unknown-unknown >/dev/null
    say "wasm32-unknown-unknown target: installed"
fi

# ------------------------------------------------------------ cargo-leptos
# (started in the background; awaited at the end, after apt/npm steps)
if cargo leptos --version 2>/dev/null | grep -qwF "$CARGO_LEPTOS_VERSION"; then
    say "cargo-leptos $CARGO_LEPTOS_VERSION: ok"
else
    # --locked: 0.3.10's lockfile builds on rustc 1.95; no_downloads: use tools
    # from PATH (wasm-bindgen, wasm-opt) instead of fetching from GitHub.
    start_cargo_install cargo-leptos cargo-leptos --version "$CARGO_LEPTOS_VERSION" \
        --locked --features no_downloads
fi

# ---------------------------------------------------------- wasm-bindgen-cli
if wasm-bindgen --version 2>/dev/null | grep -qwF "$WASM_BINDGEN_VERSION"; then
    say "wasm-bindgen-cli $WASM_BINDGEN_VERSION: ok"
else
    # No --locked: its lockfile names a crate version the registry lacks.
    # Version must equal the wasm-bindgen crate in Cargo.lock.
    start_cargo_install wasm-bindgen-cli wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# ------------------------------------------------------------------ chromium
if [[ -x /usr/bin/chromium ]]; then
    say "chromium: ok"
else
    apt_install chromium
    [[ -x /usr/bin/chromium ]] || die "chromium installed but /usr/bin/chromium missing"
    say "chromium: installed"
fi

# ---------------------------------------------------------------- postgresql
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
    say "postgresql server binaries: ok"
else
    apt_install postgresql
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
        || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
    say "postgresql server binaries: installed"
fi

# ------------------------------------------------- python: the SMTP test server
# The tests read mail from a real SMTP server on loopback: aiosmtpd, from PyPI, in a venv
# under target/ (scripts/smtp-sink.py runs it). The version is pinned here.
AIOSMTPD_VERSION=1.4.6
PY="$ROOT/target/py/bin/python"
if [[ -x "$PY" ]] && "$PY" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
    say "aiosmtpd $AIOSMTPD_VERSION (target/py): ok"
else
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        apt_install python3 python3-venv
    fi
    rm -rf "$ROOT/target/py"
    python3 -m venv "$ROOT/target/py"
    "$PY" -m pip install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
    say "aiosmtpd $AIOSMTPD_VERSION (target/py): installed"
fi

# ------------------------------------------------------------- npm packages
# end2end/package.json holds Playwright, axe, Lighthouse and binaryen (wasm-opt).
# Skip when a stamp records that `npm ci` already ran for exactly this lockfile.
command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js >= 20"
E2E="$ROOT/end2end"
STAMP="$E2E/node_modules/.bootstrap-lock.sha256"
lock_hash="$(cat "$E2E/package.json" "$E2E/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$lock_hash" \
      && -x "$E2E/node_modules/.bin/playwright" && -x "$E2E/node_modules/.bin/wasm-opt" ]]; then
    say "npm packages (end2end): ok"
else
    (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error --update-notifier=false >/dev/null)
    printf '%s\n' "$lock_hash" >"$STAMP"
    say "npm packages (end2end): installed"
fi

# ------------------------------------------------- wait for cargo installs
failed=0
for i in "${!CARGO_PIDS[@]}"; do
    if wait "${CARGO_PIDS[$i]}"; then
        say "${CARGO_NAMES[$i]}: installed"
    else
        failed=1
        printf '[bootstrap] ERROR: %s install failed; last lines of %s:\n' \
            "${CARGO_NAMES[$i]}" "${CARGO_LOGS[$i]}" >&2
        tail -n 40 "${CARGO_LOGS[$i]}" >&2 || true
    fi
    CARGO_PIDS[$i]=""
done
[[ $failed -eq 0 ]] || exit 1

cargo leptos --version 2>/dev/null | grep -qwF "$CARGO_LEPTOS_VERSION" \
    || die "cargo-leptos $CARGO_LEPTOS_VERSION not on PATH after install"
wasm-bindgen --version 2>/dev/null | grep -qwF "$WASM_BINDGEN_VERSION" \
    || die "wasm-bindgen $WASM_BINDGEN_VERSION not on PATH after install"

say "done. PATH needed (the Makefile sets it itself):"
say "  export PATH=\"$ROOT/end2end/node_modules/.bin:\$HOME/.cargo/bin:\$PATH\""
