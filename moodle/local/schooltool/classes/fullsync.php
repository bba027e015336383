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
 * Full sync: queue everything already in Moodle.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

use local_schooltool\local\mapper;
use local_schooltool\local\queue_policy;

defined('MOODLE_INTERNAL') || die();

/**
 * Queues users, then per course: section, enrolments and teachers, grade items (and the course total), grades.
 *
 * Safe to run again: every call is an idempotent upsert keyed by the shared ids, and each row gets its
 * own eventid. Each call carries the time the record last changed in Moodle, so a full sync never
 * overwrites a newer change that SchoolBridge already has. The kinds switched off in the settings are
 * left out.
 */
class fullsync {

    /** Plugin setting, followed by the peer id: the last full sync's state (JSON), for the status page. */
    const STATE_SETTING = 'fullsync_';

    /**
     * Asks for a full sync of a peer in the background (adhoc task).
     *
     * @param int $peerid mnet_host.id
     */
    public static function request(int $peerid): void {
        $task = new task\full_sync();
        $task->set_custom_data(['peerid' => $peerid]);
        \core\task\manager::queue_adhoc_task($task, true);
        self::set_state($peerid, ['requested' => time()]);
    }

    /**
     * What the status page says of a peer's full sync: null before the first, else [state, text] with
     * state 'requested' (waits for cron), 'running' (rows of the peer still wait) or 'done'.
     *
     * @param int $peerid mnet_host.id
     * @return array|null
     */
    public static function progress(int $peerid): ?array {
        $state = json_decode((string)get_config('local_schooltool', self::STATE_SETTING . $peerid), true);
        if (!is_array($state)) {
            return null;
        }
        if (!isset($state['started'])) {
            return ['requested', get_string('fullsync_requested', 'local_schooltool', self::when((int)$state['requested']))];
        }
        $pending = queue::counts($peerid)[queue_policy::PENDING];
        $a = (object)['time' => self::when((int)$state['started']), 'queued' => (int)($state['queued'] ?? 0),
            'pending' => $pending];
        return $pending > 0 || !isset($state['queued'])
            ? ['running', get_string('fullsync_running', 'local_schooltool', $a)]
            : ['done', get_string('fullsync_done', 'local_schooltool', $a)];
    }

    /**
     * A time as the status page's narrow column shows it (the site's short date and time format).
     *
     * @param int $time Unix time
     * @return string
     */
    private static function when(int $time): string {
        return userdate($time, get_string('strftimedatetimeshort', 'langconfig'));
    }

    /**
     * Remembers a peer's full-sync state for the status page.
     *
     * @param int $peerid mnet_host.id
     * @param array $state what to remember
     */
    private static function set_state(int $peerid, array $state): void {
        set_config(self::STATE_SETTING . $peerid, json_encode($state), 'local_schooltool');
    }

    /**
     * Queues everything for one peer.
     *
     * @param int $peerid mnet_host.id
     * @param callable|null $progress called with a message now and then
     * @return int rows queued
     */
    public static function queue_all(int $peerid, ?callable $progress = null): int {
        global $DB, $CFG;
        $started = time();
        self::set_state($peerid, ['started' => $started]);
        $count = 0;
        if (peers::kind_enabled('users')) {
            $rs = $DB->get_recordset_select('user', 'deleted = 0 AND mnethostid = :local AND id <> :guest',
                ['local' => $CFG->mnet_localhost_id, 'guest' => $CFG->siteguest], 'id', 'id, timemodified, timecreated');
            foreach ($rs as $user) {
                $count += changes::user((int)$user->id, self::time($user->timemodified, $user->timecreated), [$peerid],
                    true);
            }
            $rs->close();
            self::say($progress, "users: $count");
        }
        $courseids = $DB->get_fieldset_select('course', 'id', 'id <> :site', ['site' => SITEID]);
        sort($courseids);
        foreach ($courseids as $courseid) {
            $count += self::queue_course($peerid, (int)$courseid);
        }
        self::say($progress, 'courses: ' . count($courseids) . ", rows queued: $count");
        self::set_state($peerid, ['started' => $started, 'queued' => $count]);
        return $count;
    }

