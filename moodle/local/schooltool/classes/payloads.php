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
 * Reads Moodle records and builds call structs with the pure mapper.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

use local_schooltool\local\mapper;

defined('MOODLE_INTERNAL') || die();

/**
 * Moodle-side half of the mapping: which records are eligible, and where each field comes from.
 */
class payloads {

    /**
     * A user who can be sent: local to this site, not deleted, not the guest.
     *
     * @param int $userid user id
     * @return \stdClass|null user record
     */
    public static function eligible_user(int $userid): ?\stdClass {
        global $DB, $CFG;
        $user = $DB->get_record('user', ['id' => $userid],
            'id, idnumber, username, firstname, lastname, email, deleted, mnethostid, timemodified, timecreated');
        if (!$user || !empty($user->deleted) || (int)$user->mnethostid !== (int)$CFG->mnet_localhost_id
                || (int)$user->id === (int)$CFG->siteguest) {
            return null;
        }
        return $user;
    }

    /**
     * Shared id of a user, or null if the user is not eligible.
     *
     * @param int $userid user id
     * @return string|null
     */
    public static function user_id(int $userid): ?string {
        $user = self::eligible_user($userid);
        return $user ? mapper::user_id($user) : null;
    }

    /**
     * A course that can be sent (any course but the front page).
     *
     * @param int $courseid course id
     * @return \stdClass|null
     */
    public static function eligible_course(int $courseid): ?\stdClass {
        global $DB;
        if ($courseid === (int)SITEID) {
            return null;
        }
        $course = $DB->get_record('course', ['id' => $courseid], 'id, idnumber, fullname, timemodified');
        return $course ?: null;
    }

    /**
     * Shared id of a course, or null.
     *
     * @param int $courseid course id
     * @return string|null
     */
    public static function course_id(int $courseid): ?string {
        $course = self::eligible_course($courseid);
        return $course ? mapper::course_id($course) : null;
    }

    /**
     * Ids of the roles counted as teacher (setting "teacherroles"; editing teachers by default).
     *
     * @return int[]
     */
    public static function teacher_roles(): array {
        global $DB;
        $setting = get_config('local_schooltool', 'teacherroles');
        if ($setting === false) {
            return array_map('intval', array_keys($DB->get_records('role', ['archetype' => 'editingteacher'], '', 'id')));
        }
        return array_values(array_filter(array_map('intval', explode(',', (string)$setting))));
    }

    /**
     * Whether a user holds a teacher role directly in a course.
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @return bool
     */
    public static function has_teacher_role(int $courseid, int $userid): bool {
        return self::holds_role_in(self::teacher_roles(), $courseid, $userid);
    }

    /**
     * Ids of the roles whose holders are graded: Moodle's "gradebookroles" (students by default).
     *
     * @return int[]
     */
    public static function student_roles(): array {
        global $CFG;
        return array_values(array_filter(array_map('intval', explode(',', (string)($CFG->gradebookroles ?? '')))));
    }

    /**
     * Whether a user holds a graded (student) role directly in a course.
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @return bool
     */
    public static function has_student_role(int $courseid, int $userid): bool {
        return self::holds_role_in(self::student_roles(), $courseid, $userid);
    }

    /**
     * Whether a user holds one of these roles directly in a course.
     *
     * @param int[] $roles role ids
     * @param int $courseid course id
     * @param int $userid user id
     * @return bool
     */
    private static function holds_role_in(array $roles, int $courseid, int $userid): bool {
        global $DB;
        if (!$roles) {
            return false;
        }
        $context = \context_course::instance($courseid, IGNORE_MISSING);
        if (!$context) {
            return false;
        }
        [$insql, $params] = $DB->get_in_or_equal($roles, SQL_PARAMS_NAMED);
        $params['contextid'] = $context->id;
        $params['userid'] = $userid;
        return $DB->record_exists_select('role_assignments', "contextid = :contextid AND userid = :userid AND roleid $insql",
            $params);
    }

