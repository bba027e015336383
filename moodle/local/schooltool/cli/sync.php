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
 * CLI full sync to a SchoolBridge peer.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

use local_schooltool\local\fault_policy;

define('CLI_SCRIPT', true);

require(__DIR__ . '/../../../config.php');
require_once($CFG->libdir . '/clilib.php');

[$options, $unrecognised] = cli_get_params(['peer' => '', 'queue-only' => false, 'help' => false], ['h' => 'help']);
if ($unrecognised) {
    cli_error(get_string('cliunknowoption', 'admin', implode("\n  ", $unrecognised)));
}
if ($options['help'] || $options['peer'] === '') {
    cli_writeln(get_string('cli_help', 'local_schooltool'));
    exit($options['help'] ? 0 : 2);
}

$peerarg = trim((string)$options['peer']);
$configured = \local_schooltool\peers::configured();
$peerid = 0;
if (ctype_digit($peerarg)) {
    $peerid = (int)$peerarg;
} else {
    $peerid = (int)$DB->get_field('mnet_host', 'id', ['wwwroot' => rtrim($peerarg, '/'), 'deleted' => 0]);
}
if (!$peerid || !in_array($peerid, $configured, true)) {
    cli_error(get_string('cli_nopeer', 'local_schooltool', $peerarg), 2);
}

$count = \local_schooltool\fullsync::queue_all($peerid, function (string $message) {
    cli_writeln($message);
});
cli_writeln(get_string('cli_queued', 'local_schooltool', $count));
if ($options['queue-only']) {
    exit(0);
}

$total = [fault_policy::OK => 0, 'waiting' => 0, fault_policy::PERMANENT => 0];
$progress = function (\stdClass $row, string $outcome) use (&$total) {
    if ($outcome === fault_policy::OK) {
        $total[fault_policy::OK]++;
        if ($total[fault_policy::OK] % 500 === 0) {
            cli_writeln('  sent ' . $total[fault_policy::OK]);
        }
    } else if ($outcome === fault_policy::PERMANENT) {
        $total[fault_policy::PERMANENT]++;
    } else if ($outcome !== fault_policy::TRANSIENT) {
        $total['waiting']++;
    }
};
$stats = \local_schooltool\dispatcher::drain($peerid, 0, true, $progress);
if ($stats['batches'] > 0) {
    cli_writeln(get_string('cli_batches', 'local_schooltool', $stats['batches']));
}
cli_writeln(get_string('cli_sent', 'local_schooltool', (object)['ok' => $total[fault_policy::OK],
    'waiting' => $total['waiting'], 'failed' => $total[fault_policy::PERMANENT]]));
if ($stats['skipped'] || $stats[fault_policy::TRANSIENT] > 0) {
    $state = \local_schooltool\peers::state($peerid);
    cli_writeln(get_string('cli_stopped', 'local_schooltool', (string)$state->lasterror));
    exit(1);
}
exit(0);
