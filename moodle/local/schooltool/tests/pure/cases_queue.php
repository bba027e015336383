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
 * Pure tests of the queue rules, planner, fault policy and send results (run by scripts/php-pure-tests.php).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

use local_schooltool\local\fault_policy;
use local_schooltool\local\planner;
use local_schooltool\local\queue_policy;
use local_schooltool\local\send_result;

test('record keys round-trip and reject garbage', function () {
    assert_same('enrol:12:345', queue_policy::record_key('enrol', 12, 345), 'enrol key');
    assert_same(['enrol', [12, 345]], queue_policy::parse_record_key('enrol:12:345'), 'parse');
    assert_same(['user', [5]], queue_policy::parse_record_key(queue_policy::record_key('user', 5)), 'round trip');
    foreach (['', 'user', 'user:', 'user:x', 'user:1:2', 'enrol:1', 'nope:1', 'grade:1:-2'] as $bad) {
        assert_same(null, queue_policy::parse_record_key($bad), "parse '$bad'");
    }
    assert_throws(function () {
        queue_policy::record_key('enrol', 1);
    }, 'wrong id count');
});

test('content hash ignores eventid, timemodified and field order', function () {
    $a = queue_policy::content_hash('fetch_user', ['idnumber' => 'X', 'username' => 'u', 'eventid' => 'e1',
        'timemodified' => 1]);
    $b = queue_policy::content_hash('fetch_user', ['username' => 'u', 'idnumber' => 'X', 'eventid' => 'e2',
        'timemodified' => 2]);
    $c = queue_policy::content_hash('fetch_user', ['username' => 'v', 'idnumber' => 'X']);
    $d = queue_policy::content_hash('new_section', ['username' => 'u', 'idnumber' => 'X']);
    assert_same($a, $b, 'same content, same hash');
    assert_same(true, $a !== $c, 'different value');
    assert_same(true, $a !== $d, 'different method');
    assert_same(true, queue_policy::content_hash('new_assessment', ['extra_credit' => false])
        !== queue_policy::content_hash('new_assessment', ['extra_credit' => true]), 'booleans count');
    assert_same(true, queue_policy::content_hash('fetch_user', ['lastname' => "M\xfcller"])
        !== queue_policy::content_hash('fetch_user', ['lastname' => 'Smith']), 'invalid UTF-8 still hashes its content');
    assert_same(true, queue_policy::content_hash('fetch_user', ['lastname' => 'Ünal'])
        !== queue_policy::content_hash('fetch_user', ['lastname' => 'Unal']), 'non-ASCII names differ');
});

test('enqueue decisions', function () {
    $h = 'hash1';
    $row = function (array $over) use ($h) {
        return array_merge(['method' => 'new_enrolment', 'hash' => $h, 'status' => queue_policy::PENDING,
            'attempts' => 0, 'thisrequest' => false], $over);
    };
    assert_same(queue_policy::INSERT, queue_policy::decide(null, 'new_enrolment', $h), 'first change');
    assert_same(queue_policy::SKIP, queue_policy::decide($row(['status' => queue_policy::SENT]), 'new_enrolment', $h),
        'same as delivered → skip');
    assert_same(queue_policy::SKIP, queue_policy::decide($row([]), 'new_enrolment', $h), 'same as pending → skip');
    assert_same(queue_policy::INSERT, queue_policy::decide($row(['status' => queue_policy::DISMISSED]), 'new_enrolment',
        $h), 'dismissed rows do not suppress');
    assert_same(queue_policy::INSERT, queue_policy::decide($row([]), 'new_enrolment', $h, true), 'full sync forces');
    assert_same(queue_policy::SKIP, queue_policy::decide($row(['thisrequest' => true, 'method' => 'new_grade']),
        'new_grade', $h, true), 'full sync: the same change this request queued and nobody tried yet goes once');
    assert_same(queue_policy::INSERT, queue_policy::decide($row(['thisrequest' => true, 'attempts' => 1]),
        'new_enrolment', $h, true), 'full sync: a row already tried (maybe refused) is sent again behind it');
    assert_same(queue_policy::INSERT, queue_policy::decide($row(['thisrequest' => true, 'status' => queue_policy::SENT]),
        'new_enrolment', $h, true), 'full sync: a delivered row is sent again');
    assert_same(queue_policy::INSERT, queue_policy::decide($row(['thisrequest' => true]), 'new_enrolment', 'hash2', true),
        'full sync: other content this request queued');
    assert_same(queue_policy::REPLACE, queue_policy::decide($row(['thisrequest' => true]), 'new_enrolment', 'hash2'),
        'student enrolment then teacher role in one request → one call');
    assert_same(queue_policy::INSERT, queue_policy::decide($row([]), 'new_enrolment', 'hash2'),
        'earlier request → keep both (history)');
    assert_same(queue_policy::INSERT, queue_policy::decide($row(['thisrequest' => true, 'attempts' => 1]),
        'new_enrolment', 'hash2'), 'an attempted row may have arrived: never rewrite it');
    assert_same(queue_policy::INSERT, queue_policy::decide($row(['thisrequest' => true, 'method' => 'new_grade']),
        'new_grade', 'hash2'), 'grades are never merged');
    assert_same(queue_policy::INSERT, queue_policy::decide($row(['thisrequest' => true]), 'remove_enrolment', 'hash2'),
        'a removal after an enrolment is a new change');
});

