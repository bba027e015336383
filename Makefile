# SchoolBridge: the two commands are `make run` and `make test`. See README.md and
# docs/design/001-build-and-toolchain.md. Tool versions: ../shared/TOOLCHAIN.md.

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
	fmt-check lint test-build test-native test-wasm test-php

help:
	@echo "make run         install the tools, build the console and start the server on http://$(LISTEN)"
	@echo "make test        install the tools, then format check, clippy, builds, native, browser, wasm and PHP tests"
	@echo "make demo        the server plus a simulated Moodle, peered, with a demo school loaded"
	@echo "make bench       the benchmarks of BENCHMARKS.md (criterion and the load tool)"
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

# Stages run in order and stop at the first failure; cheap checks come first.
test: test-tools
	@$(MAKE) fmt-check
	@$(MAKE) lint
	@$(MAKE) console
	@$(MAKE) test-build
	@$(MAKE) test-native
	@$(MAKE) test-wasm
	@$(MAKE) test-php
	@echo "make test: all stages passed"

# --- the demo and the benchmarks ----------------------------------------------------------------

demo: tools console
	cargo build -p schoolbridge -p moodle-sim
	scripts/demo.sh

# The benchmarks of BENCHMARKS.md (run by hand on a quiet machine; figures are committed).
bench:
	cargo bench -p mnet
	scripts/bench-load.sh

# --- pieces -----------------------------------------------------------------------------------

tools:
	bash scripts/install-tools.sh

test-tools:
	bash scripts/install-tools.sh --test

# `trunk build --offline` makes cargo offline too: download every crate first.
fetch:
	cargo fetch --quiet

# The console's wasm, optimised (wasm-release profile, wasm-opt -Oz), into dist/.
console: fetch
	trunk build --release --offline

# The server alone, for `make run`.
server:
	cargo build -p schoolbridge

# For `make test`: the server binary (which tests/browser.rs starts) and every native test,
# in one build. Built together, they share one feature resolution with `cargo test --workspace`,
# which then compiles nothing; a separate `cargo build -p schoolbridge` resolves features
# without the dev-dependencies and compiles most dependencies a second time (about 3.5 minutes).
test-build:
	cargo build --workspace --bins --tests

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

# Native clippy over everything, then the console for wasm32 (its browser-only code is
# compiled out on the host and would otherwise never be linted).
lint:
	cargo clippy --workspace --all-targets -- -D warnings
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
	echo "cargo test --workspace"; \
	cargo test --workspace

# wasm-bindgen tests: in headless Chromium (run_in_browser) or Node, per test binary.
test-wasm:
	cargo test --target wasm32-unknown-unknown -p schoolbridge-console -p mnet

test-php:
	@if [ -f scripts/test-php.sh ]; then bash scripts/test-php.sh; \
	else echo "test-php: scripts/test-php.sh not present yet, skipped"; fi

clean-data:
	rm -rf "$(DATA_DIR)" "$(CURDIR)/test-artifacts"
