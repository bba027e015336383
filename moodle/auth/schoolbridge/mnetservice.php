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
 * Methods this plugin publishes over MNet (services sso_idp and sso_sp).
 *
 * MNet derives the XML-RPC path from the file name: auth/schoolbridge/mnetservice.php/<method>.
 * The @param and @return lines of each method become its system/methodSignature
 * (admin_mnet_method_profile()), so keep them one word per type.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

/**
 * The MNet methods of single sign-on that a peer calls here, with auth_mnet's parameters and
 * answers (SchoolBridge's docs, mnet-protocol.md §8.3–§8.4).
 */
class auth_schoolbridge_mnetservice {

    /**
     * Identity provider: who the token of a land URL belongs to. Faults 1 (no such token for this
     * browser), 2 (older than 30 seconds), 3 (no such person), as Moodle's.
     *
     * @param string $token the token of the land URL
     * @param string $useragent sha1 of the browser's User-Agent
     * @return array
     */
    public function user_authorise($token, $useragent) {
        return \auth_schoolbridge\sso::authorise((string)$token, (string)$useragent);
    }

    /**
     * Identity provider: the calling service provider says these people of this site are active
     * there; their sessions here stay alive.
     *
     * @param array $usernames usernames of this site
     * @return array
     */
    public function keepalive_server($usernames) {
        global $DB;
        $client = get_mnet_remote_client();
        $names = array_values(array_filter(array_map('strval', (array)$usernames)));
        $missing = [];
        foreach (array_chunk($names, 100) as $chunk) {
            [$insql, $params] = $DB->get_in_or_equal($chunk, SQL_PARAMS_NAMED);
            $params['hostid'] = (int)$client->id;
            $sessions = $DB->get_records_select('mnet_session', "username $insql AND mnethostid = :hostid", $params,
                '', 'id, username, session_id');
            $found = [];
            foreach ($sessions as $session) {
                \core\session\manager::touch_session($session->session_id);
                $found[$session->username] = true;
            }
            $missing = array_merge($missing, array_diff($chunk, array_keys($found)));
        }
        if ($missing) {
            return ['code' => 1, 'message' => "No session to keep alive for:\n" . implode("\n", $missing),
                'last log id' => 0];
        }
        return ['code' => 0, 'message' => 'All ok', 'last log id' => 0];
    }

    /**
     * Identity provider: the person logged out at the calling service provider. Their sessions at the
     * other service providers and here end (single log-out).
     *
     * @param string $username a username of this site
     * @param string $useragent sha1 of the browser's User-Agent
     * @return string
     */
    public function kill_children($username, $useragent) {
        global $DB, $CFG;
        $client = get_mnet_remote_client();
        $userid = $DB->get_field('user', 'id', ['username' => (string)$username,
            'mnethostid' => $CFG->mnet_localhost_id, 'deleted' => 0]);
        if (!$userid) {
            return 'No such person.';
        }
        $ended = \auth_schoolbridge\sso::end_children((int)$userid, (string)$username, (string)$useragent,
            (int)$client->id);
        \core\session\manager::destroy_user_sessions((int)$userid);
        return "Ended the sessions here and $ended elsewhere.";
    }

    /**
     * Service provider: kept for the shape of Moodle's sso_sp service; the keep-alive runs from this
     * site's scheduled task.
     *
     * @return string
     */
    public function keepalive_client() {
        return 'All ok';
    }

    /**
     * Service provider: the calling identity provider ends the session its person opened here from
     * that browser.
     *
     * @param string $username the person's username at the identity provider
     * @param string $useragent sha1 of the browser's User-Agent
     * @return bool
     */
    public function kill_child($username, $useragent) {
        global $DB;
        $client = get_mnet_remote_client();
        $conditions = ['username' => (string)$username, 'mnethostid' => (int)$client->id,
            'useragent' => (string)$useragent];
        $session = $DB->get_record('mnet_session', $conditions);
        $DB->delete_records('mnet_session', $conditions);
        if (!$session) {
            return false;
        }
        \core\session\manager::destroy($session->session_id);
        return true;
    }
}
