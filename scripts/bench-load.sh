#!/usr/bin/env bash
# The end-to-end benchmarks of BENCHMARKS.md §2 and §3, with release builds:
#   1. 2 clients, new_grade calls: throughput against the pure crypto round rate measured in the
#      same run, latency percentiles, the server's peak memory;
#   2. 1 client: median latency;
#   3. 2 clients with the server killed (SIGKILL) in the middle and restarted: nothing lost;
#   4. (BENCH_SCHOOL=1) a generated school of 2,000 students on SQLite and, when
#      SCHOOLBRIDGE_TEST_DATABASE_URL is set, on PostgreSQL: a baseline of its first
#      BENCH_BASELINE (10,000) changes one call each, the whole school in batches of 1,000, and a
#      full sync of the unchanged school; peak server RSS and the store's row counts.
# BENCH_LOAD=0 skips 1-3.
# Each run starts from an empty data directory. Output goes to target/bench-load/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
bench_setup bench-load
COUNT="${BENCH_COUNT:-3000}"
# The load tool is one peer sending as fast as the server answers: measure the server, not the
# per-peer limit (mnet_calls_per_minute, docs/threat-model.md), which would pace it at 20 a second.
export SCHOOLBRIDGE_MNET_CALLS_PER_MINUTE=0

# One load run: $1 = name, then moodle-sim load flags.
load_run() {
    local name="$1"; shift
    local data="$OUT/$name"
    load_with_peer "$data" 18180 "$BIN/schoolbridge" "${DBURL:+SCHOOLBRIDGE_DATABASE_URL=$DBURL}" \
        --json "$@"
    echo "== $name"
    cat "$data/load.out"
}

if [ "${BENCH_LOAD:-1}" = 1 ]; then {
    machine
    load_run two-clients --clients 2 --count "$COUNT"
    load_run one-client --clients 1 --count "$((COUNT / 2))"
    load_run kill-restart --clients 2 --count "$COUNT" --kill-at "$((COUNT / 3))"
} | tee "$OUT/summary.txt"; fi

# Rows of the SIS store: what Moodle holds (compare with the scenario's "Moodle holds" line) and
# the history tables, which a second full sync of an unchanged school must leave as they are.
store_counts() {
    local data="$1"
    local q="SELECT 'people', count(*) FROM people WHERE peer_id IS NOT NULL
        UNION ALL SELECT 'sections', count(*) FROM sis_sections WHERE peer_id IS NOT NULL
        UNION ALL SELECT 'enrolments', count(*) FROM sis_enrolments
        UNION ALL SELECT 'assessments', count(*) FROM sis_assessments WHERE hidden = 0
        UNION ALL SELECT 'grades', count(*) FROM sis_grades
        UNION ALL SELECT 'history: enrolment', count(*) FROM sis_enrolment_history
        UNION ALL SELECT 'history: grade events', count(*) FROM sis_grade_events
        UNION ALL SELECT 'history: section teachers', count(*) FROM sis_section_teachers
        UNION ALL SELECT 'eventid ledger', count(*) FROM sis_events"
    if [ -n "${DBURL:-}" ]; then
        psql "$DBURL" -AtF ' = ' -c "$q"
    else
        sqlite3 -separator ' = ' "$data/sb/schoolbridge.db" "$q"
    fi
}

# Peak resident memory of a process, from /proc.
peak_rss() { awk '/VmHWM/{printf "%.1f MB", $2/1024}' "/proc/$1/status"; }

# A fresh store for one school run (PostgreSQL: a new database; SQLite: a new data directory).
fresh_store() {
    if [ -n "${DBURL:-}" ]; then
        psql "$SCHOOLBRIDGE_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS sb_bench WITH (FORCE)" -c "CREATE DATABASE sb_bench"
    fi
}