test('planner keeps per-record order and lets other records pass', function () {
    $now = 1000;
    $rows = [
        ['id' => 1, 'recordkey' => 'user:1', 'nextattempt' => 0],
        ['id' => 2, 'recordkey' => 'enrol:5:1', 'nextattempt' => 2000],
        ['id' => 3, 'recordkey' => 'user:2', 'nextattempt' => 0],
        ['id' => 4, 'recordkey' => 'enrol:5:1', 'nextattempt' => 0],
        ['id' => 5, 'recordkey' => 'user:1', 'nextattempt' => 999],
    ];
    assert_same([1, 3, 5], (new planner($now))->sendable($rows), 'row 4 waits behind row 2 of the same record');
    assert_same([1, 2, 3, 4, 5], (new planner($now, true))->sendable($rows), 'retry now ignores back-off');
    $p = new planner($now);
    assert_same(true, $p->may_send('user:1', 0), 'first row');
    $p->block('user:1');
    assert_same(false, $p->may_send('user:1', 0), 'a failed record blocks its later rows');
    assert_same(true, $p->may_send('user:2', 0), 'other records still go');
});

test('fault classification follows the contract', function () {
    foreach ([8101, 8102, 8106, 8107] as $code) {
        assert_same(fault_policy::PERMANENT, fault_policy::classify($code), "$code permanent");
    }
    foreach ([8103, 8104, 8105] as $code) {
        assert_same(fault_policy::DEPENDENCY, fault_policy::classify($code), "$code dependency");
    }
    foreach ([8199, 7023, 7025, 7012, 7020, 713, 1, null] as $code) {
        assert_same(fault_policy::TRANSIENT, fault_policy::classify($code), var_export($code, true) . ' transient');
    }
    assert_same(fault_policy::RETRY, fault_policy::classify(8150), 'unknown service fault: retry this record only');
    assert_same(fault_policy::TRANSIENT, fault_policy::classify(7012, 'new_grade'),
        '7012 for a method of apiversion 1: the service is not published to us, the whole peer waits');
    assert_same(fault_policy::PERMANENT, fault_policy::classify(7012, 'remove_grade'),
        '7012 for a later method: an older SchoolBridge, the row needs an admin and the others go on');
    assert_same(fault_policy::PERMANENT, send_result::fault(7012, 'no such method')->outcome('remove_grade'),
        'send_result passes the method on');
});

test('fault codes are found in mnet_xmlrpc_client errors', function () {
    assert_same(7023, fault_policy::code_from_errors(['4: remote server error: code: 7023, message: mnet/encryption-invalid']),
        'plain fault before decryption');
    // What Moodle's envelope parser really reports for MNet's fault layout: the code is lost.
    assert_same(7023, fault_policy::code_from_errors(['4: remote server error: code: , message: mnet/encryption-invalid']),
        'plain 7023 known by its text');
    assert_same(7020, fault_policy::code_from_errors(
        ['4: remote server error: code: , message: https://moodle.school.example/wrong-wwwroot']), 'plain 7020');
    assert_same(7021, fault_policy::code_from_errors(['4: remote server error: code: , message: The transport method you '
        . 'are trying to use is not permitted.']), 'plain 7021');
    assert_same(null, fault_policy::code_from_errors(['4: remote server error: code: , message: something else']),
        'an unknown text gives no code');
    assert_same(8104, fault_policy::code_from_errors(["8104 : unknown person userid\n"]), 'fault in a reply');
    assert_same(null, fault_policy::code_from_errors(['7:User with ID 2 attempted to call unauthorised method']),
        'local permission error has no fault code');
    assert_same(null, fault_policy::code_from_errors(['5:Connect error: Connection refused (111)']), 'connection');
    assert_same(null, fault_policy::code_from_errors([]), 'nothing');
});

