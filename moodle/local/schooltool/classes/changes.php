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
 * One function per kind of change: build the struct and queue it for the peers.
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
 * Used by the observers, the full sync and the prerequisite logic alike.
 *
 * Every function takes the peers to queue for (null = every configured peer) and $force (queue even
 * if the newest row already has the same content: full sync and prerequisites). Each returns the
 * number of rows queued.
 */
class changes {

    /**
     * A person: `fetch_user`.
     *
     * @param int $userid user id
     * @param int $time when it changed
     * @param int[]|null $peerids peers, null for all configured
     * @param bool $force queue even if unchanged
     * @return int
     */
    public static function user(int $userid, int $time, ?array $peerids = null, bool $force = false): int {
        $fields = payloads::user($userid);
        if ($fields === null) {
            return 0;
        }
        return self::put('fetch_user', queue_policy::record_key('user', $userid), $fields, $time, $userid, $peerids, $force);
    }

    /**
     * A course: `new_section`.
     *
     * @param int $courseid course id
     * @param int $time when it changed
     * @param int[]|null $peerids peers
     * @param bool $force queue even if unchanged
     * @return int
     */
    public static function section(int $courseid, int $time, ?array $peerids = null, bool $force = false): int {
        $fields = payloads::section($courseid);
        if ($fields === null) {
            return 0;
        }
        return self::put('new_section', queue_policy::record_key('course', $courseid), $fields, $time, 0, $peerids,
            $force);
    }

    /**
     * An enrolment or a teacher role: `new_enrolment`.
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @param string $role 'student' or 'teacher'
     * @param int $time when it changed
     * @param int[]|null $peerids peers
     * @param bool $force queue even if unchanged
     * @return int
     */
    public static function enrolment(int $courseid, int $userid, string $role, int $time, ?array $peerids = null,
            bool $force = false): int {
        $fields = payloads::enrolment($courseid, $userid, $role);
        if ($fields === null) {
            return 0;
        }
        return self::put('new_enrolment', queue_policy::record_key('enrol', $courseid, $userid), $fields, $time,
            $userid, $peerids, $force);
    }

    /**
     * The status or dates of a person's enrolment changed (suspended, reactivated, an end date, an
     * enrolment method disabled, one of several enrolments removed): `new_enrolment` with the role the
     * person holds, if that kind of change is sent. Nothing is queued when the content is unchanged.
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @param int $time when it changed
     * @param int[]|null $peerids peers
     * @return int
     */
    public static function enrolment_state(int $courseid, int $userid, int $time, ?array $peerids = null): int {
        $role = payloads::enrolment_role($courseid, $userid);
        if (!peers::kind_enabled($role === 'teacher' ? 'teachers' : 'enrolments')) {
            return 0;
        }
        return self::enrolment($courseid, $userid, $role, $time, $peerids);
    }

    /**
     * An unenrolment or a removed teacher role: `remove_enrolment`.
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @param string|null $role role withdrawn, null for all
     * @param int $time when it changed
     * @param int[]|null $peerids peers
     * @return int
     */
    public static function unenrolment(int $courseid, int $userid, ?string $role, int $time,
            ?array $peerids = null): int {
        $fields = payloads::unenrolment($courseid, $userid, $role);
        if ($fields === null) {
            return 0;
        }
        return self::put('remove_enrolment', queue_policy::record_key('enrol', $courseid, $userid), $fields, $time,
            $userid, $peerids, false);
    }

    /**
     * A grade item created or changed: `new_assessment`; or `remove_assessment` if it was sent before and
     * is no longer gradable (e.g. switched to "no grade").
     *
     * @param \stdClass $item grade_items record
     * @param int $time when it changed
     * @param int[]|null $peerids peers
     * @param bool $force queue even if unchanged
     * @return int
     */
    public static function assessment(\stdClass $item, int $time, ?array $peerids = null, bool $force = false): int {
        $key = queue_policy::record_key('gradeitem', (int)$item->id);
        $fields = payloads::assessment($item);
        if ($fields !== null) {
            return self::put('new_assessment', $key, $fields, $time, 0, $peerids, $force);
        }
        return mapper::is_sendable_gradeitem($item) ? 0 : self::assessment_removed((int)$item->id, $item, $time, $peerids);
    }

