#!/usr/bin/env bash
# Installs what `make run` and `make test` need, and nothing that is already there.
#
#   scripts/install-tools.sh                 build tools: the wasm32 target, trunk, wasm-bindgen-cli
#                                            (with wasm-bindgen-test-runner), wasm-opt (npm binaryen),
#                                            brotli (the console's compressed copies)
#   scripts/install-tools.sh --test          the build tools plus the test tools: Debian chromium and
#                                            chromium-driver, poppler-utils, npm axe-core, PostgreSQL (started, loopback
#                                            only, with the test role and databases), php-cli and
#                                            php-xml, zip and unzip (the Moodle plugin ZIP), curl (the
#                                            package test)
#   scripts/install-tools.sh --database-url  print the test database URL if PostgreSQL answers on it,
#                                            nothing otherwise; installs nothing
#
# Every step checks a version or a `command -v` first, so a second run takes a second or two.
# Safe to run as root on a fresh Debian 12 machine (apt-get and PostgreSQL set-up need root or sudo).
# The versions and their traps are in docs/toolchain.md; the reasons are in
# docs/design/001-build-and-toolchain.md.
set -euo pipefail

readonly TRUNK_VERSION="0.21.14"
readonly BINARYEN_VERSION="132"
readonly AXE_VERSION="4.14.1"
readonly PG_ROLE="schoolbridge"
readonly PG_DATABASES=("schoolbridge" "schoolbridge_test")
readonly PG_TEST_DATABASE="schoolbridge_test"
# A loopback-only database for development and tests; override for anything else.
readonly PG_PASSWORD="${SCHOOLBRIDGE_PG_PASSWORD:-schoolbridge}"
readonly PG_HOST="127.0.0.1"
readonly PG_PORT="${SCHOOLBRIDGE_PG_PORT:-5432}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$cargo_bin:$PATH"

say() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'install-tools: %s\n' "$*" >&2
    exit 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres "$@"
    fi
}

# The wasm-bindgen version the console links against: trunk and the test runner must match it.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' \
        "$repo_root/Cargo.lock"
}

# --- Debian packages --------------------------------------------------------------------------

apt_updated=0
apt_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "apt-get install ${missing[*]}"
    if [ "$apt_updated" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get -o DPkg::Lock::Timeout=600 -qq update
        apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
}

# --- build tools ------------------------------------------------------------------------------

rust_target_and_components() {
    command -v rustup >/dev/null || die "rustup is missing: install Rust (see docs/toolchain.md)"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "rustup target add wasm32-unknown-unknown"
        rustup target add wasm32-unknown-unknown
    fi
    local component
    for component in rustfmt clippy; do
        if ! rustup component list --installed | grep -q "^${component}"; then
            say "rustup component add $component"
            rustup component add "$component"
        fi
    done
}

installed_version() { # binary, prints "name X.Y.Z" or nothing
    if [ -x "$cargo_bin/$1" ]; then
        "$cargo_bin/$1" --version 2>/dev/null | head -n1 || true
    fi
}

wasm_bindgen_cli() {
    local version
    version="$(wasm_bindgen_version)"
    [ -n "$version" ] || die "no wasm-bindgen in Cargo.lock"
    if [ "$(installed_version wasm-bindgen)" = "wasm-bindgen $version" ] &&
        [ -x "$cargo_bin/wasm-bindgen-test-runner" ]; then
        return 0
    fi
    # Not --locked: wasm-bindgen-cli's own lockfile pins a yanked crate (docs/toolchain.md).
    say "cargo install wasm-bindgen-cli --version $version"
    cargo install --force wasm-bindgen-cli --version "$version"
}

trunk_cli() {
    [ "$(installed_version trunk)" = "trunk $TRUNK_VERSION" ] && return 0
    # Someone (another shell, another make) may be compiling trunk right now: two builds would
    # race for the same binary and cost ten minutes of both cores each. Wait for theirs.
    if command -v pgrep >/dev/null && pgrep -f "cargo install.*[ ]trunk( |$)" >/dev/null 2>&1; then
        say "trunk is being installed by another process; waiting for it (30 minutes at most)"
        local waited=0
        while [ "$waited" -lt 1800 ] && pgrep -f "cargo install.*[ ]trunk( |$)" >/dev/null 2>&1; do
            sleep 10
            waited=$((waited + 10))
        done
        [ "$(installed_version trunk)" = "trunk $TRUNK_VERSION" ] && return 0
    fi
    say "cargo install --locked trunk --version $TRUNK_VERSION (about 10 minutes on 2 cores)"
    cargo install --locked --force trunk --version "$TRUNK_VERSION"
}

# One npm package at an exact version into tools/ (the caller has checked it is not there yet).
npm_tool() {
    command -v npm >/dev/null || apt_install nodejs npm
    say "npm install --prefix tools $1@$2"
    npm install --prefix "$repo_root/tools" --save-exact --no-audit --no-fund --loglevel=error "$1@$2"
}

