#!/usr/bin/env bash
# BENCHMARKS.md §2, "before and after": the per-call load run (2 clients, signed and encrypted
# new_grade calls, SQLite) against two server builds in one run, alternating before/after so
# that whatever else the machine does hits both alike. The client (moodle-sim) is this
# checkout's for both; only the server differs.
#
#   git worktree add /tmp/before <rev>
#   (cd /tmp/before && CARGO_TARGET_DIR=/tmp/before-target cargo build --release -p schoolbridge)
#   BEFORE_BIN=/tmp/before-target/release scripts/bench-before-after.sh
#
# BENCH_ROUNDS (4) pairs of runs of BENCH_COUNT (2000) calls each. Output: target/bench-before-after/.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BEFORE_BIN:?set BEFORE_BIN to the directory holding the earlier release schoolbridge}"
cargo build --release -p schoolbridge -p moodle-sim
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
OUT="$PWD/target/bench-before-after"
rm -rf "$OUT"
mkdir -p "$OUT"
COUNT="${BENCH_COUNT:-2000}"
ROUNDS="${BENCH_ROUNDS:-4}"
# One peer sending as fast as the server answers: the per-peer limit (mnet_calls_per_minute) is
# off so that both builds are measured doing the same work (the earlier one ignores the setting).
export SCHOOLBRIDGE_MNET_CALLS_PER_MINUTE=0

# One load run: $1 = name, $2 = directory of the server binary.
run() {
    local name="$1" server="$2/schoolbridge"
    local data="$OUT/$name"
    mkdir -p "$data"
    local sb_cmd="env SCHOOLBRIDGE_DATA_DIR=$data/sb SCHOOLBRIDGE_LISTEN=127.0.0.1:18380 SCHOOLBRIDGE_WWWROOT=http://127.0.0.1:18380 SCHOOLBRIDGE_LOG=warn $server serve"
    "$BIN/moodle-sim" load --schoolbridge http://127.0.0.1:18380 --listen 127.0.0.1:18381 \
        --wwwroot http://127.0.0.1:18381 --server-cmd "$sb_cmd" --wait-for-peer \
        --clients 2 --count "$COUNT" >"$data/load.out" 2>"$data/load.err" &
    local load_pid=$!
    for _ in $(seq 1 300); do
        grep -q "waiting for SchoolBridge" "$data/load.err" 2>/dev/null && break
        kill -0 "$load_pid" 2>/dev/null || break
        sleep 0.2
    done
    env SCHOOLBRIDGE_DATA_DIR="$data/sb" SCHOOLBRIDGE_LOG=warn \
        "$server" peer add http://127.0.0.1:18381 --yes >"$data/peer-add.out" 2>&1 || true
    wait "$load_pid" || echo "load run $name exited with $?"
    printf '%-10s %s\n' "$name" "$(grep -E '^throughput|^latency|^acknowledged|^faults|^server CPU|^server peak|^lost' "$data/load.out" | tr -s ' ' | paste -sd ';')"
}

{
    echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
    echo "before: $BEFORE_BIN/schoolbridge ($("$BEFORE_BIN/schoolbridge" --version 2>/dev/null | head -1))"
    echo "after:  $BIN/schoolbridge ($("$BIN/schoolbridge" --version 2>/dev/null | head -1))"
    for r in $(seq 1 "$ROUNDS"); do
        run "before-$r" "$BEFORE_BIN"
        run "after-$r" "$BIN"
    done
} | tee "$OUT/summary.txt"
