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
 * "Network servers" in Moodle's primary navigation: where a person of this site opens SchoolBridge.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace auth_schoolbridge;

defined('MOODLE_INTERNAL') || die();

/**
 * Moodle 5 has no Network servers block (block_mnet_hosts left core with auth_mnet). Each peer a
 * person may open signed in becomes an entry of the primary navigation, by the peer's name, on every
 * page; only people allowed to roam see it (sso::may_roam(): the moodle/site:mnetlogintoremote
 * capability, a local account). A person who came from an identity provider sees the way back
 * there instead. Nothing shows while this authentication plugin is disabled.
 */
class network_servers {

    /**
     * The entries: [name, url, key] for the person signed in.
     *
     * @return array[]
     */
    public static function entries(): array {
        global $USER, $DB;
        if (!is_enabled_auth('schoolbridge') || !isloggedin() || isguestuser()) {
            return [];
        }
        if (is_mnet_remote_user($USER)) {
            $home = $DB->get_record('mnet_host', ['id' => $USER->mnethostid, 'deleted' => 0], 'id, name, wwwroot');
            return $home ? [[format_string($home->name), new \moodle_url($home->wwwroot . '/'),
                'auth_schoolbridge_home']] : [];
        }
        if (!sso::may_roam()) {
            return [];
        }
        $entries = [];
        foreach (sso::jump_targets() as $host) {
            $entries[] = [format_string($host->name),
                new \moodle_url('/auth/schoolbridge/jump.php', ['hostid' => $host->id]),
                'auth_schoolbridge_host' . $host->id];
        }
        return $entries;
    }

    /**
     * Hook callback: adds the entries to the primary navigation.
     *
     * @param \core\hook\navigation\primary_extend $hook the hook
     */
    public static function primary_extend(\core\hook\navigation\primary_extend $hook): void {
        try {
            $primary = $hook->get_primaryview();
            foreach (self::entries() as [$name, $url, $key]) {
                $primary->add($name, $url, \navigation_node::TYPE_CUSTOM, null, $key, new \pix_icon('i/mnethost', ''));
            }
        } catch (\Throwable $e) {
            // The navigation of every page must not fail for a peer's sake.
            debugging('auth_schoolbridge: network servers: ' . $e->getMessage(), DEBUG_DEVELOPER);
        }
    }
}
