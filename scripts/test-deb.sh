#!/usr/bin/env bash
# The Debian package, installed and run as a school's IT person would (make test-deb):
#   1. build it (scripts/build-deb.sh) from the debug binary `make test` built with the console
#      inside — the release build costs minutes of LTO that this check does not need;
#   2. dpkg -i; the schoolbridge user, /etc/schoolbridge and /var/lib/schoolbridge are there with
#      the right owners and modes; `systemd-analyze verify` accepts the unit;
#   3. start the server as the unit does — its ExecStart, as user schoolbridge, nothing else
#      on disk but the config and the data directory (systemd itself does not run here) — and
#      check it answers: /healthz, /readyz, the console page and its wasm (brotli), an MNet
#      keyswap; take a backup as the service user while it serves;
#   4. peer the installed server — as its service user, serving the console it carries — with
#      the real Moodle 4.5 of `make test-moodle` (scripts/moodle-fixture.sh) in the browser, as
#      README.md's "Adding a Moodle peer" tells both administrators (the harness's peering test
#      with SCHOOLBRIDGE_TEST_INSTALLED=1);
#   5. dpkg -r, then dpkg -P: the program, the unit and the settings go; the data stays.
# Needs root (dpkg). Runs of several checkouts on one machine take turns (a lock file).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
binary="${1:-$target/debug/schoolbridge}"
conf=/etc/schoolbridge/schoolbridge.toml

say() { printf 'test-deb: %s\n' "$*"; }
fail() {
    printf 'test-deb: FAIL %s\n' "$*" >&2
    exit 1
}

if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "needs root (dpkg -i) or sudo"
    exec sudo --preserve-env=CARGO_TARGET_DIR,DEB_COMPRESSION bash "$0" "$@"
fi
for tool in dpkg-deb curl runuser setpriv flock; do
    command -v "$tool" >/dev/null || fail "$tool is missing"
done
# One package test at a time on this machine: they share /usr/bin and the schoolbridge user.
exec 9>/tmp/schoolbridge-test-deb.lock
flock -w 900 9 || fail "another package test holds /tmp/schoolbridge-test-deb.lock"
if dpkg-query -W -f='${Status}' schoolbridge 2>/dev/null | grep -q installed; then
    fail "a schoolbridge package is installed on this machine already; this test would replace it (dpkg -P schoolbridge first)"
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    # Nothing of the service user may outlive the test (it would hold this test's lock).
    if command -v pkill >/dev/null; then pkill -KILL -u schoolbridge 2>/dev/null || true; fi
    if dpkg-query -W schoolbridge >/dev/null 2>&1; then dpkg -P schoolbridge >/dev/null 2>&1 || true; fi
    rm -rf /var/lib/schoolbridge "$work"
    if getent passwd schoolbridge >/dev/null; then userdel schoolbridge 2>/dev/null || true; fi
    if getent group schoolbridge >/dev/null; then groupdel schoolbridge 2>/dev/null || true; fi
}
trap cleanup EXIT

started=$SECONDS
deb="$(DEB_COMPRESSION="${DEB_COMPRESSION:-gzip}" bash "$repo/scripts/build-deb.sh" "$binary" "$work")"
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KB) in $((SECONDS - started)) s"
dpkg-deb --info "$deb" | grep -E '^ (Version|Depends|Installed-Size):'

dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
grep -q "systemctl enable --now schoolbridge" "$work/install.log" || fail "no first-start instructions"
getent passwd schoolbridge | grep -q ':/var/lib/schoolbridge:/usr/sbin/nologin$' || fail "the schoolbridge user"
[ "$(stat -c '%U:%G %a' /var/lib/schoolbridge)" = "schoolbridge:schoolbridge 750" ] || fail "/var/lib/schoolbridge: $(stat -c '%U:%G %a' /var/lib/schoolbridge)"
[ "$(stat -c '%U:%G %a' "$conf")" = "root:schoolbridge 640" ] || fail "$conf: $(stat -c '%U:%G %a' "$conf")"
[ -x /usr/bin/schoolbridge ] && [ -f /lib/systemd/system/schoolbridge.service ] || fail "files"
/usr/bin/schoolbridge --version | grep -q '^console: embedded' || fail "the installed binary does not carry the console"
say "installed: user, /etc/schoolbridge, /var/lib/schoolbridge, unit"

