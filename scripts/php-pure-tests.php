<?php
// This file is part of SchoolBridge's tests of its Moodle plugins (GNU GPL v3 or later, as Moodle).

/**
 * Runs a plugin's tests of its Moodle-free classes (classes/local/) with plain PHP:
 * `php scripts/php-pure-tests.php moodle/local/schooltool` (scripts/test-php.sh runs it for every
 * plugin that has tests/pure/). One runner for every plugin, so the plugins' test files hold
 * only their cases.
 *
 * The case files are the plugin's tests/pure/cases_*.php (not *_test.php, so that Moodle's
 * PHPUnit does not pick them up). Prints one line per failure and a closing "N passed, N failed"
 * line; exits 1 on any failure.
 */

// This script runs outside Moodle on purpose; the classes under test only need the constant.
if (PHP_SAPI !== 'cli') {
    exit(1);
}
define('MOODLE_INTERNAL', true);

// The plugin's folder, e.g. moodle/local/schooltool: its component is local_schooltool.
$plugindir = realpath($argv[1] ?? '');
if ($plugindir === false || !is_dir($plugindir . '/tests/pure')) {
    fwrite(STDERR, "usage: php scripts/php-pure-tests.php PLUGIN_DIR (a folder with tests/pure/)\n");
    exit(2);
}
$component = basename(dirname($plugindir)) . '_' . basename($plugindir);

spl_autoload_register(function (string $class) use ($component, $plugindir): void {
    $prefix = $component . '\\local\\';
    if (strpos($class, $prefix) === 0) {
        $file = $plugindir . '/classes/local/' . substr($class, strlen($prefix)) . '.php';
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

/**
 * The language string ids the plugin's code (its PHP files outside tests/) names: each pattern's
 * first group, over every file.
 *
 * @param string[] $patterns regular expressions whose group 1 is a string id
 * @return array<string, true> the ids found
 */
function strings_used_in_code(array $patterns): array {
    global $plugindir;
    $files = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($plugindir, FilesystemIterator::SKIP_DOTS));
    $used = [];
    foreach ($files as $file) {
        if (substr($file->getFilename(), -4) !== '.php' || strpos($file->getPathname(), '/tests/') !== false) {
            continue;
        }
        $code = file_get_contents($file->getPathname());
        foreach ($patterns as $pattern) {
            preg_match_all($pattern, $code, $m);
            foreach ($m[1] as $id) {
                $used[$id] = true;
            }
        }
    }
    return $used;
}

/**
 * Checks that the plugin's English language file defines every id in `$used` (more than
 * `$atleast` of them, so that a pattern that stopped matching is noticed).
 *
 * @param array<string, true> $used string ids
 * @param int $atleast fewer ids than this is a failure
 * @return array<string, string> the language file's strings
 */
function assert_strings_defined(array $used, int $atleast): array {
    global $plugindir, $component;
    $string = [];
    require($plugindir . '/lang/en/' . $component . '.php');
    pure_tests::check(count($used) > $atleast, 'found the strings in the code');
    foreach (array_keys($used) as $id) {
        pure_tests::check(isset($string[$id]), "string '$id' is defined");
    }
    return $string;
}

$files = glob($plugindir . '/tests/pure/cases_*.php');
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
