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
 * English strings for local_schooltool.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['actions'] = 'Actions';
$string['cli_help'] = 'Full sync to a SchoolBridge peer: queues every user, course, enrolment, teacher role, grade item and grade, then sends them.

Options:
--peer=ID|WWWROOT  The MNet peer (its id or wwwroot); it must be chosen in the plugin settings.
--queue-only       Only queue; leave sending to the scheduled task.
-h, --help         Print this help.

Example:
$ sudo -u www-data /usr/bin/php local/schooltool/cli/sync.php --peer=https://sis.example.org';
$string['cli_nopeer'] = 'Unknown or unconfigured peer "{$a}". Choose it in the plugin settings first.';
$string['cli_queued'] = 'Queued {$a} rows.';
$string['cli_sent'] = 'Sent: {$a->ok}, waiting for a prerequisite or retry: {$a->waiting}, needing an admin: {$a->failed}.';
$string['cli_batches'] = 'Calls: {$a} of schooltool/sis/batch (up to 1000 changes each).';
$string['cli_stopped'] = 'Stopped: the peer cannot take calls now ({$a}). The scheduled task sends the rest.';
$string['col_attempts'] = 'Attempts';
$string['col_created'] = 'Queued';
$string['col_error'] = 'Error';
$string['col_id'] = 'Row';
$string['col_method'] = 'Method';
$string['col_payload'] = 'Call';
$string['col_record'] = 'Record';
$string['col_status'] = 'Status';
$string['dismiss'] = 'Dismiss';
$string['dismissed'] = 'Row dismissed.';
$string['dryrun'] = 'Dry run';
$string['dryrun_desc'] = 'Log every call (cron or CLI output, the web server\'s error log, and the queue page) instead of sending it. Rows handled in dry run are not sent later: run a full sync after switching dry run off.';
$string['dryrunon'] = 'Dry run is on: calls are logged, not sent.';
$string['emptyqueue'] = 'Nothing to show.';
$string['error_networkingoff'] = 'Networking is off (Site administration → Advanced features → Networking).';
$string['error_nopeer'] = 'MNet peer {$a} does not exist or was deleted.';
$string['error_notsubscribed'] = 'This site does not subscribe to the schooltool_sis service on this peer: tick Subscribe on the peer\'s Services tab.';
$string['error_rc4'] = 'Fault 7023 means the message could not be decrypted. MNet encrypts with RC4, which OpenSSL 3 only offers in its legacy provider: enable the legacy provider in the openssl.cnf used by PHP on both sides (see the plugin README).';
$string['fault7023'] = 'SchoolBridge could not decrypt the call: see the RC4 / OpenSSL note.';
$string['fault7012'] = 'SchoolBridge does not offer this call. For remove_grade (a cleared grade) SchoolBridge is older than this plugin: upgrade it, then Retry now. For any other call: tick Publish for schooltool_sis on SchoolBridge\'s peer page for this Moodle.';
$string['fault7025'] = 'SchoolBridge has a new key; Moodle fetched it and will use it.';
$string['fault8101'] = 'A required field is missing or empty. Fix the record in Moodle; saving it sends a corrected call.';
$string['fault8102'] = 'A field has a value SchoolBridge cannot use (for example too long or not a number). Fix the record in Moodle.';
$string['fault8103'] = 'SchoolBridge does not know the course yet; it is sent first and the call retried.';
$string['fault8104'] = 'SchoolBridge does not know the person yet; they are sent first and the call retried.';
$string['fault8105'] = 'SchoolBridge does not know the grade item yet; it is sent first and the call retried.';
$string['fault8106'] = 'SchoolBridge could not read the call. This is a bug in the plugin or in SchoolBridge.';
$string['fault8107'] = 'The same eventid was already used for another change. This is a bug: dismiss the row and run a full sync.';
$string['fault8199'] = 'SchoolBridge could not take the change right now (busy, or its database unavailable); it will be retried.';
$string['filter_all'] = 'All';
$string['filter_failed'] = 'Needs an admin';
$string['filter_open'] = 'Waiting and failed';
$string['fullsync'] = 'Full sync';
$string['fullsync_done'] = 'Last: {$a->time}; {$a->queued} changes queued, none waiting';
$string['fullsync_none'] = 'None yet';
$string['fullsync_requested'] = 'Queued {$a}; it runs with the next cron run';
$string['fullsync_running'] = 'Started {$a->time}: {$a->queued} changes queued, {$a->pending} still waiting to be sent';
$string['fullsyncqueued'] = 'A full sync has been queued; it runs with the next cron run.';
$string['fullsyncstate'] = 'Full sync';
$string['kind_assessments'] = 'Graded activities and grade items (new_assessment, remove_assessment)';
$string['kind_courses'] = 'Courses (new_section)';
$string['kind_coursetotals'] = 'Moodle\'s course totals, as Moodle computes them (new_assessment with kind course_total, and its grades; needs grade items and grades on too, and a SchoolBridge that knows the kind)';
$string['kind_enrolments'] = 'Student enrolments and unenrolments (new_enrolment, remove_enrolment)';
$string['kind_grades'] = 'Grades (new_grade, remove_grade)';
$string['kind_teachers'] = 'Teacher roles (new_enrolment, remove_enrolment with role teacher)';
$string['kind_users'] = 'Users (fetch_user)';
$string['kinds'] = 'Changes to send';
$string['kinds_desc'] = 'Kinds of changes sent as they happen and by a full sync. Keep enrolments and teachers both on: a teacher enrolled with only "enrolments" on would arrive as a student.';
$string['lasterror'] = 'Last error';
$string['lasterror_earlier'] = 'It was: {$a}';
$string['lasterror_resolved'] = 'Resolved: delivered again on {$a}';
$string['lastsuccess'] = 'Last success';
$string['needsadmin'] = 'Needs an admin';
$string['never'] = 'Never';
$string['nextattempt'] = 'Next attempt';
$string['none'] = 'None';
$string['nopeers'] = 'There is no MNet peer yet. Add SchoolBridge under Site administration → Networking → Manage peers.';
$string['now'] = 'Now';
$string['peer'] = 'Peer';
$string['peers'] = 'Peers that receive data';
$string['peers_desc'] = 'MNet peers running SchoolBridge. Add the peer under Site administration → Networking → Manage peers first, then on its Services tab tick both Publish and Subscribe for the "schooltool_sis" service.';
$string['pending'] = 'Waiting';
$string['pluginname'] = 'SchoolTool SIS (SchoolBridge)';
$string['privacy:metadata:queue'] = 'Changes waiting to be sent to, or recently sent to, a SchoolBridge student information system.';
$string['privacy:metadata:queue:payload'] = 'The data sent: identifiers, username, names, email address, enrolments and grades.';
$string['privacy:metadata:queue:timecreated'] = 'When the change was queued.';
$string['privacy:metadata:queue:userid'] = 'The user the change is about.';
$string['privacy:metadata:schooltool_sis'] = 'User data is sent to the SchoolBridge student information system over MNet.';
$string['privacy:metadata:schooltool_sis:email'] = 'The email address.';
$string['privacy:metadata:schooltool_sis:enrolments'] = 'Course enrolments and teacher roles.';
$string['privacy:metadata:schooltool_sis:firstname'] = 'The first name.';
$string['privacy:metadata:schooltool_sis:grades'] = 'Grades and whether they are excluded.';
$string['privacy:metadata:schooltool_sis:idnumber'] = 'The user\'s ID number, or an id derived from the Moodle user id.';
$string['privacy:metadata:schooltool_sis:lastname'] = 'The last name.';
$string['privacy:metadata:schooltool_sis:username'] = 'The username.';
$string['published'] = 'schooltool_sis published';
$string['queue'] = 'Queue and delivery status';
$string['retried'] = '{$a->rows} rows retried now: {$a->ok} sent; {$a->left} still waiting or needing an admin.';
$string['retrynow'] = 'Retry now';
// Moodle's Services tab for a peer (admin/mnet/services_form.php) names an MNet service by
// '<service>_name' and '<service>_description' of the plugin that publishes it; {$a} is the peer.
$string['schooltool_sis_description'] = 'Subscribe: this site sends its users, courses, enrolments, grade items and grades to {$a} as they change. Publish: {$a} may ask this site for a user\'s enrolments and for a full sync. Choose {$a} under <em>Peers that receive data</em> in the SchoolTool SIS plugin settings too.';
$string['schooltool_sis_name'] = 'SchoolTool SIS (users, enrolments and grades to the school\'s records)';
$string['sending'] = 'Chosen in settings';
$string['settings'] = 'Settings';
$string['settingsheading'] = 'What to send, and where';
$string['status0'] = 'Waiting';
$string['status1'] = 'Sent';
$string['status2'] = 'Needs an admin';
$string['status3'] = 'Dry run (logged)';
$string['status4'] = 'Dismissed';
$string['statusheading'] = 'Delivery status';
$string['statusheading_desc'] = 'Every change is queued first and then sent at once; what cannot be sent is retried by the scheduled task "{$a}" with growing delays.';
$string['subscribed'] = 'Subscribed to schooltool_sis';
$string['task_drain'] = 'Send queued changes to SchoolBridge';
$string['task_fullsync'] = 'Full sync to SchoolBridge';
$string['teacherroles'] = 'Teacher roles';
$string['teacherroles_desc'] = 'Roles in a course that make a user a teacher of the section. The first user given one of these roles in a course is the section\'s teacher.';
$string['viewqueue'] = 'View queue';
