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
 * Delivers queued rows: at the end of the request that queued them, and from the scheduled task.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

use local_schooltool\local\batch_plan;
use local_schooltool\local\fault_policy;
use local_schooltool\local\mapper;
use local_schooltool\local\planner;
use local_schooltool\local\queue_policy;
use local_schooltool\local\send_result;
use local_schooltool\sender\dryrun_sender;
use local_schooltool\sender\mnet_sender;
use local_schooltool\sender\sender;

defined('MOODLE_INTERNAL') || die();

/**
 * Sends rows in order per record, handles faults, sends prerequisites first, backs off.
 */
class dispatcher {

    /** Seconds a web request may spend sending its own rows at its end. */
    const REQUEST_BUDGET = 10;

    /**
     * Seconds to wait for one reply at the end of a web request. The person's page (and their session,
     * which Moodle closes after the shutdown callbacks) waits for it; a slow or silent SchoolBridge
     * leaves the row to the scheduled task instead, which waits mnet_sender::TIMEOUT.
     */
    const REQUEST_CALL_TIMEOUT = 5;

    /** Most rows a request sends at its end. */
    const REQUEST_MAX_ROWS = 200;

    /** Deepest chain of prerequisites (grade → item → section → teacher). */
    const MAX_DEPTH = 3;

    /** @var sender|null sender forced by unit tests */
    private static $sender = null;

    /** @var int|null reply timeout in force (REQUEST_CALL_TIMEOUT while flushing a request), null for the default */
    private static $calltimeout = null;

    /** @var bool[] ids of rows already finished as prerequisites by this process, as keys */
    private static $done = [];

    /**
     * Replaces the sender (unit tests); null restores the configured one.
     *
     * @param sender|null $sender the stub
     */
    public static function set_sender(?sender $sender): void {
        self::$sender = $sender;
    }

    /**
     * The sender to use now: the test stub, the dry-run logger or MNet.
     *
     * @return sender
     */
    private static function sender(): sender {
        if (self::$sender !== null) {
            return self::$sender;
        }
        return peers::dry_run() ? new dryrun_sender() : new mnet_sender(self::$calltimeout ?? mnet_sender::TIMEOUT);
    }

    /**
     * Shutdown hook: sends the rows this request queued, once its changes are committed.
     *
     * Rows whose record still has an older row waiting, and rows for a peer that is backing off or being
     * drained by the task, are left to the task. Never throws.
     */
    public static function flush_request(): void {
        global $DB;
        try {
            if ($DB->is_transaction_started()) {
                return; // Shutting down inside a transaction: it will be rolled back, send nothing.
            }
            // A long cron or CLI run may queue many rows: the first ones go now, the task sends the rest.
            $ids = array_slice(queue::take_request_rows(), 0, self::REQUEST_MAX_ROWS);
            if (!$ids) {
                return;
            }
            $deadline = time() + self::REQUEST_BUDGET;
            self::$calltimeout = self::REQUEST_CALL_TIMEOUT;
            $rows = $DB->get_records_list(queue::TABLE, 'id', $ids, 'id ASC');
            $bypeer = [];
            foreach ($rows as $row) {
                if ((int)$row->status === queue_policy::PENDING) {
                    $bypeer[(int)$row->peerid][] = $row;
                }
            }
            foreach ($bypeer as $peerid => $peerrows) {
                if (time() >= $deadline || peers::backing_off($peerid, time())) {
                    continue;
                }
                $lock = self::lock($peerid, 0);
                if (!$lock) {
                    continue;
                }
                try {
                    foreach ($peerrows as $row) {
                        if (time() >= $deadline) {
                            break;
                        }
                        if (isset(self::$done[(int)$row->id]) || $DB->record_exists_select(queue::TABLE,
                                'peerid = :peerid AND recordkey = :recordkey AND status = :pending AND id < :id',
                                ['peerid' => $peerid, 'recordkey' => $row->recordkey,
                                    'pending' => queue_policy::PENDING, 'id' => $row->id])) {
                            continue;
                        }
                        if (self::deliver($row, 0) === fault_policy::TRANSIENT) {
                            break;
                        }
                    }
                } finally {
                    $lock->release();
                }
            }
        } catch (\Throwable $e) {
            debugging('local_schooltool: sending at the end of the request failed: ' . $e->getMessage(), DEBUG_NORMAL);
        } finally {
            self::$calltimeout = null;
        }
    }

