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
 * MNet single sign-on in both directions, on Moodle's own MNet core and its mnet_session table.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace auth_schoolbridge;

use auth_schoolbridge\local\landing_rules;

defined('MOODLE_INTERNAL') || die();

/**
 * The jump (this site as identity provider), the landing (this site as service provider) and the
 * single log-out, as Moodle's auth_mnet does them, so that SchoolBridge meets the same wire on 4.5
 * and on 5.x. Rows of mnet_session are the same as auth_mnet's: a token of either plugin is
 * confirmed by either one's user_authorise, and an upgrade loses no session.
 */
class sso {

    /** The auth value of people who sign in through this plugin. */
    const AUTH = 'schoolbridge';

    /**
     * Offers this plugin's MNet methods to peers only while the plugin is enabled (Manage
     * authentication): a peer such as SchoolBridge learns from system/listMethods which plugin serves
     * single sign-on here, so on Moodle 4.5 it uses auth_mnet's methods while this plugin is off, and on
     * Moodle 5 it offers no single sign-on with this site while it is off.
     *
     * @param bool|null $enabled the plugin's state, null to read it
     */
    public static function sync_published(?bool $enabled = null): void {
        global $DB;
        $enabled = $enabled ?? is_enabled_auth(self::AUTH);
        $DB->set_field('mnet_rpc', 'enabled', $enabled ? 1 : 0, ['plugintype' => 'auth', 'pluginname' => self::AUTH]);
    }

    /**
     * Observer of config_log_created: the list of enabled authentication plugins changed. The event
     * comes before the new value is in $CFG (\core\plugininfo\auth::enable_plugin()), so it is read
     * from the event.
     *
     * @param \core\event\base $event config_log_created
     */
    public static function config_changed(\core\event\base $event): void {
        $other = $event->other;
        if (($other['name'] ?? '') !== 'auth' || !in_array($other['plugin'] ?? null, [null, '', 'core'], true)) {
            return;
        }
        self::sync_published(in_array(self::AUTH, explode(',', (string)($other['value'] ?? '')), true));
    }

    /**
     * Whether the person now signed in may open another site signed in (Moodle's rules for
     * auth_mnet's jump: the roaming capability, a local account, not logged in as someone else).
     *
     * @return bool
     */
    public static function may_roam(): bool {
        global $USER;
        return isloggedin() && !isguestuser() && !is_mnet_remote_user($USER)
            && !\core\session\manager::is_loggedinas()
            && has_capability('moodle/site:mnetlogintoremote', \context_system::instance());
    }