if command -v systemd-analyze >/dev/null; then
    if ! systemd-analyze verify /lib/systemd/system/schoolbridge.service >"$work/verify.log" 2>&1; then
        cat "$work/verify.log"
        fail "systemd-analyze verify"
    fi
    # How much the sandbox leaves exposed, by systemd's own measure (0 best, 10 worst).
    exposure="$(systemd-analyze security --offline=true /lib/systemd/system/schoolbridge.service 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')"
    [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' ||
        fail "systemd-analyze security: exposure ${exposure:-unknown}, above 2.0"
    say "systemd-analyze verify: the unit is valid; security exposure $exposure (of 10)"
else
    say "systemd-analyze not installed: unit not verified"
fi

# Start it as the unit does. The listen address is moved off 8080 (a developer's make run may
# be there) to a free port the server picks and prints; SCHOOLBRIDGE_* variables override the
# config file as a `systemctl edit` drop-in would.
exec_start="$(sed -n 's/^ExecStart=//p' /lib/systemd/system/schoolbridge.service)"
cd /var/lib/schoolbridge
# shellcheck disable=SC2086  # ExecStart's words, as systemd splits them
runuser -u schoolbridge -- env -i PATH=/usr/bin:/bin SCHOOLBRIDGE_LISTEN=127.0.0.1:0 \
    $exec_start >"$work/serve.log" 2>&1 &
server_pid=$!
cd "$repo"
base=""
for _ in $(seq 1 150); do
    base="$(sed -n 's/^SchoolBridge listening on \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -n 1)"
    [ -n "$base" ] && curl -fsS "$base/healthz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; fail "the server stopped"; }
    sleep 0.2
done
[ -n "$base" ] || { cat "$work/serve.log"; fail "the server did not say where it listens"; }
curl -fsS "$base/healthz" >/dev/null || { cat "$work/serve.log"; fail "/healthz"; }
curl -fsS "$base/readyz" | grep -q "ok site key" || fail "/readyz"
page="$(curl -fsS "$base/signin")"
wasm="$(printf '%s' "$page" | grep -o '/[^"'\'' ]*_bg\.wasm' | head -n 1)"
[ -n "$wasm" ] || fail "the console page names no wasm"
curl -fsS -o /dev/null -D "$work/wasm.headers" -H 'Accept-Encoding: gzip, deflate, br' "$base$wasm"
grep -qi '^content-encoding: br' "$work/wasm.headers" || fail "the wasm is not sent brotli-compressed"
curl -fsS -X POST -H 'Content-Type: text/xml' --data-binary \
    '<?xml version="1.0"?><methodCall><methodName>system/keyswap</methodName><params><param><value><string>http://example.invalid</string></value></param><param><value><string>x</string></value></param><param><value><string>moodle</string></value></param></params></methodCall>' \
    "$base/mnet/xmlrpc/server.php" | grep -q 'BEGIN CERTIFICATE' || fail "MNet keyswap"
grep -q "No administrator yet" "$work/serve.log" || fail "no set-up link in the log"
[ "$(stat -c '%U %a' /var/lib/schoolbridge/master.key)" = "schoolbridge 600" ] || fail "master.key: $(stat -c '%U %a' /var/lib/schoolbridge/master.key)"
say "serving as user schoolbridge: /healthz, /readyz, console (brotli), MNet keyswap"

runuser -u schoolbridge -- /usr/bin/schoolbridge --config "$conf" backup /var/lib/schoolbridge/test-backup.tar.gz >/dev/null ||
    fail "backup as the service user while serving"
say "backup taken while serving"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""

peering="real_moodle::peering::moodle45_and_schoolbridge_peer_both_ways"
if ! (cd "$repo" && SCHOOLBRIDGE_TEST_INSTALLED=1 cargo test --workspace \
    --features schoolbridge/embed-console --test browser -- --exact "$peering" \
    >"$work/peering.log" 2>&1); then
    tail -n 40 "$work/peering.log"
    fail "the installed package does not peer with the real Moodle 4.5 ($peering)"
fi
say "peered with the real Moodle 4.5, both ways, as the service user"

dpkg -r schoolbridge >/dev/null
[ ! -e /usr/bin/schoolbridge ] && [ -f "$conf" ] || fail "dpkg -r: the program goes, the settings stay"
dpkg -P schoolbridge >"$work/purge.log" 2>&1
[ ! -e /etc/schoolbridge ] && [ ! -e /lib/systemd/system/schoolbridge.service ] || fail "dpkg -P leaves files"
[ -f /var/lib/schoolbridge/master.key ] || fail "dpkg -P removed the data"
grep -q "data stays in /var/lib/schoolbridge" "$work/purge.log" || fail "dpkg -P does not say where the data is"
say "removed and purged (the data directory stays, as it says): $((SECONDS - started)) s in all"
