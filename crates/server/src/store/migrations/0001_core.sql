-- Core tables: settings, site keys, peers and their services, the MNet audit log.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Our RSA key pairs. Exactly one row has retired_at NULL: the current key.
CREATE TABLE site_keys (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    certificate_pem    TEXT    NOT NULL,
    private_key_sealed BLOB    NOT NULL,   -- AES-256-GCM(nonce || ciphertext) of the PKCS#8 DER
    fingerprint        TEXT    NOT NULL,
    created_at         INTEGER NOT NULL,
    not_after          INTEGER NOT NULL,
    retired_at         INTEGER
);
CREATE UNIQUE INDEX site_keys_one_current ON site_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

CREATE TABLE peers (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    wwwroot             TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL,
    application         TEXT    NOT NULL,
    certificate_pem     TEXT    NOT NULL,
    certificate_expires INTEGER NOT NULL,
    fingerprint         TEXT    NOT NULL,
    tls_verify          INTEGER NOT NULL DEFAULT 1,
    deleted             INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    key_changed_at      INTEGER,
    last_contact_at     INTEGER,
    last_error          TEXT,
    last_error_at       INTEGER,
    pending_pem         TEXT           -- a different key seen on review, awaiting the admin
);

CREATE TABLE peer_services (
    peer_id   INTEGER NOT NULL REFERENCES peers(id),
    service   TEXT    NOT NULL,
    publish   INTEGER NOT NULL DEFAULT 0,
    subscribe INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (peer_id, service)
);

-- Every MNet message in and out.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms        INTEGER NOT NULL,
    direction    TEXT    NOT NULL,         -- 'in' | 'out'
    peer_id      INTEGER,
    peer_wwwroot TEXT,
    method       TEXT,
    outcome      TEXT    NOT NULL,         -- 'ok' | 'fault' | 'error'
    fault_code   INTEGER,
    detail       TEXT,
    duration_us  INTEGER NOT NULL,
    encrypted    INTEGER NOT NULL DEFAULT 0,
    signed       INTEGER NOT NULL DEFAULT 0,
    envelope     BLOB,                     -- the signed envelope as received (verifiable later)
    envelope_note TEXT                     -- why no envelope is kept, when it is not
);
CREATE INDEX audit_log_at ON audit_log (at_ms);
CREATE INDEX audit_log_peer_at ON audit_log (peer_id, at_ms);
