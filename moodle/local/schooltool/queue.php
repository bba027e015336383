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
 * Queue page: delivery status per peer, the rows of one peer, and the retry / full sync / dismiss actions.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use local_schooltool\local\fault_policy;
use local_schooltool\local\queue_policy;

require(__DIR__ . '/../../config.php');
require_once($CFG->libdir . '/adminlib.php');

$peerid = optional_param('peerid', 0, PARAM_INT);
$action = optional_param('action', '', PARAM_ALPHA);
$rowid = optional_param('rowid', 0, PARAM_INT);
$filter = optional_param('filter', 'open', PARAM_ALPHA);
$page = optional_param('page', 0, PARAM_INT);
$perpage = 100;

admin_externalpage_setup('local_schooltool_queue', '', ['peerid' => $peerid, 'filter' => $filter]);
$baseurl = new moodle_url('/local/schooltool/queue.php', ['peerid' => $peerid, 'filter' => $filter]);

if ($action !== '') {
    require_sesskey();
    if ($action === 'retry' && $peerid) {
        $rows = \local_schooltool\queue::retry_now($peerid);
        $stats = \local_schooltool\dispatcher::drain($peerid, 20, true);
        $counts = \local_schooltool\queue::counts($peerid);
        $a = (object)['rows' => $rows, 'ok' => $stats[fault_policy::OK],
            'left' => $counts[queue_policy::PENDING] + $counts[queue_policy::FAILED]];
        redirect($baseurl, get_string('retried', 'local_schooltool', $a));
    } else if ($action === 'fullsync' && $peerid) {
        \local_schooltool\fullsync::request($peerid);
        redirect($baseurl, get_string('fullsyncqueued', 'local_schooltool'));
    } else if ($action === 'dismiss' && $rowid) {
        \local_schooltool\queue::dismiss($rowid);
        redirect($baseurl, get_string('dismissed', 'local_schooltool'));
    }
    redirect($baseurl);
}

echo $OUTPUT->header();
echo $OUTPUT->heading(get_string('queue', 'local_schooltool'));
echo \local_schooltool\admin\setting_status::peers_table();

if ($peerid) {
    $filters = ['open' => [queue_policy::PENDING, queue_policy::FAILED], 'failed' => [queue_policy::FAILED],
        'all' => [queue_policy::PENDING, queue_policy::SENT, queue_policy::FAILED, queue_policy::DRYRUN,
            queue_policy::DISMISSED]];
    if (!isset($filters[$filter])) {
        $filter = 'open';
    }
    $links = [];
    foreach (array_keys($filters) as $name) {
        $label = get_string('filter_' . $name, 'local_schooltool');
        $links[] = $name === $filter ? html_writer::tag('strong', $label)
            : html_writer::link(new moodle_url($baseurl, ['filter' => $name]), $label);
    }
    echo html_writer::tag('p', implode(' | ', $links));

    [$insql, $params] = $DB->get_in_or_equal($filters[$filter], SQL_PARAMS_NAMED);
    $params['peerid'] = $peerid;
    $where = "peerid = :peerid AND status $insql";
    $total = $DB->count_records_select(\local_schooltool\queue::TABLE, $where, $params);
    $rows = $DB->get_records_select(\local_schooltool\queue::TABLE, $where, $params,
        $filter === 'all' ? 'id DESC' : 'id ASC', '*', $page * $perpage, $perpage);
    if (!$rows) {
        echo $OUTPUT->notification(get_string('emptyqueue', 'local_schooltool'), 'info');
    } else {
        $table = new html_table();
        $table->head = array_map(function ($s) {
            return get_string($s, 'local_schooltool');
        }, ['col_id', 'col_created', 'col_method', 'col_record', 'col_status', 'col_attempts', 'nextattempt',
            'col_error', 'col_payload', 'actions']);
        $sm = get_string_manager();
        foreach ($rows as $row) {
            $error = '';
            if ($row->lasterror !== null && $row->lasterror !== '') {
                $error = s($row->lasterror);
                if ($row->faultcode && $sm->string_exists('fault' . $row->faultcode, 'local_schooltool')) {
                    $error .= html_writer::div(get_string('fault' . $row->faultcode, 'local_schooltool'), 'small text-muted');
                }
            }
            $action = '';
            if ((int)$row->status === queue_policy::FAILED || (int)$row->status === queue_policy::PENDING) {
                $action = html_writer::link(new moodle_url($baseurl, ['action' => 'dismiss', 'rowid' => $row->id,
                    'sesskey' => sesskey()]), get_string('dismiss', 'local_schooltool'));
            }
            $status = get_string('status' . (int)$row->status, 'local_schooltool');
            if ((int)$row->status === queue_policy::FAILED) {
                $status = html_writer::span($status, 'badge badge-danger bg-danger');
            }
            $table->data[] = [
                $row->id,
                userdate($row->timecreated, get_string('strftimedatetimeshort', 'core_langconfig')),
                s($row->methodname),
                s($row->recordkey),
                $status,
                $row->attempts,
                ((int)$row->status === queue_policy::PENDING && $row->nextattempt > time())
                    ? userdate($row->nextattempt, get_string('strftimedatetimeshort', 'core_langconfig')) : '',
                $error,
                html_writer::tag('code', s($row->payload), ['style' => 'white-space: pre-wrap; word-break: break-all']),
                $action,
            ];
        }
        echo html_writer::table($table);
        echo $OUTPUT->paging_bar($total, $page, $perpage, $baseurl);
    }
}

echo $OUTPUT->footer();
