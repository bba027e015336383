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

namespace local_schooltool;

use local_schooltool\local\queue_policy;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once(__DIR__ . '/fixtures/sending_testcase.php');
require_once($CFG->dirroot . '/user/lib.php');
require_once($CFG->libdir . '/gradelib.php');

/**
 * Observer tests: Moodle changes become the right schooltool_sis calls (with a recording sender, no network).
 *
 * @package    local_schooltool
 * @category   test
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_schooltool\observer
 * @covers     \local_schooltool\changes
 * @covers     \local_schooltool\payloads
 * @covers     \local_schooltool\queue
 * @covers     \local_schooltool\course_totals
 */
final class observer_test extends sending_testcase {

    /**
     * Creates a user the way the admin UI does (user_created is triggered).
     *
     * @param array $fields user fields
     * @return \stdClass the user
     */
    private function new_user(array $fields): \stdClass {
        global $CFG, $DB;
        $user = (object)array_merge(['auth' => 'manual', 'confirmed' => 1, 'mnethostid' => $CFG->mnet_localhost_id,
            'email' => $fields['username'] . '@example.org', 'firstname' => 'First', 'lastname' => 'Last'], $fields);
        $id = user_create_user($user, true, true);
        return $DB->get_record('user', ['id' => $id]);
    }

    /**
     * A new user is sent with fetch_user, never with a password or its hash.
     */
    public function test_user_created_sends_fetch_user_without_password(): void {
        global $DB;
        $user = $this->new_user(['username' => 'jsmith', 'idnumber' => 'S-1', 'firstname' => 'Jane', 'lastname' => 'Smith',
            'password' => 'Secret-123!']);
        $this->end_request();

        $calls = $this->sender->params_of('fetch_user');
        $this->assertCount(1, $calls);
        $this->assertSame('S-1', $calls[0]['idnumber']);
        $this->assertSame('jsmith', $calls[0]['username']);
        $this->assertSame('Jane', $calls[0]['firstname']);
        $this->assertSame('Smith', $calls[0]['lastname']);
        $this->assertArrayNotHasKey('password', $calls[0]);
        $this->assertArrayNotHasKey('password_hash', $calls[0]);
        $this->assertStringNotContainsString('Secret', json_encode($calls[0]));
        $this->assertStringNotContainsString($user->password, json_encode($calls[0]));
        $this->assertNotEmpty($calls[0]['eventid']);
        $this->assertIsInt($calls[0]['timemodified']);
        $this->assertEquals(queue_policy::SENT, $DB->get_field(queue::TABLE, 'status', ['recordkey' => 'user:' . $user->id]));
    }

    /**
     * Derived ids, and updates that change nothing we send are not sent again.
     */
    public function test_user_without_idnumber_gets_derived_id_and_unchanged_update_is_not_resent(): void {
        $user = $this->new_user(['username' => 'noid']);
        $this->end_request();
        $this->assertSame('moodle-user-' . $user->id, $this->sender->params_of('fetch_user')[0]['idnumber']);

        user_update_user((object)['id' => $user->id, 'description' => 'Likes maths'], false, true);
        $this->end_request();
        $this->assertCount(1, $this->sender->params_of('fetch_user'), 'a change of an unsent field sends nothing');

        user_update_user((object)['id' => $user->id, 'lastname' => 'Renamed'], false, true);
        $this->end_request();
        $calls = $this->sender->params_of('fetch_user');
        $this->assertCount(2, $calls);
        $this->assertSame('Renamed', $calls[1]['lastname']);
        $this->assertNotSame($calls[0]['eventid'], $calls[1]['eventid'], 'each change has its own eventid');
    }