    /**
     * The course's first teacher: the earliest teacher role assignment of an eligible user.
     *
     * @param int $courseid course id
     * @return int|null user id
     */
    public static function first_teacher(int $courseid): ?int {
        global $DB, $CFG;
        $roles = self::teacher_roles();
        $context = \context_course::instance($courseid, IGNORE_MISSING);
        if (!$roles || !$context) {
            return null;
        }
        [$insql, $params] = $DB->get_in_or_equal($roles, SQL_PARAMS_NAMED);
        $params['contextid'] = $context->id;
        $params['local'] = (int)$CFG->mnet_localhost_id;
        $sql = "SELECT ra.id, ra.userid
                  FROM {role_assignments} ra
                  JOIN {user} u ON u.id = ra.userid
                 WHERE ra.contextid = :contextid AND ra.roleid $insql AND u.deleted = 0 AND u.mnethostid = :local
              ORDER BY ra.timemodified ASC, ra.id ASC";
        $rows = $DB->get_records_sql($sql, $params, 0, 1);
        return $rows ? (int)reset($rows)->userid : null;
    }

    /**
     * `fetch_user` struct.
     *
     * @param int $userid user id
     * @return array|null
     */
    public static function user(int $userid): ?array {
        $user = self::eligible_user($userid);
        return $user ? mapper::user($user) : null;
    }

    /**
     * `new_section` struct.
     *
     * @param int $courseid course id
     * @return array|null
     */
    public static function section(int $courseid): ?array {
        $course = self::eligible_course($courseid);
        if (!$course) {
            return null;
        }
        $teacher = self::first_teacher($courseid);
        return mapper::section($course, $teacher ? self::user_id($teacher) : null);
    }

    /**
     * `new_enrolment` struct: the role, and the status and dates of the person's enrolments in the course
     * (a teacher by role alone, without an enrolment, is active without dates).
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @param string $role 'student' or 'teacher'
     * @return array|null
     */
    public static function enrolment(int $courseid, int $userid, string $role): ?array {
        $sectionid = self::course_id($courseid);
        $personid = self::user_id($userid);
        if (!$sectionid || !$personid) {
            return null;
        }
        return mapper::enrolment($sectionid, $personid, $role,
            mapper::enrolment_state(self::user_enrolments($courseid, $userid)));
    }

