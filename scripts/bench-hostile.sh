#!/usr/bin/env bash
# BENCHMARKS.md §5 (issue 18): in one run, on loopback, with release builds —
#   1. accepted calls: `moodle-sim load`, 2 clients, signed and encrypted new_grade calls (the
#      baseline: the server's CPU per accepted call);
#   2. then 1,000 anonymous hostile requests (`moodle-sim load --hostile`): the server's RSS and
#      data directory before and after, and its CPU per hostile request as a ratio of one
#      accepted call. The hostile requests come "from" one remote address (X-Forwarded-For, with
#      trusted_proxies = 127.0.0.1), as a sender on the internet would.
# Output goes to target/bench-hostile/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup bench-hostile
COUNT="${BENCH_COUNT:-2000}"
HOSTILE="${BENCH_HOSTILE:-1000}"
data="$OUT/run"

machine | tee "$OUT/summary.txt"

# The accepted window is one peer sending as fast as it can: it measures the server, not the
# per-peer limit (mnet_calls_per_minute); the per-address limit stays on, as shipped.
load_with_peer "$data" 18280 "$BIN/schoolbridge" \
    "SCHOOLBRIDGE_MNET_CALLS_PER_MINUTE=0 SCHOOLBRIDGE_TRUSTED_PROXIES=127.0.0.1" \
    --clients 2 --count "$COUNT" --hostile "$HOSTILE" --data-dir "$data/sb"
cat "$data/load.out" | tee -a "$OUT/summary.txt"
