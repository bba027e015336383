#!/usr/bin/env bash
# The Moodle plugins as ZIP files that Moodle's "Site administration → Plugins → Install plugins
# → Install plugin from ZIP file" accepts, each checked the way Moodle's validator
# (admin/tool/installaddon) checks an upload:
#   * exactly one folder at the ZIP's root, named after the plugin (local_schooltool → schooltool);
#   * its version.php sets $plugin->component to that plugin, and the release fields: version
#     (YYYYMMDDXX), requires, release, maturity;
#   * its language file has the plugin's name; every PHP file in it passes `php -l`.
#
#   scripts/moodle-zips.sh [OUT_DIR]     default target/moodle; prints each ZIP's path
#
# The output names are stable (target/moodle/local_schooltool.zip, auth_schoolbridge.zip): the
# Moodle harness (scripts/moodle-fixture.sh) installs our plugins from these ZIPs.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
out="${1:-${CARGO_TARGET_DIR:-$repo/target}/moodle}"
# type/name of each plugin under moodle/ (every one: a plugin left out would ship nowhere).
plugins=()
for dir in "$repo"/moodle/*/*/; do
    dir="${dir%/}"
    plugins+=("$(basename "$(dirname "$dir")")/$(basename "$dir")")
done

need_tools zip unzip php
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for plugin in "${plugins[@]}"; do
    type="${plugin%%/*}"
    name="${plugin##*/}"
    component="${type}_${name}"
    zipfile="$out/$component.zip"
    rm -f "$zipfile"
    # Sorted names and no extra file attributes: the same tree gives the same listing.
    (cd "$repo/moodle/$type" &&
        find "$name" -type f ! -name '.*' | LC_ALL=C sort | zip -q -X -9 "$zipfile" -@)

    # Check what was written, as Moodle will see it.
    roots="$(unzip -Z1 "$zipfile" | cut -d/ -f1 | sort -u)"
    [ "$roots" = "$name" ] || die "$zipfile: the root must be one folder named $name, not: $roots"
    unzip -q "$zipfile" -d "$work/$component"
    dir="$work/$component/$name"
    php -d display_errors=stderr -r '
        define("MOODLE_INTERNAL", true);
        foreach (["MATURITY_ALPHA" => 50, "MATURITY_BETA" => 100, "MATURITY_RC" => 150, "MATURITY_STABLE" => 200] as $k => $v) { define($k, $v); }
        $plugin = new stdClass();
        require($argv[1] . "/version.php");
        $fail = function ($m) { fwrite(STDERR, "moodle-zips: " . $m . "\n"); exit(1); };
        if (($plugin->component ?? null) !== $argv[2]) { $fail("version.php: component is " . var_export($plugin->component ?? null, true) . ", not " . $argv[2]); }
        if (!preg_match("/^20\d{8}$/", (string)($plugin->version ?? ""))) { $fail("version.php: version must be YYYYMMDDXX"); }
        if (!preg_match("/^20\d{8}(\.\d+)?$/", (string)($plugin->requires ?? ""))) { $fail("version.php: requires is missing"); }
        if (empty($plugin->release) || !isset($plugin->maturity)) { $fail("version.php: release and maturity are required"); }
    ' "$dir" "$component" || die "$zipfile: version.php"
    grep -q "\$string\['pluginname'\]" "$dir/lang/en/$component.php" ||
        die "$zipfile: lang/en/$component.php has no pluginname"
    while IFS= read -r -d '' f; do
        php -l "$f" >/dev/null || die "$zipfile: ${f#"$dir"/} does not parse"
    done < <(find "$dir" -name '*.php' -print0)
    echo "$zipfile"
done
