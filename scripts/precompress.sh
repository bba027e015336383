#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): writes a brotli (.br) and a gzip (.gz) copy beside each
# of the console's wasm, JS and CSS files, which `schoolbridge serve` sends to browsers that
# accept them (docs/design/013-deployment.md). Maximum compression: the copies are made once per
# build and downloaded by every browser. gzip -n leaves out the name and time, so the same
# input gives the same bytes. Release builds only (a debug wasm is large and never served).
#
#   scripts/precompress.sh [DIR]     DIR defaults to $TRUNK_STAGING_DIR (set by trunk)
set -euo pipefail

dir="${1:-${TRUNK_STAGING_DIR:-}}"
[ -n "$dir" ] || { echo "usage: scripts/precompress.sh DIR" >&2; exit 2; }
[ "${TRUNK_PROFILE:-release}" = release ] || exit 0
if ! command -v brotli >/dev/null; then
    echo "precompress: brotli is missing: run scripts/install-tools.sh (Debian package brotli)" >&2
    exit 1
fi

pids=()
while IFS= read -r -d '' file; do
    # The wasm takes seconds at quality 11: brotli runs in the background meanwhile.
    brotli --quality=11 --force --output="$file.br" -- "$file" &
    pids+=("$!")
    gzip -9 -n -c -- "$file" >"$file.gz"
done < <(find "$dir" -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \) -print0)
for pid in "${pids[@]}"; do
    wait "$pid" || { echo "precompress: brotli failed" >&2; exit 1; }
done
