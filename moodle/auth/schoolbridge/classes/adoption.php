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
 * Taking over from Moodle's MNet authentication (auth_mnet) once Moodle has removed it.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace auth_schoolbridge;

defined('MOODLE_INTERNAL') || die();

/**
 * Moodle 5.0's upgrade uninstalls auth_mnet (MDL-84310) but leaves behind what single sign-on is
 * made of: the people who came from other MNet sites (user.auth = 'mnet', which no plugin answers
 * any more), auth_mnet's rows among the published and subscribed MNet methods (which Moodle still
 * lists to peers and on the Services tab, and which now fail), and the services sso_idp and sso_sp
 * with the ticks on each peer's Services tab. The ticks keep their meaning: this plugin publishes and
 * subscribes under the same two services. The rest is taken over here, once auth_mnet's code is gone:
 * people move to auth 'schoolbridge' (same account, same username and identity provider, so nobody is
 * duplicated on either side), the leftover methods are removed and this plugin's are registered
 * again, and the plugin is enabled if MNet single sign-on was in use.
 *
 * Moodle runs a plugin's install or upgrade step only when the plugin's version changes. The takeover
 * therefore runs from the install step (this plugin added with the upgrade to Moodle 5), from the
 * plugin's scheduled task (this plugin already installed on 4.5: within five minutes of the upgrade),
 * and from cli/adopt_mnet.php. It is idempotent and does nothing while auth_mnet is installed.
 */
class adoption {

    /**
     * Whether Moodle's auth_mnet is installed in this code tree.
     *
     * @return bool
     */
    public static function auth_mnet_present(): bool {
        global $CFG;
        return file_exists($CFG->dirroot . '/auth/mnet/version.php');
    }

    /**
     * Takes over if there is anything to take over; reports each thing done through $say and keeps a
     * summary for the plugin's settings page.
     *
     * @param callable|null $say called with one line per thing done
     * @return array counts: users, rpcs, enabled (0/1); empty when there was nothing to do
     */
    public static function run(?callable $say = null): array {
        global $DB, $CFG;
        if (self::auth_mnet_present()) {
            return [];
        }
        $say = $say ?? function (string $line) {
        };
        $users = $DB->count_records_select('user', "auth = 'mnet' AND mnethostid <> :local AND deleted = 0",
            ['local' => (int)$CFG->mnet_localhost_id]);
        $rpcs = $DB->get_fieldset_select('mnet_rpc', 'id', "plugintype = 'auth' AND pluginname = 'mnet'");
        $remoterpcs = $DB->get_fieldset_select('mnet_remote_rpc', 'id', "plugintype = 'auth' AND pluginname = 'mnet'");
        if (!$users && !$rpcs && !$remoterpcs) {
            return [];
        }
        $inuse = $users > 0 || $DB->record_exists_sql("SELECT 1
                                                         FROM {mnet_host2service} h2s
                                                         JOIN {mnet_service} s ON s.id = h2s.serviceid
                                                        WHERE s.name IN ('sso_idp', 'sso_sp')
                                                              AND (h2s.publish = 1 OR h2s.subscribe = 1)");
        $transaction = $DB->start_delegated_transaction();
        if ($users) {
            $DB->execute("UPDATE {user} SET auth = :auth WHERE auth = 'mnet' AND mnethostid <> :local",
                ['auth' => sso::AUTH, 'local' => (int)$CFG->mnet_localhost_id]);
        }
        if ($rpcs) {
            $DB->delete_records_list('mnet_service2rpc', 'rpcid', $rpcs);
            $DB->delete_records_list('mnet_rpc', 'id', $rpcs);
        }
        if ($remoterpcs) {
            $DB->delete_records_list('mnet_remote_service2rpc', 'rpcid', $remoterpcs);
            $DB->delete_records_list('mnet_remote_rpc', 'id', $remoterpcs);
        }
        $transaction->allow_commit();
        // What auth_mnet subscribed to under the paths we call too is ours now.
        require_once($CFG->libdir . '/upgradelib.php');
        upgrade_plugin_mnet_functions('auth_schoolbridge');

        $enabled = is_enabled_auth(sso::AUTH);
        if ($inuse && !$enabled) {
            $auths = array_filter(explode(',', (string)($CFG->auth ?? '')));
            $auths[] = sso::AUTH;
            set_config('auth', implode(',', array_unique($auths)));
            \core_plugin_manager::reset_caches();
            $enabled = true;
            $say(get_string('adoption_line_enabled', 'auth_schoolbridge'));
        }
        if ($users) {
            $say(get_string('adoption_line_users', 'auth_schoolbridge', $users));
        }
        if ($rpcs || $remoterpcs) {
            $say(get_string('adoption_line_rpcs', 'auth_schoolbridge', count($rpcs) + count($remoterpcs)));
        }
        sso::sync_published($enabled);
        $summary = ['time' => time(), 'users' => $users, 'rpcs' => count($rpcs) + count($remoterpcs),
            'enabled' => $enabled ? 1 : 0];
        set_config('adopted', json_encode($summary), 'auth_schoolbridge');
        return $summary;
    }

    /**
     * What the last takeover did, for the settings page; null if there was none.
     *
     * @return string|null
     */
    public static function report(): ?string {
        $summary = json_decode((string)get_config('auth_schoolbridge', 'adopted'), true);
        if (!is_array($summary) || empty($summary['time'])) {
            return null;
        }
        return get_string('adopted', 'auth_schoolbridge', (object)[
            'time' => userdate((int)$summary['time']),
            'users' => (int)$summary['users'],
            'rpcs' => (int)$summary['rpcs'],
            'enabled' => get_string(!empty($summary['enabled']) ? 'adopted_enabled' : 'adopted_notenabled',
                'auth_schoolbridge'),
        ]);
    }
}
