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
 * The outgoing queue: every change is written here first.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

use local_schooltool\local\mapper;
use local_schooltool\local\queue_policy;

defined('MOODLE_INTERNAL') || die();

/**
 * Writes changes to local_schooltool_queue and remembers which rows this request queued.
 */
class queue {

    /** Table name. */
    const TABLE = 'local_schooltool_queue';

    /** Plugin setting holding when a change last could not be queued (0 or absent: none since the last full sync). */
    const MISSED_SETTING = 'missedchanges';

    /** @var bool[] ids of the rows queued or rewritten by this request, as keys */
    private static $requestrows = [];

    /** @var bool whether the end-of-request flush is registered */
    private static $flushregistered = false;

    /**
     * Queues one change for one peer, unless it repeats the newest row of the same record.
     *
     * @param int $peerid mnet_host.id
     * @param string $method short method name
     * @param string $recordkey queue_policy::record_key()
     * @param array $fields the call struct without eventid and timemodified
     * @param int $timemodified when the change happened
     * @param int $userid Moodle user the change is about (0 if none)
     * @param bool $force insert even if identical (full sync, prerequisites), unless this request queued it untried
     * @return int|null id of the queued row, null if skipped as a repeat
     */
    public static function add(int $peerid, string $method, string $recordkey, array $fields, int $timemodified,
            int $userid = 0, bool $force = false): ?int {
        global $DB;
        if (!in_array($method, queue_policy::METHODS, true)) {
            throw new \coding_exception("Unknown schooltool_sis method $method");
        }
        $hash = queue_policy::content_hash($method, $fields);
        $latest = null;
        $latestrow = null;
        // A forced row only looks back for a row this request queued (queue_policy::decide()).
        $rows = (!$force || self::$requestrows) ? $DB->get_records(self::TABLE,
            ['peerid' => $peerid, 'recordkey' => $recordkey], 'id DESC', 'id, methodname, contenthash, status, attempts',
            0, 1) : [];
        if ($rows) {
            $latestrow = reset($rows);
            $latest = ['method' => $latestrow->methodname, 'hash' => $latestrow->contenthash,
                'status' => (int)$latestrow->status, 'attempts' => (int)$latestrow->attempts,
                'thisrequest' => isset(self::$requestrows[(int)$latestrow->id])];
        }
        $now = time();
        switch (queue_policy::decide($latest, $method, $hash, $force)) {
            case queue_policy::SKIP:
                return null;
            case queue_policy::REPLACE:
                // A new eventid too: should another process be sending the old content right now, the new
                // content stays a distinct change instead of looking like a replay of it.
                $DB->update_record(self::TABLE, (object)['id' => $latestrow->id, 'payload' => self::json($fields),
                    'contenthash' => $hash, 'timemodified' => $timemodified > 0 ? $timemodified : $now,
                    'eventid' => self::new_eventid()]);
                self::remember((int)$latestrow->id);
                return (int)$latestrow->id;
        }
        $row = (object)[
            'peerid' => $peerid,
            'methodname' => $method,
            'recordkey' => $recordkey,
            'userid' => $userid,
            'payload' => self::json($fields),
            'contenthash' => $hash,
            'eventid' => self::new_eventid(),
            'timemodified' => $timemodified > 0 ? $timemodified : $now,
            'status' => queue_policy::PENDING,
            'attempts' => 0,
            'nextattempt' => 0,
            'timecreated' => $now,
            'timesent' => 0,
        ];
        $id = (int)$DB->insert_record(self::TABLE, $row);
        if (!$force) {
            // Bulk rows (full sync, prerequisites) are sent by their caller or the task, not at request end.
            self::remember($id);
        }
        return $id;
    }

    /**
     * JSON of a struct as stored in the queue (readable on the queue page, never false).
     *
     * @param array $fields struct
     * @return string
     */
    private static function json(array $fields): string {
        return json_encode($fields, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE);
    }

    /**
     * A fresh eventid.
     *
     * @return string
     */
    private static function new_eventid(): string {
        global $CFG;
        return mapper::eventid((string)($CFG->siteidentifier ?? $CFG->wwwroot), \core\uuid::generate());
    }

