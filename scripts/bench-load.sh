#!/usr/bin/env bash
# The end-to-end benchmarks of BENCHMARKS.md §2 and §3, with release builds:
#   1. 2 clients, new_grade calls: throughput against the pure crypto round rate measured in the
#      same run, latency percentiles, the server's peak memory;
#   2. 1 client: median latency;
#   3. 2 clients with the server killed (SIGKILL) in the middle and restarted: nothing lost;
#   4. (BENCH_SCHOOL=1) a generated school of 2,000 students pushed one call per change, on
#      SQLite and, when SCHOOLBRIDGE_TEST_DATABASE_URL is set, on PostgreSQL.
# Each run starts from an empty data directory. Output goes to target/bench-load/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p schoolbridge -p moodle-sim
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
OUT="$PWD/target/bench-load"
rm -rf "$OUT"
mkdir -p "$OUT"
COUNT="${BENCH_COUNT:-3000}"

machine() {
    echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
    echo "Memory: $(free -g | awk '/Mem:/{print $2}') GiB; kernel $(uname -r); $(rustc --version)"
}

# One load run: $1 = name, then moodle-sim load flags.
load_run() {
    local name="$1"; shift
    local data="$OUT/$name"
    mkdir -p "$data"
    local sb_cmd="env SCHOOLBRIDGE_DATA_DIR=$data/sb SCHOOLBRIDGE_LISTEN=127.0.0.1:18180 SCHOOLBRIDGE_WWWROOT=http://127.0.0.1:18180 SCHOOLBRIDGE_LOG=warn ${DBURL:+SCHOOLBRIDGE_DATABASE_URL=$DBURL} $BIN/schoolbridge serve"
    "$BIN/moodle-sim" load --schoolbridge http://127.0.0.1:18180 --listen 127.0.0.1:18181 \
        --wwwroot http://127.0.0.1:18181 --server-cmd "$sb_cmd" --wait-for-peer --json "$@" \
        >"$data/load.out" 2>"$data/load.err" &
    local load_pid=$!
    for _ in $(seq 1 300); do
        grep -q "waiting for SchoolBridge" "$data/load.err" 2>/dev/null && break
        kill -0 "$load_pid" 2>/dev/null || break
        sleep 0.2
    done
    env SCHOOLBRIDGE_DATA_DIR="$data/sb" SCHOOLBRIDGE_LOG=warn ${DBURL:+SCHOOLBRIDGE_DATABASE_URL=$DBURL} \
        "$BIN/schoolbridge" peer add http://127.0.0.1:18181 --yes >"$data/peer-add.out" 2>&1 || true
    wait "$load_pid" || echo "load run $name exited with $?"
    echo "== $name"
    cat "$data/load.out"
}

{
    machine
    load_run two-clients --clients 2 --count "$COUNT"
    load_run one-client --clients 1 --count "$((COUNT / 2))"
    load_run kill-restart --clients 2 --count "$COUNT" --kill-at "$((COUNT / 3))"
} | tee "$OUT/summary.txt"

if [ "${BENCH_SCHOOL:-0}" = 1 ]; then
    school_run() {
        local name="$1"
        local data="$OUT/$name"
        mkdir -p "$data"
        env SCHOOLBRIDGE_DATA_DIR="$data/sb" SCHOOLBRIDGE_LISTEN=127.0.0.1:18180 SCHOOLBRIDGE_WWWROOT=http://127.0.0.1:18180 \
            SCHOOLBRIDGE_LOG=warn ${DBURL:+SCHOOLBRIDGE_DATABASE_URL=$DBURL} "$BIN/schoolbridge" serve >"$data/sb.log" 2>&1 &
        local sb=$!
        sleep 2
        "$BIN/moodle-sim" scenario --schoolbridge http://127.0.0.1:18180 --listen 127.0.0.1:18181 \
            --wwwroot http://127.0.0.1:18181 --students 2000 --teachers 100 --sections 400 \
            --sections-per-student 6 --assessments-per-section 10 --wait-for-peer >"$data/scenario.out" 2>&1 &
        local sim=$!
        sleep 3
        env SCHOOLBRIDGE_DATA_DIR="$data/sb" SCHOOLBRIDGE_LOG=warn ${DBURL:+SCHOOLBRIDGE_DATABASE_URL=$DBURL} \
            "$BIN/schoolbridge" peer add http://127.0.0.1:18181 --yes >/dev/null 2>&1
        wait "$sim" || true
        kill "$sb" || true
        echo "== $name"
        tail -n 4 "$data/scenario.out"
    }
    DBURL="" school_run school-sqlite | tee -a "$OUT/summary.txt"
    if [ -n "${SCHOOLBRIDGE_TEST_DATABASE_URL:-}" ]; then
        # A fresh database for the run.
        psql "$SCHOOLBRIDGE_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS sb_bench WITH (FORCE)" -c "CREATE DATABASE sb_bench"
        DBURL="${SCHOOLBRIDGE_TEST_DATABASE_URL%/*}/sb_bench" school_run school-postgres | tee -a "$OUT/summary.txt"
    fi
fi
