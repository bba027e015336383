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
 * Authentication plugin auth_schoolbridge: people who sign in at an MNet identity provider.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

require_once($CFG->libdir . '/authlib.php');

/**
 * People with auth 'schoolbridge' come from an identity provider (SchoolBridge) and never sign in
 * with a password here; the land page signs them in. The hooks give single log-out both ways and
 * the identity providers on the login page.
 */
class auth_plugin_schoolbridge extends auth_plugin_base {

    /**
     * Constructor.
     */
    public function __construct() {
        $this->authtype = 'schoolbridge';
        $this->config = get_config('auth_schoolbridge');
    }

    /**
     * No password sign-in: people arrive through the land page.
     *
     * @param string $username the username
     * @param string $password the password
     * @return bool
     */
    public function user_login($username, $password) {
        return false;
    }

    /**
     * Passwords are kept at the identity provider.
     *
     * @return bool
     */
    public function prevent_local_passwords() {
        return true;
    }

    /**
     * Not a local account.
     *
     * @return bool
     */
    public function is_internal() {
        return false;
    }

    /**
     * Passwords are changed at the identity provider.
     *
     * @return bool
     */
    public function can_change_password() {
        return false;
    }

    /**
     * Before the session ends: single log-out at the other sites (classes/sso.php).
     */
    public function prelogout_hook() {
        global $USER;
        if (!is_enabled_auth('schoolbridge') || empty($USER->id)) {
            return;
        }
        try {
            \auth_schoolbridge\sso::log_out_elsewhere($USER);
        } catch (\Throwable $e) {
            debugging('auth_schoolbridge: single log-out failed: ' . $e->getMessage(), DEBUG_DEVELOPER);
        }
    }

    /**
     * A person from an identity provider goes back there after logging out here.
     */
    public function logoutpage_hook() {
        global $USER, $CFG, $DB, $redirect;
        if (!empty($USER->mnethostid) && (int)$USER->mnethostid !== (int)$CFG->mnet_localhost_id
                && $USER->auth === 'schoolbridge') {
            $wwwroot = $DB->get_field('mnet_host', 'wwwroot', ['id' => $USER->mnethostid, 'deleted' => 0]);
            if ($wwwroot) {
                $redirect = $wwwroot . '/';
            }
        }
    }

    /**
     * The identity providers on the login page: sites this one publishes sso_sp to, each through
     * its jump page, coming back here.
     *
     * @param string $wantsurl the page wanted here
     * @return array
     */
    public function loginpage_idp_list($wantsurl) {
        global $DB, $CFG;
        $wantsurl = str_replace($CFG->wwwroot, '', (string)$wantsurl);
        $hosts = $DB->get_records_sql("SELECT DISTINCT h.id, h.wwwroot, h.name, a.sso_jump_url, a.name AS application
                                         FROM {mnet_host} h
                                         JOIN {mnet_host2service} h2s ON h2s.hostid = h.id
                                         JOIN {mnet_service} s ON s.id = h2s.serviceid
                                         JOIN {mnet_application} a ON a.id = h.applicationid
                                        WHERE s.name = :name AND h.deleted = 0 AND h2s.publish = 1 AND h.id <> :all",
            ['name' => 'sso_sp', 'all' => (int)($CFG->mnet_all_hosts_id ?? 0)]);
        $list = [];
        foreach ($hosts as $host) {
            $list[] = [
                'url' => new moodle_url($host->wwwroot . $host->sso_jump_url,
                    ['hostwwwroot' => $CFG->wwwroot, 'wantsurl' => $wantsurl, 'remoteurl' => 1]),
                'icon' => new pix_icon('i/mnethost', $host->name),
                'name' => $host->name,
            ];
        }
        return $list;
    }
}
