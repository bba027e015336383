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
 * Admin "setting" that shows the delivery status of each peer on the settings page.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\admin;

use local_schooltool\local\peer_status;
use local_schooltool\local\queue_policy;
use local_schooltool\peers;
use local_schooltool\queue;

defined('MOODLE_INTERNAL') || die();

global $CFG;
require_once($CFG->libdir . '/adminlib.php');

/**
 * Stores nothing; renders the status table (queried only when the page is displayed).
 */
class setting_status extends \admin_setting {

    /**
     * Constructor.
     */
    public function __construct() {
        $this->nosave = true;
        parent::__construct('local_schooltool/status', get_string('statusheading', 'local_schooltool'),
            get_string('statusheading_desc', 'local_schooltool', get_string('task_drain', 'local_schooltool')), '');
    }

    /**
     * Nothing stored.
     *
     * @return bool
     */
    public function get_setting() {
        return true;
    }

    /**
     * Nothing stored.
     *
     * @return bool
     */
    public function get_defaultsetting() {
        return true;
    }

    /**
     * Nothing to save.
     *
     * @param mixed $data ignored
     * @return string empty: no error
     */
    public function write_setting($data) {
        return '';
    }

    /**
     * Renders the status.
     *
     * @param mixed $data ignored
     * @param string $query search query
     * @return string HTML
     */
    public function output_html($data, $query = '') {
        global $OUTPUT;
        return $OUTPUT->heading($this->visiblename, 3) . \html_writer::tag('p', $this->description)
            . self::peers_table();
    }

    /**
     * Table of every MNet peer that is chosen or has rows: services, queue counts, last success and error, actions.
     *
     * @return string HTML
     */
    public static function peers_table(): string {
        global $DB;
        $configured = peers::configured();
        $choices = peers::choices();
        $withrows = array_map('intval', $DB->get_fieldset_sql('SELECT DISTINCT peerid FROM {' . queue::TABLE . '}'));
        $ids = array_values(array_unique(array_merge($configured, array_intersect($withrows, array_keys($choices)))));
        $html = '';
        if (peers::dry_run()) {
            $html .= \html_writer::div(get_string('dryrunon', 'local_schooltool'), 'alert alert-info');
        }
        if (!$ids) {
            return $html . \html_writer::div(get_string($choices ? 'emptyqueue' : 'nopeers', 'local_schooltool'),
                'alert alert-info');
        }
        $table = new \html_table();
        $table->head = array_map(function ($s) {
            return get_string($s, 'local_schooltool');
        }, ['peer', 'sending', 'subscribed', 'published', 'pending', 'needsadmin', 'lastsuccess', 'lasterror',
            'nextattempt', 'fullsyncstate', 'actions']);
        $yes = get_string('yes');
        $no = get_string('no');
        foreach ($ids as $peerid) {
            $state = $DB->get_record('local_schooltool_peer', ['peerid' => $peerid]);
            $counts = queue::counts($peerid);
            $url = new \moodle_url('/local/schooltool/queue.php', ['peerid' => $peerid, 'sesskey' => sesskey()]);
            $button = ['class' => 'btn btn-secondary btn-sm mb-1'];
            $actions = [
                \html_writer::link(new \moodle_url($url, ['action' => 'retry']), get_string('retrynow', 'local_schooltool'),
                    $button),
                \html_writer::link(new \moodle_url($url, ['action' => 'fullsync']), get_string('fullsync', 'local_schooltool'),
                    $button),
                \html_writer::link(new \moodle_url('/local/schooltool/queue.php', ['peerid' => $peerid]),
                    get_string('viewqueue', 'local_schooltool'), $button),
            ];
            $subscribed = peers::subscribes($peerid);
            $failed = $counts[queue_policy::FAILED];
            $table->data[] = [
                $choices[$peerid] ?? (string)$peerid,
                in_array($peerid, $configured, true) ? $yes : $no,
                $subscribed ? $yes : \html_writer::span($no, 'text-danger'),
                peers::publishes($peerid) ? $yes : $no,
                $counts[queue_policy::PENDING],
                $failed ? \html_writer::span((string)$failed, 'badge badge-danger bg-danger') : '0',
                ($state && $state->lastsuccess) ? userdate($state->lastsuccess) : get_string('never', 'local_schooltool'),
                self::last_error_cell($state),
                ($state && $state->nextattempt > time()) ? userdate($state->nextattempt)
                    : get_string('now', 'local_schooltool'),
                self::full_sync_cell($peerid),
                implode(' ', $actions),
            ];
        }
        return $html . \html_writer::table($table);
    }

    /**
     * The "Full sync" cell: none yet, queued for cron, how far it is, or when the last one ended.
     *
     * @param int $peerid mnet_host.id
     * @return string HTML
     */
    private static function full_sync_cell(int $peerid): string {
        $progress = \local_schooltool\fullsync::progress($peerid);
        if ($progress === null) {
            return \html_writer::span(get_string('fullsync_none', 'local_schooltool'), '', ['data-fullsync' => 'none']);
        }
        [$state, $text] = $progress;
        return \html_writer::span($text, $state === 'done' ? 'text-success' : '', ['data-fullsync' => $state]);
    }

    /**
     * The "Last error" cell: none; the error in red while it is the newest event; or "resolved" with
     * the time of the success that followed, the old error below it in small print.
     *
     * @param \stdClass|false $state local_schooltool_peer record
     * @return string HTML
     */
    private static function last_error_cell($state): string {
        $kind = $state ? peer_status::last_error_state((int)$state->lasterrortime, $state->lasterror,
            (int)$state->lasterrorresolved) : peer_status::NONE;
        if ($kind === peer_status::NONE) {
            return \html_writer::span(get_string('none', 'local_schooltool'), '', ['data-lasterror' => $kind]);
        }
        $error = userdate($state->lasterrortime) . ': ' . s($state->lasterror);
        if ($kind === peer_status::CURRENT) {
            return \html_writer::span($error, 'text-danger', ['data-lasterror' => $kind]);
        }
        return \html_writer::span(get_string('lasterror_resolved', 'local_schooltool',
                userdate($state->lasterrorresolved)),
                'text-success', ['data-lasterror' => $kind])
            . \html_writer::div(get_string('lasterror_earlier', 'local_schooltool', $error), 'small text-muted');
    }
}
