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
 * Upgrade steps of local_schooltool.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

/**
 * Upgrades the plugin from $oldversion.
 *
 * @param int $oldversion the version installed before
 * @return bool
 */
function xmldb_local_schooltool_upgrade($oldversion) {
    global $DB;
    $dbman = $DB->get_manager();

    if ($oldversion < 2026120401) {
        // 0.2.0: an error followed by a successful call is shown as resolved, with the time it was.
        $table = new xmldb_table('local_schooltool_peer');
        $field = new xmldb_field('lasterrorresolved', XMLDB_TYPE_INTEGER, '10', null, XMLDB_NOTNULL, null, '0',
            'lasterrortime');
        if (!$dbman->field_exists($table, $field)) {
            $dbman->add_field($table, $field);
        }
        $DB->execute('UPDATE {local_schooltool_peer} SET lasterrorresolved = lastsuccess
                       WHERE lasterrortime > 0 AND lastsuccess > lasterrortime');

        // 0.2.0: exclusions found in the grade history (no event) from now on; earlier ones need a full sync.
        set_config(\local_schooltool\grade_history_scan::SETTING, time(), 'local_schooltool');
        upgrade_plugin_savepoint(true, 2026120401, 'local', 'schooltool');
    }

    if ($oldversion < 2026120600) {
        // 0.4.0: Moodle's course totals are a new kind of change. A site that sends grades sends them too (a new
        // install has every kind on); an administrator can switch them off under "Changes to send".
        $kinds = get_config('local_schooltool', 'kinds');
        if ($kinds !== false) {
            $list = array_filter(explode(',', (string)$kinds));
            if (in_array('grades', $list, true) && !in_array('coursetotals', $list, true)) {
                $list[] = 'coursetotals';
                set_config('kinds', implode(',', $list), 'local_schooltool');
            }
        }
        upgrade_plugin_savepoint(true, 2026120600, 'local', 'schooltool');
    }
    return true;
}
