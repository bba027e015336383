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
 * Privacy provider of local_schooltool.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\privacy;

use core_privacy\local\metadata\collection;
use core_privacy\local\request\approved_contextlist;
use core_privacy\local\request\approved_userlist;
use core_privacy\local\request\contextlist;
use core_privacy\local\request\userlist;
use core_privacy\local\request\writer;

defined('MOODLE_INTERNAL') || die();

/**
 * Describes the queue table and the data sent to SchoolBridge; exports and deletes queue rows of a user.
 *
 * Data already delivered lives in SchoolBridge and must be handled there.
 */
class provider implements
        \core_privacy\local\metadata\provider,
        \core_privacy\local\request\core_userlist_provider,
        \core_privacy\local\request\plugin\provider {

    /**
     * Describes the stored and exported data.
     *
     * @param collection $collection the collection
     * @return collection
     */
    public static function get_metadata(collection $collection): collection {
        $collection->add_database_table('local_schooltool_queue', [
            'userid' => 'privacy:metadata:queue:userid',
            'payload' => 'privacy:metadata:queue:payload',
            'timecreated' => 'privacy:metadata:queue:timecreated',
        ], 'privacy:metadata:queue');
        $collection->add_external_location_link('schooltool_sis', [
            'idnumber' => 'privacy:metadata:schooltool_sis:idnumber',
            'username' => 'privacy:metadata:schooltool_sis:username',
            'firstname' => 'privacy:metadata:schooltool_sis:firstname',
            'lastname' => 'privacy:metadata:schooltool_sis:lastname',
            'email' => 'privacy:metadata:schooltool_sis:email',
            'enrolments' => 'privacy:metadata:schooltool_sis:enrolments',
            'grades' => 'privacy:metadata:schooltool_sis:grades',
        ], 'privacy:metadata:schooltool_sis');
        return $collection;
    }

    /**
     * Queue rows are kept in the system context.
     *
     * @param int $userid user id
     * @return contextlist
     */
    public static function get_contexts_for_userid(int $userid): contextlist {
        global $DB;
        $contextlist = new contextlist();
        if ($DB->record_exists('local_schooltool_queue', ['userid' => $userid])) {
            $contextlist->add_system_context();
        }
        return $contextlist;
    }

    /**
     * Users with queue rows.
     *
     * @param userlist $userlist the list to fill
     */
    public static function get_users_in_context(userlist $userlist) {
        if ($userlist->get_context()->contextlevel == CONTEXT_SYSTEM) {
            $userlist->add_from_sql('userid', 'SELECT userid FROM {local_schooltool_queue} WHERE userid > 0', []);
        }
    }

    /**
     * Exports the queue rows of a user.
     *
     * @param approved_contextlist $contextlist approved contexts
     */
    public static function export_user_data(approved_contextlist $contextlist) {
        global $DB;
        $userid = $contextlist->get_user()->id;
        foreach ($contextlist->get_contexts() as $context) {
            if ($context->contextlevel != CONTEXT_SYSTEM) {
                continue;
            }
            $rows = $DB->get_records('local_schooltool_queue', ['userid' => $userid], 'id',
                'id, methodname, payload, timecreated, timesent');
            if ($rows) {
                writer::with_context($context)->export_data([get_string('pluginname', 'local_schooltool')],
                    (object)['rows' => array_values($rows)]);
            }
        }
    }

    /**
     * Deletes every queue row about users (system context only).
     *
     * @param \context $context the context
     */
    public static function delete_data_for_all_users_in_context(\context $context) {
        global $DB;
        if ($context->contextlevel == CONTEXT_SYSTEM) {
            $DB->delete_records_select('local_schooltool_queue', 'userid > 0');
        }
    }

    /**
     * Deletes the queue rows of one user.
     *
     * @param approved_contextlist $contextlist approved contexts
     */
    public static function delete_data_for_user(approved_contextlist $contextlist) {
        global $DB;
        foreach ($contextlist->get_contexts() as $context) {
            if ($context->contextlevel == CONTEXT_SYSTEM) {
                $DB->delete_records('local_schooltool_queue', ['userid' => $contextlist->get_user()->id]);
            }
        }
    }

    /**
     * Deletes the queue rows of several users.
     *
     * @param approved_userlist $userlist approved users
     */
    public static function delete_data_for_users(approved_userlist $userlist) {
        global $DB;
        if ($userlist->get_context()->contextlevel != CONTEXT_SYSTEM || !$userlist->get_userids()) {
            return;
        }
        [$insql, $params] = $DB->get_in_or_equal($userlist->get_userids(), SQL_PARAMS_NAMED);
        $DB->delete_records_select('local_schooltool_queue', "userid $insql", $params);
    }
}
