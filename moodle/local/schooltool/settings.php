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
 * Admin settings of local_schooltool: status, peers, kinds of changes, dry run, teacher roles; and the queue page.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

if ($hassiteconfig) {
    $ADMIN->add('localplugins', new admin_category('local_schooltool_category',
        get_string('pluginname', 'local_schooltool')));

    $settings = new admin_settingpage('local_schooltool', get_string('settings', 'local_schooltool'));
    if ($ADMIN->fulltree) {
        $settings->add(new \local_schooltool\admin\setting_status());

        $settings->add(new admin_setting_heading('local_schooltool/settingsheading',
            get_string('settingsheading', 'local_schooltool'), ''));

        $settings->add(new \local_schooltool\admin\setting_peers('local_schooltool/peers',
            get_string('peers', 'local_schooltool'), get_string('peers_desc', 'local_schooltool')));

        $kinds = [];
        foreach (\local_schooltool\peers::KINDS as $kind) {
            $kinds[$kind] = get_string('kind_' . $kind, 'local_schooltool');
        }
        $settings->add(new admin_setting_configmulticheckbox('local_schooltool/kinds',
            get_string('kinds', 'local_schooltool'), get_string('kinds_desc', 'local_schooltool'),
            array_fill_keys(\local_schooltool\peers::KINDS, 1), $kinds));

        $settings->add(new admin_setting_configcheckbox('local_schooltool/dryrun',
            get_string('dryrun', 'local_schooltool'), get_string('dryrun_desc', 'local_schooltool'), 0));

        $settings->add(new admin_setting_pickroles('local_schooltool/teacherroles',
            get_string('teacherroles', 'local_schooltool'), get_string('teacherroles_desc', 'local_schooltool'),
            ['editingteacher']));
    }
    $ADMIN->add('local_schooltool_category', $settings);

    $ADMIN->add('local_schooltool_category', new admin_externalpage('local_schooltool_queue',
        get_string('queue', 'local_schooltool'), new moodle_url('/local/schooltool/queue.php')));
}
