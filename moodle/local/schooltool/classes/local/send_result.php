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
 * Outcome of one call (pure PHP value object).
 *
 * @package    local_schooltool
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace local_schooltool\local;

defined('MOODLE_INTERNAL') || die();

/**
 * What a sender reports back: the reply, a fault, a transport error, or "only logged" (dry run).
 */
class send_result {

    /** @var bool the call was applied */
    public $ok;
    /** @var bool the call was only logged */
    public $dryrun = false;
    /** @var int|null XML-RPC faultCode, null for success and transport errors */
    public $faultcode = null;
    /** @var string human readable error */
    public $message = '';
    /** @var mixed decoded reply */
    public $response = null;

    /**
     * Constructor.
     *
     * @param bool $ok success
     */
    private function __construct(bool $ok) {
        $this->ok = $ok;
    }

    /**
     * A reply.
     *
     * @param mixed $response decoded reply struct
     * @return self
     */
    public static function success($response): self {
        $r = new self(true);
        $r->response = $response;
        return $r;
    }

    /**
     * Logged instead of sent.
     *
     * @return self
     */
    public static function dryrun(): self {
        $r = new self(true);
        $r->dryrun = true;
        return $r;
    }

    /**
     * An XML-RPC fault.
     *
     * @param int $code faultCode
     * @param string $message faultString
     * @return self
     */
    public static function fault(int $code, string $message): self {
        $r = new self(false);
        $r->faultcode = $code;
        $r->message = $message;
        return $r;
    }

    /**
     * No usable reply: connection, HTTP, envelope or configuration problem.
     *
     * @param string $message what went wrong
     * @return self
     */
    public static function transport(string $message): self {
        $r = new self(false);
        $r->message = $message;
        return $r;
    }

    /**
     * fault_policy class of this result.
     *
     * @param string $method short method name of the call
     * @return string
     */
    public function outcome(string $method = ''): string {
        return $this->ok ? fault_policy::OK : fault_policy::classify($this->faultcode, $method);
    }
}
