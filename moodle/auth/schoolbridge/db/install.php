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
 * Installation of auth_schoolbridge.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * On a Moodle without auth_mnet (5.0 and later, typically installed with the upgrade from 4.5), takes
 * over what auth_mnet left behind and says what it did (classes/adoption.php).
 *
 * @return bool
 */
function xmldb_auth_schoolbridge_install() {
    \auth_schoolbridge\adoption::run(function (string $line) {
        if (CLI_SCRIPT) {
            mtrace($line);
        }
    });
    return true;
}
