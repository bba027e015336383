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
 * Event observers: turn Moodle events into queued schooltool_sis calls.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

use local_schooltool\local\mapper;

defined('MOODLE_INTERNAL') || die();

/**
 * Each observer only writes to the queue; the rows are sent at the end of the request (after the
 * change is committed) and, if that fails, by the scheduled task.
 */
class observer {

    /**
     * user_created, user_updated → fetch_user.
     *
     * @param \core\event\base $event the event
     */
    public static function user_changed(\core\event\base $event): void {
        self::run('users', function () use ($event) {
            changes::user((int)$event->objectid, (int)$event->timecreated);
        });
    }

    /**
     * course_created, course_updated → new_section.
     *
     * @param \core\event\base $event the event
     */
    public static function course_changed(\core\event\base $event): void {
        self::run('courses', function () use ($event) {
            changes::section((int)$event->objectid, (int)$event->timecreated);
        });
    }

    /**
     * course_restored → everything in the restored course (restore writes most records without events).
     *
     * @param \core\event\base $event the event
     */
    public static function course_restored(\core\event\base $event): void {
        self::run(null, function () use ($event) {
            foreach (peers::configured() as $peerid) {
                fullsync::queue_course($peerid, (int)$event->courseid);
            }
        });
    }

    /**
     * user_enrolment_created → new_enrolment (teacher if the user already holds a teacher role, else student).
     *
     * Moodle assigns the enrolment's role just after this event; when that role is a teacher role the
     * role_assigned observer rewrites this still unsent row into a teacher enrolment.
     *
     * @param \core\event\base $event the event
     */
    public static function user_enrolment_created(\core\event\base $event): void {
        self::run(null, function () use ($event) {
            $courseid = (int)$event->courseid;
            $userid = (int)$event->relateduserid;
            $role = payloads::has_teacher_role($courseid, $userid) ? 'teacher' : 'student';
            if (peers::kind_enabled($role === 'teacher' ? 'teachers' : 'enrolments')) {
                changes::enrolment($courseid, $userid, $role, (int)$event->timecreated);
            }
        });
    }

    /**
     * user_enrolment_updated → new_enrolment with the enrolment's status and dates (*Participants → Edit
     * enrolment*: suspended, active again, a start or end date). enrol_plugin::update_user_enrol() raises
     * it after the change is written, so the state read now is the new one.
     *
     * @param \core\event\base $event the event
     */
    public static function user_enrolment_updated(\core\event\base $event): void {
        self::run(null, function () use ($event) {
            changes::enrolment_state((int)$event->courseid, (int)$event->relateduserid, (int)$event->timecreated);
        });
    }

    /**
     * enrol_instance_updated → new_enrolment for everyone enrolled by that method: disabling an enrolment
     * method suspends its people (Moodle's "Enrolment method disabled"), enabling it makes them active
     * again. People whose state did not change send nothing (the queue skips identical content).
     *
     * @param \core\event\base $event the event
     */
    public static function enrol_instance_updated(\core\event\base $event): void {
        self::run(null, function () use ($event) {
            global $DB;
            $courseid = (int)$event->courseid;
            $userids = $DB->get_fieldset_select('user_enrolments', 'userid', 'enrolid = :enrolid',
                ['enrolid' => (int)$event->objectid]);
            foreach (array_unique(array_map('intval', $userids)) as $userid) {
                changes::enrolment_state($courseid, $userid, (int)$event->timecreated);
            }
        });
    }

    /**
     * user_enrolment_deleted → remove_enrolment, when it was the user's last enrolment in the course;
     * otherwise the state of the enrolments left (an active one removed may leave a suspended one).
     *
     * @param \core\event\base $event the event
     */
    public static function user_enrolment_deleted(\core\event\base $event): void {
        self::run(null, function () use ($event) {
            $courseid = (int)$event->courseid;
            $userid = (int)$event->relateduserid;
            $ue = $event->other['userenrolment'] ?? [];
            $last = $ue['lastenrol'] ?? null;
            if ($last === null) {
                $last = !is_enrolled(\context_course::instance($courseid), $userid, '', false);
            }
            if ($last) {
                if (peers::kind_enabled('enrolments')) {
                    changes::unenrolment($courseid, $userid, null, (int)$event->timecreated);
                }
            } else {
                changes::enrolment_state($courseid, $userid, (int)$event->timecreated);
            }
        });
    }

