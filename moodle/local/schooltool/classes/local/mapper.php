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
 * Field mapping from Moodle records to `schooltool_sis` call structs (pure PHP, no Moodle API).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\local;

defined('MOODLE_INTERNAL') || die();

/**
 * Builds the structs of the eight `schooltool/sis/*` methods from plain Moodle records.
 *
 * Everything here works on arrays or stdClass records and never touches the database, so that it can
 * be tested without Moodle. Wire types: identifiers and names are strings, numbers of points are
 * strings in plain decimal notation ("87.5", never a float or "8.75E+1"), counters are ints and flags
 * are PHP booleans (sent as XML-RPC <boolean>).
 */
class mapper {

    /** Prefix of a derived person id. */
    const USER_PREFIX = 'moodle-user-';
    /** Prefix of a derived section id. */
    const COURSE_PREFIX = 'moodle-course-';
    /** Prefix of a derived assessment id. */
    const GRADEITEM_PREFIX = 'moodle-gradeitem-';

    /** Moodle's GRADE_TYPE_VALUE. */
    const GRADE_TYPE_VALUE = 1;
    /** Moodle's GRADE_TYPE_SCALE. */
    const GRADE_TYPE_SCALE = 2;

    /** `new_assessment` field `kind` of a course total. */
    const KIND_COURSE_TOTAL = 'course_total';

    /** Moodle's aggregations in which aggregationcoef > 0 marks extra credit (grade_category::aggregation_uses_extracredit). */
    const EXTRA_CREDIT_AGGREGATIONS = [11, 12, 13];

    /**
     * The shared id: Moodle's idnumber when it is set (after trimming), else prefix + internal id.
     *
     * @param mixed $idnumber the idnumber field (string or null)
     * @param string $prefix one of the *_PREFIX constants
     * @param mixed $id Moodle's internal id
     * @return string
     */
    public static function shared_id($idnumber, string $prefix, $id): string {
        $idnumber = trim((string)$idnumber);
        if ($idnumber !== '') {
            return $idnumber;
        }
        if (!is_numeric($id) || (int)$id <= 0) {
            throw new \InvalidArgumentException('A record without idnumber needs a positive internal id');
        }
        return $prefix . (int)$id;
    }

    /**
     * Shared id of a user record.
     *
     * @param array|\stdClass $user needs id and idnumber
     * @return string
     */
    public static function user_id($user): string {
        $user = (array)$user;
        return self::shared_id($user['idnumber'] ?? '', self::USER_PREFIX, $user['id'] ?? 0);
    }

    /**
     * Shared id of a course record.
     *
     * @param array|\stdClass $course needs id and idnumber
     * @return string
     */
    public static function course_id($course): string {
        $course = (array)$course;
        return self::shared_id($course['idnumber'] ?? '', self::COURSE_PREFIX, $course['id'] ?? 0);
    }

    /**
     * Shared id of a grade item record.
     *
     * @param array|\stdClass $item needs id and idnumber
     * @return string
     */
    public static function gradeitem_id($item): string {
        $item = (array)$item;
        return self::shared_id($item['idnumber'] ?? '', self::GRADEITEM_PREFIX, $item['id'] ?? 0);
    }

    /**
     * `fetch_user`: identity and names only. Password fields are never copied, whatever the record holds.
     *
     * @param array|\stdClass $user a user table record
     * @return array
     */
    public static function user($user): array {
        $user = (array)$user;
        return [
            'idnumber' => self::user_id($user),
            'username' => trim((string)($user['username'] ?? '')),
            'firstname' => trim((string)($user['firstname'] ?? '')),
            'lastname' => trim((string)($user['lastname'] ?? '')),
            'email' => trim((string)($user['email'] ?? '')),
        ];
    }

    /**
     * `new_section`: a Moodle course is a SchoolTool section.
     *
     * @param array|\stdClass $course a course table record
     * @param string|null $teacheridnumber shared id of the first editing teacher, null when there is none
     * @return array
     */
    public static function section($course, ?string $teacheridnumber): array {
        $course = (array)$course;
        return [
            'idnumber' => self::course_id($course),
            'name' => trim((string)($course['fullname'] ?? '')),
            // Empty means "no teacher" in the contract.
            'teacheridnumber' => $teacheridnumber === null ? '' : $teacheridnumber,
            // Moodle has no terms: every course is segment 1.
            'segment' => 1,
        ];
    }