    /**
     * A course becomes a section; its editing teacher is one teacher enrolment and the section's teacher.
     */
    public function test_course_and_editing_teacher(): void {
        $course = $this->getDataGenerator()->create_course(['fullname' => 'Algebra 1', 'idnumber' => 'ALG1']);
        $teacher = $this->getDataGenerator()->create_user(['idnumber' => 'T-1']);
        $this->getDataGenerator()->enrol_user($teacher->id, $course->id, 'editingteacher');
        $this->end_request();

        $enrolments = $this->sender->params_of('new_enrolment');
        $this->assertCount(1, $enrolments, 'enrolment and its teacher role are one call');
        $this->assertSame(['sectionid' => 'ALG1', 'userid' => 'T-1', 'role' => 'teacher'],
            array_intersect_key($enrolments[0], array_flip(['sectionid', 'userid', 'role'])));
        $sections = $this->sender->params_of('new_section');
        $this->assertNotEmpty($sections);
        $last = end($sections);
        $this->assertSame('ALG1', $last['idnumber']);
        $this->assertSame('Algebra 1', $last['name']);
        $this->assertSame('T-1', $last['teacheridnumber'], 'the first editing teacher');
        $this->assertSame(1, $last['segment']);
    }

    /**
     * A student enrolment and its removal.
     */
    public function test_student_enrolment_then_unenrolment(): void {
        global $DB;
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C1']);
        $student = $this->getDataGenerator()->create_user(['idnumber' => 'S-7']);
        $this->getDataGenerator()->enrol_user($student->id, $course->id, 'student');
        $this->end_request();
        $this->assertSame([['sectionid' => 'C1', 'userid' => 'S-7', 'role' => 'student']],
            array_map(function ($p) {
                return array_intersect_key($p, array_flip(['sectionid', 'userid', 'role']));
            }, $this->sender->params_of('new_enrolment')));

        $instance = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual'], '*', MUST_EXIST);
        enrol_get_plugin('manual')->unenrol_user($instance, $student->id);
        $this->end_request();
        $removals = $this->sender->params_of('remove_enrolment');
        $this->assertCount(1, $removals);
        $this->assertSame('C1', $removals[0]['sectionid']);
        $this->assertSame('S-7', $removals[0]['userid']);
        $this->assertArrayNotHasKey('role', $removals[0], 'the last enrolment gone: every role withdrawn');
    }

    /**
     * Removing the teacher role withdraws the teacher enrolment and clears the section's teacher.
     */
    public function test_teacher_role_removed_sends_remove_enrolment_for_teacher(): void {
        global $DB;
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C3']);
        $teacher = $this->getDataGenerator()->create_user(['idnumber' => 'T-3']);
        $this->getDataGenerator()->enrol_user($teacher->id, $course->id, 'editingteacher');
        $this->end_request();
        $this->sender->reset();

        $roleid = (int)$DB->get_field('role', 'id', ['shortname' => 'editingteacher'], MUST_EXIST);
        role_unassign($roleid, $teacher->id, \context_course::instance($course->id)->id);
        $this->end_request();
        $removals = $this->sender->params_of('remove_enrolment');
        $this->assertCount(1, $removals);
        $this->assertSame('teacher', $removals[0]['role']);
        $sections = $this->sender->params_of('new_section');
        $this->assertSame('', end($sections)['teacheridnumber'], 'no teacher left');
    }

    /**
     * A teacher made a student (student role given, teacher role taken away) is back on the roster as a
     * student; a teacher whose last enrolment goes is not (roles go after the enrolment there).
     */
    public function test_teacher_made_student_is_enrolled_as_student(): void {
        global $DB;
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C8']);
        $user = $this->getDataGenerator()->create_user(['idnumber' => 'T-8']);
        $this->getDataGenerator()->enrol_user($user->id, $course->id, 'editingteacher');
        $this->end_request();
        $this->sender->reset();

        $context = \context_course::instance($course->id);
        $student = (int)$DB->get_field('role', 'id', ['shortname' => 'student'], MUST_EXIST);
        $teacher = (int)$DB->get_field('role', 'id', ['shortname' => 'editingteacher'], MUST_EXIST);
        role_assign($student, $user->id, $context->id);
        role_unassign($teacher, $user->id, $context->id);
        $this->end_request();
        $this->assertSame(['teacher'], array_column($this->sender->params_of('remove_enrolment'), 'role'));
        $this->assertSame(['student'], array_column($this->sender->params_of('new_enrolment'), 'role'));

        // Unenrolled altogether: one removal, no student enrolment on the way out.
        $this->sender->reset();
        $instance = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual'], '*', MUST_EXIST);
        enrol_get_plugin('manual')->unenrol_user($instance, $user->id);
        $this->end_request();
        $this->assertSame([], $this->sender->params_of('new_enrolment'));
        $this->assertCount(1, $this->sender->params_of('remove_enrolment'));
    }