    /**
     * Queues one change for every configured peer.
     *
     * @param string $method short method name
     * @param string $recordkey record key
     * @param array $fields call struct
     * @param int $timemodified when the change happened
     * @param int $userid Moodle user concerned
     * @return int number of rows queued
     */
    public static function add_for_all(string $method, string $recordkey, array $fields, int $timemodified,
            int $userid = 0): int {
        $count = 0;
        foreach (peers::configured() as $peerid) {
            if (self::add($peerid, $method, $recordkey, $fields, $timemodified, $userid) !== null) {
                $count++;
            }
        }
        return $count;
    }

    /**
     * The newest row of a record for a peer.
     *
     * @param int $peerid mnet_host.id
     * @param string $recordkey record key
     * @param string|null $method only rows of this method
     * @return \stdClass|null
     */
    public static function latest(int $peerid, string $recordkey, ?string $method = null): ?\stdClass {
        global $DB;
        $conditions = ['peerid' => $peerid, 'recordkey' => $recordkey];
        if ($method !== null) {
            $conditions['methodname'] = $method;
        }
        $rows = $DB->get_records(self::TABLE, $conditions, 'id DESC', '*', 0, 1);
        return $rows ? reset($rows) : null;
    }

    /**
     * The newest row of a record that SchoolBridge has or will have: sent, waiting, or logged in dry run
     * (not one that needs an admin or was dismissed, which never arrived).
     *
     * @param int $peerid mnet_host.id
     * @param string $recordkey record key
     * @return \stdClass|null
     */
    public static function latest_effective(int $peerid, string $recordkey): ?\stdClass {
        global $DB;
        [$insql, $params] = $DB->get_in_or_equal([queue_policy::PENDING, queue_policy::SENT, queue_policy::DRYRUN],
            SQL_PARAMS_NAMED);
        $params['peerid'] = $peerid;
        $params['recordkey'] = $recordkey;
        $rows = $DB->get_records_select(self::TABLE, "peerid = :peerid AND recordkey = :recordkey AND status $insql",
            $params, 'id DESC', '*', 0, 1);
        return $rows ? reset($rows) : null;
    }

    /**
     * Takes back rows this request queued and nobody tried yet, of one method and records whose key starts
     * with $keyprefix: a grade item deleted with its grades is one `remove_assessment`, not one
     * `remove_grade` per student as well (grade_item::delete() deletes the grades first).
     *
     * @param string $method short method name
     * @param string $keyprefix e.g. 'grade:12:'
     * @return int rows taken back
     */
    public static function withdraw_request_rows(string $method, string $keyprefix): int {
        global $DB;
        $ids = array_keys(self::$requestrows);
        if (!$ids) {
            return 0;
        }
        [$insql, $params] = $DB->get_in_or_equal($ids, SQL_PARAMS_NAMED);
        $params['method'] = $method;
        $params['pending'] = queue_policy::PENDING;
        $params['prefix'] = $DB->sql_like_escape($keyprefix) . '%';
        $select = "id $insql AND methodname = :method AND status = :pending AND attempts = 0 AND "
            . $DB->sql_like('recordkey', ':prefix');
        $withdrawn = $DB->get_fieldset_select(self::TABLE, 'id', $select, $params);
        if ($withdrawn) {
            $DB->delete_records_list(self::TABLE, 'id', $withdrawn);
            foreach ($withdrawn as $id) {
                unset(self::$requestrows[(int)$id]);
            }
        }
        return count($withdrawn);
    }

    /**
     * Remembers a row for the end-of-request flush and registers the flush once.
     *
     * @param int $id row id
     */
    private static function remember(int $id): void {
        self::$requestrows[$id] = true;
        if (!self::$flushregistered && !(defined('PHPUNIT_TEST') && PHPUNIT_TEST)) {
            \core_shutdown_manager::register_function([dispatcher::class, 'flush_request']);
            self::$flushregistered = true;
        }
    }

    /**
     * Ids of the rows this request queued, and forgets them.
     *
     * @return int[]
     */
    public static function take_request_rows(): array {
        $ids = array_keys(self::$requestrows);
        self::$requestrows = [];
        sort($ids);
        return $ids;
    }

    /**
     * Forgets the rows of this request (unit tests: each test is a new "request").
     */
    public static function reset_request_state(): void {
        self::$requestrows = [];
    }

