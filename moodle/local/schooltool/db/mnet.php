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
 * MNet services of local_schooltool.
 *
 * One service, `schooltool_sis`, used in both directions like Moodle's `pf` service with Mahara:
 * Moodle subscribes to the eight methods SchoolBridge publishes, and publishes two methods of its own
 * that SchoolBridge may call. Moodle's Services tab (Networking → Peers → host → Services) only lists
 * services that have at least one published method (mnet_get_service_info() joins mnet_service2rpc and
 * mnet_rpc), so a subscribe-only service would have no checkbox at all; publishing under the same name
 * gives the admin the usual Publish and Subscribe boxes for `schooltool_sis`.
 *
 * SchoolBridge calls the published methods as `local/schooltool/mnetservice.php/<method>`.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$publishes = [
    'schooltool_sis' => [
        'apiversion' => 1,
        'classname' => 'local_schooltool_mnetservice',
        'filename' => 'mnetservice.php',
        'methods' => [
            'list_user_enrolments',
            'request_full_sync',
        ],
    ],
];

$subscribes = [
    'schooltool_sis' => [
        'fetch_user' => 'schooltool/sis/fetch_user',
        'new_section' => 'schooltool/sis/new_section',
        'new_enrolment' => 'schooltool/sis/new_enrolment',
        'remove_enrolment' => 'schooltool/sis/remove_enrolment',
        'new_assessment' => 'schooltool/sis/new_assessment',
        'remove_assessment' => 'schooltool/sis/remove_assessment',
        'new_grade' => 'schooltool/sis/new_grade',
        'remove_grade' => 'schooltool/sis/remove_grade',
        // Many changes per call (full sync, retry queue); a SchoolBridge without it answers 7012
        // and gets one call per change.
        'batch' => 'schooltool/sis/batch',
    ],
];