    /**
     * An assignment becomes one new_assessment with points, section and chapter.
     */
    public function test_assignment_created_sends_new_assessment(): void {
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C4', 'numsections' => 3]);
        $this->getDataGenerator()->create_module('assign', ['course' => $course->id, 'name' => 'Lab 1', 'grade' => 50,
            'section' => 2]);
        $this->end_request();

        $calls = $this->sender->params_of('new_assessment');
        $this->assertCount(1, $calls, 'the steps of creating an activity end up in one call');
        $this->assertSame('Lab 1', $calls[0]['name']);
        $this->assertSame('C4', $calls[0]['sectionid']);
        $this->assertSame('50', $calls[0]['pointval']);
        $this->assertSame(2, $calls[0]['chapternum']);
        $this->assertFalse($calls[0]['honors_required']);
        $this->assertTrue($calls[0]['nonhonors_required']);
        $this->assertFalse($calls[0]['extra_credit']);
        $this->assertStringStartsWith('moodle-gradeitem-', $calls[0]['idnumber']);
    }

    /**
     * A manual grade item is sent, and removed under the same id when deleted.
     */
    public function test_manual_grade_item_deleted_sends_remove_assessment(): void {
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C5']);
        $item = new \grade_item(['courseid' => $course->id, 'itemtype' => 'manual', 'itemname' => 'Quiz A',
            'idnumber' => 'QA', 'gradetype' => GRADE_TYPE_VALUE, 'grademax' => 10], false);
        $item->insert();
        $this->end_request();
        $this->assertSame('QA', $this->sender->params_of('new_assessment')[0]['idnumber']);
        $this->assertSame('10', $this->sender->params_of('new_assessment')[0]['pointval']);

        $item->delete();
        $this->end_request();
        $this->assertSame([['idnumber' => 'QA']], array_map(function ($p) {
            return ['idnumber' => $p['idnumber']];
        }, $this->sender->params_of('remove_assessment')));
    }

    /**
     * A grade is sent with new_grade.
     */
    public function test_user_graded_sends_new_grade(): void {
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C6']);
        $student = $this->getDataGenerator()->create_user(['idnumber' => 'S-6']);
        $this->getDataGenerator()->enrol_user($student->id, $course->id, 'student');
        $assign = $this->getDataGenerator()->create_module('assign', ['course' => $course->id, 'grade' => 50]);
        $item = \grade_item::fetch(['courseid' => $course->id, 'itemtype' => 'mod', 'itemmodule' => 'assign',
            'iteminstance' => $assign->id]);
        $this->end_request();

        $item->update_final_grade($student->id, 42.5, 'test');
        $this->end_request();
        $grades = $this->sender->params_of('new_grade');
        $this->assertCount(1, $grades);
        $this->assertSame('moodle-gradeitem-' . $item->id, $grades[0]['assessmentid']);
        $this->assertSame('S-6', $grades[0]['userid']);
        $this->assertSame('42.5', $grades[0]['points_earned']);
        $this->assertFalse($grades[0]['excepted']);
        $this->assertSame(1, $grades[0]['attempt_num']);
    }