    /**
     * `new_enrolment`: the role, and the state of the person's enrolment in the course as
     * enrolment_state() computes it (status `active` or `suspended`, `timestart`, `timeend`; 0 = no date).
     *
     * @param string $sectionid the course's shared id
     * @param string $userid the person's shared id
     * @param string $role 'student' or 'teacher'
     * @param array|null $state enrolment_state() of the person's enrolments, null for a plain active enrolment
     * @return array
     */
    public static function enrolment(string $sectionid, string $userid, string $role, ?array $state = null): array {
        if ($role !== 'student' && $role !== 'teacher') {
            throw new \InvalidArgumentException('role must be student or teacher');
        }
        $state = $state ?? ['status' => 'active', 'timestart' => 0, 'timeend' => 0];
        if ($state['status'] !== 'active' && $state['status'] !== 'suspended') {
            throw new \InvalidArgumentException('status must be active or suspended');
        }
        return ['sectionid' => $sectionid, 'userid' => $userid, 'role' => $role, 'status' => $state['status'],
            'timestart' => max(0, (int)$state['timestart']), 'timeend' => max(0, (int)$state['timeend'])];
    }

    /**
     * The state of a person's enrolment in a course from all their user enrolments there (a person may be
     * enrolled by several methods, e.g. manual and self).
     *
     * The enrolment is `active` when at least one user enrolment is active in an enabled enrolment method
     * (Moodle's *Participants → Status*: "Active" whatever the dates), else `suspended` — suspended by a
     * teacher, or its enrolment method disabled. The dates are those of the enrolments that count (the
     * active ones; for a suspended enrolment, all of them): the earliest start and the latest end, where 0
     * (no start, no end) wins. Moodle's own rule (enrol_get_enrolment_end) also knows gaps between
     * enrolments; a school's enrolments have none worth sending.
     *
     * @param array[] $enrolments each ['status' => user_enrolments.status, 'instancestatus' => enrol.status,
     *     'timestart' => int, 'timeend' => int]; 0 = active / enabled
     * @return array|null ['status' => 'active'|'suspended', 'timestart' => int, 'timeend' => int], null when
     *     there is no enrolment at all
     */
    public static function enrolment_state(array $enrolments): ?array {
        if (!$enrolments) {
            return null;
        }
        $active = array_values(array_filter($enrolments, function ($ue) {
            return (int)$ue['status'] === 0 && (int)$ue['instancestatus'] === 0;
        }));
        $counted = $active ?: array_values($enrolments);
        $starts = array_map(function ($ue) {
            return max(0, (int)$ue['timestart']);
        }, $counted);
        $ends = array_map(function ($ue) {
            return max(0, (int)$ue['timeend']);
        }, $counted);
        return [
            'status' => $active ? 'active' : 'suspended',
            'timestart' => min($starts),
            'timeend' => in_array(0, $ends, true) ? 0 : max($ends),
        ];
    }

    /**
     * `remove_enrolment`; without a role every active role of the person in the section is withdrawn.
     *
     * @param string $sectionid the course's shared id
     * @param string $userid the person's shared id
     * @param string|null $role 'student', 'teacher' or null for all
     * @return array
     */
    public static function unenrolment(string $sectionid, string $userid, ?string $role): array {
        $fields = ['sectionid' => $sectionid, 'userid' => $userid];
        if ($role !== null) {
            $fields['role'] = self::enrolment($sectionid, $userid, $role)['role'];
        }
        return $fields;
    }

    /**
     * Whether a grade item is one SchoolBridge should know: an activity, a manual item or the course total, graded
     * with points or a scale. Category totals, outcome items and ungraded or text-only items are left out.
     *
     * @param array|\stdClass $item a grade_items record
     * @return bool
     */
    public static function is_sendable_gradeitem($item): bool {
        $item = (array)$item;
        if (!self::is_gradeitem_kind_sent($item)) {
            return false;
        }
        $gradetype = (int)($item['gradetype'] ?? 0);
        return $gradetype === self::GRADE_TYPE_VALUE || $gradetype === self::GRADE_TYPE_SCALE;
    }

    /**
     * Whether a grade item is of a kind SchoolBridge is sent (an activity or a manual item, not an outcome; or the
     * course total), whatever its grade type: such an item switched to "no grade" may have been sent before.
     *
     * @param array|\stdClass $item a grade_items record
     * @return bool
     */
    public static function is_gradeitem_kind_sent($item): bool {
        $item = (array)$item;
        $type = (string)($item['itemtype'] ?? '');
        return ($type === 'mod' || $type === 'manual' || $type === 'course') && empty($item['outcomeid']);
    }

