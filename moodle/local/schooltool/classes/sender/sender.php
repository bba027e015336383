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
 * How a queued call leaves Moodle.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\sender;

use local_schooltool\local\send_result;

defined('MOODLE_INTERNAL') || die();

/**
 * Sends schooltool_sis calls to one peer (one change, or a batch of them). Implementations: MNet, dry run, and a stub in the unit tests.
 */
interface sender {

    /**
     * Sends a call.
     *
     * @param int $peerid mnet_host.id
     * @param string $method short method name, e.g. 'new_grade'
     * @param array $params the struct, including eventid and timemodified
     * @return send_result
     */
    public function call(int $peerid, string $method, array $params): send_result;

    /**
     * Sends many changes in one `schooltool/sis/batch` call (docs/schooltool-sis.md "batch").
     *
     * @param int $peerid mnet_host.id
     * @param array[] $changes each a call struct with its `method`, eventid and timemodified
     * @return send_result of the whole call; on success its response is `{results: [...]}`
     */
    public function batch(int $peerid, array $changes): send_result;
}