    /**
     * Sends the due rows of one peer in queue order, one record after the other, until the queue is
     * empty, the peer fails or the time is up.
     *
     * @param int $peerid mnet_host.id
     * @param int $budget seconds available (0 = no limit)
     * @param bool $force ignore back-off (retry now)
     * @param callable|null $progress called with each delivered row and its outcome
     * @param int $minage leave rows younger than this many seconds to the request that queued them
     * @return array counts by outcome, plus 'skipped' => true if the peer was not tried
     */
    public static function drain(int $peerid, int $budget, bool $force = false, ?callable $progress = null,
            int $minage = 0): array {
        global $DB;
        $stats = [fault_policy::OK => 0, fault_policy::DEPENDENCY => 0, fault_policy::PERMANENT => 0,
            fault_policy::TRANSIENT => 0, fault_policy::RETRY => 0, 'skipped' => false, 'batches' => 0];
        $start = time();
        if (!$force && peers::backing_off($peerid, $start)) {
            $stats['skipped'] = true;
            return $stats;
        }
        $lock = self::lock($peerid, $force ? 30 : 0);
        if (!$lock) {
            $stats['skipped'] = true;
            return $stats;
        }
        try {
            $planner = new planner($start, $force);
            if (self::takes_batches($peerid) && self::drain_batches($peerid, $planner, $start, $budget, $minage,
                    $stats, $progress)) {
                return $stats;
            }
            // One call per change: a peer that does not take batches (an older SchoolBridge), dry run.
            $lastid = 0;
            do {
                $rows = $DB->get_records_select(queue::TABLE,
                    'peerid = :peerid AND status = :pending AND id > :lastid AND timecreated <= :youngest',
                    ['peerid' => $peerid, 'pending' => queue_policy::PENDING, 'lastid' => $lastid,
                        'youngest' => $start - $minage], 'id ASC', '*', 0, 200);
                foreach ($rows as $row) {
                    $lastid = (int)$row->id;
                    if (isset(self::$done[$lastid])) {
                        continue; // Already sent in this pass as another row's prerequisite.
                    }
                    if ($budget > 0 && time() - $start >= $budget) {
                        return $stats;
                    }
                    if (!$planner->may_send($row->recordkey, (int)$row->nextattempt)) {
                        continue;
                    }
                    $outcome = self::deliver($row, 0);
                    $stats[$outcome]++;
                    if ($progress) {
                        $progress($row, $outcome);
                    }
                    if ($outcome === fault_policy::TRANSIENT) {
                        return $stats;
                    }
                    if ($outcome !== fault_policy::OK) {
                        $planner->block($row->recordkey);
                    }
                }
            } while ($rows);
        } finally {
            $lock->release();
        }
        return $stats;
    }

    /**
     * Whether to send a peer's queue in `schooltool/sis/batch` calls: not in dry run (each call is logged
     * on its own), and not for a day after the peer answered 7012 to one (an older SchoolBridge).
     *
     * @param int $peerid mnet_host.id
     * @return bool
     */
    private static function takes_batches(int $peerid): bool {
        if (self::$sender === null && peers::dry_run()) {
            return false;
        }
        return batch_plan::worth_trying((int)get_config('local_schooltool', 'nobatch_' . $peerid), time());
    }

