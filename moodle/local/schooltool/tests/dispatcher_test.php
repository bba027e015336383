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
use local_schooltool\local\send_result;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once(__DIR__ . '/fixtures/sending_testcase.php');
require_once($CFG->libdir . '/gradelib.php');

/**
 * Delivery tests: failures are kept and retried, faults handled as the contract says, dry run, full sync.
 *
 * @package    local_schooltool
 * @category   test
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \local_schooltool\dispatcher
 * @covers     \local_schooltool\fullsync
 * @covers     \local_schooltool\peers
 * @covers     \local_schooltool\enrolment_list
 * @covers     \local_schooltool\task\drain_queue
 */
final class dispatcher_test extends sending_testcase {

    /**
     * Status of the only row of a record.
     *
     * @param string $recordkey record key
     * @return \stdClass the row
     */
    private function row(string $recordkey): \stdClass {
        global $DB;
        $rows = $DB->get_records(queue::TABLE, ['recordkey' => $recordkey], 'id DESC', '*', 0, 1);
        $this->assertNotEmpty($rows, "no row for $recordkey");
        return reset($rows);
    }

    /**
     * A call that fails in transport stays queued, backs the peer off, and goes out on "retry now".
     */
    public function test_transport_failure_is_kept_and_retried(): void {
        $this->sender->answer_always(send_result::transport('5:Connect error: Connection refused'));
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C1']);
        $this->end_request();

        $row = $this->row('course:' . $course->id);
        $this->assertEquals(queue_policy::PENDING, $row->status);
        $this->assertEquals(0, $row->attempts, 'an outage does not use up the record\'s attempts');
        $this->assertStringContainsString('Connection refused', $row->lasterror);
        $state = peers::state($this->peerid);
        $this->assertGreaterThan(time(), (int)$state->nextattempt, 'the peer backs off');
        $this->assertTrue(peers::backing_off($this->peerid, time()));

        // The scheduled task respects the back-off.
        $this->sender->answer_always(null);
        $this->sender->reset();
        ob_start();
        (new task\drain_queue())->execute();
        ob_end_clean();
        $this->assertSame([], $this->sender->methods());

        // Retry now: sent, with the same eventid as the first attempt.
        queue::retry_now($this->peerid);
        dispatcher::drain($this->peerid, 0, true);
        $this->assertSame(['new_section'], $this->sender->methods());
        $this->assertSame($row->eventid, $this->sender->params_of('new_section')[0]['eventid']);
        $this->assertEquals(queue_policy::SENT, $this->row('course:' . $course->id)->status);
        $this->assertGreaterThan(0, (int)peers::state($this->peerid)->lastsuccess);
    }

    /**
     * Later changes of a record wait behind an earlier failed one; other records go on.
     */
    public function test_order_is_kept_per_record(): void {
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C2', 'fullname' => 'First name']);
        $this->sender->answer_next('new_section', send_result::fault(8150, 'unknown to this version'));
        $this->end_request();
        update_course((object)['id' => $course->id, 'fullname' => 'Second name']);
        $other = $this->getDataGenerator()->create_course(['idnumber' => 'C3']);
        $this->end_request();

        $sent = array_column($this->sender->params_of('new_section'), 'idnumber');
        $this->assertSame(['C2', 'C3'], $sent, 'the second C2 change waits for the first; C3 goes');

        queue::retry_now($this->peerid);
        dispatcher::drain($this->peerid, 0, true);
        $names = array_column(array_filter($this->sender->params_of('new_section'), function ($p) {
            return $p['idnumber'] === 'C2';
        }), 'name');
        $this->assertSame(['First name', 'First name', 'Second name'], array_values($names));
    }

    /**
     * 8104 (unknown person): the person is sent first, then the enrolment again.
     */
    public function test_dependency_fault_sends_prerequisite_first(): void {
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C4']);
        $student = $this->getDataGenerator()->create_user(['idnumber' => 'S-4']); // No event: never sent.
        $this->end_request();
        $this->sender->reset();

        $this->sender->answer_next('new_enrolment', send_result::fault(8104, 'unknown person userid'));
        $this->getDataGenerator()->enrol_user($student->id, $course->id, 'student');
        $this->end_request();

        $this->assertSame(['new_enrolment', 'fetch_user', 'new_enrolment'], $this->sender->methods());
        $this->assertSame('S-4', $this->sender->params_of('fetch_user')[0]['idnumber']);
        $enrolments = $this->sender->params_of('new_enrolment');
        $this->assertSame($enrolments[0]['eventid'], $enrolments[1]['eventid'], 'the retry is the same change');
        $this->assertEquals(queue_policy::SENT, $this->row('enrol:' . $course->id . ':' . $student->id)->status);
    }

