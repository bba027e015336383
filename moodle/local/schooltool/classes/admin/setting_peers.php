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
 * Admin setting: choose the SchoolBridge peers among the MNet peers.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\admin;

use local_schooltool\peers;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->libdir . '/adminlib.php');

/**
 * Multi-checkbox whose choices (the MNet peers) are loaded only when the page is shown.
 */
class setting_peers extends \admin_setting_configmulticheckbox {

    /**
     * Constructor.
     *
     * @param string $name setting name
     * @param string $visiblename label
     * @param string $description help
     */
    public function __construct($name, $visiblename, $description) {
        parent::__construct($name, $visiblename, $description, [], null);
    }

    /**
     * Loads the peers.
     *
     * @return bool
     */
    public function load_choices() {
        if (is_array($this->choices)) {
            return true;
        }
        $this->choices = peers::choices();
        return true;
    }

    /**
     * Shows a hint instead of an empty list when there is no peer.
     *
     * @param mixed $data current value
     * @param string $query search query
     * @return string HTML
     */
    public function output_html($data, $query = '') {
        $this->load_choices();
        if (empty($this->choices)) {
            return format_admin_setting($this, $this->visiblename,
                \html_writer::div(get_string('nopeers', 'local_schooltool'), 'alert alert-warning'),
                $this->description, false, '', null, $query);
        }
        return parent::output_html($data, $query);
    }
}
