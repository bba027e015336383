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
cargo build --release -p schoolbridge -p moodle-sim
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
OUT="$PWD/target/bench-hostile"
rm -rf "$OUT"
mkdir -p "$OUT"
COUNT="${BENCH_COUNT:-2000}"
HOSTILE="${BENCH_HOSTILE:-1000}"
data="$OUT/run"
mkdir -p "$data"

{
    echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
    echo "Memory: $(free -g | awk '/Mem:/{print $2}') GiB; kernel $(uname -r); $(rustc --version)"
} | tee "$OUT/summary.txt"

# The accepted window is one peer sending as fast as it can: it measures the server, not the
# per-peer limit (mnet_calls_per_minute); the per-address limit stays on, as shipped.
sb_cmd="env SCHOOLBRIDGE_MNET_CALLS_PER_MINUTE=0 SCHOOLBRIDGE_DATA_DIR=$data/sb SCHOOLBRIDGE_LISTEN=127.0.0.1:18280 SCHOOLBRIDGE_WWWROOT=http://127.0.0.1:18280 SCHOOLBRIDGE_LOG=warn SCHOOLBRIDGE_TRUSTED_PROXIES=127.0.0.1 $BIN/schoolbridge serve"
"$BIN/moodle-sim" load --schoolbridge http://127.0.0.1:18280 --listen 127.0.0.1:18281 \
    --wwwroot http://127.0.0.1:18281 --server-cmd "$sb_cmd" --wait-for-peer \
    --clients 2 --count "$COUNT" --hostile "$HOSTILE" --data-dir "$data/sb" \
    >"$data/load.out" 2>"$data/load.err" &
load_pid=$!
for _ in $(seq 1 300); do
    grep -q "waiting for SchoolBridge" "$data/load.err" 2>/dev/null && break
    kill -0 "$load_pid" 2>/dev/null || break
    sleep 0.2
done
env SCHOOLBRIDGE_DATA_DIR="$data/sb" SCHOOLBRIDGE_LOG=warn \
    "$BIN/schoolbridge" peer add http://127.0.0.1:18281 --yes >"$data/peer-add.out" 2>&1 || true
wait "$load_pid" || echo "the run exited with $?"
cat "$data/load.out" | tee -a "$OUT/summary.txt"
