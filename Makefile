# SchoolBridge: the two commands are `make run` and `make test`. See README.md and
# docs/design/001-build-and-toolchain.md. Tool versions and their traps: docs/toolchain.md.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# Tools installed by scripts/install-tools.sh: cargo's bin dir (trunk, wasm-bindgen,
# wasm-bindgen-test-runner) and npm's binaryen (wasm-opt 132). Trunk finds them on PATH and,
# with --offline, never tries to download its own.
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/tools/node_modules/.bin:$(CARGO_BIN):$(PATH)

TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
SERVER_BIN := $(TARGET_DIR)/debug/schoolbridge

# `make run`
LISTEN ?= 127.0.0.1:8080
DATA_DIR ?= $(CURDIR)/data

# Headless Chromium for the wasm component tests (.cargo/config.toml sets the same defaults).
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_WEBDRIVER_JSON ?= $(CURDIR)/webdriver.json

.PHONY: help run test demo bench fmt clean-data \
	tools test-tools fetch console server \
	fmt-check lint test-build test-native test-wasm test-php test-moodle moodle-fixture \
	release deb test-deb moodle-zips

help:
	@echo "make run         install the tools, build the console and start the server on http://$(LISTEN)"
	@echo "make test        install the tools, then format check, clippy, builds, native, browser, wasm and PHP tests"
	@echo "make demo        the server plus a simulated Moodle, peered, with a demo school loaded"
	@echo "make bench       the benchmarks of BENCHMARKS.md (criterion and the load tool)"
	@echo "make release     target/release/schoolbridge: one file, the console inside"
	@echo "make deb         the Debian package of the release build, in target/deb/"
	@echo "make moodle-zips the Moodle plugin as target/moodle/local_schooltool.zip"
	@echo "make fmt         format all Rust code"
	@echo "make clean-data  delete ./data and ./test-artifacts"

# --- the two commands -------------------------------------------------------------------------

run: tools console server
	@echo "SchoolBridge console: http://$(LISTEN)/  (Ctrl-C stops the server)"
	mkdir -p "$(DATA_DIR)"
	SCHOOLBRIDGE_LISTEN="$(LISTEN)" \
	SCHOOLBRIDGE_CONSOLE_DIR="$(CURDIR)/dist" \
	SCHOOLBRIDGE_DATA_DIR="$(DATA_DIR)" \
	SCHOOLBRIDGE_WWWROOT="http://$(LISTEN)" \
	exec "$(SERVER_BIN)" serve

# Stages run in order and stop at the first failure; cheap checks come first. The console is
# built before clippy because the server is checked and tested with it inside (embed-console,
# as a release carries it).
test: test-tools
	@$(MAKE) fmt-check
	@$(MAKE) console
	@$(MAKE) lint
	@$(MAKE) test-build
	@$(MAKE) test-native
	@$(MAKE) test-wasm
	@$(MAKE) test-php
	@$(MAKE) test-moodle
	@$(MAKE) test-deb
	@echo "make test: all stages passed"

# --- the demo and the benchmarks ----------------------------------------------------------------

demo: tools console
	cargo build -p schoolbridge -p moodle-sim
	scripts/demo.sh

# The benchmarks of BENCHMARKS.md (run by hand on a quiet machine; figures are committed).
bench:
	cargo bench -p mnet
	scripts/bench-load.sh

# --- deploying ---------------------------------------------------------------------------------

# The one file a school installs: the release server with the console (and its brotli and gzip
# copies) inside. docs/design/013-deployment.md has the build times.
release: tools console
	cargo build --release -p schoolbridge --features embed-console

deb: release
	bash scripts/build-deb.sh "$(TARGET_DIR)/release/schoolbridge" "$(TARGET_DIR)/deb"

moodle-zips:
	bash scripts/moodle-zips.sh "$(TARGET_DIR)/moodle"

# --- pieces -----------------------------------------------------------------------------------

tools:
	bash scripts/install-tools.sh

test-tools:
	bash scripts/install-tools.sh --test

# `trunk build --offline` makes cargo offline too: download every crate first.
fetch:
	cargo fetch --quiet

