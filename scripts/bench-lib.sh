# Shared by the benchmark scripts (BENCHMARKS.md): sourced, not run. Each script sets BIN (the
# release binaries it built) before calling these.

# Builds the release binaries and makes an empty output directory: $1 = its name under target/.
# Sets BIN and OUT.
bench_setup() {
    cargo build --release -p schoolbridge -p moodle-sim
    BIN="${CARGO_TARGET_DIR:-$PWD/target}/release"
    OUT="$PWD/target/$1"
    rm -rf "$OUT"
    mkdir -p "$OUT"
}

# The machine a run was made on.
machine() {
    echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
    echo "Memory: $(free -g | awk '/Mem:/{print $2}') GiB; kernel $(uname -r); $(rustc --version)"
}

# One `moodle-sim load` run against a SchoolBridge the load tool starts itself, with the
# simulated Moodle added as its peer once the tool waits for that.
#   $1 data directory; $2 SchoolBridge's port (the simulator listens on the next one);
#   $3 the schoolbridge binary; $4 extra VAR=value settings for SchoolBridge (may be empty);
#   the rest: `moodle-sim load` flags.
# Leaves load.out, load.err and peer-add.out in the data directory.
load_with_peer() {
    local data="$1" port="$2" server="$3" settings="$4"
    shift 4
    local sim_port=$((port + 1))
    mkdir -p "$data"
    # shellcheck disable=SC2086 # $settings is a list of VAR=value words
    local sb_cmd="env $settings SCHOOLBRIDGE_DATA_DIR=$data/sb SCHOOLBRIDGE_LISTEN=127.0.0.1:$port SCHOOLBRIDGE_WWWROOT=http://127.0.0.1:$port SCHOOLBRIDGE_LOG=warn $server serve"
    "$BIN/moodle-sim" load --schoolbridge "http://127.0.0.1:$port" --listen "127.0.0.1:$sim_port" \
        --wwwroot "http://127.0.0.1:$sim_port" --server-cmd "$sb_cmd" --wait-for-peer "$@" \
        >"$data/load.out" 2>"$data/load.err" &
    local load_pid=$!
    for _ in $(seq 1 300); do
        grep -q "waiting for SchoolBridge" "$data/load.err" 2>/dev/null && break
        kill -0 "$load_pid" 2>/dev/null || break
        sleep 0.2
    done
    # shellcheck disable=SC2086
    env $settings SCHOOLBRIDGE_DATA_DIR="$data/sb" SCHOOLBRIDGE_LOG=warn \
        "$server" peer add "http://127.0.0.1:$sim_port" --yes >"$data/peer-add.out" 2>&1 || true
    wait "$load_pid" || echo "the load run in $data exited with $?"
}
