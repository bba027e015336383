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
 * Queue rules: record keys, duplicate suppression, merging and per-record ordering (pure PHP).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\local;

defined('MOODLE_INTERNAL') || die();

/**
 * Decisions about queue rows that do not need the database.
 */
class queue_policy {

    /** Waiting to be sent (first try or retry). */
    const PENDING = 0;
    /** Accepted by SchoolBridge. */
    const SENT = 1;
    /** Refused with a permanent fault, or retried too often: needs an admin. */
    const FAILED = 2;
    /** Logged in dry-run mode, never sent. */
    const DRYRUN = 3;
    /** Dismissed by an admin. */
    const DISMISSED = 4;

    /** Decision: add a new row. */
    const INSERT = 'insert';
    /** Decision: nothing to do, the same content is already queued or delivered. */
    const SKIP = 'skip';
    /** Decision: overwrite the newest row, which has not been tried yet and was queued by this same request. */
    const REPLACE = 'replace';

    /** Every method of the schooltool_sis service. */
    const METHODS = ['fetch_user', 'new_section', 'new_enrolment', 'remove_enrolment', 'new_assessment',
        'remove_assessment', 'new_grade', 'remove_grade'];

    /**
     * Methods added to the contract after apiversion 1 shipped: a SchoolBridge older than the plugin
     * answers them with MNet fault 7012 (no such method) while it takes every other call.
     */
    const LATER_METHODS = ['remove_grade'];

    /** Record key types and the number of ids each carries. */
    const KEY_TYPES = ['user' => 1, 'course' => 1, 'enrol' => 2, 'gradeitem' => 1, 'grade' => 2];

    /**
     * The record a row is about; rows with the same key are delivered in queue order.
     *
     * @param string $type one of KEY_TYPES
     * @param int ...$ids Moodle ids: user; course; course, user; grade item; grade item, user
     * @return string e.g. 'enrol:12:345'
     */
    public static function record_key(string $type, int ...$ids): string {
        if (!isset(self::KEY_TYPES[$type]) || count($ids) !== self::KEY_TYPES[$type]) {
            throw new \InvalidArgumentException("Bad record key $type");
        }
        return $type . ':' . implode(':', $ids);
    }

    /**
     * Inverse of record_key().
     *
     * @param string $key a record key
     * @return array|null [type, int[] ids] or null if malformed
     */
    public static function parse_record_key(string $key): ?array {
        $parts = explode(':', $key);
        $type = array_shift($parts);
        if (!isset(self::KEY_TYPES[$type]) || count($parts) !== self::KEY_TYPES[$type]) {
            return null;
        }
        $ids = [];
        foreach ($parts as $part) {
            if (!ctype_digit($part)) {
                return null;
            }
            $ids[] = (int)$part;
        }
        return [$type, $ids];
    }

    /**
     * Hash of a call's content (method and fields, without eventid/timemodified), independent of field order.
     *
     * @param string $method short method name
     * @param array $fields the struct without the common fields
     * @return string sha1 hex
     */
    public static function content_hash(string $method, array $fields): string {
        unset($fields['eventid'], $fields['timemodified']);
        ksort($fields);
        $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE;
        return sha1($method . "\n" . json_encode($fields, $flags));
    }

    /**
     * Whether a newer change may overwrite an older one that has not been sent yet.
     *
     * Grades are never merged (every grade event belongs in SchoolBridge's history), nor are removals.
     *
     * @param string $method short method name
     * @return bool
     */
    public static function is_mergeable(string $method): bool {
        return in_array($method, ['fetch_user', 'new_section', 'new_enrolment', 'new_assessment'], true);
    }

    /**
     * Decides how to queue a change, given the newest existing row for the same peer and record.
     *
     * - same content as the newest row (unless dismissed) → SKIP: an update that changed nothing we send;
     * - newest row has the same method, is still untried and was queued by this same request → REPLACE:
     *   e.g. an enrolment immediately followed by its teacher role, or an activity's grade item created
     *   before its course module is complete, end up as one call with the final state;
     * - otherwise INSERT. A forced change (full sync, prerequisite) is inserted too, unless the newest row is the
     *   same content, still untried and queued by this same request: that row goes out with this request's
     *   rows anyway, and a copy behind it would only split a batch (a full sync first brings Moodle's course
     *   totals up to date, and the regrade's own events queue the same totals a moment earlier).
     *
     * @param array|null $latest newest row as ['method', 'hash', 'status', 'attempts', 'thisrequest'] or null
     * @param string $method method of the new change
     * @param string $hash content_hash() of the new change
     * @param bool $force true for full sync
     * @return string INSERT, SKIP or REPLACE
     */
    public static function decide(?array $latest, string $method, string $hash, bool $force = false): string {
        if ($latest === null) {
            return self::INSERT;
        }
        $status = (int)$latest['status'];
        if ($force) {
            $waiting = $status === self::PENDING && (int)$latest['attempts'] === 0 && !empty($latest['thisrequest'])
                && $latest['hash'] === $hash && $latest['method'] === $method;
            return $waiting ? self::SKIP : self::INSERT;
        }
        if ($status !== self::DISMISSED && $latest['hash'] === $hash) {
            return self::SKIP;
        }
        if ($status === self::PENDING && (int)$latest['attempts'] === 0 && !empty($latest['thisrequest'])
                && $latest['method'] === $method && self::is_mergeable($method)) {
            return self::REPLACE;
        }
        return self::INSERT;
    }
}