    /**
     * 8101 (missing field) needs an admin: the row is not retried by the task and the peer is not backed off.
     */
    public function test_permanent_fault_waits_for_an_admin(): void {
        $this->sender->answer_next('new_section', send_result::fault(8101, 'name is missing'));
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C5']);
        $this->end_request();

        $row = $this->row('course:' . $course->id);
        $this->assertEquals(queue_policy::FAILED, $row->status);
        $this->assertEquals(8101, $row->faultcode);
        $this->assertFalse(peers::backing_off($this->peerid, time()));
        $this->assertStringContainsString('8101', peers::state($this->peerid)->lasterror);

        $this->sender->reset();
        dispatcher::drain($this->peerid, 0);
        $this->assertSame([], $this->sender->methods(), 'failed rows are not retried automatically');
    }

    /**
     * 8199 backs off the whole peer and stops the pass.
     */
    public function test_storage_fault_stops_the_peer(): void {
        $this->sender->answer_next('new_section', send_result::fault(8199, 'database unavailable'));
        $this->getDataGenerator()->create_course(['idnumber' => 'C6']);
        $this->getDataGenerator()->create_course(['idnumber' => 'C7']);
        $this->end_request();
        $this->assertSame(['new_section'], $this->sender->methods(), 'nothing more after 8199');
        $this->assertTrue(peers::backing_off($this->peerid, time()));
    }

    /**
     * Dry run logs instead of sending.
     */
    public function test_dry_run_logs_instead_of_sending(): void {
        dispatcher::set_sender(null);
        set_config('dryrun', 1, 'local_schooltool');
        $this->expectOutputRegex('/dry run: peer \d+ schooltool\/sis\/new_section/');
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C8']);
        $this->end_request();
        $this->assertEquals(queue_policy::DRYRUN, $this->row('course:' . $course->id)->status);
    }

    /**
     * Full sync queues users before courses, enrolments, items and grades, and may run again.
     */
    public function test_full_sync_sends_everything_and_can_run_again(): void {
        global $DB;
        set_config('peers', '', 'local_schooltool'); // Create the data without live events.
        $course = $this->getDataGenerator()->create_course(['idnumber' => 'C9']);
        $student = $this->getDataGenerator()->create_user(['idnumber' => 'S-9']);
        $teacher = $this->getDataGenerator()->create_user(['idnumber' => 'T-9']);
        $this->getDataGenerator()->enrol_user($student->id, $course->id, 'student');
        $this->getDataGenerator()->enrol_user($teacher->id, $course->id, 'editingteacher');
        $assign = $this->getDataGenerator()->create_module('assign', ['course' => $course->id, 'grade' => 20]);
        $item = \grade_item::fetch(['courseid' => $course->id, 'itemtype' => 'mod', 'itemmodule' => 'assign',
            'iteminstance' => $assign->id]);
        $item->update_final_grade($student->id, 15, 'test');
        set_config('peers', (string)$this->peerid, 'local_schooltool');
        $this->assertSame(0, $DB->count_records(queue::TABLE));

        $first = fullsync::queue_all($this->peerid);
        dispatcher::drain($this->peerid, 0);
        $methods = $this->sender->methods();
        $this->assertSame($first, count($methods));
        foreach (['fetch_user', 'new_section', 'new_enrolment', 'new_assessment', 'new_grade'] as $method) {
            $this->assertContains($method, $methods);
        }
        $this->assertLessThan(array_search('new_section', $methods), array_search('fetch_user', $methods));
        $this->assertLessThan(array_search('new_grade', $methods), array_search('new_assessment', $methods));
        $roles = [];
        foreach ($this->sender->params_of('new_enrolment') as $p) {
            $roles[$p['userid']] = $p['role'];
        }
        $this->assertSame(['S-9' => 'student', 'T-9' => 'teacher'], array_intersect_key($roles, ['S-9' => 1, 'T-9' => 1]));
        $this->assertSame('15', $this->sender->params_of('new_grade')[0]['points_earned']);

        $this->assertSame($first, fullsync::queue_all($this->peerid), 'a second full sync queues everything again');
    }

    /**
     * list_user_enrolments reports roles and status per course.
     */
    public function test_list_user_enrolments(): void {
        $c1 = $this->getDataGenerator()->create_course(['idnumber' => 'L1']);
        $c2 = $this->getDataGenerator()->create_course();
        $user = $this->getDataGenerator()->create_user(['username' => 'listme', 'idnumber' => 'S-L']);
        $this->getDataGenerator()->enrol_user($user->id, $c1->id, 'student');
        $this->getDataGenerator()->enrol_user($user->id, $c2->id, 'editingteacher', 'manual', 0, 0, ENROL_USER_SUSPENDED);

        $list = enrolment_list::for_username('listme');
        $bysection = [];
        foreach ($list as $entry) {
            $bysection[$entry['sectionid']] = [$entry['userid'], $entry['role'], $entry['status']];
        }
        $this->assertSame(['S-L', 'student', 'active'], $bysection['L1']);
        $this->assertSame(['S-L', 'teacher', 'suspended'], $bysection['moodle-course-' . $c2->id]);
        $this->assertSame([], enrolment_list::for_username('nosuchuser'));
        $this->assertCount(2, $list);
    }
}
