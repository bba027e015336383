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
 * Pure checks of the plugin's declarations: db/mnet.php, db/events.php, db/tasks.php, version.php,
 * the published MNet class, and the language strings used in the code.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

use local_schooltool\local\queue_policy;

test('db/mnet.php: subscribe to the eight methods and batch, publish the two', function () {
    $publishes = [];
    $subscribes = [];
    require(__DIR__ . '/../../db/mnet.php');
    $expected = [];
    foreach (queue_policy::METHODS as $method) {
        $expected[$method] = 'schooltool/sis/' . $method;
    }
    $expected['batch'] = 'schooltool/sis/batch';
    assert_same(['schooltool_sis'], array_keys($subscribes), 'one subscribed service');
    assert_same($expected, $subscribes['schooltool_sis'], 'method name => xmlrpc path of the wire contract');
    assert_same(9, count($subscribes['schooltool_sis']), 'eight methods and batch');
    assert_same(['schooltool_sis'], array_keys($publishes),
        'published under the same service, so Moodle\'s Services tab shows it');
    $service = $publishes['schooltool_sis'];
    assert_same(1, $service['apiversion'], 'apiversion 1');
    assert_same(['list_user_enrolments', 'request_full_sync'], $service['methods'], 'published methods');

    // What upgrade_plugin_mnet_functions() does: require the file, reflect the class and its methods.
    $file = __DIR__ . '/../../' . $service['filename'];
    pure_tests::check(is_file($file), 'published file exists');
    require_once($file);
    pure_tests::check(class_exists($service['classname']), 'published class exists');
    $class = new ReflectionClass($service['classname']);
    pure_tests::check($class->isInstantiable() && (!$class->getConstructor()
        || $class->getConstructor()->getNumberOfRequiredParameters() === 0), 'MNet can instantiate it without arguments');
    foreach ($service['methods'] as $name) {
        pure_tests::check($class->hasMethod($name), "method $name exists");
        $method = $class->getMethod($name);
        pure_tests::check($method->isPublic() && !$method->isStatic(), "$name is a public instance method");
        pure_tests::check((bool)preg_match('/@return\s+array\b/', (string)$method->getDocComment()),
            "$name documents its return type (becomes system/methodSignature)");
    }
    $param = $class->getMethod('list_user_enrolments')->getDocComment();
    pure_tests::check((bool)preg_match('/@param\s+string\s+\$username\s+\S/', $param), 'username parameter documented');
    assert_same(1, $class->getMethod('list_user_enrolments')->getNumberOfRequiredParameters(), 'one parameter');
    assert_same(0, $class->getMethod('request_full_sync')->getNumberOfRequiredParameters(), 'no parameter');
    assert_same('local/schooltool/mnetservice.php/list_user_enrolments',
        'local/schooltool/' . $service['filename'] . '/list_user_enrolments', 'path SchoolBridge calls');
});

test('db/events.php: observers exist and cover the changes of the brief', function () {
    $observers = [];
    require(__DIR__ . '/../../db/events.php');
    $source = file_get_contents(__DIR__ . '/../../classes/observer.php');
    $events = [];
    foreach ($observers as $observer) {
        $events[] = $observer['eventname'];
        pure_tests::check(preg_match('/^\\\\local_schooltool\\\\observer::(\w+)$/', $observer['callback'], $m) === 1,
            'callback format ' . $observer['callback']);
        pure_tests::check(strpos($source, 'public static function ' . $m[1] . '(') !== false,
            "observer::{$m[1]} exists");
        pure_tests::check(!isset($observer['internal']) || $observer['internal'],
            'observers run inside the transaction of the change');
    }
    foreach (['user_created', 'user_updated', 'course_created', 'course_updated', 'user_enrolment_created',
            'user_enrolment_deleted', 'role_assigned', 'role_unassigned', 'grade_item_created', 'grade_item_updated',
            'grade_item_deleted', 'course_module_created', 'course_module_updated', 'user_graded',
            'user_enrolment_updated', 'enrol_instance_updated', 'grade_deleted'] as $event) {
        pure_tests::check(in_array('\\core\\event\\' . $event, $events, true), "observes $event");
    }
});

test('version.php and db/tasks.php', function () {
    $plugin = new stdClass();
    if (!defined('MATURITY_BETA')) {
        define('MATURITY_BETA', 100);
    }
    require(__DIR__ . '/../../version.php');
    assert_same('local_schooltool', $plugin->component, 'component');
    pure_tests::check($plugin->requires <= 2022112800, 'installs on Moodle 4.1');
    assert_same([401, 501], $plugin->supported, 'supported range: 4.1 to 5.1, the versions tested');
    $tasks = [];
    require(__DIR__ . '/../../db/tasks.php');
    assert_same('\\local_schooltool\\task\\drain_queue', $tasks[0]['classname'], 'drain task');
    pure_tests::check(is_file(__DIR__ . '/../../classes/task/drain_queue.php'), 'drain task class file');
    $xml = simplexml_load_file(__DIR__ . '/../../db/install.xml');
    pure_tests::check($xml !== false, 'install.xml parses');
    $tables = [];
    foreach ($xml->TABLES->TABLE as $table) {
        $tables[] = (string)$table['NAME'];
        pure_tests::check(strlen((string)$table['NAME']) <= 28, 'table name length ' . $table['NAME']);
    }
    assert_same(['local_schooltool_queue', 'local_schooltool_peer'], $tables, 'tables');
});

test('every language string used in the code exists', function () {
    $used = strings_used_in_code([
        "/get_string\\(\\s*'([a-z0-9_:]+)'\\s*,\\s*'local_schooltool'/",
        "/'(privacy:metadata:[a-z0-9_:]+)'/",
    ]);
    // Strings built at run time.
    foreach (['users', 'courses', 'enrolments', 'teachers', 'assessments', 'grades'] as $kind) {
        $used['kind_' . $kind] = true;
    }
    foreach ([0, 1, 2, 3, 4] as $status) {
        $used['status' . $status] = true;
    }
    foreach (['open', 'failed', 'all'] as $filter) {
        $used['filter_' . $filter] = true;
    }
    foreach (['peer', 'sending', 'subscribed', 'published', 'pending', 'needsadmin', 'lastsuccess', 'lasterror',
            'nextattempt', 'actions', 'col_id', 'col_created', 'col_method', 'col_record', 'col_status', 'col_attempts',
            'col_error', 'col_payload'] as $id) {
        $used[$id] = true;
    }
    $string = assert_strings_defined($used, 40);
    foreach ([8101, 8102, 8103, 8104, 8105, 8106, 8107, 8199] as $code) {
        pure_tests::check(isset($string['fault' . $code]), "explanation of fault $code");
    }
    pure_tests::check(isset($string['pluginname']), 'pluginname');
});
