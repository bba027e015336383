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
 * Pure tests of the batches of `schooltool/sis/batch` (run by scripts/php-pure-tests.php).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

use local_schooltool\local\batch_plan;
use local_schooltool\local\fault_policy;

test('a batch holds each record once, in order, up to 1000 changes', function () {
    $b = new batch_plan();
    assert_same(true, $b->add('user:1', 'fetch_user', ['idnumber' => 'u1', 'eventid' => 'e1', 'timemodified' => 5]), 'first');
    assert_same(true, $b->add('course:2', 'new_section', ['idnumber' => 'c2', 'eventid' => 'e2', 'timemodified' => 6]), 'second');
    assert_same(false, $b->add('user:1', 'fetch_user', ['idnumber' => 'u1', 'eventid' => 'e3', 'timemodified' => 7]),
        'a second change of a record waits for the next batch');
    assert_same(2, $b->count(), 'count');
    assert_same(['method' => 'fetch_user', 'idnumber' => 'u1', 'eventid' => 'e1', 'timemodified' => 5],
        $b->changes()[0], 'each change names its method and keeps its eventid and timemodified');
    assert_same('new_section', $b->changes()[1]['method'], 'order kept');

    $full = new batch_plan();
    for ($i = 0; $i < batch_plan::MAX_CHANGES; $i++) {
        $full->add("grade:1:$i", 'new_grade', ['eventid' => "g$i"]);
    }
    assert_same(1000, $full->count(), 'fills to 1000');
    assert_same(false, $full->add('grade:1:9999', 'new_grade', ['eventid' => 'x']), 'the 1001st waits');

    $big = new batch_plan();
    $text = str_repeat('x', 600 * 1024);
    $added = 0;
    while ($big->add("user:$added", 'fetch_user', ['firstname' => $text])) {
        $added++;
    }
    assert_same(3, $added, 'bounded in bytes too (2 MiB of structs)');
    $one = new batch_plan();
    assert_same(true, $one->add('user:1', 'fetch_user', ['firstname' => str_repeat('y', 3 * 1024 * 1024)]),
        'a single large change still goes (alone)');
});

test('batch results map to one send_result per change', function () {
    $reply = ['results' => [
        ['status' => 'created', 'idnumber' => 'u1', 'eventid' => 'e1'],
        ['faultCode' => 8104, 'faultString' => 'unknown person', 'eventid' => 'e2'],
        ['status' => 'unchanged', 'idnumber' => 'c1', 'eventid' => 'e3', 'replayed' => true],
        ['faultCode' => '8101', 'faultString' => 'idnumber is missing'],
    ]];
    $results = batch_plan::results($reply, 4);
    assert_same(4, count($results), 'four results');
    assert_same(fault_policy::OK, $results[0]->outcome('fetch_user'), 'applied');
    assert_same('created', $results[0]->response['status'], 'its reply is kept');
    assert_same(fault_policy::DEPENDENCY, $results[1]->outcome('new_enrolment'), '8104 asks for the prerequisite');
    assert_same(8104, $results[1]->faultcode, 'code');
    assert_same(fault_policy::OK, $results[2]->outcome('new_section'), 'a replay is acknowledged');
    assert_same(fault_policy::PERMANENT, $results[3]->outcome('fetch_user'), 'a string code is read as a number');
    assert_same(null, batch_plan::results($reply, 5), 'a count that does not match is not trusted');
    assert_same(null, batch_plan::results(['status' => 'created'], 1), 'a single change reply is not a batch reply');
    assert_same(null, batch_plan::results(['results' => ['oops']], 1), 'an item that is not a struct');
    assert_same(null, batch_plan::results(null, 0), 'no reply');
});

test('an older SchoolBridge (7012 to a batch) gets one call per change for a day', function () {
    assert_same(true, batch_plan::not_supported(7012), '7012');
    assert_same(false, batch_plan::not_supported(8199), '8199 is an outage, not an old peer');
    assert_same(false, batch_plan::not_supported(null), 'a transport error neither');
    assert_same(true, batch_plan::worth_trying(0, 1000), 'never refused');
    assert_same(false, batch_plan::worth_trying(1000, 1000 + 3600), 'refused an hour ago');
    assert_same(true, batch_plan::worth_trying(1000, 1000 + 86400), 'a day later, try again');
});