# The console's wasm, optimised (wasm-release profile, wasm-opt -Oz), into dist/ — again only
# when one of its inputs changed, so a second `make demo` or `make run` starts at once.
CONSOLE_INPUTS := index.html Trunk.toml Cargo.toml Cargo.lock .cargo/config.toml \
	$(shell find src style crates/api crates/mnet/src crates/mnet/Cargo.toml -type f 2>/dev/null)

console: dist/index.html

dist/index.html: $(CONSOLE_INPUTS)
	cargo fetch --quiet
	trunk build --release --offline

# The server alone, for `make run`.
server:
	cargo build -p schoolbridge

# The server is built, linted and tested as it ships: with the console inside.
SERVER_FEATURES := --features schoolbridge/embed-console

# For `make test`: the server binary (which tests/browser.rs starts) and every native test,
# in one build. Built together, they share one feature resolution with `cargo test --workspace`,
# which then compiles nothing; a separate `cargo build -p schoolbridge` resolves features
# without the dev-dependencies and compiles most dependencies a second time (about 3.5 minutes).
test-build:
	cargo build --workspace --bins --tests $(SERVER_FEATURES)

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

# Native clippy over everything, then the console for wasm32 (its browser-only code is
# compiled out on the host and would otherwise never be linted).
lint:
	cargo clippy --workspace --all-targets $(SERVER_FEATURES) -- -D warnings
	cargo clippy --target wasm32-unknown-unknown -p schoolbridge-console --no-deps --all-targets -- -D warnings

# Native unit and integration tests, including tests/browser.rs (real server + Chromium, needs
# dist/ and the server binary). PostgreSQL tests run when the test database answers.
test-native:
	@db_url="$${SCHOOLBRIDGE_TEST_DATABASE_URL:-$$(bash scripts/install-tools.sh --database-url)}"; \
	if [ -n "$$db_url" ]; then \
		export SCHOOLBRIDGE_TEST_DATABASE_URL="$$db_url"; \
		echo "PostgreSQL tests: on ($${db_url%%:*}://…@$${db_url#*@})"; \
	else \
		echo "PostgreSQL tests: off (no test database; scripts/install-tools.sh --test sets one up)"; \
	fi; \
	echo "cargo test --workspace $(SERVER_FEATURES) (the real-Moodle tests run in test-moodle)"; \
	cargo test --workspace $(SERVER_FEATURES) -- --skip real_moodle::

# wasm-bindgen tests: in headless Chromium (run_in_browser) or Node, per test binary.
test-wasm:
	cargo test --target wasm32-unknown-unknown -p schoolbridge-console -p mnet

# Real, unmodified Moodle 4.5 and 5.1 (../shared/moodle), installed once into template databases
# by scripts/moodle-fixture.sh, then the end-to-end tests under real_moodle:: (tests/browser/moodle/),
# one at a time: a Moodle version is served on one fixed port.
moodle-fixture:
	bash scripts/moodle-fixture.sh install

test-moodle: moodle-fixture
	@mkdir -p test-artifacts; started=$$SECONDS; \
	cargo test --workspace $(SERVER_FEATURES) --test browser real_moodle:: -- --test-threads=1 2>&1 | tee test-artifacts/real-moodle.log; \
	status=$${PIPESTATUS[0]}; \
	summary="$$(grep -E '^test result:' test-artifacts/real-moodle.log | tail -n1)"; \
	echo "real Moodle stage: $${summary:-no result} ($$((SECONDS - started)) s)"; \
	exit $$status

test-php:
	@if [ -f scripts/test-php.sh ]; then bash scripts/test-php.sh; \
	else echo "test-php: scripts/test-php.sh not present yet, skipped"; fi
	bash scripts/moodle-zips.sh "$(TARGET_DIR)/moodle"

# The Debian package of the debug build (the release build's LTO costs minutes that this check
# does not need): installed, run as its service user, peered with the real Moodle 4.5, removed
# and purged. Needs root or sudo.
test-deb: moodle-fixture
	bash scripts/test-deb.sh "$(TARGET_DIR)/debug/schoolbridge"

clean-data:
	rm -rf "$(DATA_DIR)" "$(CURDIR)/test-artifacts"
