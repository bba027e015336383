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
 * What to do after a failed call: fault classification, back-off and prerequisites (pure PHP).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\local;

defined('MOODLE_INTERNAL') || die();

/**
 * Fault codes of docs/schooltool-sis.md and what the sender does about each.
 */
class fault_policy {

    /** The call was applied. */
    const OK = 'ok';
    /** 8103/8104/8105: send the prerequisite first, then retry this record. */
    const DEPENDENCY = 'dependency';
    /** 8101/8102/8106/8107: bad data; retrying unchanged cannot help, an admin must look. */
    const PERMANENT = 'permanent';
    /** 8199, MNet faults and transport errors: the peer cannot take anything now; back off the whole peer. */
    const TRANSIENT = 'transient';
    /** An application fault this version does not know: retry this record later without stopping the others. */
    const RETRY = 'retry';

    /** After this many DEPENDENCY/RETRY attempts a row stops retrying and waits for an admin. */
    const MAX_RECORD_ATTEMPTS = 12;

    /**
     * Classifies a fault code; null means no fault code at all (connection refused, timeout, HTTP error...).
     *
     * @param int|null $code XML-RPC faultCode
     * @param string $method short method name of the call that got it
     * @return string one of the class constants
     */
    public static function classify(?int $code, string $method = ''): string {
        if ($code === null) {
            return self::TRANSIENT;
        }
        if ($code === 7012 && in_array($method, queue_policy::LATER_METHODS, true)) {
            // A SchoolBridge older than this plugin does not know the method. Waiting cannot help and
            // must not stall the other records: the row waits for an admin (upgrade SchoolBridge, then
            // Retry now).
            return self::PERMANENT;
        }
        switch ($code) {
            case 8101:
            case 8102:
            case 8106:
            case 8107:
                return self::PERMANENT;
            case 8103:
            case 8104:
            case 8105:
                return self::DEPENDENCY;
            case 8199:
                return self::TRANSIENT;
        }
        if ($code >= 8000 && $code < 9000) {
            return self::RETRY;
        }
        // MNet's own faults (7020, 7023, 7025, 7012, 70x...) concern the peer, not this record.
        return self::TRANSIENT;
    }

    /**
     * Finds the fault code in the error strings that Moodle's mnet_xmlrpc_client collects.
     *
     * Recognises "4: remote server error: code: 7023, message: ..." (a plain fault before decryption)
     * and "8104 : unknown person" (a fault inside a decrypted reply). Local client errors such as
     * "7:User with ID ...", "5:Connect error" carry no fault code and give null.
     *
     * Moodle's envelope parser (mnet/xmlrpc/xmlparser.php discard_data()) takes the text right after
     * <name>faultCode</name> as the code; in the fault layout MNet servers write (Moodle's own and
     * SchoolBridge's) that text is the whitespace before <value>, so the code usually arrives empty:
     * "4: remote server error: code: , message: mnet/encryption-invalid". The plain faults a sender
     * meets are then known by their fixed text: 7020 ends in "/wrong-wwwroot", 7023 is
     * "mnet/encryption-invalid", 7021 "The transport method you are trying to use is not permitted.".
     *
     * @param string[] $errors $client->error
     * @return int|null
     */
    public static function code_from_errors(array $errors): ?int {
        foreach ($errors as $error) {
            if (preg_match('/remote server error:\s*code:\s*(\d+)/i', (string)$error, $m)) {
                return (int)$m[1];
            }
        }
        foreach ($errors as $error) {
            if (preg_match('/^\s*(\d{3,5})\s+:\s/', (string)$error, $m)) {
                return (int)$m[1];
            }
        }
        foreach ($errors as $error) {
            if (!preg_match('/remote server error:\s*code:\s*,\s*message:\s*(.*)$/is', (string)$error, $m)) {
                continue;
            }
            $text = $m[1];
            if (strpos($text, 'encryption-invalid') !== false) {
                return 7023;
            }
            if (strpos($text, '/wrong-wwwroot') !== false) {
                return 7020;
            }
            if (stripos($text, 'transport method you are trying to use is not permitted') !== false) {
                return 7021;
            }
        }
        return null;
    }

    /**
     * Delay before the next attempt at a peer after $failures consecutive transient failures:
     * 1, 2, 4 ... minutes, at most one hour.
     *
     * @param int $failures consecutive failures, at least 1
     * @return int seconds
     */
    public static function peer_backoff(int $failures): int {
        return self::exponential(max(1, $failures), 60, 3600);
    }

    /**
     * Delay before retrying one record after $attempts DEPENDENCY/RETRY failures:
     * 1, 2, 4 ... minutes, at most six hours.
     *
     * @param int $attempts attempts made, at least 1
     * @return int seconds
     */
    public static function record_backoff(int $attempts): int {
        return self::exponential(max(1, $attempts), 60, 6 * 3600);
    }

    /**
     * base * 2^(n-1), capped.
     *
     * @param int $n attempt number from 1
     * @param int $base first delay
     * @param int $cap largest delay
     * @return int
     */
    private static function exponential(int $n, int $base, int $cap): int {
        if ($n > 20) {
            return $cap;
        }
        return (int)min($cap, $base * (2 ** ($n - 1)));
    }

    /**
     * The record that must reach SchoolBridge before a call that failed with a dependency fault.
     *
     * Returns [type, id] where type is 'user', 'course', 'gradeitem', 'teacherofcourse' (the course's
     * first teacher, for new_section) or 'courseofgradeitem' (the course of a grade item), or null.
     *
     * @param string $method short method name, e.g. 'new_enrolment'
     * @param int $code the fault code
     * @param string $recordkey the queue row's record key
     * @return array|null
     */
    public static function prerequisite(string $method, int $code, string $recordkey): ?array {
        $key = queue_policy::parse_record_key($recordkey);
        if ($key === null) {
            return null;
        }
        [$type, $ids] = $key;
        if ($method === 'new_section' && $code === 8104 && $type === 'course') {
            return ['teacherofcourse', $ids[0]];
        }
        if (($method === 'new_enrolment' || $method === 'remove_enrolment') && $type === 'enrol') {
            if ($code === 8103) {
                return ['course', $ids[0]];
            }
            if ($code === 8104) {
                return ['user', $ids[1]];
            }
        }
        if ($method === 'new_assessment' && $code === 8103 && $type === 'gradeitem') {
            return ['courseofgradeitem', $ids[0]];
        }
        if (($method === 'new_grade' || $method === 'remove_grade') && $type === 'grade') {
            if ($code === 8105) {
                return ['gradeitem', $ids[0]];
            }
            if ($code === 8104) {
                return ['user', $ids[1]];
            }
        }
        return null;
    }
}
