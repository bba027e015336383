-- What a live Moodle showed (issue 14).

-- SchoolBridge as service provider: every (identity provider, token) pair a land page has used.
-- Moodle answers user_authorise for a token as often as asked within its 30 seconds, so the
-- land page must refuse a token it has already used itself (mnet-protocol.md §8.2). Only the
-- token's SHA-256 is kept; rows older than a day are pruned as new ones arrive.
CREATE TABLE sso_spent_tokens (
    peer_id      INTEGER NOT NULL REFERENCES peers(id),
    token_sha256 TEXT    NOT NULL,
    spent_at     INTEGER NOT NULL,
    PRIMARY KEY (peer_id, token_sha256)
);
CREATE INDEX sso_spent_tokens_spent_at ON sso_spent_tokens (spent_at);

-- Moodle's user enrolment status and dates (docs/schooltool-sis.md new_enrolment). A
-- suspension is a status change with history; the dates are Moodle's newest pair, read with
-- the status (an Active enrolment outside them is not active), with the time of the change that
-- set them so that an older change arriving late does not overwrite them.
INSERT INTO sis_status_codes (code, label, kind, builtin, created_at) VALUES
    ('suspended', 'Suspended in Moodle', 'inactive', 1, 0);
ALTER TABLE sis_enrolments ADD COLUMN moodle_starts_at INTEGER;
ALTER TABLE sis_enrolments ADD COLUMN moodle_ends_at INTEGER;
ALTER TABLE sis_enrolments ADD COLUMN dates_timemodified INTEGER NOT NULL DEFAULT 0;

-- A grade cleared in Moodle (remove_grade): an event without points that empties the cell from
-- its effective time on; earlier events stay in the history.
ALTER TABLE sis_grade_events ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0;
-- The cell's newest clearing (its effective time): a grade older than it never becomes current.
-- The cache's event is then the clearing itself while no grade came after it.
ALTER TABLE sis_grades ADD COLUMN cleared_at INTEGER;

-- What each peer says it publishes to and subscribes from SchoolBridge (its answer to
-- system/listServices, mnet-protocol.md §7.2), kept from the last check: the Network servers
-- block offers a jump only to a peer that subscribes to our sso_idp.
CREATE TABLE peer_remote_services (
    peer_id   INTEGER NOT NULL REFERENCES peers(id),
    service   TEXT    NOT NULL,
    publish   INTEGER NOT NULL,
    subscribe INTEGER NOT NULL,
    PRIMARY KEY (peer_id, service)
);
ALTER TABLE peers ADD COLUMN remote_services_checked_at INTEGER;
