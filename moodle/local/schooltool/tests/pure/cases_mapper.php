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
 * Pure tests of local_schooltool\local\mapper (run by scripts/php-pure-tests.php).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

use local_schooltool\local\mapper;

test('shared ids: idnumber wins, else derived from the internal id', function () {
    assert_same('S-1001', mapper::user_id(['id' => 7, 'idnumber' => 'S-1001']), 'user idnumber');
    assert_same('S-1001', mapper::user_id((object)['id' => '7', 'idnumber' => "  S-1001\t"]), 'idnumber is trimmed');
    assert_same('moodle-user-7', mapper::user_id(['id' => '7', 'idnumber' => '']), 'empty idnumber → derived');
    assert_same('moodle-user-7', mapper::user_id(['id' => 7, 'idnumber' => '   ']), 'blank idnumber → derived');
    assert_same('moodle-user-7', mapper::user_id(['id' => 7, 'idnumber' => null]), 'null idnumber → derived');
    assert_same('moodle-course-12', mapper::course_id(['id' => 12, 'idnumber' => '']), 'course derived');
    assert_same('ALG1-0915', mapper::course_id(['id' => 12, 'idnumber' => 'ALG1-0915']), 'course idnumber');
    assert_same('moodle-gradeitem-99', mapper::gradeitem_id(['id' => 99, 'idnumber' => '']), 'grade item derived');
    assert_same('0', mapper::user_id(['id' => 7, 'idnumber' => '0']), 'idnumber "0" is a real idnumber');
    assert_throws(function () {
        mapper::user_id(['id' => 0, 'idnumber' => '']);
    }, 'no idnumber and no id');
});

test('fetch_user carries identity and names, never a password', function () {
    $user = (object)['id' => 5, 'idnumber' => '', 'username' => 'jsmith', 'firstname' => ' Jane ',
        'lastname' => 'Smith', 'email' => 'j@example.org', 'password' => '$2y$10$abcdef', 'auth' => 'manual',
        'secret' => 'x'];
    $fields = mapper::user($user);
    assert_same(['idnumber' => 'moodle-user-5', 'username' => 'jsmith', 'firstname' => 'Jane', 'lastname' => 'Smith',
        'email' => 'j@example.org'], $fields, 'fields');
    assert_same(false, isset($fields['password']) || isset($fields['password_hash']), 'no password field');
    assert_same(false, strpos(json_encode($fields), '$2y$') !== false, 'no hash anywhere');
});

test('new_section: course name, teacher, segment 1', function () {
    $course = ['id' => 3, 'idnumber' => 'ALG1', 'fullname' => 'Algebra 1 @ 9:15', 'shortname' => 'alg'];
    assert_same(['idnumber' => 'ALG1', 'name' => 'Algebra 1 @ 9:15', 'teacheridnumber' => 'T-9', 'segment' => 1],
        mapper::section($course, 'T-9'), 'with teacher');
    assert_same('', mapper::section($course, null)['teacheridnumber'], 'no teacher → empty');
    assert_same(1, mapper::section($course, null)['segment'], 'segment is an int 1');
});

test('enrolments', function () {
    assert_same(['sectionid' => 'ALG1', 'userid' => 'S1', 'role' => 'teacher', 'status' => 'active',
        'timestart' => 0, 'timeend' => 0],
        mapper::enrolment('ALG1', 'S1', 'teacher'), 'new_enrolment: active without dates unless told');
    assert_same(['sectionid' => 'ALG1', 'userid' => 'S1', 'role' => 'student', 'status' => 'suspended',
        'timestart' => 1790000000, 'timeend' => 1800000000],
        mapper::enrolment('ALG1', 'S1', 'student',
            ['status' => 'suspended', 'timestart' => '1790000000', 'timeend' => 1800000000]),
        'new_enrolment carries the status and the dates, as ints');
    assert_throws(function () {
        mapper::enrolment('ALG1', 'S1', 'student', ['status' => 'withdrawn', 'timestart' => 0, 'timeend' => 0]);
    }, 'only active or suspended');
    assert_same(['sectionid' => 'ALG1', 'userid' => 'S1'], mapper::unenrolment('ALG1', 'S1', null),
        'remove without role withdraws every role');
    assert_same('student', mapper::unenrolment('ALG1', 'S1', 'student')['role'], 'remove one role');
    assert_throws(function () {
        mapper::enrolment('ALG1', 'S1', 'editingteacher');
    }, 'Moodle role names are not wire roles');
});

