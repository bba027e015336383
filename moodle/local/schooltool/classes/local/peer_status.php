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
 * How the status page reads a peer's last error (pure PHP).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\local;

defined('MOODLE_INTERNAL') || die();

/**
 * An error that a later successful delivery followed is over: the page shows it as resolved, with its
 * time, instead of as the peer's problem (an admin looking after an outage wants to know that it is over
 * and what it was, not to be alarmed by it). Rows that still need an admin have their own column.
 */
class peer_status {

    /** No error ever recorded. */
    const NONE = 'none';
    /** The newest thing that happened is an error: something is wrong now. */
    const CURRENT = 'current';
    /** A call went through after the error. */
    const RESOLVED = 'resolved';

    /**
     * The state of the last error.
     *
     * @param int $lasterrortime time of the last error (0 = never)
     * @param string|null $lasterror its text
     * @param int $resolved when a call next went through after it (0 = none yet); times are whole
     *     seconds, so an error and the success before it often share one: only the order in which they
     *     were recorded tells which came last
     * @return string NONE, CURRENT or RESOLVED
     */
    public static function last_error_state(int $lasterrortime, ?string $lasterror, int $resolved): string {
        if ($lasterror === null || $lasterror === '' || $lasterrortime <= 0) {
            return self::NONE;
        }
        return $resolved > 0 ? self::RESOLVED : self::CURRENT;
    }
}
