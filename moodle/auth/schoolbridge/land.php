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
 * The land page (this site as service provider): a person signed in at an identity provider
 * (SchoolBridge) arrives with a token; the identity provider confirms it (user_authorise), the
 * person is found or created by (username, identity provider) and signed in here.
 *
 *   /auth/schoolbridge/land.php?token=…&idp=<identity provider's wwwroot>&wantsurl=/path[&remoteurl=1]
 *
 * When this plugin is not enabled but Moodle's own auth_mnet is (Moodle 4.5 sites that keep it),
 * the arrival goes on to auth_mnet's land page, which reads the same tokens.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

require(__DIR__ . '/../../config.php');
require_once($CFG->dirroot . '/mnet/peer.php');

$token = required_param('token', PARAM_BASE64);
$idpwwwroot = required_param('idp', PARAM_URL);
$wantsurl = optional_param('wantsurl', '/', PARAM_LOCALURL);
$remoteurl = optional_param('remoteurl', false, PARAM_BOOL);

$params = ['token' => $token, 'idp' => $idpwwwroot, 'wantsurl' => $wantsurl];
if ($remoteurl) {
    $params['remoteurl'] = 1;
}
$PAGE->set_url(new moodle_url('/auth/schoolbridge/land.php', $params));
$PAGE->set_context(context_system::instance());

if (!is_enabled_auth('schoolbridge')) {
    if (is_enabled_auth('mnet') && file_exists($CFG->dirroot . '/auth/mnet/land.php')) {
        redirect(new moodle_url('/auth/mnet/land.php', $params));
    }
    throw new moodle_exception('disabled', 'auth_schoolbridge');
}

$idp = new mnet_peer();
if (!$idp->set_wwwroot($idpwwwroot) || !empty($idp->deleted)) {
    throw new moodle_exception('notpermittedtoland', 'mnet');
}
$local = \auth_schoolbridge\sso::confirm_landing($token, $idp);
$user = get_complete_user_data('id', $local->id, $local->mnethostid);
complete_user_login($user);
\auth_schoolbridge\sso::record_landing($user, $token, $idp);

if ($remoteurl) {
    redirect($idp->wwwroot . $wantsurl);
}
redirect($CFG->wwwroot . $wantsurl);