    /**
     * Whether a grade item is the course total (grade_items.itemtype 'course': one per course, the total of its
     * top grade category, computed by Moodle's aggregation).
     *
     * @param array|\stdClass $item a grade_items record
     * @return bool
     */
    public static function is_course_total($item): bool {
        $item = (array)$item;
        return (string)($item['itemtype'] ?? '') === 'course';
    }

    /**
     * Extra credit as Moodle defines it: aggregationcoef > 0 under an aggregation that uses extra credit.
     *
     * @param int|null $parentaggregation aggregation of the item's grade category (null if unknown)
     * @param mixed $aggregationcoef the item's aggregationcoef
     * @return bool
     */
    public static function is_extra_credit(?int $parentaggregation, $aggregationcoef): bool {
        if ($parentaggregation === null || !in_array($parentaggregation, self::EXTRA_CREDIT_AGGREGATIONS, true)) {
            return false;
        }
        return is_numeric($aggregationcoef) && (float)$aggregationcoef > 0;
    }

    /**
     * `new_assessment`.
     *
     * @param array|\stdClass $item a grade_items record
     * @param string $sectionid the course's shared id
     * @param int $chapternum course section number of the activity (0 for manual items)
     * @param int|null $parentaggregation aggregation of the item's grade category
     * @return array
     */
    public static function assessment($item, string $sectionid, int $chapternum, ?int $parentaggregation): array {
        $item = (array)$item;
        return [
            'idnumber' => self::gradeitem_id($item),
            'sectionid' => $sectionid,
            'name' => trim((string)($item['itemname'] ?? '')),
            'chapternum' => max(0, $chapternum),
            'honors_required' => false,
            'nonhonors_required' => true,
            'extra_credit' => self::is_extra_credit($parentaggregation, $item['aggregationcoef'] ?? 0),
            'pointval' => self::number($item['grademax'] ?? 0),
        ];
    }

    /**
     * `new_assessment` of the course total: `kind` = `course_total` (docs/schooltool-sis.md), the course total's
     * maximum as `pointval`. Its grades are Moodle's own figures (categories, weights, aggregation), which
     * SchoolBridge shows beside its own total and never sums into it.
     *
     * @param array|\stdClass $item the course's grade_items record of itemtype 'course'
     * @param string $sectionid the course's shared id
     * @param string $label Moodle's name of a course total ("Course total"); the item has no name of its own
     * @return array
     */
    public static function course_total($item, string $sectionid, string $label): array {
        $item = (array)$item;
        if (!self::is_course_total($item)) {
            throw new \InvalidArgumentException('Not a course total');
        }
        $name = trim((string)($item['itemname'] ?? ''));
        return [
            'idnumber' => self::gradeitem_id($item),
            'sectionid' => $sectionid,
            'name' => $name !== '' ? $name : trim($label),
            'chapternum' => 0,
            'honors_required' => false,
            'nonhonors_required' => true,
            'extra_credit' => false,
            'pointval' => self::number($item['grademax'] ?? 0),
            'kind' => self::KIND_COURSE_TOTAL,
        ];
    }

    /**
     * `remove_assessment`.
     *
     * @param string $idnumber the grade item's shared id
     * @return array
     */
    public static function assessment_removal(string $idnumber): array {
        return ['idnumber' => $idnumber];
    }

    /**
     * `new_grade`, or null when there is nothing to send (no final grade and not excluded).
     *
     * @param string $assessmentid the grade item's shared id
     * @param string $userid the student's shared id
     * @param mixed $finalgrade grade_grades.finalgrade (numeric string, number or null)
     * @param mixed $excluded grade_grades.excluded (0, or the time it was excluded)
     * @param int $attempt attempt number, 1 when unknown
     * @return array|null
     */
    public static function grade(string $assessmentid, string $userid, $finalgrade, $excluded, int $attempt): ?array {
        $isexcluded = !empty($excluded) && $excluded !== '0';
        $hasgrade = $finalgrade !== null && $finalgrade !== '';
        if (!$hasgrade && !$isexcluded) {
            return null;
        }
        return [
            'assessmentid' => $assessmentid,
            'userid' => $userid,
            'points_earned' => $hasgrade ? self::number($finalgrade) : '',
            'excepted' => $isexcluded,
            'attempt_num' => max(1, $attempt),
        ];
    }

