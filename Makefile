# Build, run and test Medborgarlöften. GNU make.
#
#   make bootstrap   install / verify tools (idempotent; fast when done)
#   make build       release build (server + WASM) via cargo-leptos
#   make run         build, then run the server (loads .env if present)
#   make lint        rustfmt + clippy (ssr and hydrate sides)
#   make unit        cargo tests, with a throwaway PostgreSQL
#   make e2e         Playwright tests against the release build
#   make test        bootstrap, lint, build, unit, e2e (timed; used by .ci/run)
#   make bench       scripts/bench.sh, when it exists
#   make screenshots full-page pictures for review (end2end/screenshots/; not tests)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

# Cargo build output. Can be pointed at a cache outside the clone, e.g.
#   make test CARGO_TARGET_DIR=/var/cache/medborgarloften/target
# (cargo-leptos still writes the site to ./target/site, per Cargo.toml metadata).
export CARGO_TARGET_DIR ?= $(CURDIR)/target

# Tools: wasm-opt/playwright/lighthouse from npm, cargo-leptos/wasm-bindgen from cargo.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Lighthouse (make bench) uses Debian's Chromium.
export CHROME_PATH ?= /usr/bin/chromium

SERVER_BIN  := $(CARGO_TARGET_DIR)/release/server
PHASE_TIMES := $(CARGO_TARGET_DIR)/phase-times.txt
TIMED       := bash scripts/timed.sh

# Defaults for `make run`. Precedence: environment / make command line, then
# .env, then these defaults. (Not exported, so .env can override them.)
DATABASE_URL     ?= sqlite://data/medborgarloften.db?mode=rwc
DEMO_DATA        ?= true
LEPTOS_SITE_ADDR ?= 127.0.0.1:3000
SITE_URL         ?= http://127.0.0.1:3000

# Phase commands, shared by the single targets and `make test`. (`make test`
# calls them directly, not through a recursive make, so `make -n test` stays a
# dry run.)
BUILD_CMD    := cargo leptos build --release && node scripts/precompress.js target/site/pkg
LINT_FMT     := cargo fmt --all --check
# no import loops between a crate's module files (issue #15)
LINT_LOOPS   := node scripts/import-loops.js
# ssr side
LINT_SSR     := cargo clippy --release -p server -p db -p domain -p app -p bench --features app/ssr --all-targets -- -D warnings
# hydrate side
LINT_HYDRATE := cargo clippy --release -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
# `app` is tested through `server` (testing it alone would unify its ssr and
# hydrate features). The PostgreSQL half of every `db::backend_test!` is
# #[ignore]d so that a bare `cargo test` reports it as ignored rather than passed;
# here it runs (`--include-ignored`) against the throwaway cluster, and fails if
# there is none.
UNIT_CMD     := bash scripts/with-postgres.sh cargo test --release -p domain -p db -p app -p server --features app/ssr -- --include-ignored
E2E_CMD      := cd end2end && npx playwright test
SHOTS_CMD    := cd end2end && npx playwright test --config screenshots.config.ts

.PHONY: all bootstrap build run lint unit e2e test bench screenshots

all: build

bootstrap:
	bash scripts/bootstrap.sh

build: bootstrap
	$(BUILD_CMD)

# The server prints its own address.
run: build
	@mkdir -p data
	@saved_env="$$(export -p)"; \
	if [[ -f .env ]]; then set -a; . ./.env; set +a; { eval "$$saved_env"; } 2>/dev/null || true; fi; \
	export DATABASE_URL="$${DATABASE_URL:-$(DATABASE_URL)}"; \
	export DEMO_DATA="$${DEMO_DATA:-$(DEMO_DATA)}"; \
	export LEPTOS_SITE_ADDR="$${LEPTOS_SITE_ADDR:-$(LEPTOS_SITE_ADDR)}"; \
	export SITE_URL="$${SITE_URL:-$(SITE_URL)}"; \
	export LEPTOS_SITE_ROOT=target/site; \
	export LEPTOS_OUTPUT_NAME=medborgarloften; \
	exec "$(SERVER_BIN)"

lint:
	$(LINT_FMT)
	$(LINT_LOOPS)
	$(LINT_SSR)
	$(LINT_HYDRATE)

unit:
	$(UNIT_CMD)

e2e:
	$(E2E_CMD)

# Against the release build, like e2e (run `make build` first).
screenshots:
	$(SHOTS_CMD)

# Runs every phase in order, stops at the first failure, and always prints the
# seconds spent per phase (from $(PHASE_TIMES)).
test:
	@rm -f "$(PHASE_TIMES)"; \
	rc=0; \
	{ $(TIMED) bootstrap bash scripts/bootstrap.sh \
	  && $(TIMED) lint bash -c '$(LINT_FMT) && $(LINT_LOOPS) && $(LINT_SSR) && $(LINT_HYDRATE)' \
	  && $(TIMED) build bash -c '$(BUILD_CMD)' \
	  && $(TIMED) unit $(UNIT_CMD) \
	  && $(TIMED) e2e bash -c '$(E2E_CMD)'; } || rc=$$?; \
	echo "==> phase times (seconds)"; \
	if [[ -f "$(PHASE_TIMES)" ]]; then \
	  cat "$(PHASE_TIMES)"; \
	  awk '{ s += $$2 } END { print "total " s }' "$(PHASE_TIMES)"; \
	fi; \
	if [[ $$rc -eq 0 ]]; then echo "==> make test: OK"; else echo "==> make test: FAILED (exit $$rc)" >&2; fi; \
	exit $$rc

bench:
	@if [[ -f scripts/bench.sh ]]; then \
	  bash scripts/bench.sh; \
	else \
	  echo "bench: not yet (scripts/bench.sh does not exist)"; \
	fi
