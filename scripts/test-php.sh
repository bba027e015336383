#!/usr/bin/env bash
# Checks of our Moodle plugins (moodle/*/*: local_schooltool, auth_schoolbridge) that run without Moodle:
#   1. `php -l` on every PHP file of the plugin;
#   2. a grep for syntax that PHP 7.4 (the oldest PHP of Moodle 4.1) rejects, since the local php is newer;
#   3. each plugin's plain-PHP tests of its Moodle-free classes (<plugin>/tests/pure/cases_*.php, run by scripts/php-pure-tests.php).
# The PHPUnit tests (tests/*_test.php) need a Moodle site and are only linted here.
# Prints failures, then one summary line "php: N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
plugins=("$root"/moodle/*/*)

if ! command -v php >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "test-php: php not found, installing Debian's php-cli and php-xml" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 php-cli php-xml >/dev/null
    else
        echo "test-php: php is not installed (apt-get install php-cli php-xml)" >&2
        echo "php: 0 passed, 1 failed"
        exit 1
    fi
fi

passed=0
failed=0

# 1. Syntax of every PHP file.
files=()
while IFS= read -r -d '' f; do
    files+=("$f")
done < <(find "${plugins[@]}" -name '*.php' -type f -print0 | sort -z)
if [ "${#files[@]}" -eq 0 ]; then
    echo "test-php: no PHP files under $root/moodle" >&2
    echo "php: 0 passed, 1 failed"
    exit 1
fi
for f in "${files[@]}"; do
    if out="$(php -d display_errors=1 -l "$f" 2>&1)"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL lint ${f#"$root"/}: $out"
    fi
done

# 2. Syntax newer than PHP 7.4 (Moodle 4.1 still runs on 7.4): nullsafe operator, match, attributes,
#    enums, readonly, mixed/never/static return types, constructor promotion, PHP 8 string functions,
#    and a trailing comma in a parameter list.
compat_patterns=(
    '\?->'
    '\bmatch[[:space:]]*\('
    '^[[:space:]]*#\['
    '^[[:space:]]*enum[[:space:]]'
    '\breadonly[[:space:]]'
    '\)[[:space:]]*:[[:space:]]*\??(mixed|never|static)\b'
    'function[[:space:]]+__construct\([^)]*\b(public|protected|private)[[:space:]]'
    '\b(str_contains|str_starts_with|str_ends_with|array_is_list)[[:space:]]*\('
)
for pattern in "${compat_patterns[@]}"; do
    if hits="$(grep -nE "$pattern" "${files[@]}" | grep -v '^[^:]*:[0-9]*:[[:space:]]*\(//\|\*\)')"; then
        failed=$((failed + 1))
        echo "FAIL php7.4 syntax /$pattern/:"
        echo "$hits" | sed "s|$root/||"
    else
        passed=$((passed + 1))
    fi
done
# A parameter list ending in a comma: "...,\n    ) {" or "...,\n    ): type {" after a function declaration.
if hits="$(php -r '
    $bad = [];
    foreach (array_slice($argv, 1) as $file) {
        $tokens = token_get_all(file_get_contents($file));
        $infunction = false; $depth = 0; $last = null;
        foreach ($tokens as $t) {
            if (is_array($t) && $t[0] === T_FUNCTION) { $infunction = true; $depth = 0; $last = null; continue; }
            if (!$infunction || (is_array($t) && in_array($t[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true))) { continue; }
            $text = is_array($t) ? $t[1] : $t;
            if ($text === "(") { $depth++; }
            if ($text === ")") { $depth--; if ($depth === 0) { if ($last === ",") { $bad[] = $file; } $infunction = false; } }
            $last = $text;
        }
    }
    echo implode("\n", array_unique($bad));
' "${files[@]}")" && [ -n "$hits" ]; then
    failed=$((failed + 1))
    echo "FAIL php7.4 syntax: trailing comma in a parameter list in:"
    echo "$hits" | sed "s|$root/||"
else
    passed=$((passed + 1))
fi

# 3. Plain-PHP tests, per plugin.
for plugin in "${plugins[@]}"; do
    [ -d "$plugin/tests/pure" ] || continue
    set +e
    pure_out="$(php "$root/scripts/php-pure-tests.php" "$plugin" 2>&1)"
    pure_rc=$?
    set -e
    pure_summary="$(printf '%s\n' "$pure_out" | tail -n 1)"
    if [[ "$pure_summary" =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        printf '%s\n' "$pure_out" | sed '$d'
        if [ "$pure_rc" -ne 0 ] && [ "${BASH_REMATCH[2]}" -eq 0 ]; then
            failed=$((failed + 1))
            echo "FAIL ${plugin#"$root"/} pure tests exited with $pure_rc"
        fi
    else
        failed=$((failed + 1))
        echo "FAIL ${plugin#"$root"/} pure tests did not run:"
        printf '%s\n' "$pure_out"
    fi
done

echo "test-php: ${#files[@]} files linted, pure tests and PHP 7.4 syntax checks run" >&2
echo "php: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
