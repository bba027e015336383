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
 * The rules of MNet single sign-on that need no Moodle (pure PHP).
 *
 * @package    auth_schoolbridge
 * @copyright  2026 SchoolBridge
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

namespace auth_schoolbridge\local;

defined('MOODLE_INTERNAL') || die();

/**
 * Tokens, the land URL, and what an identity provider's answer must hold (SchoolBridge's
 * docs: mnet-protocol.md §8.1–§8.3).
 */
class landing_rules {

    /** Seconds a jump token may wait for the service provider's user_authorise (Moodle's default). */
    const TOKEN_SECONDS = 30;

    /**
     * A jump token: 40 lowercase hex characters, as Moodle's, from a CSPRNG (Moodle's own is
     * sha1(str_shuffle(mt_rand() . time())), whose entropy is weak).
     *
     * @return string
     */
    public static function new_token(): string {
        return bin2hex(random_bytes(20));
    }

    /**
     * The service provider's land URL, written as Moodle writes it: `idp` not encoded, `wantsurl`
     * url-encoded.
     *
     * @param string $spwwwroot the service provider's wwwroot
     * @param string $landpath its land page, e.g. /auth/mnet/land.php
     * @param string $token the jump token
     * @param string $idpwwwroot this site's wwwroot
     * @param string $wantsurl the page wanted on the service provider
     * @param bool $back whether the service provider should send the person back here afterwards
     * @return string
     */
    public static function land_url(string $spwwwroot, string $landpath, string $token, string $idpwwwroot,
            string $wantsurl, bool $back = false): string {
        return $spwwwroot . $landpath . '?token=' . $token . '&idp=' . $idpwwwroot . '&wantsurl=' . urlencode($wantsurl)
            . ($back ? '&remoteurl=1' : '');
    }

    /**
     * Whether an identity provider's user_authorise answer names a person this site can create or
     * update: a username, a first name, a last name and an e-mail address, none of them empty
     * (Moodle's own SP refuses the same way, notenoughidpinfo).
     *
     * @param array $answer the struct
     * @return bool
     */
    public static function is_complete(array $answer): bool {
        foreach (['username', 'firstname', 'lastname', 'email'] as $field) {
            if (!isset($answer[$field]) || !is_scalar($answer[$field]) || trim((string)$answer[$field]) === '') {
                return false;
            }
        }
        return true;
    }

    /**
     * The sha1 of a User-Agent, as both sides of MNet single sign-on compare it.
     *
     * @param string $useragent the header as received
     * @return string
     */
    public static function useragent_hash(string $useragent): string {
        return sha1($useragent);
    }
}
