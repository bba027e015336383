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
 * Batches of queued changes for `schooltool/sis/batch` (pure PHP).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\local;

defined('MOODLE_INTERNAL') || die();

/**
 * What one `schooltool/sis/batch` call carries and what its reply says about each change
 * (docs/schooltool-sis.md "batch"): many changes per call, each keeping its own eventid and
 * timemodified, so one signed and encrypted round trip carries up to 1000 of them.
 *
 * A batch holds at most one row of a record: a second change of the same record waits for the next
 * call, so that when the first is refused (a missing prerequisite) the second is not applied before it.
 */
class batch_plan {

    /** Most changes per call (SchoolBridge answers 8108 above it). */
    const MAX_CHANGES = 1000;

    /** Most bytes of change structs (as JSON) per call: well inside SchoolBridge's 8 MiB request limit
     *  once XML-RPC, encryption and base64 are added. */
    const MAX_BYTES = 2 * 1024 * 1024;

    /** The method's short name. */
    const METHOD = 'batch';

    /** Seconds a peer that answered 7012 to a batch (an older SchoolBridge) is sent one call per change
     *  before batches are tried again (it may have been upgraded). */
    const RETRY_AFTER = 86400;

    /** @var array[] the changes so far */
    private $changes = [];

    /** @var bool[] record keys in the batch, as keys */
    private $records = [];

    /** @var int bytes so far */
    private $bytes = 0;

    /**
     * Adds a change if it fits: not full, not too large, no other change of its record.
     *
     * @param string $recordkey the queue row's record key
     * @param string $method short method name, e.g. 'new_grade'
     * @param array $params the call's struct, with eventid and timemodified
     * @return bool false when it does not fit (send this batch first)
     */
    public function add(string $recordkey, string $method, array $params): bool {
        $change = array_merge(['method' => $method], $params);
        $size = strlen((string)json_encode($change));
        if (isset($this->records[$recordkey]) || count($this->changes) >= self::MAX_CHANGES
                || ($this->changes && $this->bytes + $size > self::MAX_BYTES)) {
            return false;
        }
        $this->changes[] = $change;
        $this->records[$recordkey] = true;
        $this->bytes += $size;
        return true;
    }

    /**
     * The changes, in order: the `changes` member of the call's struct.
     *
     * @return array[]
     */
    public function changes(): array {
        return $this->changes;
    }

    /**
     * Number of changes.
     *
     * @return int
     */
    public function count(): int {
        return count($this->changes);
    }

    /**
     * The per-change results of a batch reply, in order, or null when the reply is not a batch reply
     * for $count changes (then nothing can be marked sent; the call is treated like a lost reply and
     * sent again later: each change is idempotent by its eventid).
     *
     * @param mixed $response the decoded reply
     * @param int $count changes sent
     * @return send_result[]|null
     */
    public static function results($response, int $count): ?array {
        if (!is_array($response) || !isset($response['results']) || !is_array($response['results'])
                || count($response['results']) !== $count) {
            return null;
        }
        $results = [];
        foreach (array_values($response['results']) as $item) {
            if (!is_array($item)) {
                return null;
            }
            if (isset($item['faultCode'])) {
                $results[] = send_result::fault((int)$item['faultCode'], (string)($item['faultString'] ?? ''));
            } else {
                $results[] = send_result::success($item);
            }
        }
        return $results;
    }

    /**
     * Whether a fault answering the whole batch call means the peer does not take batches (an older
     * SchoolBridge: the method is unknown, 7012), so the changes go one call each instead.
     *
     * @param int|null $code the whole call's fault code
     * @return bool
     */
    public static function not_supported(?int $code): bool {
        return $code === 7012;
    }

    /**
     * Whether to send batches to a peer that answered 7012 to one at $since (0: never).
     *
     * @param int $since when the peer refused a batch (0: never)
     * @param int $now current time
     * @return bool
     */
    public static function worth_trying(int $since, int $now): bool {
        return $since <= 0 || $now - $since >= self::RETRY_AFTER;
    }
}
