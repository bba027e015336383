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
 * Grade changes that raise no event, found in Moodle's grade history.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

defined('MOODLE_INTERNAL') || die();

/**
 * Excluding or including a grade (the grader report's *Exclude*, the single view) changes grade_grades
 * without any event: grade_grade::set_excluded() only updates the row. Moodle writes every change of a
 * grade row to grade_grades_history (unless an admin switched grade history off), so the scheduled task
 * looks at the cells changed since its last run and queues their current state; the queue drops what
 * equals the newest row of the cell, so a grade that was already sent by its event is not sent twice.
 */
class grade_history_scan {

    /** Plugin setting holding the time of the last scan. */
    const SETTING = 'gradehistoryscan';

    /** Seconds each scan looks back before the previous one (a request still writing then, clocks). */
    const OVERLAP = 120;

    /**
     * Queues the current grade of every sendable cell whose grade row changed since the last scan.
     *
     * The first scan only records its time: changes from before the plugin watched are a full sync's job.
     *
     * @param int $now current time
     * @return int rows queued
     */
    public static function run(int $now): int {
        global $DB, $CFG;
        $since = (int)get_config('local_schooltool', self::SETTING);
        if (!empty($CFG->disablegradehistory) || !peers::configured() || !peers::kind_enabled('grades')) {
            set_config(self::SETTING, $now, 'local_schooltool');
            return 0;
        }
        if ($since <= 0) {
            set_config(self::SETTING, $now, 'local_schooltool');
            return 0;
        }
        require_once($CFG->libdir . '/gradelib.php');
        set_config(self::SETTING, $now, 'local_schooltool');
        $sql = "SELECT h.itemid, h.userid, MAX(h.timemodified) AS changed
                  FROM {grade_grades_history} h
                  JOIN {grade_items} i ON i.id = h.itemid
                 WHERE h.timemodified >= :since AND h.timemodified <= :now AND h.action IN (:insert, :update)
                       AND i.itemtype IN ('mod', 'manual')
              GROUP BY h.itemid, h.userid";
        $cells = $DB->get_recordset_sql($sql, ['since' => $since - self::OVERLAP, 'now' => $now,
            'insert' => GRADE_HISTORY_INSERT, 'update' => GRADE_HISTORY_UPDATE]);
        $count = 0;
        $items = [];
        foreach ($cells as $cell) {
            $itemid = (int)$cell->itemid;
            if (!array_key_exists($itemid, $items)) {
                $items[$itemid] = $DB->get_record('grade_items', ['id' => $itemid]) ?: null;
            }
            $grade = $DB->get_record('grade_grades', ['itemid' => $itemid, 'userid' => (int)$cell->userid]);
            if ($items[$itemid] !== null && $grade) {
                $count += changes::grade($grade, $items[$itemid], (int)$cell->changed);
            }
        }
        $cells->close();
        return $count;
    }
}
