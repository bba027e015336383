-- People: everyone SchoolBridge knows, from a peer (by service call or SSO) or created here.

CREATE TABLE people (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    peer_id           INTEGER REFERENCES peers(id),  -- NULL: created in SchoolBridge
    idnumber          TEXT,                          -- the shared id (per peer); NULL until known
    mnet_username     TEXT,                          -- username at the peer (MNet identity with peer_id)
    local_username    TEXT UNIQUE,                   -- sign-in name for local accounts
    firstname         TEXT    NOT NULL,
    lastname          TEXT    NOT NULL,
    email             TEXT,
    login_allowed     INTEGER NOT NULL DEFAULT 0,    -- imported people get no login rights
    password_hash     TEXT,                          -- argon2id, local accounts only
    source_timemodified INTEGER,                     -- newest fetch_user applied (timemodified order)
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE UNIQUE INDEX people_peer_idnumber ON people (peer_id, idnumber) WHERE peer_id IS NOT NULL AND idnumber IS NOT NULL;
CREATE UNIQUE INDEX people_peer_username ON people (peer_id, mnet_username) WHERE peer_id IS NOT NULL AND mnet_username IS NOT NULL;
CREATE UNIQUE INDEX people_local_idnumber ON people (idnumber) WHERE peer_id IS NULL AND idnumber IS NOT NULL;
CREATE INDEX people_names ON people (lastname, firstname);

-- Console roles granted to a person (admin, counsellor, teacher, student).
CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES people(id),
    role      TEXT    NOT NULL,
    PRIMARY KEY (person_id, role)
);