test('new_assessment mapping', function () {
    $item = ['id' => 40, 'idnumber' => '', 'itemtype' => 'mod', 'itemmodule' => 'assign', 'itemname' => ' Lab 1 ',
        'gradetype' => 1, 'grademax' => '50.00000', 'aggregationcoef' => '0.00000'];
    $fields = mapper::assessment($item, 'ALG1', 2, 13);
    assert_same(['idnumber' => 'moodle-gradeitem-40', 'sectionid' => 'ALG1', 'name' => 'Lab 1', 'chapternum' => 2,
        'honors_required' => false, 'nonhonors_required' => true, 'extra_credit' => false, 'pointval' => '50'],
        $fields, 'fields');
    $item['aggregationcoef'] = '1.00000';
    assert_same(true, mapper::assessment($item, 'ALG1', 2, 13)['extra_credit'], 'Natural + coef>0 is extra credit');
    assert_same(true, mapper::assessment($item, 'ALG1', 2, 12)['extra_credit'], 'mean with extra credits');
    assert_same(false, mapper::assessment($item, 'ALG1', 2, 10)['extra_credit'], 'weighted mean: coef is a weight');
    assert_same(false, mapper::assessment($item, 'ALG1', 2, null)['extra_credit'], 'unknown aggregation');
    assert_same(0, mapper::assessment($item, 'ALG1', -1, 13)['chapternum'], 'chapternum never negative');
});

test('new_assessment of the course total: kind course_total, Moodle\'s label, its maximum', function () {
    $item = ['id' => 7, 'idnumber' => '', 'itemtype' => 'course', 'itemname' => null, 'gradetype' => 1,
        'grademax' => '60.00000', 'aggregationcoef' => '0.00000', 'iteminstance' => 3];
    assert_same(true, mapper::is_course_total($item), 'itemtype course');
    assert_same(false, mapper::is_course_total(['itemtype' => 'category']), 'a category total is not');
    assert_same(['idnumber' => 'moodle-gradeitem-7', 'sectionid' => 'HIST5', 'name' => 'Course total', 'chapternum' => 0,
        'honors_required' => false, 'nonhonors_required' => true, 'extra_credit' => false, 'pointval' => '60',
        'kind' => 'course_total'], mapper::course_total($item, 'HIST5', ' Course total '), 'fields');
    $item['idnumber'] = 'HIST5-TOTAL';
    $item['grademax'] = '100.00000';
    $fields = mapper::course_total((object)$item, 'HIST5', 'Total du cours');
    assert_same('HIST5-TOTAL', $fields['idnumber'], 'the course total\'s own ID number');
    assert_same('Total du cours', $fields['name'], 'the label in the site\'s language');
    assert_same('100', $fields['pointval'], 'weighted mean: the course total\'s maximum, not a sum of items');
    assert_throws(function () {
        mapper::course_total(['id' => 9, 'itemtype' => 'manual', 'grademax' => 10], 'HIST5', 'Course total');
    }, 'only a course total');
    // Its grades are Moodle's figures, as any grade: points out of the maximum, excluded, or nothing.
    assert_same(['assessmentid' => 'HIST5-TOTAL', 'userid' => 'S1', 'points_earned' => '71.66667', 'excepted' => false,
        'attempt_num' => 1], mapper::grade('HIST5-TOTAL', 'S1', '71.66667', 0, 1), 'a weighted total');
    assert_same(null, mapper::grade('HIST5-TOTAL', 'S1', null, 0, 1), 'no total → nothing (the caller clears)');
});

