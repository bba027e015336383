#!/usr/bin/env bash
# `make demo`: SchoolBridge and a simulated Moodle side by side, peered both ways, with a small
# demo school pushed through schooltool_sis — so a newcomer sees real data in under a minute
# after the build. It ends by printing where to point the browser and which accounts to use.
# Ports: SchoolBridge on SB_ADDR (127.0.0.1:8080), the simulated Moodle on SIM_ADDR
# (127.0.0.1:8081). Ctrl-C stops both. Everything lives in ./data-demo (deleted at each start).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
SB="$TARGET_DIR/debug/schoolbridge"
SIM="$TARGET_DIR/debug/moodle-sim"
SB_ADDR="${SB_ADDR:-127.0.0.1:8080}"
SIM_ADDR="${SIM_ADDR:-127.0.0.1:8081}"
DATA="$PWD/data-demo"
SB_URL="http://$SB_ADDR"
SIM_URL="http://$SIM_ADDR"
# The demo school's size (the simulator makes the same school from the same sizes and seed).
SCHOOL=(--students 60 --teachers 6 --sections 12 --sections-per-student 4 --assessments-per-section 5)

for addr in "$SB_ADDR" "$SIM_ADDR"; do
    if curl -fsS -o /dev/null "http://$addr/" 2>/dev/null; then
        echo "Something already answers at http://$addr/ (an earlier demo or make run?). Stop it first." >&2
        exit 1
    fi
done
rm -rf "$DATA"
mkdir -p "$DATA"
export SCHOOLBRIDGE_DATA_DIR="$DATA/schoolbridge" SCHOOLBRIDGE_WWWROOT="$SB_URL" \
       SCHOOLBRIDGE_LISTEN="$SB_ADDR" SCHOOLBRIDGE_CONSOLE_DIR="$PWD/dist" \
       SCHOOLBRIDGE_SITE_NAME="Springfield High (demo)" \
       SCHOOLBRIDGE_ALLOW_PRIVATE_PEERS=true

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# An administrator, with a random password shown once.
admin_password="$(head -c 12 /dev/urandom | base64 | tr -d '/+=' | head -c 16)"
echo "$admin_password" | "$SB" user add admin --firstname Demo --lastname Administrator --role admin >"$DATA/setup.log" 2>&1

"$SB" serve >"$DATA/schoolbridge.log" 2>&1 &
sb_pid=$!
pids+=("$sb_pid")
for _ in $(seq 1 100); do curl -fsS "$SB_URL/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# The simulated Moodle registers with SchoolBridge and pushes the school once it is a peer.
"$SIM" scenario --schoolbridge "$SB_URL" --listen "$SIM_ADDR" --wwwroot "$SIM_URL" \
    --site-name "Springfield Moodle (simulated)" --key-file "$DATA/moodle-sim.pem" \
    "${SCHOOL[@]}" --wait-for-peer --keep-serving >"$DATA/moodle-sim.log" 2>&1 &
sim_pid=$!
pids+=("$sim_pid")
for _ in $(seq 1 100); do curl -fsS "$SIM_URL/" >/dev/null 2>&1 && break; sleep 0.2; done
sim_alive() { kill -0 "$sim_pid" 2>/dev/null || { echo "moodle-sim stopped:"; cat "$DATA/moodle-sim.log"; exit 1; }; }
sim_alive

# SchoolBridge's administrator adds the Moodle (what the console's "Add peer" does).
"$SB" peer add "$SIM_URL" --yes >>"$DATA/setup.log" 2>&1
echo "Peered SchoolBridge ($SB_URL) and the simulated Moodle ($SIM_URL); pushing the demo school…"
for _ in $(seq 1 600); do grep -q "changes sent in" "$DATA/moodle-sim.log" 2>/dev/null && break; sim_alive; sleep 0.5; done
grep -A2 "changes sent in" "$DATA/moodle-sim.log" | sed 's/^/  moodle-sim: /'

# Teachers and students of the demo may sign in by SSO from the simulated Moodle.
"$SB" user grant --peer "$SIM_URL" >>"$DATA/setup.log" 2>&1

# One teacher and one student of the demo school, read from the school the simulator generated.
"$SIM" scenario --dry-run "${SCHOOL[@]}" >"$DATA/school.txt"
username_of() { grep -m1 "fetch_user.*idnumber=\"$1\"" "$DATA/school.txt" | grep -o 'username="[^"]*"' | cut -d'"' -f2; }
teacher_id="$(grep -m1 -o 'teacheridnumber="[^"]*"' "$DATA/school.txt" | cut -d'"' -f2 || true)"
student_id="$(grep -m1 'new_enrolment.*role="student"' "$DATA/school.txt" | grep -o 'userid="[^"]*"' | cut -d'"' -f2 || true)"
teacher="$(username_of "$teacher_id" || true)"
student="$(username_of "$student_id" || true)"

cat <<TXT

SchoolBridge demo is running. Point your browser at:

  SchoolBridge console   $SB_URL/
                         administrator: admin / $admin_password
  Simulated Moodle       $SIM_URL/
                         a teacher:     ${teacher:-?} / moodle
                         a student:     ${student:-?} / moodle
                         Log in there, then follow "Network servers → SchoolBridge" to arrive in
                         the console by single sign-on (as Moodle's people do).

Ports: SchoolBridge $SB_ADDR, the simulated Moodle $SIM_ADDR (set SB_ADDR=… SIM_ADDR=… to change
them). Data and logs: $DATA (started afresh each time). Ctrl-C stops both.
TXT
wait
