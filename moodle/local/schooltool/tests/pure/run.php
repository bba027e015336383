<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Runs the tests of the Moodle-free classes in classes/local/ with plain PHP: `php tests/pure/run.php`.
 *
 * The case files are named cases_*.php (not *_test.php) so that Moodle's PHPUnit does not pick them up.
 * Prints one line per failure and a closing "N passed, N failed" line; exits 1 on any failure.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

// This script runs outside Moodle on purpose; the classes under test only need the constant.
if (PHP_SAPI !== 'cli') {
    exit(1);
}
define('MOODLE_INTERNAL', true);

spl_autoload_register(function (string $class): void {
    $prefix = 'local_schooltool\\local\\';
    if (strpos($class, $prefix) === 0) {
        $file = __DIR__ . '/../../classes/local/' . substr($class, strlen($prefix)) . '.php';
        if (is_file($file)) {
            require_once($file);
        }
    }
});

/**
 * Tiny assertion collector.
 */
final class pure_tests {
    /** @var int */
    public static $passed = 0;
    /** @var string[] */
    public static $failures = [];
    /** @var string */
    public static $current = '';

    /**
     * Records one check.
     *
     * @param bool $condition outcome
     * @param string $what description shown on failure
     */
    public static function check(bool $condition, string $what): void {
        if ($condition) {
            self::$passed++;
        } else {
            self::$failures[] = self::$current . ': ' . $what;
        }
    }
}

/**
 * Asserts strict equality.
 *
 * @param mixed $expected expected value
 * @param mixed $actual actual value
 * @param string $what description
 */
function assert_same($expected, $actual, string $what): void {
    pure_tests::check($expected === $actual, $what . ' — expected ' . var_export($expected, true)
        . ', got ' . var_export($actual, true));
}

/**
 * Asserts that a callable throws.
 *
 * @param callable $fn code expected to throw
 * @param string $what description
 */
function assert_throws(callable $fn, string $what): void {
    try {
        $fn();
        pure_tests::check(false, $what . ' — no exception');
    } catch (\Throwable $e) {
        pure_tests::check(true, $what);
    }
}

/**
 * Registers and runs a named test.
 *
 * @param string $name test name
 * @param callable $fn the test body
 */
function test(string $name, callable $fn): void {
    pure_tests::$current = $name;
    try {
        $fn();
    } catch (\Throwable $e) {
        pure_tests::check(false, 'uncaught ' . get_class($e) . ': ' . $e->getMessage());
    }
}

$files = glob(__DIR__ . '/cases_*.php');
sort($files);
foreach ($files as $file) {
    require($file);
}

foreach (pure_tests::$failures as $failure) {
    fwrite(STDOUT, "FAIL $failure\n");
}
$failed = count(pure_tests::$failures);
fwrite(STDOUT, 'pure: ' . pure_tests::$passed . " passed, $failed failed\n");
exit($failed === 0 && pure_tests::$passed > 0 ? 0 : 1);
