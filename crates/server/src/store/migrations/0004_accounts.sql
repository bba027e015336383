-- Console sessions and single sign-on (both directions).

-- Server-side sessions, shared by every instance. The cookie holds a random token; only its
-- SHA-256 is stored.
CREATE TABLE sessions (
    id_hash        TEXT    PRIMARY KEY,
    person_id      INTEGER NOT NULL REFERENCES people(id),
    csrf_token     TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,          -- absolute limit
    ended_at       INTEGER,                   -- logout, single logout, revocation
    sso_peer_id    INTEGER REFERENCES peers(id), -- the IdP the person arrived from
    useragent_sha1 TEXT                       -- sha1(User-Agent), as MNet binds SSO to it
);
CREATE INDEX sessions_person ON sessions (person_id);
CREATE INDEX sessions_sso ON sessions (sso_peer_id, person_id);

-- SchoolBridge as identity provider: jump tokens (Moodle's mnet_session, mnet-protocol.md §8.1).
CREATE TABLE sso_tokens (
    token           TEXT    PRIMARY KEY,       -- 40 lowercase hex from a CSPRNG
    person_id       INTEGER NOT NULL REFERENCES people(id),
    peer_id         INTEGER NOT NULL REFERENCES peers(id),
    useragent_sha1  TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    confirm_timeout INTEGER NOT NULL,          -- user_authorise must come before this
    used_at         INTEGER,                   -- single use
    session_hash    TEXT                       -- the console session that jumped
);
CREATE INDEX sso_tokens_person_peer ON sso_tokens (person_id, peer_id);

-- One-time set-up token for the first administrator (only its hash).
CREATE TABLE setup_tokens (
    token_hash TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