    /**
     * role_assigned of a teacher role in a course → new_enrolment as teacher, and new_section (first teacher).
     *
     * @param \core\event\base $event the event
     */
    public static function role_assigned(\core\event\base $event): void {
        $courseid = self::teacher_role_course($event);
        if ($courseid === null) {
            self::student_role_assigned($event);
            return;
        }
        $userid = (int)$event->relateduserid;
        self::run('teachers', function () use ($courseid, $userid, $event) {
            changes::enrolment($courseid, $userid, 'teacher', (int)$event->timecreated);
        });
        self::run('courses', function () use ($courseid, $event) {
            changes::section($courseid, (int)$event->timecreated);
        });
    }

    /**
     * role_unassigned of a teacher role in a course → remove_enrolment of the teacher role (unless the user
     * still holds another teacher role there), and new_section (first teacher).
     *
     * @param \core\event\base $event the event
     */
    public static function role_unassigned(\core\event\base $event): void {
        $courseid = self::teacher_role_course($event);
        if ($courseid === null) {
            return;
        }
        $userid = (int)$event->relateduserid;
        self::run('teachers', function () use ($courseid, $userid, $event) {
            if (!payloads::has_teacher_role($courseid, $userid)) {
                changes::unenrolment($courseid, $userid, 'teacher', (int)$event->timecreated);
            }
        });
        // A teacher made a student (the role changed, whichever of the two events came first): still
        // enrolled, holding a graded role, no teacher role left → on the roster as a student. Roles an
        // enrolment plugin removes while unenrolling (component enrol_*) are not a role change.
        $component = (string)($event->other['component'] ?? '');
        if (strpos($component, 'enrol_') !== 0) {
            self::run('enrolments', function () use ($courseid, $userid, $event) {
                self::enrol_as_student_if_graded($courseid, $userid, (int)$event->timecreated);
            });
        }
        self::run('courses', function () use ($courseid, $event) {
            changes::section($courseid, (int)$event->timecreated);
        });
    }

    /**
     * grade_item_created, grade_item_updated → new_assessment (or remove_assessment if no longer graded).
     *
     * Grade items cover assignments and every other graded activity, and manual items.
     *
     * @param \core\event\base $event the event
     */
    public static function grade_item_changed(\core\event\base $event): void {
        self::run('assessments', function () use ($event) {
            global $DB;
            $item = $DB->get_record('grade_items', ['id' => $event->objectid]);
            if ($item) {
                changes::assessment($item, (int)$event->timecreated);
            }
        });
    }

    /**
     * grade_item_deleted → remove_assessment.
     *
     * @param \core\event\base $event the event
     */
    public static function grade_item_deleted(\core\event\base $event): void {
        self::run('assessments', function () use ($event) {
            $item = null;
            if (method_exists($event, 'get_grade_item') && !$event->is_restored()) {
                $gradeitem = $event->get_grade_item();
                if ($gradeitem) {
                    $item = (object)['id' => $gradeitem->id, 'idnumber' => $gradeitem->idnumber,
                        'itemtype' => $gradeitem->itemtype, 'gradetype' => $gradeitem->gradetype,
                        'outcomeid' => $gradeitem->outcomeid];
                }
            }
            changes::assessment_removed((int)$event->objectid, $item, (int)$event->timecreated);
        });
        // grade_item::delete() deletes the item's grades first (grade_deleted for each): the item's removal
        // says it all, and SchoolBridge keeps those grades in the hidden item's history.
        self::run(null, function () use ($event) {
            queue::withdraw_request_rows('remove_grade', 'grade:' . (int)$event->objectid . ':');
        });
    }

    /**
     * course_module_created, course_module_updated → new_assessment for the module's grade items
     * (the section number, our chapternum, is only known once the module is in its section).
     *
     * @param \core\event\base $event the event
     */
    public static function course_module_changed(\core\event\base $event): void {
        self::run('assessments', function () use ($event) {
            global $DB;
            if (empty($event->other['modulename']) || empty($event->other['instanceid'])) {
                return;
            }
            $items = $DB->get_records('grade_items', ['courseid' => $event->courseid, 'itemtype' => 'mod',
                'itemmodule' => $event->other['modulename'], 'iteminstance' => $event->other['instanceid']], 'id');
            foreach ($items as $item) {
                changes::assessment($item, (int)$event->timecreated);
            }
        });
    }

