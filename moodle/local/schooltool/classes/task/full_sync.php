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
 * Adhoc task: queue a full sync for one peer, then start sending.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\task;

use local_schooltool\dispatcher;
use local_schooltool\fullsync;

defined('MOODLE_INTERNAL') || die();

/**
 * Queued by the "Full sync" button and by the published request_full_sync() method.
 */
class full_sync extends \core\task\adhoc_task {

    /**
     * Task name.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_fullsync', 'local_schooltool');
    }

    /**
     * Runs the task.
     */
    public function execute() {
        $data = $this->get_custom_data();
        $peerid = (int)($data->peerid ?? 0);
        if ($peerid <= 0) {
            return;
        }
        $count = fullsync::queue_all($peerid, function (string $message) {
            mtrace('  ' . $message);
        });
        mtrace("  peer $peerid: $count rows queued");
        dispatcher::drain($peerid, drain_queue::BUDGET);
    }
}
