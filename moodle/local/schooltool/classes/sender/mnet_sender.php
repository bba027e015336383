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
 * Sends calls with Moodle's own MNet client.
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\sender;

use local_schooltool\local\fault_policy;
use local_schooltool\local\send_result;
use local_schooltool\peers;

defined('MOODLE_INTERNAL') || die();

/**
 * Uses mnet_xmlrpc_client, so signing (RSA-SHA1), encryption (RC4), the 15 s clock check and the
 * 7025 re-key exchange are exactly Moodle's.
 */
class mnet_sender implements sender {

    /** Seconds to wait for one reply (the scheduled task). */
    const TIMEOUT = 30;

    /** @var int seconds to wait for one reply */
    private $timeout;

    /**
     * A sender.
     *
     * @param int $timeout seconds to wait for one reply
     */
    public function __construct(int $timeout = self::TIMEOUT) {
        $this->timeout = $timeout;
    }

    /**
     * Sends a call.
     *
     * @param int $peerid mnet_host.id
     * @param string $method short method name
     * @param array $params the struct
     * @return send_result
     */
    public function call(int $peerid, string $method, array $params): send_result {
        return $this->send($peerid, 'schooltool/sis/' . $method, $params);
    }

    /**
     * Sends a batch of changes in one call.
     *
     * @param int $peerid mnet_host.id
     * @param array[] $changes each a call struct with its `method`
     * @return send_result
     */
    public function batch(int $peerid, array $changes): send_result {
        return $this->send($peerid, 'schooltool/sis/batch', ['changes' => $changes]);
    }

    /**
     * Sends one call with one struct parameter.
     *
     * @param int $peerid mnet_host.id
     * @param string $path the method's path, e.g. schooltool/sis/new_grade
     * @param array $params the struct
     * @return send_result
     */
    private function send(int $peerid, string $path, array $params): send_result {
        global $CFG;
        require_once($CFG->dirroot . '/mnet/xmlrpc/client.php');
        require_once($CFG->dirroot . '/mnet/peer.php');

        if (empty($CFG->mnet_dispatcher_mode) || $CFG->mnet_dispatcher_mode !== 'strict') {
            return send_result::transport(get_string('error_networkingoff', 'local_schooltool'));
        }
        $peer = new \mnet_peer();
        if (!$peer->set_id($peerid) || !empty($peer->deleted)) {
            return send_result::transport(get_string('error_nopeer', 'local_schooltool', $peerid));
        }
        if (!peers::subscribes($peerid)) {
            return send_result::transport(get_string('error_notsubscribed', 'local_schooltool'));
        }

        $client = new \mnet_xmlrpc_client();
        $client->set_timeout($this->timeout);
        $client->set_method($path);
        $client->add_param($params, 'struct');
        if ($client->send($peer) === true) {
            return send_result::success($client->response);
        }
        if (is_array($client->response) && isset($client->response['faultCode'])) {
            return send_result::fault((int)$client->response['faultCode'], (string)($client->response['faultString'] ?? ''));
        }
        $errors = array_map('strval', (array)$client->error);
        $message = trim(implode("\n", $errors));
        $code = fault_policy::code_from_errors($errors);
        if ($code === 7023) {
            $message .= "\n" . get_string('error_rc4', 'local_schooltool');
        }
        return $code === null ? send_result::transport($message) : send_result::fault($code, $message);
    }
}
