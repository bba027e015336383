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
 * Per-record ordering while draining the queue (pure PHP).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\local;

defined('MOODLE_INTERNAL') || die();

/**
 * Walks pending rows in queue order and says which may be sent now.
 *
 * A row may be sent when it is due and no earlier row of the same record is still waiting: so the
 * changes of one record reach SchoolBridge in the order they happened, while one record that waits
 * (for example for a prerequisite) does not hold up the others.
 */
class planner {

    /** @var int current time */
    private $now;

    /** @var bool[] record keys that must wait, as keys */
    private $blocked = [];

    /**
     * Constructor.
     *
     * @param int $now current Unix time
     * @param bool $ignorebackoff true to treat every row as due ("retry now")
     */
    public function __construct(int $now, bool $ignorebackoff = false) {
        $this->now = $ignorebackoff ? PHP_INT_MAX : $now;
    }

    /**
     * Whether the next row (in queue order) may be sent now. A row that may not blocks its record.
     *
     * @param string $recordkey the row's record key
     * @param int $nextattempt the row's earliest next attempt (0 = any time)
     * @return bool
     */
    public function may_send(string $recordkey, int $nextattempt): bool {
        if (isset($this->blocked[$recordkey])) {
            return false;
        }
        if ($nextattempt > $this->now) {
            $this->blocked[$recordkey] = true;
            return false;
        }
        return true;
    }

    /**
     * Marks a record as waiting: its later rows are not sent in this pass.
     *
     * @param string $recordkey the record key
     */
    public function block(string $recordkey): void {
        $this->blocked[$recordkey] = true;
    }

    /**
     * Convenience for tests and callers with a list: ids of the rows that may be sent now, in order,
     * assuming every sent row succeeds.
     *
     * @param array $rows list of ['id' => int, 'recordkey' => string, 'nextattempt' => int] in queue order
     * @return int[]
     */
    public function sendable(array $rows): array {
        $ids = [];
        foreach ($rows as $row) {
            if ($this->may_send((string)$row['recordkey'], (int)$row['nextattempt'])) {
                $ids[] = (int)$row['id'];
            }
        }
        return $ids;
    }
}