test('back-off grows and is capped', function () {
    assert_same(60, fault_policy::peer_backoff(1), 'first peer retry after a minute');
    assert_same(120, fault_policy::peer_backoff(2), 'then two');
    assert_same(3600, fault_policy::peer_backoff(7), 'capped at an hour');
    assert_same(3600, fault_policy::peer_backoff(500), 'no overflow');
    assert_same(60, fault_policy::peer_backoff(0), 'at least one failure');
    assert_same(21600, fault_policy::record_backoff(40), 'record back-off capped at six hours');
    $prev = 0;
    for ($i = 1; $i <= fault_policy::MAX_RECORD_ATTEMPTS; $i++) {
        $d = fault_policy::record_backoff($i);
        pure_tests::check($d >= $prev, "record back-off never shrinks ($i)");
        $prev = $d;
    }
});

test('prerequisites of dependency faults', function () {
    assert_same(['user', 7], fault_policy::prerequisite('new_enrolment', 8104, 'enrol:3:7'), 'unknown person');
    assert_same(['course', 3], fault_policy::prerequisite('new_enrolment', 8103, 'enrol:3:7'), 'unknown section');
    assert_same(['course', 3], fault_policy::prerequisite('remove_enrolment', 8103, 'enrol:3:7'), 'removal too');
    assert_same(['teacherofcourse', 3], fault_policy::prerequisite('new_section', 8104, 'course:3'), 'teacher');
    assert_same(['courseofgradeitem', 40], fault_policy::prerequisite('new_assessment', 8103, 'gradeitem:40'),
        'assessment needs its section');
    assert_same(['gradeitem', 40], fault_policy::prerequisite('new_grade', 8105, 'grade:40:7'), 'grade needs item');
    assert_same(['user', 7], fault_policy::prerequisite('new_grade', 8104, 'grade:40:7'), 'grade needs student');
    assert_same(['gradeitem', 40], fault_policy::prerequisite('remove_grade', 8105, 'grade:40:7'),
        'a cleared grade needs the item');
    assert_same(['user', 7], fault_policy::prerequisite('remove_grade', 8104, 'grade:40:7'),
        'a cleared grade needs the student');
    assert_same(null, fault_policy::prerequisite('fetch_user', 8104, 'user:7'), 'nothing before a person');
    assert_same(null, fault_policy::prerequisite('new_enrolment', 8105, 'enrol:3:7'), 'code that does not apply');
    assert_same(null, fault_policy::prerequisite('new_grade', 8105, 'garbage'), 'bad key');
});

test('send results map to outcomes', function () {
    assert_same(fault_policy::OK, send_result::success(['status' => 'created'])->outcome(), 'success');
    assert_same(fault_policy::OK, send_result::dryrun()->outcome(), 'dry run counts as handled');
    assert_same(true, send_result::dryrun()->dryrun, 'dry run flag');
    assert_same(fault_policy::PERMANENT, send_result::fault(8101, 'name missing')->outcome(), 'fault');
    assert_same(fault_policy::TRANSIENT, send_result::transport('refused')->outcome(), 'transport');
});

test('the status page: a later success resolves the last error', function () {
    $state = function (int $time, ?string $error, int $resolved): string {
        return \local_schooltool\local\peer_status::last_error_state($time, $error, $resolved);
    };
    assert_same(\local_schooltool\local\peer_status::NONE, $state(0, null, 0), 'never failed');
    assert_same(\local_schooltool\local\peer_status::NONE, $state(100, '', 0), 'no text');
    assert_same(\local_schooltool\local\peer_status::CURRENT, $state(100, 'Connection refused', 0),
        'an outage now, even when the last success was in the same second');
    assert_same(\local_schooltool\local\peer_status::RESOLVED, $state(200, 'Connection refused', 200),
        'a call went through after it (in the same second too)');
});
