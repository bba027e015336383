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
 * English strings for auth_schoolbridge.
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['adopted'] = 'On {$a->time} this plugin took over from Moodle\'s removed MNet authentication (auth_mnet). Accounts of people who sign in from other MNet sites moved to it: {$a->users}. MNet methods auth_mnet had left behind, removed: {$a->rpcs}. SchoolBridge single sign-on is {$a->enabled}.';
$string['adopted_enabled'] = 'enabled';
$string['adopted_notenabled'] = 'not enabled (enable it under Manage authentication if people should roam)';
$string['adoption_line_enabled'] = 'auth_schoolbridge: enabled in Manage authentication, as MNet single sign-on was in use';
$string['adoption_line_rpcs'] = 'auth_schoolbridge: MNet methods of the removed auth_mnet removed: {$a} (their services and the ticks on the peers\' Services tabs stay)';
$string['adoption_line_users'] = 'auth_schoolbridge: accounts of people who sign in from other MNet sites moved from auth_mnet to auth_schoolbridge: {$a}';
$string['adoption_nothing'] = 'Moodle\'s MNet authentication (auth_mnet) is not installed, and it left nothing to take over.';
$string['adoption_none'] = 'Moodle\'s MNet authentication (auth_mnet) is installed on this site: both plugins can be enabled together; see the plugin\'s README for which one to use.';
$string['auth_schoolbridgedescription'] = 'Single sign-on with SchoolBridge over Moodle Networking (MNet), on Moodle 4.1 to 5.x: people of this site open SchoolBridge already signed in, and SchoolBridge\'s people open this site already signed in. It replaces Moodle\'s MNet authentication, which Moodle 5.0 removed, and works beside it on Moodle 4.5.';
$string['cli_adopt_help'] = 'Takes over what Moodle\'s removed MNet authentication (auth_mnet) left behind, as the plugin\'s scheduled task does within five minutes: people who sign in from other MNet sites, and auth_mnet\'s leftover MNet methods. Does nothing while auth_mnet is installed.

Options:
-h, --help   Print this help.';
$string['disabled'] = 'Single sign-on with SchoolBridge is not enabled on this site (Site administration → Plugins → Authentication → Manage authentication).';
$string['networkservers'] = 'Network servers';
$string['notconfigured'] = 'Single sign-on with {$a} is not switched on: tick sso_idp and sso_sp on the peer\'s Services tab.';
$string['pluginname'] = 'SchoolBridge single sign-on (MNet)';
$string['privacy:metadata:mnet'] = 'To sign a person in at another MNet site (SchoolBridge), the other site is sent the identity of the person.';
$string['privacy:metadata:mnet:email'] = 'The email address.';
$string['privacy:metadata:mnet:firstname'] = 'The first name.';
$string['privacy:metadata:mnet:idnumber'] = 'The ID number, when the site exports it (MNet profile fields).';
$string['privacy:metadata:mnet:lastname'] = 'The last name.';
$string['privacy:metadata:mnet:username'] = 'The username.';
$string['refused'] = 'You cannot sign in from {$a->host} as {$a->user}.';
$string['rpcerror'] = '{$a} could not confirm your sign-in. Go back and follow the link again; if it keeps failing, tell the site administrator.';
// Moodle's Services tab for a peer (admin/mnet/services_form.php) names an MNet service by
// '<service>_name' and '<service>_description' of a plugin that publishes it; {$a} is the peer.
$string['sso_idp_description'] = 'Publish: this site is an identity provider for {$a} (its people may open {$a} already signed in). Subscribe: this site accepts people who sign in at {$a}.';
$string['sso_idp_name'] = 'Identity provider (single sign-on)';
$string['sso_sp_description'] = 'Publish: people of {$a} may open this site already signed in. Subscribe: this site\'s people may open {$a} already signed in.';
$string['sso_sp_name'] = 'Service provider (single sign-on)';
$string['status'] = 'Status';
$string['task_sessions'] = 'Keep single sign-on sessions with MNet sites alive';
