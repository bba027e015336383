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
 * MNet services of auth_schoolbridge: the single sign-on half of Moodle's auth_mnet.
 *
 * The services keep Moodle's names, sso_idp and sso_sp, so that the ticks an administrator set on a
 * peer's Services tab for stock MNet single sign-on keep their meaning, and survive the upgrade to
 * Moodle 5 that removes auth_mnet (MDL-84310). On Moodle 4.5 both plugins publish into the same two
 * services; the methods of both read and write Moodle's own mnet_session table, so a token made by
 * either jump is confirmed by either user_authorise.
 *
 * What we call on the peer (subscribes) are the paths SchoolBridge (and a stock Moodle identity
 * provider) publishes: auth/mnet/auth.php/<method>. What we publish is at
 * auth/schoolbridge/mnetservice.php/<method>; SchoolBridge learns it from system/listMethods.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$publishes = [
    'sso_idp' => [
        'apiversion' => 1,
        'classname' => 'auth_schoolbridge_mnetservice',
        'filename' => 'mnetservice.php',
        'methods' => [
            'user_authorise',
            'keepalive_server',
            'kill_children',
        ],
    ],
    'sso_sp' => [
        'apiversion' => 1,
        'classname' => 'auth_schoolbridge_mnetservice',
        'filename' => 'mnetservice.php',
        'methods' => [
            'keepalive_client',
            'kill_child',
        ],
    ],
];

$subscribes = [
    'sso_idp' => [
        'user_authorise' => 'auth/mnet/auth.php/user_authorise',
        'keepalive_server' => 'auth/mnet/auth.php/keepalive_server',
        'kill_children' => 'auth/mnet/auth.php/kill_children',
    ],
    'sso_sp' => [
        'kill_child' => 'auth/mnet/auth.php/kill_child',
    ],
];