test('which grade items are sent', function () {
    assert_same(true, mapper::is_sendable_gradeitem(['itemtype' => 'mod', 'gradetype' => '1']), 'activity, points');
    assert_same(true, mapper::is_sendable_gradeitem(['itemtype' => 'manual', 'gradetype' => 2]), 'manual, scale');
    assert_same(true, mapper::is_sendable_gradeitem(['itemtype' => 'course', 'gradetype' => 1]),
        'course total (issue 20: sent as kind course_total)');
    assert_same(false, mapper::is_sendable_gradeitem(['itemtype' => 'category', 'gradetype' => 1]), 'category total');
    assert_same(false, mapper::is_sendable_gradeitem(['itemtype' => 'mod', 'gradetype' => 0]), 'ungraded');
    assert_same(true, mapper::is_gradeitem_kind_sent(['itemtype' => 'mod', 'gradetype' => 0]),
        'an activity switched to no grade may have been sent');
    assert_same(true, mapper::is_gradeitem_kind_sent(['itemtype' => 'course', 'gradetype' => 0]),
        'a course total switched to no grade may have been sent');
    assert_same(false, mapper::is_gradeitem_kind_sent(['itemtype' => 'category', 'gradetype' => 1]), 'category total');
    assert_same(false, mapper::is_gradeitem_kind_sent(['itemtype' => 'manual', 'outcomeid' => 3]), 'outcome');
    assert_same(false, mapper::is_sendable_gradeitem(['itemtype' => 'mod', 'gradetype' => 3]), 'text only');
    assert_same(false, mapper::is_sendable_gradeitem(['itemtype' => 'mod', 'gradetype' => 2, 'outcomeid' => '4']),
        'outcome item');
});

test('enrolment state from every user enrolment of a person in a course', function () {
    $ue = function (int $status, int $instance, int $start, int $end): array {
        return ['status' => $status, 'instancestatus' => $instance, 'timestart' => $start, 'timeend' => $end];
    };
    assert_same(null, mapper::enrolment_state([]), 'no enrolment');
    assert_same(['status' => 'active', 'timestart' => 0, 'timeend' => 0],
        mapper::enrolment_state([$ue(0, 0, 0, 0)]), 'plain manual enrolment');
    assert_same(['status' => 'suspended', 'timestart' => 0, 'timeend' => 0],
        mapper::enrolment_state([$ue(1, 0, 0, 0)]), 'suspended by a teacher');
    assert_same(['status' => 'suspended', 'timestart' => 100, 'timeend' => 200],
        mapper::enrolment_state([$ue(0, 1, 100, 200)]), 'enrolment method disabled: suspended, dates kept');
    assert_same(['status' => 'active', 'timestart' => 100, 'timeend' => 900],
        mapper::enrolment_state([$ue(0, 0, 100, 900)]), 'an end date is sent as it is, active');
    assert_same(['status' => 'active', 'timestart' => 300, 'timeend' => 400],
        mapper::enrolment_state([$ue(1, 0, 0, 0), $ue(0, 0, 300, 400)]),
        'a suspended enrolment beside an active one: active, with the dates of the active one');
    assert_same(['status' => 'active', 'timestart' => 100, 'timeend' => 0],
        mapper::enrolment_state([$ue(0, 0, 100, 500), $ue(0, 0, 300, 0)]),
        'two active enrolments: the earliest start, and no end when one has none');
    assert_same(['status' => 'suspended', 'timestart' => 0, 'timeend' => 700],
        mapper::enrolment_state([$ue(1, 0, 0, 500), $ue(0, 1, 50, 700)]), 'all suspended: all dates count');
});

test('remove_grade mapping and what counts as a grade', function () {
    assert_same(['assessmentid' => 'A1', 'userid' => 'S1'], mapper::grade_removal('A1', 'S1'), 'remove_grade');
    assert_same(true, mapper::has_grade('87.50000', '0'), 'a final grade');
    assert_same(true, mapper::has_grade('0.00000', 0), 'zero is a grade');
    assert_same(true, mapper::has_grade(null, '1700000000'), 'excluded without grade is sent');
    assert_same(false, mapper::has_grade(null, '0'), 'cleared');
    assert_same(false, mapper::has_grade('', 0), 'empty');
    assert_same(false, mapper::has_grade(null, null), 'nothing at all');
});