wasm_opt() {
    # Never Debian's binaryen (wasm-opt 108): it produces a wasm that does not start.
    local bin="$repo_root/tools/node_modules/.bin/wasm-opt"
    if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "version_${BINARYEN_VERSION}"; then
        return 0
    fi
    npm_tool binaryen "$BINARYEN_VERSION"
}

check_trunk_pins() {
    # Trunk.toml pins wasm-bindgen so trunk never tries to download one; keep it equal to the lock.
    local locked pinned
    locked="$(wasm_bindgen_version)"
    pinned="$(sed -n 's/^wasm_bindgen *= *"\([^"]*\)".*/\1/p' "$repo_root/Trunk.toml")"
    [ "$locked" = "$pinned" ] ||
        die "Trunk.toml pins wasm_bindgen = \"$pinned\" but Cargo.lock has $locked: update Trunk.toml"
}

# --- test tools -------------------------------------------------------------------------------

install_browser() {
    # poppler-utils: pdftotext and pdftoppm, which read the transcript Chromium prints to PDF
    # (tests/browser/sis_transcript.rs).
    apt_install chromium chromium-driver poppler-utils
}

install_php() {
    apt_install php-cli php-xml
}

# The Moodle plugin's ZIP (scripts/moodle-zips.sh) and the package test (scripts/test-deb.sh).
install_packaging_tools() {
    apt_install zip unzip curl
}

axe_core() {
    # The accessibility engine the browser tests run on every console page
    # (tests/browser/accessibility.rs): npm axe-core, next to binaryen in tools/.
    local found="$repo_root/tools/node_modules/axe-core/package.json"
    if [ -f "$found" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$found"; then
        return 0
    fi
    npm_tool axe-core "$AXE_VERSION"
}

pg_version() {
    pg_lsclusters --no-header 2>/dev/null | awk '$2 == "main" { print $1; exit }'
}

database_url() {
    printf 'postgres://%s:%s@%s:%s/%s\n' "$PG_ROLE" "$PG_PASSWORD" "$PG_HOST" "$PG_PORT" \
        "$PG_TEST_DATABASE"
}

database_answers() {
    command -v psql >/dev/null &&
        PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 psql -h "$PG_HOST" -p "$PG_PORT" \
            -U "$PG_ROLE" -d "$PG_TEST_DATABASE" -tAqc 'SELECT 1' >/dev/null 2>&1
}

setup_postgres() {
    if database_answers; then
        say "PostgreSQL: $(database_url)"
        return 0
    fi
    apt_install postgresql
    local version
    version="$(pg_version)"
    [ -n "$version" ] || die "no PostgreSQL cluster 'main' (pg_lsclusters shows none)"
    local conf="/etc/postgresql/$version/main/postgresql.conf"
    if ! grep -Eq "^listen_addresses *= *'127\.0\.0\.1'" "$conf"; then
        say "PostgreSQL $version: listen on 127.0.0.1 only"
        as_root sed -i -E "s/^#?[[:space:]]*listen_addresses[[:space:]]*=.*/listen_addresses = '127.0.0.1'/" "$conf"
        if pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q online; then
            as_root pg_ctlcluster "$version" main restart
        fi
    fi
    if ! pg_lsclusters --no-header | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q online; then
        say "pg_ctlcluster $version main start"
        as_root pg_ctlcluster "$version" main start
    fi
    # Identifiers are constants above; the password is quoted as a SQL literal.
    local password_sql="'${PG_PASSWORD//\'/\'\'}'"
    if [ "$(as_postgres psql -tAqc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" = 1 ]; then
        as_postgres psql -qc "ALTER ROLE $PG_ROLE LOGIN CREATEDB PASSWORD $password_sql" >/dev/null
    else
        say "PostgreSQL: create role $PG_ROLE"
        as_postgres psql -qc "CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD $password_sql" >/dev/null
    fi
    local db
    for db in "${PG_DATABASES[@]}"; do
        if [ "$(as_postgres psql -tAqc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
            say "PostgreSQL: create database $db"
            as_postgres createdb -O "$PG_ROLE" "$db"
        fi
    done
    database_answers || die "PostgreSQL does not answer at $(database_url)"
    say "PostgreSQL: $(database_url)"
}

# --- main -------------------------------------------------------------------------------------

main() {
    local with_test_tools=0
    case "${1:-}" in
        "") ;;
        --test) with_test_tools=1 ;;
        --database-url)
            if database_answers; then database_url; fi
            return 0
            ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            return 0
            ;;
        *) die "unknown option: $1 (try --help)" ;;
    esac

    local started=$SECONDS
    rust_target_and_components
    check_trunk_pins
    # Quick installs first, so that a trunk build already under way elsewhere can finish meanwhile.
    wasm_bindgen_cli
    wasm_opt
    # scripts/precompress.sh (Trunk's post_build hook) writes the console's .br copies with it.
    apt_install brotli
    trunk_cli
    if [ "$with_test_tools" -eq 1 ]; then
        install_browser
        axe_core
        install_php
        install_packaging_tools
        setup_postgres
    fi
    say "tools ready ($((SECONDS - started)) s)"
}

main "$@"
