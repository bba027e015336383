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
 * Methods this plugin publishes to SchoolBridge over MNet (service schooltool_sis).
 *
 * MNet derives the XML-RPC path from the file name: SchoolBridge calls
 * `local/schooltool/mnetservice.php/list_user_enrolments` and
 * `local/schooltool/mnetservice.php/request_full_sync`. The @param and @return lines of each method
 * become its system/methodSignature (admin_mnet_method_profile()), so keep them one word per type.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

/**
 * MNet server-side methods of the schooltool_sis service (class name pattern of enrol_mnet_mnetservice_enrol).
 */
class local_schooltool_mnetservice {

    /**
     * Lists the course enrolments of a local user: one struct per course with sectionid,
     * userid, role (student or teacher), status (active or suspended) and timemodified.
     *
     * @param string $username the Moodle username of a user of this site
     * @return array
     */
    public function list_user_enrolments($username) {
        if (!get_mnet_remote_client()) {
            throw new moodle_exception('notlocalisederrormessage', 'error', '', 'Callable via MNet only');
        }
        return \local_schooltool\enrolment_list::for_username((string)$username);
    }

    /**
     * Asks this site to send everything it holds to the calling peer again.
     * Returns a struct whose status is queued, or notconfigured when the peer is not chosen in the settings.
     *
     * @return array
     */
    public function request_full_sync() {
        $client = get_mnet_remote_client();
        if (!$client || empty($client->id)) {
            throw new moodle_exception('notlocalisederrormessage', 'error', '', 'Callable via MNet only');
        }
        if (!in_array((int)$client->id, \local_schooltool\peers::configured(), true)) {
            return ['status' => 'notconfigured'];
        }
        \local_schooltool\fullsync::request((int)$client->id);
        return ['status' => 'queued'];
    }
}
