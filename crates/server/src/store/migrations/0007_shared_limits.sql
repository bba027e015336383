-- Issue 18: state every instance sharing the database must agree on.
-- `sign_in_throttle`: failed sign-ins counted by name and by client address, so that all
-- instances count together (crates/server/src/store/throttle.rs). A row counts until `until`
-- (seconds since the epoch); expired rows are purged.
-- `peer_previews`: the certificate an admin was shown before confirming a new peer, so that a
-- preview made on one instance can be confirmed on another (ten minutes).

CREATE TABLE sign_in_throttle (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    failures BIGINT NOT NULL,
    until BIGINT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX sign_in_throttle_until ON sign_in_throttle (until);

CREATE TABLE peer_previews (
    wwwroot TEXT PRIMARY KEY,
    application TEXT NOT NULL,
    name TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    fetched_at BIGINT NOT NULL
);
