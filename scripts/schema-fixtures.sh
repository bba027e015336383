#!/usr/bin/env bash
# Writes the database fixtures the upgrade tests start from (crates/server/tests/fixtures/schema/,
# whose README says which schema versions exist and why): one database per schema version
# SchoolBridge has shipped, on SQLite and PostgreSQL, each made the way that version made it.
#
#   scripts/schema-fixtures.sh current   the schema of this checkout, made by this checkout's
#                                        binaries: a server with an administrator, peered with
#                                        moodle-sim, which pushes a small school; then dumped
#                                        (sqlite3 .dump, pg_dump --inserts), gzip-compressed. Run it when a release
#                                        ships a new schema version, and commit the output as
#                                        v<version>/ — never change an existing one.
#   scripts/schema-fixtures.sh v2        schema 2 as commit a8f0638 defined it (migrations 0001 and
#                                        0002 taken from git), with the rows of v2/data.sql.
#
# Each dump is written as <engine>.sql.gz by `gzip -n -9` (no name or time inside, so the same dump
# makes the same file): they are data, large and alike, and the README says why they are stored so.
#
# Needs: sqlite3, pg_dump and psql, a PostgreSQL that the test URL reaches
# (scripts/install-tools.sh --test), and `cargo build -p schoolbridge -p moodle-sim`.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fixtures="$repo/crates/server/tests/fixtures/schema"
target="${CARGO_TARGET_DIR:-$repo/target}"
pg_url="${SCHOOLBRIDGE_TEST_DATABASE_URL:-postgres://schoolbridge:schoolbridge@127.0.0.1:5432/schoolbridge_test}"

need_tools sqlite3 pg_dump psql

work="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A scratch PostgreSQL database; prints its URL.
scratch_pg() {
    local name="sbfixture_$1_$$"
    psql "$pg_url" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
    echo "${pg_url%/*}/$name"
}

drop_pg() { psql "$pg_url" -qc "DROP DATABASE IF EXISTS ${1##*/} WITH (FORCE)" >/dev/null; }

# pg_dump's output as the tests load it: data as INSERTs, no owners or grants, and no psql
# meta-commands (\restrict and the like), which only psql understands.
pg_dump_plain() {
    pg_dump --inserts --no-owner --no-privileges --no-comments --no-publications \
        --no-subscriptions "$1" | grep -v '^\\'
}

# Stdin to $1, gzip-compressed the same way every time.
write_gz() { gzip -n -9 >"$1"; }

# The current schema, made by this checkout: serve, an admin, moodle-sim pushes a school.
make_current() {
    local sb="$target/debug/schoolbridge" sim="$target/debug/moodle-sim"
    [ -x "$sb" ] && [ -x "$sim" ] || die "build first: cargo build -p schoolbridge -p moodle-sim"
    local version
    version="$("$sb" --version | sed -n 's/^database schema: //p')"
    [ -n "$version" ] || die "cannot read the schema version from schoolbridge --version"
    local out="$fixtures/v$version"
    mkdir -p "$out"
    # One master key for both engines, kept with the fixture (it opens the fixture's site keys).
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/master.key"
    echo >>"$work/master.key"

    local engine
    for engine in sqlite postgres; do
        local data="$work/$engine" sb_port sim_port db_url=""
        mkdir -p "$data"
        cp "$work/master.key" "$data/master.key"
        chmod 600 "$data/master.key"
        sb_port="$(free_port)"
        sim_port="$(free_port)"
        if [ "$engine" = postgres ]; then db_url="$(scratch_pg "$version")"; fi
        (
            export SCHOOLBRIDGE_DATA_DIR="$data" SCHOOLBRIDGE_LISTEN="127.0.0.1:$sb_port" \
                SCHOOLBRIDGE_WWWROOT="http://127.0.0.1:$sb_port" SCHOOLBRIDGE_CONSOLE_DIR="$work/none" \
                SCHOOLBRIDGE_SITE_NAME="Fixture High"
            if [ -n "$db_url" ]; then export SCHOOLBRIDGE_DATABASE_URL="$db_url"; fi
            echo "fixture-password-1" | "$sb" user add principal --firstname Seymour \
                --lastname Skinner --role admin >/dev/null
            "$sb" serve >"$data/serve.log" 2>&1 &
            echo $! >"$data/serve.pid"
            for _ in $(seq 1 100); do
                curl -fsS "http://127.0.0.1:$sb_port/healthz" >/dev/null 2>&1 && break
                sleep 0.2
            done
            "$sim" scenario --schoolbridge "http://127.0.0.1:$sb_port" \
                --listen "127.0.0.1:$sim_port" --wwwroot "http://127.0.0.1:$sim_port" \
                --site-name "Fixture Moodle" --students 6 --teachers 2 --sections 2 \
                --sections-per-student 2 --assessments-per-section 2 --wait-for-peer \
                >"$data/sim.log" 2>&1 &
            echo $! >"$data/sim.pid"
            for _ in $(seq 1 100); do
                curl -fsS "http://127.0.0.1:$sim_port/" >/dev/null 2>&1 && break
                sleep 0.2
            done
            "$sb" peer add "http://127.0.0.1:$sim_port" --yes >/dev/null
            wait "$(cat "$data/sim.pid")" || { cat "$data/sim.log"; exit 1; }
            grep -q "changes sent in" "$data/sim.log" || { cat "$data/sim.log"; exit 1; }
            "$sb" user grant --peer "http://127.0.0.1:$sim_port" >/dev/null
            kill "$(cat "$data/serve.pid")"
            wait "$(cat "$data/serve.pid")" 2>/dev/null || true
        )
        if [ "$engine" = sqlite ]; then
            sqlite3 "$data/schoolbridge.db" .dump | write_gz "$out/sqlite.sql.gz"
        else
            pg_dump_plain "$db_url" | write_gz "$out/postgres.sql.gz"
            drop_pg "$db_url"
        fi
    done
    cp "$work/master.key" "$out/master.key"
    echo "wrote $out (schema $version): $(du -sh "$out" | cut -f1)"
}

# Schema 2 from git: the migration files as commit a8f0638 had them, the rows of data.sql.
make_v2() {
    local commit=a8f0638 out="$fixtures/v2" engine m
    for engine in sqlite postgres; do
        {
            echo "-- Schema 2 as commit $commit defined it (scripts/schema-fixtures.sh v2)."
            for m in 0001_core 0002_people; do
                git -C "$repo" show "$commit:crates/server/src/store/migrations/$engine/$m.sql"
            done
            echo "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);"
            echo "INSERT INTO schema_migrations VALUES (1, '0001_core', 1795600000), (2, '0002_people', 1795600000);"
            cat "$out/data.sql"
            if [ "$engine" = postgres ]; then
                # The rows above name their ids; a live database's sequences would have moved on.
                for t in peers audit_log people; do
                    echo "SELECT setval(pg_get_serial_sequence('$t', 'id'), (SELECT MAX(id) FROM $t));"
                done
            fi
        } | write_gz "$out/$engine.sql.gz"
    done
    echo "wrote $out"
}

case "${1:-}" in
    current) make_current ;;
    v2) make_v2 ;;
    *) die "usage: scripts/schema-fixtures.sh current|v2" ;;
esac
