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
 * Event observers of local_schooltool.
 *
 * The observers are internal (the default): they run inside the database transaction of the change,
 * so the queue row is committed, or rolled back, together with the change itself. Nothing is sent
 * from inside the event; sending happens at the end of the request and in the scheduled task.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$observers = [
    ['eventname' => '\core\event\user_created', 'callback' => '\local_schooltool\observer::user_changed'],
    ['eventname' => '\core\event\user_updated', 'callback' => '\local_schooltool\observer::user_changed'],
    ['eventname' => '\core\event\course_created', 'callback' => '\local_schooltool\observer::course_changed'],
    ['eventname' => '\core\event\course_updated', 'callback' => '\local_schooltool\observer::course_changed'],
    ['eventname' => '\core\event\course_restored', 'callback' => '\local_schooltool\observer::course_restored'],
    ['eventname' => '\core\event\user_enrolment_created',
        'callback' => '\local_schooltool\observer::user_enrolment_created'],
    ['eventname' => '\core\event\user_enrolment_updated',
        'callback' => '\local_schooltool\observer::user_enrolment_updated'],
    ['eventname' => '\core\event\user_enrolment_deleted',
        'callback' => '\local_schooltool\observer::user_enrolment_deleted'],
    ['eventname' => '\core\event\enrol_instance_updated',
        'callback' => '\local_schooltool\observer::enrol_instance_updated'],
    ['eventname' => '\core\event\role_assigned', 'callback' => '\local_schooltool\observer::role_assigned'],
    ['eventname' => '\core\event\role_unassigned', 'callback' => '\local_schooltool\observer::role_unassigned'],
    ['eventname' => '\core\event\grade_item_created', 'callback' => '\local_schooltool\observer::grade_item_changed'],
    ['eventname' => '\core\event\grade_item_updated', 'callback' => '\local_schooltool\observer::grade_item_changed'],
    ['eventname' => '\core\event\grade_item_deleted', 'callback' => '\local_schooltool\observer::grade_item_deleted'],
    ['eventname' => '\core\event\course_module_created', 'callback' => '\local_schooltool\observer::course_module_changed'],
    ['eventname' => '\core\event\course_module_updated', 'callback' => '\local_schooltool\observer::course_module_changed'],
    ['eventname' => '\core\event\user_graded', 'callback' => '\local_schooltool\observer::user_graded'],
    ['eventname' => '\core\event\grade_deleted', 'callback' => '\local_schooltool\observer::grade_deleted'],
];