    /**
     * `remove_grade`: the grade of the cell was cleared in Moodle.
     *
     * @param string $assessmentid the grade item's shared id
     * @param string $userid the student's shared id
     * @return array
     */
    public static function grade_removal(string $assessmentid, string $userid): array {
        return ['assessmentid' => $assessmentid, 'userid' => $userid];
    }

    /**
     * Whether a grade_grades record holds something to send: a final grade, or an exclusion.
     *
     * @param mixed $finalgrade grade_grades.finalgrade
     * @param mixed $excluded grade_grades.excluded
     * @return bool
     */
    public static function has_grade($finalgrade, $excluded): bool {
        return ($finalgrade !== null && $finalgrade !== '') || (!empty($excluded) && $excluded !== '0');
    }

    /**
     * Whether a user enrolment gives access now: active enrolment in an enabled instance, inside its dates.
     *
     * @param int $uestatus user_enrolments.status (0 = active, 1 = suspended)
     * @param int $instancestatus enrol.status (0 = enabled)
     * @param int $timestart user_enrolments.timestart (0 = no start)
     * @param int $timeend user_enrolments.timeend (0 = no end)
     * @param int $now current time
     * @return bool
     */
    public static function is_enrolment_active(int $uestatus, int $instancestatus, int $timestart, int $timeend,
            int $now): bool {
        return $uestatus === 0 && $instancestatus === 0 && $timestart <= $now && ($timeend === 0 || $timeend > $now);
    }

    /**
     * One entry of the list_user_enrolments() reply.
     *
     * @param string $sectionid the course's shared id
     * @param string $userid the person's shared id
     * @param string $role 'student' or 'teacher'
     * @param bool $active whether the enrolment gives access now
     * @param int $timemodified when it last changed
     * @return array
     */
    public static function listed_enrolment(string $sectionid, string $userid, string $role, bool $active,
            int $timemodified): array {
        $fields = ['sectionid' => $sectionid, 'userid' => $userid,
            'role' => self::enrolment($sectionid, $userid, $role)['role']];
        $fields['status'] = $active ? 'active' : 'suspended';
        $fields['timemodified'] = $timemodified;
        return $fields;
    }

    /**
     * A number as a plain decimal string: no exponent, no trailing zeros, '.' as separator whatever the locale,
     * at most five decimals (the precision of Moodle's grade columns).
     *
     * @param mixed $value int, float or numeric string such as "87.50000"
     * @return string
     */
    public static function number($value): string {
        if (is_bool($value) || $value === null || !is_numeric(is_string($value) ? trim($value) : $value)) {
            throw new \InvalidArgumentException('Not a number: ' . var_export($value, true));
        }
        if (is_string($value) && preg_match('/^\s*(-?)(\d+)(?:\.(\d*))?\s*$/', $value, $m)) {
            // Decimal strings from the database are reformatted as text, never through a float.
            $fraction = rtrim($m[3] ?? '', '0');
            if (strlen($fraction) > 5) {
                return self::number(sprintf('%.5F', round((float)$value, 5)));
            }
            $integer = ltrim($m[2], '0');
            $integer = $integer === '' ? '0' : $integer;
            $text = $integer . ($fraction !== '' ? '.' . $fraction : '');
            return ($m[1] === '-' && $text !== '0') ? '-' . $text : $text;
        }
        $float = (float)$value;
        if (!is_finite($float)) {
            throw new \InvalidArgumentException('Not a finite number');
        }
        return self::number(sprintf('%.5F', round($float, 5)));
    }

    /**
     * Adds the common fields of every call.
     *
     * @param array $fields the method's own fields
     * @param string $eventid unique per change
     * @param int $timemodified Unix seconds of the change
     * @return array
     */
    public static function with_common(array $fields, string $eventid, int $timemodified): array {
        if ($eventid === '' || strlen($eventid) > 128) {
            throw new \InvalidArgumentException('eventid must have 1 to 128 characters');
        }
        $fields['eventid'] = $eventid;
        $fields['timemodified'] = $timemodified;
        return $fields;
    }

    /**
     * The eventid of a queued change: a short key of this site, then a random UUID.
     *
     * A random part rather than the bare queue row id keeps ids unique even after the Moodle database is
     * restored from a backup and row ids are handed out a second time.
     *
     * @param string $siteidentifier Moodle's $CFG->siteidentifier
     * @param string $uuid a random UUID
     * @return string
     */
    public static function eventid(string $siteidentifier, string $uuid): string {
        return 'mdl-' . substr(sha1($siteidentifier), 0, 10) . '-' . strtolower($uuid);
    }
}
