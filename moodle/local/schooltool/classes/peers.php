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
 * Configuration and delivery state of SchoolBridge peers.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

use local_schooltool\local\fault_policy;

defined('MOODLE_INTERNAL') || die();

/**
 * Which peers receive data, what is sent, and how each peer is doing.
 */
class peers {

    /** The MNet service of this plugin. */
    const SERVICE = 'schooltool_sis';

    /** Kinds of data an admin can switch on and off. */
    const KINDS = ['users', 'courses', 'enrolments', 'teachers', 'assessments', 'grades', 'coursetotals'];

    /**
     * Ids of the peers chosen in the settings that still exist (not deleted, not this site, not All Hosts).
     *
     * @return int[]
     */
    public static function configured(): array {
        global $DB, $CFG;
        $ids = array_filter(array_map('intval', explode(',', (string)get_config('local_schooltool', 'peers'))));
        if (!$ids) {
            return [];
        }
        [$insql, $params] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED);
        $params['local'] = (int)$CFG->mnet_localhost_id;
        $params['all'] = (int)($CFG->mnet_all_hosts_id ?? 0);
        $found = $DB->get_fieldset_select('mnet_host', 'id',
            "id $insql AND deleted = 0 AND id <> :local AND id <> :all", $params);
        $found = array_map('intval', $found);
        sort($found);
        return $found;
    }

    /**
     * Every MNet peer an admin could choose, id => "name (wwwroot)".
     *
     * @return string[]
     */
    public static function choices(): array {
        global $DB, $CFG;
        $choices = [];
        $params = ['local' => (int)$CFG->mnet_localhost_id, 'all' => (int)($CFG->mnet_all_hosts_id ?? 0)];
        $hosts = $DB->get_records_select('mnet_host', 'deleted = 0 AND id <> :local AND id <> :all', $params,
            'name', 'id, name, wwwroot');
        foreach ($hosts as $host) {
            $choices[$host->id] = format_string($host->name) . ' (' . s($host->wwwroot) . ')';
        }
        return $choices;
    }

    /**
     * Whether a kind of data is switched on.
     *
     * @param string $kind one of KINDS
     * @return bool
     */
    public static function kind_enabled(string $kind): bool {
        $setting = get_config('local_schooltool', 'kinds');
        if ($setting === false) {
            return true; // Not saved yet: everything is on by default.
        }
        return in_array($kind, explode(',', (string)$setting), true);
    }

    /**
     * Whether dry-run mode is on.
     *
     * @return bool
     */
    public static function dry_run(): bool {
        return !empty(get_config('local_schooltool', 'dryrun'));
    }

    /**
     * Whether this site subscribes to schooltool_sis on a peer (or on All Hosts), as set on the Services tab.
     *
     * @param int $peerid mnet_host.id
     * @return bool
     */
    public static function subscribes(int $peerid): bool {
        return self::service_flag($peerid, 'subscribe');
    }

    /**
     * Whether this site publishes schooltool_sis to a peer (lets it call list_user_enrolments / request_full_sync).
     *
     * @param int $peerid mnet_host.id
     * @return bool
     */
    public static function publishes(int $peerid): bool {
        return self::service_flag($peerid, 'publish');
    }

    /**
     * Reads one flag of mnet_host2service for the peer or All Hosts.
     *
     * @param int $peerid mnet_host.id
     * @param string $flag 'publish' or 'subscribe'
     * @return bool
     */
    private static function service_flag(int $peerid, string $flag): bool {
        global $DB, $CFG;
        $hostids = [$peerid];
        if (!empty($CFG->mnet_all_hosts_id)) {
            $hostids[] = (int)$CFG->mnet_all_hosts_id;
        }
        [$insql, $params] = $DB->get_in_or_equal($hostids, SQL_PARAMS_NAMED);
        $params['name'] = self::SERVICE;
        $sql = "SELECT 1
                  FROM {mnet_host2service} h2s
                  JOIN {mnet_service} s ON s.id = h2s.serviceid
                 WHERE s.name = :name AND h2s.$flag = 1 AND h2s.hostid $insql";
        return $DB->record_exists_sql($sql, $params);
    }

    /**
     * Delivery state of a peer, created on first use.
     *
     * @param int $peerid mnet_host.id
     * @return \stdClass local_schooltool_peer record
     */
    public static function state(int $peerid): \stdClass {
        global $DB;
        $state = $DB->get_record('local_schooltool_peer', ['peerid' => $peerid]);
        if (!$state) {
            $state = (object)['peerid' => $peerid, 'lastsuccess' => 0, 'lasterror' => null, 'lasterrortime' => 0,
                'lasterrorresolved' => 0, 'failures' => 0, 'nextattempt' => 0];
            $state->id = $DB->insert_record('local_schooltool_peer', $state);
        }
        return $state;
    }

    /**
     * Whether the peer is backing off after transient failures.
     *
     * @param int $peerid mnet_host.id
     * @param int $now current time
     * @return bool
     */
    public static function backing_off(int $peerid, int $now): bool {
        global $DB;
        $next = $DB->get_field('local_schooltool_peer', 'nextattempt', ['peerid' => $peerid]);
        return $next !== false && (int)$next > $now;
    }

    /**
     * Records a call the peer answered (success or an application fault: the peer is up).
     *
     * @param int $peerid mnet_host.id
     * @param int $now current time
     * @param bool $success whether the call was applied
     */
    public static function mark_reached(int $peerid, int $now, bool $success): void {
        global $DB;
        $state = self::state($peerid);
        $state->failures = 0;
        $state->nextattempt = 0;
        if ($success) {
            $state->lastsuccess = $now;
            if (!empty($state->lasterror) && empty($state->lasterrorresolved)) {
                $state->lasterrorresolved = $now;
            }
        }
        $DB->update_record('local_schooltool_peer', $state);
    }

    /**
     * Records an error: a transient one also backs the peer off.
     *
     * @param int $peerid mnet_host.id
     * @param int $now current time
     * @param string $message what happened
     * @param bool $transient whether to back off the whole peer
     */
    public static function mark_error(int $peerid, int $now, string $message, bool $transient): void {
        global $DB;
        $state = self::state($peerid);
        $state->lasterror = $message;
        $state->lasterrortime = $now;
        $state->lasterrorresolved = 0;
        if ($transient) {
            $state->failures++;
            $state->nextattempt = $now + fault_policy::peer_backoff((int)$state->failures);
        }
        $DB->update_record('local_schooltool_peer', $state);
    }

    /**
     * Clears the back-off of a peer ("retry now").
     *
     * @param int $peerid mnet_host.id
     */
    public static function clear_backoff(int $peerid): void {
        global $DB;
        $state = self::state($peerid);
        $state->nextattempt = 0;
        $state->failures = 0;
        $DB->update_record('local_schooltool_peer', $state);
    }
}