    /**
     * Queues everything of one course for one peer.
     *
     * @param int $peerid mnet_host.id
     * @param int $courseid course id
     * @return int rows queued
     */
    public static function queue_course(int $peerid, int $courseid): int {
        global $DB, $CFG;
        $course = payloads::eligible_course($courseid);
        $context = \context_course::instance($courseid, IGNORE_MISSING);
        if (!$course || !$context) {
            return 0;
        }
        $peers = [$peerid];
        $count = 0;

        $teachers = [];
        $roles = payloads::teacher_roles();
        if ($roles) {
            [$insql, $params] = $DB->get_in_or_equal($roles, SQL_PARAMS_NAMED);
            $params['contextid'] = $context->id;
            $teachers = $DB->get_records_sql_menu("SELECT userid, MAX(timemodified) FROM {role_assignments}
                                                    WHERE contextid = :contextid AND roleid $insql
                                                 GROUP BY userid", $params);
        }
        if (peers::kind_enabled('courses')) {
            $time = max(array_merge([(int)$course->timemodified], array_map('intval', array_values($teachers))));
            $count += changes::section($courseid, self::time($time), $peers, true);
        }

        // An enrolment carries its status and dates, so its time is when it last changed (a suspension, a
        // new end date, a reactivation update user_enrolments.timemodified): an older time would let a
        // status SchoolBridge already has from a later event win over the state Moodle holds now.
        $enrolled = [];
        $rs = $DB->get_recordset_sql("SELECT ue.userid, MAX(ue.timemodified) AS modified, MAX(ue.timecreated) AS created
                                        FROM {user_enrolments} ue
                                        JOIN {enrol} e ON e.id = ue.enrolid
                                       WHERE e.courseid = :courseid
                                    GROUP BY ue.userid", ['courseid' => $courseid]);
        foreach ($rs as $row) {
            $enrolled[(int)$row->userid] = max((int)$row->modified, (int)$row->created);
        }
        $rs->close();
        foreach ($enrolled as $userid => $time) {
            if (!isset($teachers[$userid]) && peers::kind_enabled('enrolments')) {
                $count += changes::enrolment($courseid, (int)$userid, 'student', self::time($time), $peers, true);
            }
        }
        if (peers::kind_enabled('teachers')) {
            foreach ($teachers as $userid => $time) {
                $time = max((int)$time, (int)($enrolled[$userid] ?? 0));
                $count += changes::enrolment($courseid, (int)$userid, 'teacher', self::time($time), $peers, true);
            }
        }

        // The course total is read as Moodle holds it once current: a course Moodle left stale is regraded first
        // (its changed totals are queued by the user_graded observer, and not a second time below).
        if (course_totals::wanted()) {
            course_totals::regrade_if_needed($courseid);
        }
        $items = $DB->get_records_select('grade_items',
            "courseid = :courseid AND itemtype IN ('mod', 'manual', 'course')", ['courseid' => $courseid],
            'sortorder, id');
        if (peers::kind_enabled('assessments')) {
            foreach ($items as $item) {
                $count += changes::assessment($item, self::time($item->timemodified, $item->timecreated), $peers, true);
            }
        }
        if (peers::kind_enabled('grades') && $items) {
            [$insql, $params] = $DB->get_in_or_equal(array_keys($items), SQL_PARAMS_NAMED);
            $params['local'] = $CFG->mnet_localhost_id;
            $rs = $DB->get_recordset_sql("SELECT g.*
                                            FROM {grade_grades} g
                                            JOIN {user} u ON u.id = g.userid
                                           WHERE g.itemid $insql AND u.deleted = 0 AND u.mnethostid = :local
                                                 AND (g.finalgrade IS NOT NULL OR g.excluded <> 0)
                                        ORDER BY g.itemid, g.userid", $params);
            foreach ($rs as $grade) {
                $count += changes::grade($grade, $items[$grade->itemid],
                    self::time($grade->timemodified, $grade->timecreated), $peers, true);
            }
            $rs->close();
            $count += self::queue_cleared_grades($peerid, $items);
        }
        return $count;
    }

    /**
     * Cells of these items whose grade SchoolBridge was sent and that have none in Moodle any more: a
     * `remove_grade` each (a clearing that never arrived, e.g. dismissed or queued in dry run). Cells that
     * were cleared and sent so are left alone: the full sync sends only grades Moodle holds, so it never
     * brings a cleared grade back.
     *
     * @param int $peerid mnet_host.id
     * @param \stdClass[] $items grade_items records of the course, by id
     * @return int rows queued
     */
    private static function queue_cleared_grades(int $peerid, array $items): int {
        global $DB;
        $count = 0;
        $keys = [];
        foreach (array_keys($items) as $itemid) {
            $keys[] = $DB->sql_like('recordkey', ':k' . count($keys));
        }
        $params = ['peerid' => $peerid, 'dismissed' => queue_policy::DISMISSED, 'failed' => queue_policy::FAILED];
        foreach (array_keys($items) as $i => $itemid) {
            $params['k' . $i] = 'grade:' . (int)$itemid . ':%';
        }
        // The newest row of each cell of these items that SchoolBridge has or will have.
        $rows = $DB->get_records_sql("SELECT q.id, q.recordkey, q.methodname
                                        FROM {" . queue::TABLE . "} q
                                       WHERE q.id IN (SELECT MAX(id)
                                                        FROM {" . queue::TABLE . "}
                                                       WHERE peerid = :peerid AND status <> :dismissed
                                                             AND status <> :failed AND (" . implode(' OR ', $keys) . ")
                                                    GROUP BY recordkey)", $params);
        foreach ($rows as $row) {
            $key = queue_policy::parse_record_key($row->recordkey);
            if ($row->methodname !== 'new_grade' || $key === null || !isset($items[$key[1][0]])) {
                continue;
            }
            [$itemid, $userid] = $key[1];
            $grade = $DB->get_record('grade_grades', ['itemid' => $itemid, 'userid' => $userid],
                'id, finalgrade, excluded, timemodified');
            if ($grade && mapper::has_grade($grade->finalgrade, $grade->excluded)) {
                continue;
            }
            // A cleared grade row still says when it was cleared; a deleted one does not.
            $when = ($grade && (int)$grade->timemodified > 0) ? (int)$grade->timemodified : time();
            $count += changes::grade_cleared($items[$itemid], $userid, $when, [$peerid]);
        }
        return $count;
    }

    /**
     * The first usable timestamp, else now.
     *
     * @param mixed ...$candidates timestamps, possibly 0 or null
     * @return int
     */
    private static function time(...$candidates): int {
        foreach ($candidates as $candidate) {
            if ((int)$candidate > 0) {
                return (int)$candidate;
            }
        }
        return time();
    }

    /**
     * Reports progress.
     *
     * @param callable|null $progress receiver
     * @param string $message text
     */
    private static function say(?callable $progress, string $message): void {
        if ($progress) {
            $progress($message);
        }
    }
}