if [ "${BENCH_SCHOOL:-0}" = 1 ]; then
    SCHOOL=(--students 2000 --teachers 100 --sections 400 --sections-per-student 6 --assessments-per-section 10)
    SIM=(--schoolbridge http://127.0.0.1:18180 --listen 127.0.0.1:18181 --wwwroot http://127.0.0.1:18181)
    start_server() {
        env SCHOOLBRIDGE_DATA_DIR="$1/sb" SCHOOLBRIDGE_LISTEN=127.0.0.1:18180 SCHOOLBRIDGE_WWWROOT=http://127.0.0.1:18180 \
            SCHOOLBRIDGE_LOG=warn ${DBURL:+SCHOOLBRIDGE_DATABASE_URL=$DBURL} "$BIN/schoolbridge" serve >>"$1/sb.log" 2>&1 &
        SB=$!
        for _ in $(seq 1 100); do
            curl -sf http://127.0.0.1:18180/readyz >/dev/null 2>&1 && break
            sleep 0.1
        done
    }
    # One scenario run that adds the simulated Moodle as a peer: $1 = data dir, then flags.
    scenario_with_peer_add() {
        local data="$1"; shift
        "$BIN/moodle-sim" scenario "${SIM[@]}" "${SCHOOL[@]}" --wait-for-peer "$@" >"$data/scenario.out" 2>&1 &
        local sim=$!
        for _ in $(seq 1 600); do
            grep -q "Waiting for SchoolBridge" "$data/scenario.out" 2>/dev/null && break
            sleep 0.1
        done
        env SCHOOLBRIDGE_DATA_DIR="$data/sb" SCHOOLBRIDGE_LOG=warn ${DBURL:+SCHOOLBRIDGE_DATABASE_URL=$DBURL} \
            "$BIN/schoolbridge" peer add http://127.0.0.1:18181 --yes >/dev/null 2>&1
        wait "$sim" || echo "scenario exited with $?"
    }
    school_run() {
        local name="$1"
        local data="$OUT/$name-baseline"
        # Baseline, same run: the first BENCH_BASELINE changes of the same school, one call each.
        mkdir -p "$data"; fresh_store; start_server "$data"
        scenario_with_peer_add "$data" --batch 1 --limit "${BENCH_BASELINE:-10000}"
        kill "$SB"; wait "$SB" 2>/dev/null || true
        echo "== $name: baseline, one change per call (first ${BENCH_BASELINE:-10000} changes)"
        grep -E "changes sent|changes/s|^accepted|^faults" "$data/scenario.out"

        # The whole school in batches of 1000, then a full sync of the unchanged school.
        data="$OUT/$name-batch"
        mkdir -p "$data"; fresh_store; start_server "$data"
        scenario_with_peer_add "$data" --batch 1000 --key-file "$data/sim-key.pem"
        echo "== $name: the whole school, --batch 1000 (server peak RSS $(peak_rss "$SB"))"
        grep -E "changes sent|changes/s|^accepted|^faults|Moodle holds" "$data/scenario.out"
        store_counts "$data" >"$data/counts-1.txt"
        cat "$data/counts-1.txt"
        "$BIN/moodle-sim" scenario "${SIM[@]}" "${SCHOOL[@]}" --batch 1000 --key-file "$data/sim-key.pem" \
            --full-sync >"$data/resync.out" 2>&1 || echo "full sync exited with $?"
        echo "== $name: full sync of the unchanged school, --batch 1000 (server peak RSS $(peak_rss "$SB"))"
        grep -E "changes sent|changes/s|^accepted|^faults" "$data/resync.out"
        store_counts "$data" >"$data/counts-2.txt"
        diff "$data/counts-1.txt" "$data/counts-2.txt" && echo "store counts: unchanged" || true
        kill "$SB"; wait "$SB" 2>/dev/null || true
    }
    {
        machine
        DBURL="" school_run school-sqlite
        if [ -n "${SCHOOLBRIDGE_TEST_DATABASE_URL:-}" ]; then
            DBURL="${SCHOOLBRIDGE_TEST_DATABASE_URL%/*}/sb_bench" school_run school-postgres
        fi
    } | tee -a "$OUT/summary.txt"
fi
