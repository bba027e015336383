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
 * Privacy provider of auth_schoolbridge.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace auth_schoolbridge\privacy;

use core_privacy\local\metadata\collection;

defined('MOODLE_INTERNAL') || die();

/**
 * The plugin keeps no data of its own (sessions are in Moodle's mnet_session table, which core MNet
 * declares); it sends a person's identity to the MNet site they open signed in.
 */
class provider implements \core_privacy\local\metadata\provider {

    /**
     * What is sent where.
     *
     * @param collection $collection the collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_external_location_link('mnet', [
            'username' => 'privacy:metadata:mnet:username',
            'firstname' => 'privacy:metadata:mnet:firstname',
            'lastname' => 'privacy:metadata:mnet:lastname',
            'email' => 'privacy:metadata:mnet:email',
            'idnumber' => 'privacy:metadata:mnet:idnumber',
        ], 'privacy:metadata:mnet');
        return $collection;
    }
}
