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
 * Dry run: log calls instead of sending them.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\sender;

use local_schooltool\local\send_result;

defined('MOODLE_INTERNAL') || die();

/**
 * Writes each call to the output of the CLI/cron run and to the PHP error log; the queue row keeps
 * the full struct and is marked "dry run" so that it shows on the queue page.
 */
class dryrun_sender implements sender {

    /**
     * Logs a call.
     *
     * @param int $peerid mnet_host.id
     * @param string $method short method name
     * @param array $params the struct
     * @return send_result
     */
    public function call(int $peerid, string $method, array $params): send_result {
        $line = "local_schooltool dry run: peer $peerid schooltool/sis/$method " . json_encode($params);
        if (CLI_SCRIPT) {
            mtrace($line);
        } else {
            error_log($line);
        }
        return send_result::dryrun();
    }

    /**
     * Logs each change of a batch (the dispatcher sends none in dry run; here for completeness).
     *
     * @param int $peerid mnet_host.id
     * @param array[] $changes each a call struct with its `method`
     * @return send_result
     */
    public function batch(int $peerid, array $changes): send_result {
        foreach ($changes as $change) {
            $method = (string)($change['method'] ?? '');
            unset($change['method']);
            $this->call($peerid, $method, $change);
        }
        return send_result::dryrun();
    }
}