    /**
     * A grade item deleted (or no longer sent): `remove_assessment` under the id SchoolBridge knows it by.
     *
     * The id is taken from the last `new_assessment` queued for the item, so that a later change of the
     * idnumber does not leave the old item behind; without one, it is derived from the item.
     *
     * @param int $itemid grade item id
     * @param \stdClass|null $item the deleted item's data if known
     * @param int $time when it happened
     * @param int[]|null $peerids peers
     * @return int
     */
    public static function assessment_removed(int $itemid, ?\stdClass $item, int $time, ?array $peerids = null): int {
        $key = queue_policy::record_key('gradeitem', $itemid);
        $count = 0;
        foreach ($peerids ?? peers::configured() as $peerid) {
            $latest = queue::latest($peerid, $key);
            $idnumber = null;
            if ($latest && $latest->methodname === 'new_assessment' && (int)$latest->status !== queue_policy::DISMISSED) {
                $idnumber = json_decode($latest->payload, true)['idnumber'] ?? null;
            } else if (!$latest && $item !== null && mapper::is_gradeitem_kind_sent($item)) {
                // No queue history (cleaned up after 30 days, or never sent): the id it would have had.
                // SchoolBridge answers "unchanged" for an item it does not know.
                $idnumber = mapper::gradeitem_id($item);
            }
            if ($idnumber !== null && queue::add($peerid, 'remove_assessment', $key,
                    mapper::assessment_removal($idnumber), $time) !== null) {
                $count++;
            }
        }
        return $count;
    }

    /**
     * A grade: `new_grade`; or, when the cell has no grade any more (the final grade emptied and not
     * excluded), `remove_grade` for the peers that were sent a grade for it.
     *
     * @param \stdClass $grade grade_grades record
     * @param \stdClass $item its grade item
     * @param int $time when it changed
     * @param int[]|null $peerids peers
     * @param bool $force queue even if unchanged
     * @return int
     */
    public static function grade(\stdClass $grade, \stdClass $item, int $time, ?array $peerids = null,
            bool $force = false): int {
        if (!mapper::has_grade($grade->finalgrade ?? null, $grade->excluded ?? 0)) {
            return self::grade_cleared($item, (int)$grade->userid, $time, $peerids);
        }
        $fields = payloads::grade($grade, $item);
        if ($fields === null) {
            return 0;
        }
        return self::put('new_grade', queue_policy::record_key('grade', (int)$item->id, (int)$grade->userid), $fields,
            $time, (int)$grade->userid, $peerids, $force);
    }

    /**
     * A grade cleared (emptied in the grader report, its activity grade removed, the grade deleted, a
     * course reset): `remove_grade`, for each peer whose newest waiting or delivered row of the cell is a
     * `new_grade`. A cell that was never sent a grade (a submission without grade, a student who never had
     * one) sends nothing. The cell's ids are the ones that grade was sent with, so that a changed ID number
     * cannot leave the old grade behind.
     *
     * @param \stdClass $item grade_items record
     * @param int $userid the student
     * @param int $time when it happened
     * @param int[]|null $peerids peers
     * @return int
     */
    public static function grade_cleared(\stdClass $item, int $userid, int $time, ?array $peerids = null): int {
        $key = queue_policy::record_key('grade', (int)$item->id, $userid);
        $count = 0;
        foreach ($peerids ?? peers::configured() as $peerid) {
            $latest = queue::latest_effective((int)$peerid, $key);
            if (!$latest || $latest->methodname !== 'new_grade') {
                continue;
            }
            $sent = json_decode($latest->payload, true);
            $fields = payloads::grade_removal($item, $userid);
            if (is_array($sent) && !empty($sent['assessmentid']) && !empty($sent['userid'])) {
                $fields = mapper::grade_removal((string)$sent['assessmentid'], (string)$sent['userid']);
            }
            if ($fields !== null && queue::add((int)$peerid, 'remove_grade', $key, $fields, $time, $userid) !== null) {
                $count++;
            }
        }
        return $count;
    }

    /**
     * Queues a struct for the peers.
     *
     * @param string $method short method name
     * @param string $key record key
     * @param array $fields struct
     * @param int $time when it changed
     * @param int $userid user concerned
     * @param int[]|null $peerids peers
     * @param bool $force queue even if unchanged
     * @return int rows queued
     */
    private static function put(string $method, string $key, array $fields, int $time, int $userid, ?array $peerids,
            bool $force): int {
        $count = 0;
        foreach ($peerids ?? peers::configured() as $peerid) {
            if (queue::add((int)$peerid, $method, $key, $fields, $time, $userid, $force) !== null) {
                $count++;
            }
        }
        return $count;
    }
}
