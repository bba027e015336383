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
 * Settings page of auth_schoolbridge: what it is, and what it took over from auth_mnet.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

if ($ADMIN->fulltree) {
    $report = \auth_schoolbridge\adoption::report();
    if ($report === null) {
        $report = get_string(\auth_schoolbridge\adoption::auth_mnet_present() ? 'adoption_none' : 'adoption_nothing',
            'auth_schoolbridge');
    }
    $settings->add(new admin_setting_heading('auth_schoolbridge/status', get_string('status', 'auth_schoolbridge'),
        html_writer::div($report, '', ['data-auth-schoolbridge' => 'status'])));
}
