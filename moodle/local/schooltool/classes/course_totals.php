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
 * Moodle's course totals: brought up to date when Moodle left them stale, so that what is sent is current.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

defined('MOODLE_INTERNAL') || die();

/**
 * Moodle computes a student's course total in grade_regrade_final_grades() (lib/gradelib.php, the same in 4.5 and
 * 5.1) and raises \core\event\user_graded for each total that changed (grade_category::aggregate_grades()), which the
 * user_graded observer sends like any grade. A grade changed while the course is up to date is regraded at once,
 * for that student only (grade_item::update_final_grade(), update_raw_grade()). But an edit that touches many
 * students — a grade item created, deleted or given another maximum, a category's aggregation or weights, an
 * exclusion from the grader report — only sets needsupdate on the course item (grade_item::force_regrading()), and
 * every grade given after that also waits: Moodle recomputes when someone opens a gradebook page
 * (grade_regrade_final_grades_if_required(); on 5.1 in an ad hoc task for courses of more than 100 grades) or an
 * activity asks for grades (grade_get_grades()). Until then grade_grades holds yesterday's totals. The scheduled
 * task therefore regrades such courses itself, as those pages would, and a full sync regrades a course before it
 * reads its totals (design 030).
 */
class course_totals {

    /** Plugin setting: JSON {courseid: time} of courses whose regrade failed (a broken calculation). */
    const FAILED_SETTING = 'regradefailed';

    /** Seconds before a course whose regrade failed is tried again. */
    const RETRY_AFTER = 3600;

    /**
     * Whether course totals are sent at all: a peer, grades and course totals switched on.
     *
     * @return bool
     */
    public static function wanted(): bool {
        return peers::configured() && peers::kind_enabled('grades') && peers::kind_enabled('coursetotals');
    }

    /**
     * Regrades the courses whose totals Moodle marked stale (course item needsupdate), oldest mark first, until the
     * time is up. The totals that change raise user_graded and are queued by the observer.
     *
     * @param int $now current time
     * @param int $budget seconds this run may spend
     * @return int courses regraded
     */
    public static function regrade_stale(int $now, int $budget): int {
        global $DB;
        if (!self::wanted()) {
            return 0;
        }
        $courseids = $DB->get_fieldset_sql("SELECT courseid
                                              FROM {grade_items}
                                             WHERE itemtype = 'course' AND needsupdate = 1 AND courseid <> :site
                                          ORDER BY timemodified, id", ['site' => SITEID]);
        $failed = self::failed();
        $done = 0;
        foreach ($courseids as $courseid) {
            if (time() - $now >= $budget) {
                break;
            }
            $courseid = (int)$courseid;
            if (isset($failed[$courseid]) && $now - $failed[$courseid] < self::RETRY_AFTER) {
                continue;
            }
            if (self::regrade($courseid)) {
                $done++;
            }
        }
        return $done;
    }

    /**
     * Regrades one course if Moodle marked its totals stale.
     *
     * @param int $courseid course id
     * @return bool true when the totals are current (already, or after the regrade)
     */
    public static function regrade_if_needed(int $courseid): bool {
        global $DB;
        $stale = $DB->record_exists('grade_items', ['courseid' => $courseid, 'itemtype' => 'course', 'needsupdate' => 1]);
        return !$stale || self::regrade($courseid);
    }

    /**
     * Runs Moodle's own regrade of a course; remembers a failure (a calculation that cannot be computed: Moodle
     * shows it on the gradebook pages) so that the task does not retry it every minute.
     *
     * @param int $courseid course id
     * @return bool whether it succeeded
     */
    private static function regrade(int $courseid): bool {
        global $CFG;
        require_once($CFG->libdir . '/gradelib.php');
        $failed = self::failed();
        $result = grade_regrade_final_grades($courseid);
        if ($result === true) {
            if (isset($failed[$courseid])) {
                unset($failed[$courseid]);
                set_config(self::FAILED_SETTING, json_encode($failed), 'local_schooltool');
            }
            return true;
        }
        $failed[$courseid] = time();
        set_config(self::FAILED_SETTING, json_encode($failed), 'local_schooltool');
        debugging("local_schooltool: Moodle could not compute the grades of course $courseid: "
            . implode('; ', array_map('strval', (array)$result)), DEBUG_NORMAL);
        return false;
    }

    /**
     * Courses whose regrade failed, and when.
     *
     * @return int[] courseid => time
     */
    private static function failed(): array {
        $failed = json_decode((string)get_config('local_schooltool', self::FAILED_SETTING), true);
        return is_array($failed) ? array_map('intval', $failed) : [];
    }
}