    /**
     * Sends the due rows of one peer in batches of up to 1000 (docs/schooltool-sis.md "batch"), in queue
     * order, each record's rows in order (one row of a record per batch). Each row is then recorded as if
     * sent alone: acknowledged rows are marked sent, so an interrupted run resumes after them; a row
     * answered 8103–8105 is sent again on its own after its prerequisite, as drain() does.
     *
     * @param int $peerid mnet_host.id
     * @param planner $planner the pass's per-record order
     * @param int $start when the pass started
     * @param int $budget seconds available (0 = no limit)
     * @param int $minage leave rows younger than this many seconds
     * @param array $stats counts by outcome, updated
     * @param callable|null $progress called with each row and its outcome
     * @return bool false when the rest must go one call each (the peer does not take batches)
     */
    private static function drain_batches(int $peerid, planner $planner, int $start, int $budget, int $minage,
            array &$stats, ?callable $progress): bool {
        global $DB;
        $lastid = 0;
        do {
            $rows = $DB->get_records_select(queue::TABLE,
                'peerid = :peerid AND status = :pending AND id > :lastid AND timecreated <= :youngest',
                ['peerid' => $peerid, 'pending' => queue_policy::PENDING, 'lastid' => $lastid,
                    'youngest' => $start - $minage], 'id ASC', '*', 0, batch_plan::MAX_CHANGES);
            $batch = new batch_plan();
            $inbatch = [];
            foreach ($rows as $row) {
                if (isset(self::$done[(int)$row->id]) || !$planner->may_send($row->recordkey, (int)$row->nextattempt)) {
                    $lastid = (int)$row->id;
                    continue;
                }
                $fields = json_decode($row->payload, true);
                if (!is_array($fields)) {
                    self::record($row, send_result::fault(8106, 'Corrupt queue row'));
                    $planner->block($row->recordkey);
                    $lastid = (int)$row->id;
                    continue;
                }
                if (!$batch->add($row->recordkey, $row->methodname,
                        mapper::with_common($fields, $row->eventid, (int)$row->timemodified))) {
                    break; // Full, or a second row of a record: it starts the next batch.
                }
                $inbatch[] = $row;
                $lastid = (int)$row->id;
            }
            if (!$inbatch) {
                continue;
            }
            if ($budget > 0 && time() - $start >= $budget) {
                return true;
            }
            $sent = self::send_batch($peerid, $batch);
            $stats['batches']++;
            if (!$sent->ok) {
                if (batch_plan::not_supported($sent->faultcode)) {
                    set_config('nobatch_' . $peerid, time(), 'local_schooltool');
                    return false;
                }
                if ($sent->outcome(batch_plan::METHOD) !== fault_policy::TRANSIENT) {
                    return false; // The call itself was refused (8106, 8108): each change on its own instead.
                }
                // The peer cannot take calls now: it backs off as a whole, the rows stay as they are.
                self::record($inbatch[0], $sent);
                $stats[fault_policy::TRANSIENT]++;
                if ($progress) {
                    $progress($inbatch[0], fault_policy::TRANSIENT);
                }
                return true;
            }
            $results = batch_plan::results($sent->response, count($inbatch));
            if ($results === null) {
                // Not a reply to this batch: nothing is marked sent; the changes go again later (same
                // eventids, so what was applied is answered as a replay).
                self::record($inbatch[0], send_result::transport('The reply to a batch of ' . count($inbatch)
                    . ' changes could not be read'));
                $stats[fault_policy::TRANSIENT]++;
                return true;
            }
            foreach ($inbatch as $i => $row) {
                $outcome = $results[$i]->outcome($row->methodname);
                if ($outcome === fault_policy::DEPENDENCY) {
                    $outcome = self::deliver($row, 0); // The prerequisite first, then this row alone.
                } else {
                    self::record($row, $results[$i]);
                }
                $stats[$outcome]++;
                if ($progress) {
                    $progress($row, $outcome);
                }
                if ($outcome === fault_policy::TRANSIENT) {
                    return true;
                }
                if ($outcome !== fault_policy::OK) {
                    $planner->block($row->recordkey);
                }
            }
        } while ($rows);
        return true;
    }

    /**
     * Sends a batch.
     *
     * @param int $peerid mnet_host.id
     * @param batch_plan $batch the changes
     * @return send_result of the whole call
     */
    private static function send_batch(int $peerid, batch_plan $batch): send_result {
        try {
            return self::sender()->batch($peerid, $batch->changes());
        } catch (\Throwable $e) {
            return send_result::transport($e->getMessage());
        }
    }

    /**
     * Sends one row; on a dependency fault sends the prerequisite first and tries again once.
     * Records the outcome on the row and the peer.
     *
     * @param \stdClass $row queue row
     * @param int $depth prerequisite depth
     * @return string fault_policy outcome
     */
    private static function deliver(\stdClass $row, int $depth): string {
        $result = self::send_row($row);
        if ($result->outcome($row->methodname) === fault_policy::DEPENDENCY && $depth < self::MAX_DEPTH) {
            $needed = fault_policy::prerequisite($row->methodname, (int)$result->faultcode, $row->recordkey);
            if ($needed && self::deliver_prerequisite((int)$row->peerid, $needed, $depth + 1) === fault_policy::OK) {
                $result = self::send_row($row);
            }
        }
        self::record($row, $result);
        if ($depth > 0 && (int)$row->status !== queue_policy::PENDING) {
            // Sent ahead of its turn as a prerequisite: the running pass must not send it again.
            self::$done[(int)$row->id] = true;
        }
        return $result->outcome($row->methodname);
    }

    /**
     * Sends the record SchoolBridge said is missing: its oldest waiting rows if any, else its current state.
     *
     * @param int $peerid mnet_host.id
     * @param array $needed [type, id] from fault_policy::prerequisite()
     * @param int $depth prerequisite depth
     * @return string outcome of the last row sent
     */
    private static function deliver_prerequisite(int $peerid, array $needed, int $depth): string {
        global $DB;
        [$type, $id] = $needed;
        if ($type === 'teacherofcourse') {
            $id = payloads::first_teacher($id);
            $type = 'user';
        } else if ($type === 'courseofgradeitem') {
            $id = $DB->get_field('grade_items', 'courseid', ['id' => $id]);
            $type = 'course';
        }
        if (!$id) {
            return fault_policy::PERMANENT;
        }
        $key = queue_policy::record_key($type, (int)$id);
        $waiting = $DB->get_records(queue::TABLE, ['peerid' => $peerid, 'recordkey' => $key,
            'status' => queue_policy::PENDING], 'id ASC');
        if (!$waiting) {
            $now = time();
            $queued = 0;
            if ($type === 'user') {
                $queued = changes::user((int)$id, $now, [$peerid], true);
            } else if ($type === 'course') {
                $queued = changes::section((int)$id, $now, [$peerid], true);
            } else if ($type === 'gradeitem' && ($item = $DB->get_record('grade_items', ['id' => $id]))) {
                $queued = changes::assessment($item, $now, [$peerid], true);
            }
            if (!$queued) {
                return fault_policy::PERMANENT;
            }
            $waiting = $DB->get_records(queue::TABLE, ['peerid' => $peerid, 'recordkey' => $key,
                'status' => queue_policy::PENDING], 'id ASC');
        }
        $outcome = fault_policy::PERMANENT;
        foreach ($waiting as $row) {
            $outcome = self::deliver($row, $depth);
            if ($outcome !== fault_policy::OK) {
                break;
            }
        }
        return $outcome;
    }

