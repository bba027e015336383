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
. scripts/bench-lib.sh
: "${BEFORE_BIN:?set BEFORE_BIN to the directory holding the earlier release schoolbridge}"
bench_setup bench-before-after
COUNT="${BENCH_COUNT:-2000}"
ROUNDS="${BENCH_ROUNDS:-4}"
# One peer sending as fast as the server answers: the per-peer limit (mnet_calls_per_minute) is
# off so that both builds are measured doing the same work (the earlier one ignores the setting).
export SCHOOLBRIDGE_MNET_CALLS_PER_MINUTE=0

# One load run: $1 = name, $2 = directory of the server binary.
run() {
    local name="$1" data="$OUT/$1"
    load_with_peer "$data" 18380 "$2/schoolbridge" "" --clients 2 --count "$COUNT"
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
