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
 * Pure tests of auth_schoolbridge (run by scripts/php-pure-tests.php): the landing rules, and the plugin's
 * declarations as Moodle reads them.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

use auth_schoolbridge\local\landing_rules;

test('jump tokens: 40 lowercase hex characters, never the same', function () {
    $a = landing_rules::new_token();
    $b = landing_rules::new_token();
    pure_tests::check((bool)preg_match('/^[0-9a-f]{40}$/', $a), 'a token fits mnet_session.token (char 40)');
    pure_tests::check($a !== $b, 'two tokens differ');
    assert_same(30, landing_rules::TOKEN_SECONDS, 'Moodle\'s 30 seconds');
});

test('the land URL is written as Moodle writes it', function () {
    assert_same('https://sis.example.org/auth/mnet/land.php?token=abc&idp=https://moodle.example.org&wantsurl=%2Fsis%3Fx%3D1',
        landing_rules::land_url('https://sis.example.org', '/auth/mnet/land.php', 'abc', 'https://moodle.example.org',
            '/sis?x=1'), 'idp not encoded, wantsurl encoded');
    assert_same('https://a/auth/mnet/land.php?token=t&idp=https://b&wantsurl=%2F&remoteurl=1',
        landing_rules::land_url('https://a', '/auth/mnet/land.php', 't', 'https://b', '/', true), 'back to the IdP');
});

test('an identity provider must name the person fully', function () {
    $full = ['username' => 'skinner', 'firstname' => 'Seymour', 'lastname' => 'Skinner',
        'email' => 'skinner@springfield.example'];
    assert_same(true, landing_rules::is_complete($full), 'complete');
    foreach (['username', 'firstname', 'lastname', 'email'] as $field) {
        $missing = $full;
        unset($missing[$field]);
        assert_same(false, landing_rules::is_complete($missing), "no $field");
        $blank = $full;
        $blank[$field] = '  ';
        assert_same(false, landing_rules::is_complete($blank), "blank $field");
    }
    assert_same(false, landing_rules::is_complete(['username' => ['x']] + $full), 'a struct is not a name');
    assert_same(sha1('Mozilla/5.0'), landing_rules::useragent_hash('Mozilla/5.0'), 'sha1 of the User-Agent');
});

test('db/mnet.php: Moodle\'s service names, our methods, the paths SchoolBridge publishes', function () {
    $publishes = [];
    $subscribes = [];
    require(__DIR__ . '/../../db/mnet.php');
    assert_same(['sso_idp', 'sso_sp'], array_keys($publishes), 'the two services of auth_mnet');
    assert_same(['user_authorise', 'keepalive_server', 'kill_children'], $publishes['sso_idp']['methods'],
        'identity provider methods');
    assert_same(['keepalive_client', 'kill_child'], $publishes['sso_sp']['methods'], 'service provider methods');
    foreach ($subscribes as $service => $methods) {
        foreach ($methods as $name => $path) {
            assert_same("auth/mnet/auth.php/$name", $path, "we call $service $name where SchoolBridge publishes it");
        }
    }
    // What upgrade_plugin_mnet_functions() does: require the file, reflect the class and its methods.
    foreach ($publishes as $service) {
        $file = __DIR__ . '/../../' . $service['filename'];
        require_once($file);
        $class = new ReflectionClass($service['classname']);
        pure_tests::check($class->isInstantiable() && (!$class->getConstructor()
            || $class->getConstructor()->getNumberOfRequiredParameters() === 0), 'MNet can instantiate it');
        foreach ($service['methods'] as $name) {
            $method = $class->getMethod($name);
            pure_tests::check($method->isPublic() && !$method->isStatic(), "$name is a public instance method");
            pure_tests::check((bool)preg_match('/@return\s+(array|string|bool)\b/', (string)$method->getDocComment()),
                "$name documents its return type (system/methodSignature)");
        }
    }
    assert_same('auth/schoolbridge/mnetservice.php/user_authorise',
        'auth/schoolbridge/' . $publishes['sso_idp']['filename'] . '/user_authorise',
        'the path SchoolBridge learns from listMethods');
});

test('version, tasks, hooks, events', function () {
    $plugin = new stdClass();
    if (!defined('MATURITY_BETA')) {
        define('MATURITY_BETA', 100);
    }
    require(__DIR__ . '/../../version.php');
    assert_same('auth_schoolbridge', $plugin->component, 'component');
    assert_same([401, 501], $plugin->supported, 'supported: 4.1 to 5.1, the versions tested');
    $tasks = [];
    require(__DIR__ . '/../../db/tasks.php');
    assert_same('\\auth_schoolbridge\\task\\sessions', $tasks[0]['classname'], 'the upkeep task');
    $callbacks = [];
    require(__DIR__ . '/../../db/hooks.php');
    assert_same('\\core\\hook\\navigation\\primary_extend', $callbacks[0]['hook'], 'Network servers in the navigation');
    $observers = [];
    require(__DIR__ . '/../../db/events.php');
    assert_same('\\core\\event\\config_log_created', $observers[0]['eventname'], 'enabling the plugin is seen');
    foreach (['classes/task/sessions.php', 'classes/network_servers.php', 'classes/sso.php', 'classes/adoption.php'] as $f) {
        pure_tests::check(is_file(__DIR__ . '/../../' . $f), "$f exists");
    }
});

test('every language string used in the code exists', function () {
    $used = strings_used_in_code(["/['\"]([a-z0-9_:]+)['\"]\\s*,\\s*'auth_schoolbridge'/"]);
    // Moodle reads these by convention: the plugin's name and description, the Services tab.
    foreach (['pluginname', 'auth_schoolbridgedescription', 'sso_idp_name', 'sso_idp_description', 'sso_sp_name',
            'sso_sp_description', 'adopted_enabled', 'adopted_notenabled', 'adoption_none', 'adoption_nothing',
            'privacy:metadata:mnet'] as $id) {
        $used[$id] = true;
    }
    assert_strings_defined($used, 15);
});