    /**
     * Sends a row as it is stored (same eventid on every attempt).
     *
     * @param \stdClass $row queue row
     * @return send_result
     */
    private static function send_row(\stdClass $row): send_result {
        $fields = json_decode($row->payload, true);
        if (!is_array($fields)) {
            return send_result::fault(8106, 'Corrupt queue row');
        }
        $params = mapper::with_common($fields, $row->eventid, (int)$row->timemodified);
        try {
            return self::sender()->call((int)$row->peerid, $row->methodname, $params);
        } catch (\Throwable $e) {
            return send_result::transport($e->getMessage());
        }
    }

    /**
     * Stores the outcome of a row and updates the peer's state.
     *
     * @param \stdClass $row queue row (updated in place)
     * @param send_result $result what happened
     */
    private static function record(\stdClass $row, send_result $result): void {
        global $DB;
        $now = time();
        $peerid = (int)$row->peerid;
        $outcome = $result->outcome($row->methodname);
        // Attempts count what the record itself was answered. A peer that is down or unreachable
        // (TRANSIENT) says nothing about the record: otherwise an outage would use up the record's
        // retry budget, and once the peer is back a dependency fault would wait hours or need an admin.
        if ($outcome !== fault_policy::TRANSIENT) {
            $row->attempts = (int)$row->attempts + 1;
        }
        $row->faultcode = $result->faultcode;
        $row->lasterror = $result->ok ? null : \core_text::substr($result->message, 0, 2000);
        switch ($outcome) {
            case fault_policy::OK:
                $row->status = $result->dryrun ? queue_policy::DRYRUN : queue_policy::SENT;
                $row->timesent = $now;
                $row->response = $result->response === null ? null : json_encode($result->response);
                if (!$result->dryrun) {
                    peers::mark_reached($peerid, $now, true);
                }
                break;
            case fault_policy::PERMANENT:
                $row->status = queue_policy::FAILED;
                peers::mark_reached($peerid, $now, false);
                peers::mark_error($peerid, $now, self::describe($row, $result), false);
                break;
            case fault_policy::DEPENDENCY:
            case fault_policy::RETRY:
                if ($row->attempts >= fault_policy::MAX_RECORD_ATTEMPTS) {
                    $row->status = queue_policy::FAILED;
                } else {
                    $row->nextattempt = $now + fault_policy::record_backoff((int)$row->attempts);
                }
                peers::mark_reached($peerid, $now, false);
                peers::mark_error($peerid, $now, self::describe($row, $result), false);
                break;
            default:
                peers::mark_error($peerid, $now, self::describe($row, $result), true);
        }
        // Only the delivery columns, and only if the row still holds what was sent (see queue::add(), REPLACE).
        if ($DB->get_field(queue::TABLE, 'eventid', ['id' => $row->id]) !== $row->eventid) {
            $row->status = queue_policy::PENDING;
            return;
        }
        $DB->update_record(queue::TABLE, (object)['id' => $row->id, 'status' => $row->status,
            'attempts' => $row->attempts, 'nextattempt' => $row->nextattempt ?? 0, 'faultcode' => $row->faultcode,
            'lasterror' => $row->lasterror, 'response' => $row->response ?? null, 'timesent' => $row->timesent ?? 0]);
    }

    /**
     * One line for the peer's "last error".
     *
     * @param \stdClass $row queue row
     * @param send_result $result what happened
     * @return string
     */
    private static function describe(\stdClass $row, send_result $result): string {
        $code = $result->faultcode === null ? '' : $result->faultcode . ' ';
        return "#{$row->id} {$row->methodname} ({$row->recordkey}): {$code}{$result->message}";
    }

    /**
     * Lock so that one process at a time sends to a peer.
     *
     * @param int $peerid mnet_host.id
     * @param int $timeout seconds to wait
     * @return \core\lock\lock|false
     */
    private static function lock(int $peerid, int $timeout) {
        $factory = \core\lock\lock_config::get_lock_factory('local_schooltool');
        return $factory->get_lock('peer' . $peerid, $timeout);
    }
}