    /**
     * Moodle's course total is sent as it computes it: new_assessment with kind course_total, and the student's
     * total with new_grade — once the scheduled task recomputed the totals Moodle left stale, then at once when a
     * grade changes.
     */
    public function test_course_total_is_sent_as_moodle_computes_it(): void {
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C7']);
        $student = $this->getDataGenerator()->create_user(['idnumber' => 'S-7']);
        $this->getDataGenerator()->enrol_user($student->id, $course->id, 'student');
        $quiz = new \grade_item(['courseid' => $course->id, 'itemtype' => 'manual', 'itemname' => 'Quiz',
            'grademax' => 10, 'gradetype' => GRADE_TYPE_VALUE], false);
        $quiz->insert('manual');
        $project = new \grade_item(['courseid' => $course->id, 'itemtype' => 'manual', 'itemname' => 'Project',
            'grademax' => 50, 'gradetype' => GRADE_TYPE_VALUE], false);
        $project->insert('manual');
        $category = \grade_category::fetch_course_category($course->id);
        $category->aggregation = GRADE_AGGREGATE_WEIGHTED_MEAN;
        $category->update('gradebook');
        $quiz->aggregationcoef = 3;
        $quiz->update('gradebook');
        $project->aggregationcoef = 1;
        $project->update('gradebook');
        $quiz->update_final_grade($student->id, 8, 'test');
        $project->update_final_grade($student->id, 20, 'test');
        $this->end_request();
        $courseitem = \grade_item::fetch_course_item($course->id);
        $this->assertEquals(1, $courseitem->needsupdate, 'Moodle left the totals stale');

        $this->assertSame(1, course_totals::regrade_stale(time(), 60));
        $this->end_request();
        $totals = array_values(array_filter($this->sender->params_of('new_assessment'), function ($a) {
            return ($a['kind'] ?? '') === 'course_total';
        }));
        $this->assertNotEmpty($totals);
        $total = end($totals);
        $this->assertSame('moodle-gradeitem-' . $courseitem->id, $total['idnumber']);
        $this->assertSame('C7', $total['sectionid']);
        $this->assertSame('Course total', $total['name']);
        $grades = array_values(array_filter($this->sender->params_of('new_grade'), function ($g) use ($total) {
            return $g['assessmentid'] === $total['idnumber'];
        }));
        $this->assertCount(1, $grades);
        // (0.8 × 3 + 0.4 × 1) / 4 of the course total's maximum; a plain sum would be 28.
        $max = (float)\grade_item::fetch_course_item($course->id)->grademax;
        $this->assertEqualsWithDelta($max * 0.7, (float)$grades[0]['points_earned'], 0.0001);

        $project->update_final_grade($student->id, 50, 'test');
        $this->end_request();
        $grades = array_values(array_filter($this->sender->params_of('new_grade'), function ($g) use ($total) {
            return $g['assessmentid'] === $total['idnumber'];
        }));
        $this->assertCount(2, $grades, 'the total follows the grade in the same request');
        $this->assertEqualsWithDelta($max * 0.85, (float)$grades[1]['points_earned'], 0.0001);
    }

    /**
     * Kinds switched off in the settings are not queued.
     */
    public function test_kinds_switched_off_are_not_queued(): void {
        global $DB;
        set_config('kinds', 'courses', 'local_schooltool');
        $this->new_user(['username' => 'quiet']);
        $this->getDataGenerator()->create_course();
        $this->end_request();
        $this->assertSame(['new_section'], $this->sender->methods());
        $this->assertSame(0, $DB->count_records_select(queue::TABLE, "methodname = 'fetch_user'"));
    }

    /**
     * Without a configured peer nothing is queued.
     */
    public function test_nothing_is_queued_without_a_peer(): void {
        global $DB;
        set_config('peers', '', 'local_schooltool');
        $this->new_user(['username' => 'nobody']);
        $this->getDataGenerator()->create_course();
        $this->end_request();
        $this->assertSame([], $this->sender->methods());
        $this->assertSame(0, $DB->count_records(queue::TABLE));
    }
}
