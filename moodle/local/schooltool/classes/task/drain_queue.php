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
 * Scheduled task: send what could not be sent at once.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\task;

use local_schooltool\course_totals;
use local_schooltool\dispatcher;
use local_schooltool\grade_history_scan;
use local_schooltool\peers;
use local_schooltool\queue;

defined('MOODLE_INTERNAL') || die();

/**
 * Queues grade changes that raised no event (grade_history_scan), recomputes course totals Moodle left stale
 * (course_totals), drains the queue of every configured peer (respecting back-off), then deletes old delivered rows.
 */
class drain_queue extends \core\task\scheduled_task {

    /** Seconds one run may spend per peer. */
    const BUDGET = 240;

    /** Rows younger than this (seconds) are left to the request that queued them. */
    const MIN_AGE = 30;

    /** Seconds one run may spend recomputing stale course totals (the rest waits for the next run). */
    const REGRADE_BUDGET = 60;

    /**
     * Task name.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_drain', 'local_schooltool');
    }

    /**
     * Runs the task.
     */
    public function execute() {
        if ($missed = queue::repair_missed()) {
            mtrace('  a change could not be queued at ' . userdate($missed) . ': full sync requested');
        }
        $found = grade_history_scan::run(time());
        if ($found) {
            mtrace("  grade changes without an event (exclusions): $found rows queued");
        }
        // Totals Moodle left stale (an item or category edited, an exclusion): recomputed now, as opening the
        // gradebook would; the totals that change are queued by the user_graded observer and sent at the end of
        // this run (or by the next one).
        $regraded = course_totals::regrade_stale(time(), self::REGRADE_BUDGET);
        if ($regraded) {
            mtrace("  course totals recomputed in $regraded courses");
        }
        foreach (peers::configured() as $peerid) {
            // Rows younger than MIN_AGE belong to a request that may still be merging into them and sends them itself.
            $stats = dispatcher::drain($peerid, self::BUDGET, false, null, self::MIN_AGE);
            if ($stats['skipped']) {
                mtrace("  peer $peerid: backing off or busy, skipped");
                continue;
            }
            unset($stats['skipped']);
            mtrace("  peer $peerid: " . json_encode($stats));
        }
        queue::cleanup();
    }
}
