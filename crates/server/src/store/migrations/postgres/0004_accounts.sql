-- Console sessions and single sign-on (both directions).
-- PostgreSQL dialect; keep in step with ../sqlite/0004_accounts.sql.

CREATE TABLE sessions (
    id_hash        TEXT   PRIMARY KEY,
    person_id      BIGINT NOT NULL REFERENCES people(id),
    csrf_token     TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    ended_at       BIGINT,
    sso_peer_id    BIGINT REFERENCES peers(id),
    useragent_sha1 TEXT
);
CREATE INDEX sessions_person ON sessions (person_id);
CREATE INDEX sessions_sso ON sessions (sso_peer_id, person_id);

CREATE TABLE sso_tokens (
    token           TEXT   PRIMARY KEY,
    person_id       BIGINT NOT NULL REFERENCES people(id),
    peer_id         BIGINT NOT NULL REFERENCES peers(id),
    useragent_sha1  TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    confirm_timeout BIGINT NOT NULL,
    used_at         BIGINT,
    session_hash    TEXT
);
CREATE INDEX sso_tokens_person_peer ON sso_tokens (person_id, peer_id);

CREATE TABLE setup_tokens (
    token_hash TEXT   PRIMARY KEY,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
