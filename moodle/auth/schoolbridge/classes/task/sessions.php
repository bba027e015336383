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
 * Scheduled task: single sign-on upkeep.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace auth_schoolbridge\task;

use auth_schoolbridge\adoption;
use auth_schoolbridge\sso;

defined('MOODLE_INTERNAL') || die();

/**
 * Every five minutes: takes over from a removed auth_mnet (once), tells each identity provider
 * which of its people were active here in the last five minutes (keepalive_server, as auth_mnet's
 * cron did, so that their session there does not expire while they work here), and forgets
 * mnet_session rows that expired more than a day ago.
 */
class sessions extends \core\task\scheduled_task {

    /** People active in the last this many seconds are kept alive at their identity provider. */
    const ACTIVE = 300;

    /**
     * Task name.
     *
     * @return string
     */
    public function get_name() {
        return get_string('task_sessions', 'auth_schoolbridge');
    }

    /**
     * Runs the task.
     */
    public function execute() {
        global $DB, $CFG;
        adoption::run(function (string $line) {
            mtrace('  ' . $line);
        });
        // Also after an install, whose MNet methods Moodle registers enabled.
        sso::sync_published();
        if (!is_enabled_auth(sso::AUTH)) {
            return;
        }
        $active = $DB->get_records_select('user', 'mnethostid <> :local AND lastaccess > :since AND deleted = 0',
            ['local' => (int)$CFG->mnet_localhost_id, 'since' => time() - self::ACTIVE], 'mnethostid, id',
            'id, username, mnethostid');
        $byhost = [];
        foreach ($active as $user) {
            $byhost[(int)$user->mnethostid][] = $user->username;
        }
        foreach ($byhost as $hostid => $usernames) {
            if (sso::has_service($hostid, 'sso_idp', 'subscribe')) {
                $ok = sso::call($hostid, 'auth/mnet/auth.php/keepalive_server', [$usernames]);
                mtrace("  identity provider $hostid: " . count($usernames) . ' people kept alive'
                    . ($ok ? '' : ' (no answer)'));
            }
        }
        $DB->delete_records_select('mnet_session', 'expires < :before', ['before' => time() - DAYSECS]);
    }
}