    /**
     * Counts rows of a peer by status.
     *
     * @param int $peerid mnet_host.id
     * @return int[] status => count
     */
    public static function counts(int $peerid): array {
        global $DB;
        $counts = [queue_policy::PENDING => 0, queue_policy::SENT => 0, queue_policy::FAILED => 0,
            queue_policy::DRYRUN => 0, queue_policy::DISMISSED => 0];
        $rs = $DB->get_records_sql("SELECT status, COUNT(1) AS n FROM {" . self::TABLE . "}
                                     WHERE peerid = ? GROUP BY status", [$peerid]);
        foreach ($rs as $r) {
            $counts[(int)$r->status] = (int)$r->n;
        }
        return $counts;
    }

    /**
     * Makes failed and waiting rows of a peer due at once ("retry now").
     *
     * @param int $peerid mnet_host.id
     * @return int rows made due
     */
    public static function retry_now(int $peerid): int {
        global $DB;
        $params = ['peerid' => $peerid, 'pending' => queue_policy::PENDING, 'failed' => queue_policy::FAILED];
        $n = $DB->count_records_select(self::TABLE, 'peerid = :peerid AND status IN (:pending, :failed)', $params);
        $DB->execute("UPDATE {" . self::TABLE . "} SET status = :pending, nextattempt = 0, attempts = 0
                       WHERE peerid = :peerid AND status IN (:pending2, :failed)",
            $params + ['pending2' => queue_policy::PENDING]);
        peers::clear_backoff($peerid);
        return $n;
    }

    /**
     * Dismisses one failed or pending row.
     *
     * @param int $id row id
     */
    public static function dismiss(int $id): void {
        global $DB;
        $DB->set_field(self::TABLE, 'status', queue_policy::DISMISSED, ['id' => $id]);
    }

    /**
     * Deletes delivered, logged and dismissed rows older than $days days, except the newest row of each
     * record: it says what SchoolBridge holds (a grade that may be cleared later, the id an item was sent
     * under), so a change a year later is still sent as the right call. The queue keeps one row per record
     * at least, about as many rows as the school has people, enrolments and grades.
     *
     * @param int $days age in days
     * @return void
     */
    public static function cleanup(int $days = 30): void {
        global $DB;
        // The derived table lets MySQL delete from the table it reads (error 1093 otherwise).
        $DB->execute("DELETE FROM {" . self::TABLE . "}
                       WHERE status IN (:sent, :dry, :dismissed) AND timecreated < :before
                             AND id NOT IN (SELECT newest.id
                                              FROM (SELECT MAX(id) AS id
                                                      FROM {" . self::TABLE . "}
                                                  GROUP BY peerid, recordkey) newest)", [
            'sent' => queue_policy::SENT, 'dry' => queue_policy::DRYRUN, 'dismissed' => queue_policy::DISMISSED,
            'before' => time() - $days * DAYSECS,
        ]);
    }

    /**
     * A change could not be queued (the observer failed): logs it and remembers to repair it with a full
     * sync (drain_queue task). Never throws: it runs where the user's action must go on.
     *
     * @param \Throwable $e what went wrong
     */
    public static function note_missed(\Throwable $e): void {
        $message = 'local_schooltool: a change could not be queued for SchoolBridge; a full sync will send it: '
            . $e->getMessage();
        error_log($message);
        debugging($message, DEBUG_NORMAL);
        try {
            set_config(self::MISSED_SETTING, time(), 'local_schooltool');
        } catch (\Throwable $ignored) {
            // The database itself failed: the log line is all that can be kept.
            error_log('local_schooltool: could not remember the missed change: ' . $ignored->getMessage());
        }
    }

    /**
     * Asks for a full sync of every configured peer if a change could not be queued since the last time.
     *
     * @return int when the missed change happened (0: none)
     */
    public static function repair_missed(): int {
        $missed = (int)get_config('local_schooltool', self::MISSED_SETTING);
        if ($missed <= 0) {
            return 0;
        }
        foreach (peers::configured() as $peerid) {
            fullsync::request((int)$peerid);
        }
        unset_config(self::MISSED_SETTING, 'local_schooltool');
        return $missed;
    }
}
