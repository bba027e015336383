#!/usr/bin/env bash
# Runs both fuzz targets for a while each (default 600 s), seeded from the real Moodle captures.
# cargo-fuzz needs nightly features; on this machine's stable toolchain RUSTC_BOOTSTRAP=1 enables
# them. Results go to docs/fuzzing.md by hand (see there).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
vectors="../crates/mnet/tests/vectors/moodle-4.5"
[ -d "$vectors" ] || { echo "no $vectors: run from a checkout of the repository" >&2; exit 1; }
mkdir -p corpus/xmlrpc_parse corpus/envelope_parse
cp "$vectors"/*.payload.xml "$vectors"/*.request.plain.xml "$vectors"/0*.xml corpus/xmlrpc_parse/ 2>/dev/null || true
cp "$vectors"/*.wire.xml "$vectors"/*.signed.xml "$vectors"/*.decrypted.xml corpus/envelope_parse/ 2>/dev/null || true
# Inputs that once failed (fuzz/regressions/<target>/) seed the corpus, so they are re-checked.
for target in xmlrpc_parse envelope_parse; do
    [ -d "regressions/$target" ] && cp "regressions/$target"/* "corpus/$target/"
done
status=0
for target in xmlrpc_parse envelope_parse; do
    echo "== $target for ${secs}s"
    if ! RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$secs" -max_len=65536 -print_final_stats=1 >"target/$target.log" 2>&1; then
        status=1
        grep -v '^ *[0-9]*: \|^ *at ' "target/$target.log" | grep -A12 'panicked' | head -n 30
        echo "$target: FAILED; the input is in fuzz/artifacts/$target/"
    fi
    grep -E '^stat::|^Done|#[0-9]+.*DONE' "target/$target.log" | tail -n 12
done
exit "$status"