    /**
     * user_graded → new_grade; remove_grade when the final grade became empty (the teacher cleared the cell
     * in the grader report, or the activity removed its grade: update_final_grade() and update_raw_grade()
     * raise user_graded for a change to null too).
     *
     * @param \core\event\base $event the event
     */
    public static function user_graded(\core\event\base $event): void {
        self::run('grades', function () use ($event) {
            global $DB;
            $grade = $DB->get_record('grade_grades', ['id' => $event->objectid]);
            if (!$grade) {
                return;
            }
            $item = $DB->get_record('grade_items', ['id' => $grade->itemid]);
            if ($item) {
                changes::grade($grade, $item, (int)$event->timecreated);
            }
        });
    }

    /**
     * grade_deleted → remove_grade (a grade_grades row deleted: a course reset of the grades, an
     * administrator's deletion). Grades deleted because the student left the course (Moodle deletes them
     * on the last unenrolment, grade_user_unenrol(), after the enrolment is gone) are not cleared in
     * SchoolBridge: they stay with the withdrawn enrolment. Those of a deleted grade item are taken back by
     * grade_item_deleted.
     *
     * @param \core\event\base $event the event
     */
    public static function grade_deleted(\core\event\base $event): void {
        self::run('grades', function () use ($event) {
            global $DB;
            $item = $DB->get_record('grade_items', ['id' => (int)($event->other['itemid'] ?? 0)]);
            $userid = (int)$event->relateduserid;
            if (!$item || !mapper::is_gradeitem_kind_sent($item)) {
                return;
            }
            $context = \context_course::instance((int)$item->courseid, IGNORE_MISSING);
            if (!$context || !is_enrolled($context, $userid, '', false)) {
                return;
            }
            changes::grade_cleared($item, $userid, (int)$event->timecreated);
        });
    }

    /**
     * role_assigned of a graded (student) role in a course → new_enrolment as student, for an enrolled user
     * with no teacher role (e.g. a teacher made a student).
     *
     * @param \core\event\base $event role_assigned
     */
    private static function student_role_assigned(\core\event\base $event): void {
        $context = $event->get_context();
        if (!$context || (int)$context->contextlevel !== CONTEXT_COURSE
                || !in_array((int)$event->objectid, payloads::student_roles(), true)) {
            return;
        }
        $courseid = (int)$context->instanceid;
        $userid = (int)$event->relateduserid;
        self::run('enrolments', function () use ($courseid, $userid, $event) {
            self::enrol_as_student_if_graded($courseid, $userid, (int)$event->timecreated);
        });
    }

    /**
     * Queues new_enrolment as student for an enrolled user who holds a graded role and no teacher role.
     * An enrolment that was already sent this way is not repeated (the queue skips identical content).
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @param int $time when it changed
     */
    private static function enrol_as_student_if_graded(int $courseid, int $userid, int $time): void {
        $context = \context_course::instance($courseid, IGNORE_MISSING);
        if ($context && is_enrolled($context, $userid, '', false) && payloads::has_student_role($courseid, $userid)
                && !payloads::has_teacher_role($courseid, $userid)) {
            changes::enrolment($courseid, $userid, 'student', $time);
        }
    }

    /**
     * The course of a role (un)assignment when it is a teacher role in a course context, else null.
     *
     * @param \core\event\base $event role_assigned or role_unassigned
     * @return int|null
     */
    private static function teacher_role_course(\core\event\base $event): ?int {
        $context = $event->get_context();
        if (!$context || (int)$context->contextlevel !== CONTEXT_COURSE) {
            return null;
        }
        if (!in_array((int)$event->objectid, payloads::teacher_roles(), true)) {
            return null;
        }
        return (int)$context->instanceid;
    }

    /**
     * Runs an observer body if a peer is configured and the kind is on; never lets an error break the
     * user's action. The observers run inside the user's transaction; a query of ours that fails there
     * does not abort it, also on PostgreSQL, whose driver rolls back to a savepoint taken before each
     * write (MDL-35506, pgsql_native_moodle_database::query_end()) — a real-Moodle test proves it.
     * A change that could not be queued is logged (PHP's error log, whatever the debug level) and
     * remembered: the next drain task asks for a full sync, which sends it (queue::note_missed()).
     *
     * @param string|null $kind one of peers::KINDS, null for "always"
     * @param callable $body the work
     */
    private static function run(?string $kind, callable $body): void {
        try {
            if (!peers::configured() || ($kind !== null && !peers::kind_enabled($kind))) {
                return;
            }
            $body();
        } catch (\Throwable $e) {
            queue::note_missed($e);
        }
    }
}
