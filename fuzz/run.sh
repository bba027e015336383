#!/usr/bin/env bash
# Runs both fuzz targets for a while each (default 600 s), seeded from the real Moodle captures.
# cargo-fuzz needs nightly features; on this machine's stable toolchain RUSTC_BOOTSTRAP=1 enables
# them. Results go to docs/fuzzing.md by hand (see there).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
vectors="../../shared/vectors/moodle-4.5"
mkdir -p corpus/xmlrpc_parse corpus/envelope_parse
cp "$vectors"/*.payload.xml "$vectors"/*.request.plain.xml "$vectors"/0*.xml corpus/xmlrpc_parse/ 2>/dev/null || true
cp "$vectors"/*.wire.xml "$vectors"/*.signed.xml "$vectors"/*.decrypted.xml corpus/envelope_parse/ 2>/dev/null || true
for target in xmlrpc_parse envelope_parse; do
    echo "== $target for ${secs}s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$secs" -max_len=65536 -print_final_stats=1 2>&1 | tail -n 25
done