    /**
     * Whether this site has a service of a live peer switched on (or of All Hosts), from its side.
     *
     * @param int $hostid mnet_host.id
     * @param string $service sso_idp or sso_sp
     * @param string $flag publish or subscribe
     * @return bool
     */
    public static function has_service(int $hostid, string $service, string $flag): bool {
        global $DB, $CFG;
        if (!in_array($flag, ['publish', 'subscribe'], true)) {
            throw new \coding_exception('flag must be publish or subscribe');
        }
        $hostids = [$hostid];
        if (!empty($CFG->mnet_all_hosts_id)) {
            $hostids[] = (int)$CFG->mnet_all_hosts_id;
        }
        [$insql, $params] = $DB->get_in_or_equal($hostids, SQL_PARAMS_NAMED);
        $params['name'] = $service;
        $params['hostid'] = $hostid;
        return $DB->record_exists_sql("SELECT 1
                                         FROM {mnet_host} h
                                         JOIN {mnet_host2service} h2s ON h2s.hostid $insql
                                         JOIN {mnet_service} s ON s.id = h2s.serviceid
                                        WHERE h.id = :hostid AND h.deleted = 0 AND s.name = :name
                                              AND h2s.$flag = 1", $params);
    }

    /**
     * The live peers this site's people may jump to: this site publishes sso_idp to them (it is their
     * identity provider) and subscribes to their sso_sp (their land page takes its people), ordered
     * by name.
     *
     * @return \stdClass[] mnet_host records
     */
    public static function jump_targets(): array {
        global $DB, $CFG;
        if (empty($CFG->mnet_dispatcher_mode) || $CFG->mnet_dispatcher_mode !== 'strict') {
            return [];
        }
        $hosts = $DB->get_records_select('mnet_host', 'deleted = 0 AND id <> :local AND id <> :all AND wwwroot <> :empty',
            ['local' => (int)$CFG->mnet_localhost_id, 'all' => (int)($CFG->mnet_all_hosts_id ?? 0), 'empty' => ''],
            'name', 'id, name, wwwroot, applicationid');
        return array_values(array_filter($hosts, function ($host) {
            return self::has_service((int)$host->id, 'sso_idp', 'publish')
                && self::has_service((int)$host->id, 'sso_sp', 'subscribe');
        }));
    }

    /**
     * The jump: a token for the person signed in, bound to their browser, in mnet_session, and the
     * land URL of the peer to send them to.
     *
     * @param int $hostid mnet_host.id of the service provider
     * @param string $wantsurl the page wanted there
     * @return string the URL to redirect to
     */
    public static function start_jump(int $hostid, string $wantsurl): string {
        global $CFG, $DB, $USER;
        require_once($CFG->dirroot . '/mnet/peer.php');
        if (\core\session\manager::is_loggedinas()) {
            throw new \moodle_exception('notpermittedtojumpas', 'mnet');
        }
        if (!self::may_roam()) {
            throw new \moodle_exception('notpermittedtojump', 'mnet');
        }
        if (!self::has_service($hostid, 'sso_sp', 'subscribe')) {
            throw new \moodle_exception('hostnotconfiguredforsso', 'mnet');
        }
        $peer = new \mnet_peer();
        if (!$peer->set_id($hostid) || !empty($peer->deleted)) {
            throw new \moodle_exception('hostnotconfiguredforsso', 'mnet');
        }
        $useragent = landing_rules::useragent_hash($_SERVER['HTTP_USER_AGENT'] ?? '');
        $now = time();
        $session = $DB->get_record('mnet_session', ['userid' => $USER->id, 'mnethostid' => $hostid,
            'useragent' => $useragent]);
        $fields = ['token' => landing_rules::new_token(), 'confirm_timeout' => $now + landing_rules::TOKEN_SECONDS,
            'expires' => $now + (int)ini_get('session.gc_maxlifetime'), 'session_id' => session_id()];
        if ($session) {
            $DB->update_record('mnet_session', (object)(['id' => $session->id] + $fields));
        } else {
            $DB->insert_record('mnet_session', (object)($fields + ['userid' => $USER->id, 'username' => $USER->username,
                'mnethostid' => $hostid, 'useragent' => $useragent]));
        }
        $mnet = get_mnet_environment();
        return landing_rules::land_url($peer->wwwroot, $peer->application->sso_land_url, $fields['token'],
            $mnet->wwwroot, $wantsurl);
    }

    /**
     * The identity provider's side of user_authorise: the person of a token issued here in the last
     * 30 seconds to this browser, as the fields this site sends to that peer (Moodle's MNet profile
     * field settings). The token stays valid until it expires, as Moodle's does; SchoolBridge spends
     * it on its side.
     *
     * @param string $token the token of the land URL
     * @param string $useragent sha1 of the browser's User-Agent, as the service provider saw it
     * @return array
     */
    public static function authorise(string $token, string $useragent): array {
        global $CFG, $DB, $SITE;
        require_once($CFG->dirroot . '/mnet/xmlrpc/serverlib.php');
        $remoteclient = get_mnet_remote_client();
        $session = $DB->get_record('mnet_session', ['token' => $token, 'useragent' => $useragent]);
        if (!$session) {
            throw new \mnet_server_exception(1, 'authfail_nosessionexists');
        }
        if ((int)$session->confirm_timeout < time()) {
            throw new \mnet_server_exception(2, 'authfail_sessiontimedout');
        }
        $user = $DB->get_record('user', ['id' => $session->userid, 'deleted' => 0]);
        if (!$user) {
            throw new \mnet_server_exception(3, 'authfail_usermismatch');
        }
        $answer = mnet_strip_user((array)$user, mnet_fields_to_send($remoteclient));
        $answer['auth'] = 'mnet';
        $answer['wwwroot'] = get_mnet_environment()->wwwroot;
        $answer['session.gc_maxlifetime'] = ini_get('session.gc_maxlifetime');
        $answer['myhosts'] = [];
        if ($courses = enrol_get_users_courses($user->id, false, 'id')) {
            $answer['myhosts'][] = ['name' => $SITE->shortname, 'url' => $CFG->wwwroot, 'count' => count($courses)];
        }
        return $answer;
    }

    /**
     * The landing: asks the identity provider who the token belongs to (its user_authorise), then
     * finds the person by (username, identity provider) or creates them, and updates what the
     * identity provider said. The caller signs them in.
     *
     * @param string $token the token of the land URL
     * @param \mnet_peer $idp the identity provider
     * @return \stdClass the local user record
     */
    public static function confirm_landing(string $token, \mnet_peer $idp): \stdClass {
        global $CFG, $DB;
        require_once($CFG->dirroot . '/mnet/xmlrpc/client.php');
        require_once($CFG->dirroot . '/user/lib.php');
        if (!$DB->record_exists('mnet_host', ['id' => $idp->id, 'deleted' => 0])) {
            throw new \moodle_exception('notpermittedtoland', 'mnet');
        }
        if (!self::has_service((int)$idp->id, 'sso_idp', 'subscribe')) {
            throw new \moodle_exception('notconfigured', 'auth_schoolbridge', '', format_string($idp->name));
        }
        $request = new \mnet_xmlrpc_client();
        $request->set_method('auth/mnet/auth.php/user_authorise');
        $request->add_param($token);
        $request->add_param(landing_rules::useragent_hash($_SERVER['HTTP_USER_AGENT'] ?? ''));
        if ($request->send($idp) !== true || !is_array($request->response)) {
            debugging('auth_schoolbridge: user_authorise at ' . $idp->wwwroot . ' failed: '
                . implode("\n", (array)$request->error), DEBUG_NORMAL);
            throw new \moodle_exception('rpcerror', 'auth_schoolbridge', '', format_string($idp->name));
        }
        $answer = $request->response;
        if (!landing_rules::is_complete($answer)) {
            throw new \moodle_exception('notenoughidpinfo', 'mnet');
        }
        $remote = (object)mnet_strip_user($answer, mnet_fields_to_import($idp));
        $remote->username = \core_text::strtolower(trim((string)$answer['username']));
        $remote->auth = self::AUTH;
        if (isset($remote->lang)) {
            // A language this site does not have is no language: the site's default applies.
            $remote->lang = clean_param(str_replace('_utf8', '', (string)$remote->lang), PARAM_LANG);
            if ($remote->lang === '') {
                unset($remote->lang);
            }
        }
        unset($remote->id, $remote->mnethostid, $remote->password, $remote->deleted, $remote->suspended);

        $local = $DB->get_record('user', ['username' => $remote->username, 'mnethostid' => $idp->id]);
        if (!$local) {
            $new = clone $remote;
            $new->mnethostid = $idp->id;
            $new->confirmed = 1;
            $new->firstaccess = 0;
            $new->id = user_create_user($new, false, true);
            $local = $DB->get_record('user', ['id' => $new->id], '*', MUST_EXIST);
        }
        if (!empty($local->deleted) || !empty($local->suspended)) {
            throw new \moodle_exception('refused', 'auth_schoolbridge', '',
                ['user' => s($local->username), 'host' => format_string($idp->name)]);
        }
        $access = $DB->get_field('mnet_sso_access_control', 'accessctrl',
            ['username' => $local->username, 'mnet_host_id' => $idp->id]);
        if ($access !== false && $access !== 'allow') {
            throw new \moodle_exception('refused', 'auth_schoolbridge', '',
                ['user' => s($local->username), 'host' => format_string($idp->name)]);
        }
        // What the identity provider says wins, as with auth_mnet; a person who came in through
        // auth_mnet before (auth 'mnet') continues with this plugin.
        $changed = false;
        foreach ((array)$remote as $field => $value) {
            if (property_exists($local, $field) && (string)$local->$field !== (string)$value) {
                $local->$field = $value;
                $changed = true;
            }
        }
        if ($changed) {
            user_update_user($local, false, true);
        }
        return $local;
    }

    /**
     * After the person is signed in here: their mnet_session row for the identity provider, with the
     * token, so that its kill_child can end this session (single log-out).
     *
     * @param \stdClass $user the local user
     * @param string $token the land token
     * @param \mnet_peer $idp the identity provider
     */
    public static function record_landing(\stdClass $user, string $token, \mnet_peer $idp): void {
        global $DB;
        $useragent = landing_rules::useragent_hash($_SERVER['HTTP_USER_AGENT'] ?? '');
        $now = time();
        $session = $DB->get_record('mnet_session', ['userid' => $user->id, 'mnethostid' => $idp->id,
            'useragent' => $useragent]);
        $fields = ['expires' => $now + (int)ini_get('session.gc_maxlifetime'), 'session_id' => session_id()];
        if ($session) {
            $DB->update_record('mnet_session', (object)(['id' => $session->id] + $fields));
        } else {
            $DB->insert_record('mnet_session', (object)($fields + ['userid' => $user->id, 'username' => $user->username,
                'mnethostid' => $idp->id, 'useragent' => $useragent, 'token' => $token, 'confirm_timeout' => $now]));
        }
    }

    /**
     * Single log-out, started here. A person who came from an identity provider: tell it
     * (kill_children), which ends their sessions there and at its other service providers. A person
     * of this site: end the sessions they opened at service providers (kill_child at each).
     *
     * @param \stdClass $user the person logging out
     */
    public static function log_out_elsewhere(\stdClass $user): void {
        global $CFG, $DB;
        require_once($CFG->dirroot . '/mnet/xmlrpc/client.php');
        require_once($CFG->dirroot . '/mnet/peer.php');
        $useragent = landing_rules::useragent_hash($_SERVER['HTTP_USER_AGENT'] ?? '');
        if ((int)$user->mnethostid !== (int)$CFG->mnet_localhost_id) {
            $conditions = ['userid' => $user->id, 'mnethostid' => $user->mnethostid, 'useragent' => $useragent];
            if ($DB->record_exists('mnet_session', $conditions)) {
                $DB->delete_records('mnet_session', $conditions);
                self::call((int)$user->mnethostid, 'auth/mnet/auth.php/kill_children', [$user->username, $useragent]);
            }
            return;
        }
        self::end_children((int)$user->id, (string)$user->username, $useragent, 0);
    }

    /**
     * Ends the sessions a person of this site opened at service providers from this browser: kill_child
     * at each (but the one that asked, which ends its own), then forgets them.
     *
     * @param int $userid local user
     * @param string $username their username
     * @param string $useragent sha1 of the User-Agent
     * @param int $except mnet_host.id of the peer that asked (0 for none)
     * @return int sessions ended elsewhere
     */
    public static function end_children(int $userid, string $username, string $useragent, int $except): int {
        global $DB;
        $ended = 0;
        $sessions = $DB->get_records('mnet_session', ['userid' => $userid, 'useragent' => $useragent]);
        foreach ($sessions as $session) {
            if ((int)$session->mnethostid !== $except
                    && self::call((int)$session->mnethostid, 'auth/mnet/auth.php/kill_child', [$username, $useragent])) {
                $ended++;
            }
        }
        $DB->delete_records('mnet_session', ['userid' => $userid, 'useragent' => $useragent]);
        return $ended;
    }

    /**
     * One MNet call that may fail quietly (log-out and keep-alive are best effort, as in auth_mnet).
     *
     * @param int $hostid mnet_host.id
     * @param string $method xmlrpc path
     * @param array $params plain parameters
     * @return bool whether it was answered
     */
    public static function call(int $hostid, string $method, array $params): bool {
        $peer = new \mnet_peer();
        if (!$peer->set_id($hostid) || !empty($peer->deleted)) {
            return false;
        }
        $request = new \mnet_xmlrpc_client();
        $request->set_timeout(10);
        $request->set_method($method);
        foreach ($params as $param) {
            $request->add_param($param, is_array($param) ? 'array' : 'string');
        }
        if ($request->send($peer) !== true) {
            debugging("auth_schoolbridge: $method at {$peer->wwwroot} failed: " . implode("\n", (array)$request->error),
                DEBUG_DEVELOPER);
            return false;
        }
        return true;
    }
}