test('new_grade mapping', function () {
    assert_same(['assessmentid' => 'A1', 'userid' => 'S1', 'points_earned' => '87.5', 'excepted' => false,
        'attempt_num' => 1], mapper::grade('A1', 'S1', '87.50000', '0', 1), 'plain grade');
    assert_same(['assessmentid' => 'A1', 'userid' => 'S1', 'points_earned' => '', 'excepted' => true,
        'attempt_num' => 2], mapper::grade('A1', 'S1', null, '1700000000', 2), 'excluded without grade');
    assert_same(true, mapper::grade('A1', 'S1', '10', 1700000000, 1)['excepted'], 'excluded with grade');
    assert_same(null, mapper::grade('A1', 'S1', null, 0, 1), 'nothing to send');
    assert_same(1, mapper::grade('A1', 'S1', '3', 0, 0)['attempt_num'], 'attempt at least 1');
});

test('numbers are plain decimal strings', function () {
    $cases = [
        ['100.00000', '100'], ['87.50000', '87.5'], ['0.00000', '0'], ['-0.00000', '0'], ['007', '7'],
        ['12', '12'], [' 3.25 ', '3.25'], ['1.234567', '1.23457'], [87.5, '87.5'], [100, '100'],
        [0.1 + 0.2, '0.3'], [1e-7, '0'], [-2.5, '-2.5'], [1e20, '100000000000000000000'], ['1e3', '1000'],
        ['.5', '0.5'],
    ];
    foreach ($cases as [$in, $out]) {
        assert_same($out, mapper::number($in), 'number(' . var_export($in, true) . ')');
    }
    $old = setlocale(LC_NUMERIC, '0');
    setlocale(LC_NUMERIC, 'de_DE.UTF-8', 'de_DE', 'fr_FR.UTF-8');
    assert_same('2.5', mapper::number(2.5), 'locale with decimal comma does not leak');
    setlocale(LC_NUMERIC, $old);
    foreach (['abc', '', null, true, NAN, INF] as $bad) {
        assert_throws(function () use ($bad) {
            mapper::number($bad);
        }, 'number rejects ' . var_export($bad, true));
    }
});

test('common fields and eventid', function () {
    $fields = mapper::with_common(['idnumber' => 'X'], 'mdl-abc-1', 1700000000);
    assert_same(['idnumber' => 'X', 'eventid' => 'mdl-abc-1', 'timemodified' => 1700000000], $fields, 'appended');
    assert_throws(function () {
        mapper::with_common([], str_repeat('x', 129), 1);
    }, 'eventid longer than 128');
    $a = mapper::eventid('site-one', 'AAAAAAAA-0000-4000-8000-000000000001');
    $b = mapper::eventid('site-two', 'AAAAAAAA-0000-4000-8000-000000000001');
    assert_same(true, $a !== $b, 'eventid depends on the site');
    assert_same(true, strlen($a) <= 128 && strpos($a, 'mdl-') === 0, 'eventid shape');
    assert_same('aaaaaaaa-0000-4000-8000-000000000001', substr($a, -36), 'uuid kept, lower case');
});

test('list_user_enrolments entries', function () {
    $now = 1700000000;
    assert_same(true, mapper::is_enrolment_active(0, 0, 0, 0, $now), 'plain active');
    assert_same(false, mapper::is_enrolment_active(1, 0, 0, 0, $now), 'suspended enrolment');
    assert_same(false, mapper::is_enrolment_active(0, 1, 0, 0, $now), 'disabled instance');
    assert_same(false, mapper::is_enrolment_active(0, 0, $now + 10, 0, $now), 'not started');
    assert_same(false, mapper::is_enrolment_active(0, 0, 0, $now, $now), 'ended');
    assert_same(['sectionid' => 'C', 'userid' => 'U', 'role' => 'student', 'status' => 'suspended', 'timemodified' => 5],
        mapper::listed_enrolment('C', 'U', 'student', false, 5), 'entry');
});
