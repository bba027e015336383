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
 * The reply of the published list_user_enrolments() method.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool;

use local_schooltool\local\mapper;

defined('MOODLE_INTERNAL') || die();

/**
 * Lists a user's enrolments the way the observers report them: one entry per course, role teacher when
 * the user holds a teacher role there (enrolled or not), else student; active if any enrolment gives
 * access now.
 */
class enrolment_list {

    /**
     * Enrolments of a local user.
     *
     * @param string $username username on this site
     * @return array list of structs {sectionid, userid, role, status, timemodified}
     */
    public static function for_username(string $username): array {
        global $DB, $CFG;
        $user = $DB->get_record('user', ['username' => trim((string)$username), 'mnethostid' => $CFG->mnet_localhost_id,
            'deleted' => 0], 'id, idnumber');
        if (!$user || (int)$user->id === (int)$CFG->siteguest) {
            return [];
        }
        $personid = mapper::user_id($user);
        $now = time();
        $sql = "SELECT ue.id, e.courseid, ue.status AS uestatus, e.status AS instancestatus, ue.timestart, ue.timeend,
                       ue.timemodified
                  FROM {user_enrolments} ue
                  JOIN {enrol} e ON e.id = ue.enrolid
                 WHERE ue.userid = :userid AND e.courseid <> :site
              ORDER BY e.courseid, ue.id";
        $courses = [];
        foreach ($DB->get_records_sql($sql, ['userid' => $user->id, 'site' => SITEID]) as $ue) {
            $active = mapper::is_enrolment_active((int)$ue->uestatus, (int)$ue->instancestatus,
                (int)$ue->timestart, (int)$ue->timeend, $now);
            $courseid = (int)$ue->courseid;
            $previous = $courses[$courseid] ?? ['active' => false, 'time' => 0];
            $courses[$courseid] = ['active' => $previous['active'] || $active,
                'time' => max($previous['time'], (int)$ue->timemodified)];
        }
        // Teachers by role only (no enrolment) count as active teachers too.
        $roles = payloads::teacher_roles();
        $teachercourses = [];
        if ($roles) {
            [$insql, $params] = $DB->get_in_or_equal($roles, SQL_PARAMS_NAMED);
            $params['userid'] = $user->id;
            $params['level'] = CONTEXT_COURSE;
            $rows = $DB->get_records_sql("SELECT DISTINCT ctx.instanceid
                                            FROM {role_assignments} ra
                                            JOIN {context} ctx ON ctx.id = ra.contextid
                                           WHERE ra.userid = :userid AND ctx.contextlevel = :level AND ra.roleid $insql",
                $params);
            foreach ($rows as $row) {
                $teachercourses[(int)$row->instanceid] = true;
                if (!isset($courses[(int)$row->instanceid])) {
                    $courses[(int)$row->instanceid] = ['active' => true, 'time' => 0];
                }
            }
        }
        $result = [];
        foreach ($courses as $courseid => $info) {
            $sectionid = payloads::course_id($courseid);
            if ($sectionid === null) {
                continue;
            }
            $result[] = mapper::listed_enrolment($sectionid, $personid,
                isset($teachercourses[$courseid]) ? 'teacher' : 'student', $info['active'], $info['time']);
        }
        return $result;
    }
}
