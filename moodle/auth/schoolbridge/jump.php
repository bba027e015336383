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
 * The jump (this site as identity provider): sends the person signed in here to a peer's land page
 * with a fresh token.
 *
 *   /auth/schoolbridge/jump.php?hostid=N[&wantsurl=/path]   or   ?hostwwwroot=https://sis.example.org
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');

$hostid = optional_param('hostid', 0, PARAM_INT);
$hostwwwroot = optional_param('hostwwwroot', '', PARAM_URL);
$wantsurl = optional_param('wantsurl', '/', PARAM_RAW);

$url = new moodle_url('/auth/schoolbridge/jump.php');
foreach (['hostid' => $hostid, 'hostwwwroot' => $hostwwwroot, 'wantsurl' => $wantsurl] as $name => $value) {
    if (!empty($value)) {
        $url->param($name, $value);
    }
}
$PAGE->set_url($url);
$PAGE->set_context(context_system::instance());

if (!isloggedin() || isguestuser()) {
    $SESSION->wantsurl = $PAGE->url->out(false);
    redirect(get_login_url());
}
if (!is_enabled_auth('schoolbridge')) {
    throw new moodle_exception('disabled', 'auth_schoolbridge');
}
if (!$hostid && $hostwwwroot !== '') {
    $hostwwwroot = rtrim(trim($hostwwwroot), '/');
    if (stripos($hostwwwroot, 'http') !== 0) {
        $hostwwwroot = 'http://' . $hostwwwroot;
    }
    $hostid = (int)$DB->get_field('mnet_host', 'id', ['wwwroot' => $hostwwwroot, 'deleted' => 0]);
}
// The person's own identity provider: back home, as Moodle's Network servers block does.
if ($hostid && is_mnet_remote_user($USER) && (int)$USER->mnethostid === $hostid) {
    redirect($DB->get_field('mnet_host', 'wwwroot', ['id' => $hostid], MUST_EXIST));
}
redirect(\auth_schoolbridge\sso::start_jump($hostid, $wantsurl));