    /**
     * A person's user enrolments in a course, by every enrolment method, as mapper::enrolment_state() reads them.
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @return array[]
     */
    public static function user_enrolments(int $courseid, int $userid): array {
        global $DB;
        $rows = $DB->get_records_sql("SELECT ue.id, ue.status, e.status AS instancestatus, ue.timestart, ue.timeend
                                        FROM {user_enrolments} ue
                                        JOIN {enrol} e ON e.id = ue.enrolid
                                       WHERE e.courseid = :courseid AND ue.userid = :userid
                                    ORDER BY ue.id", ['courseid' => $courseid, 'userid' => $userid]);
        return array_values(array_map(function ($r) {
            return ['status' => (int)$r->status, 'instancestatus' => (int)$r->instancestatus,
                'timestart' => (int)$r->timestart, 'timeend' => (int)$r->timeend];
        }, $rows));
    }

    /**
     * The role a person's enrolment is reported with: teacher when they hold a teacher role in the course,
     * else student (design 002, decision 9: a teacher is not also a student).
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @return string
     */
    public static function enrolment_role(int $courseid, int $userid): string {
        return self::has_teacher_role($courseid, $userid) ? 'teacher' : 'student';
    }

    /**
     * `remove_enrolment` struct.
     *
     * @param int $courseid course id
     * @param int $userid user id
     * @param string|null $role role to withdraw, null for every role
     * @return array|null
     */
    public static function unenrolment(int $courseid, int $userid, ?string $role): ?array {
        $sectionid = self::course_id($courseid);
        $personid = self::user_id($userid);
        return ($sectionid && $personid) ? mapper::unenrolment($sectionid, $personid, $role) : null;
    }

    /**
     * Course section number of an activity's grade item (0 for manual items or when unknown).
     *
     * @param \stdClass $item grade_items record
     * @return int
     */
    public static function chapternum(\stdClass $item): int {
        if ($item->itemtype !== 'mod' || empty($item->itemmodule) || empty($item->iteminstance)) {
            return 0;
        }
        $cm = get_coursemodule_from_instance($item->itemmodule, $item->iteminstance, $item->courseid, true);
        return ($cm && isset($cm->sectionnum)) ? (int)$cm->sectionnum : 0;
    }

    /**
     * `new_assessment` struct, or null if the item is not sent (the course total: also when course totals are
     * switched off in the settings).
     *
     * @param \stdClass $item grade_items record
     * @return array|null
     */
    public static function assessment(\stdClass $item): ?array {
        global $DB;
        if (!self::is_sent_gradeitem($item)) {
            return null;
        }
        $sectionid = self::course_id((int)$item->courseid);
        if (!$sectionid) {
            return null;
        }
        if (mapper::is_course_total($item)) {
            return mapper::course_total($item, $sectionid, self::course_total_label());
        }
        $aggregation = null;
        if (!empty($item->categoryid)) {
            $value = $DB->get_field('grade_categories', 'aggregation', ['id' => $item->categoryid]);
            $aggregation = $value === false ? null : (int)$value;
        }
        return mapper::assessment($item, $sectionid, self::chapternum($item), $aggregation);
    }

    /**
     * Whether the plugin sends this grade item and its grades now: mapper::is_sendable_gradeitem(), and for the
     * course total the setting "Moodle's course totals" too.
     *
     * @param \stdClass $item grade_items record
     * @return bool
     */
    public static function is_sent_gradeitem(\stdClass $item): bool {
        if (!mapper::is_sendable_gradeitem($item)) {
            return false;
        }
        return !mapper::is_course_total($item) || peers::kind_enabled('coursetotals');
    }

    /**
     * Moodle's name of a course total (grade_item::get_name(): the string coursetotal of core_grades), in the
     * site's default language, so that a teacher's, a student's or cron's own language never renames it.
     *
     * @return string
     */
    public static function course_total_label(): string {
        global $CFG;
        return get_string_manager()->get_string('coursetotal', 'grades', null, (string)($CFG->lang ?? 'en'));
    }

    /**
     * Attempt number of a grade: the assignment attempt for mod_assign, else 1.
     *
     * @param \stdClass $item grade_items record
     * @param int $userid student
     * @return int
     */
    public static function attempt(\stdClass $item, int $userid): int {
        global $DB;
        if ($item->itemtype === 'mod' && $item->itemmodule === 'assign' && (int)$item->itemnumber === 0) {
            $max = $DB->get_field_sql('SELECT MAX(attemptnumber) FROM {assign_grades} WHERE assignment = ? AND userid = ?',
                [$item->iteminstance, $userid]);
            if ($max !== false && $max !== null) {
                return (int)$max + 1; // Moodle counts assignment attempts from 0.
            }
        }
        return 1;
    }

    /**
     * `remove_grade` struct for a cell, or null when the item or the student is not sent.
     *
     * @param \stdClass $item grade_items record
     * @param int $userid student
     * @return array|null
     */
    public static function grade_removal(\stdClass $item, int $userid): ?array {
        if (!mapper::is_gradeitem_kind_sent($item)) {
            return null;
        }
        $personid = self::user_id($userid);
        return $personid ? mapper::grade_removal(mapper::gradeitem_id($item), $personid) : null;
    }

    /**
     * `new_grade` struct, or null when there is nothing to send.
     *
     * @param \stdClass $grade grade_grades record
     * @param \stdClass $item its grade_items record
     * @return array|null
     */
    public static function grade(\stdClass $grade, \stdClass $item): ?array {
        if (!self::is_sent_gradeitem($item)) {
            return null;
        }
        $personid = self::user_id((int)$grade->userid);
        if (!$personid) {
            return null;
        }
        return mapper::grade(mapper::gradeitem_id($item), $personid, $grade->finalgrade, $grade->excluded ?? 0,
            self::attempt($item, (int)$grade->userid));
    }
}
