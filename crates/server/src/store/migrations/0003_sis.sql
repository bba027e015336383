-- The schooltool_sis records (docs/product.md §3; semantics in
-- docs/design/004-sis-service-semantics.md). People are the shared `people` table (0002).
--
-- Times are Unix seconds. Every history row has an effective time (`effective_at`: the sender's
-- timemodified, or the date a counsellor gave) and a recorded time (`recorded_at`: when
-- SchoolBridge stored it); reports "as of" a date use the effective time. `source` is 'moodle'
-- (a peer's service call: `peer_id` and `eventid` say which) or 'manual' (the console:
-- `actor_id` is the person who acted). `stale` = 1 marks a row that arrived after a newer change
-- and therefore did not change the current state; when nothing followed it, the current value
-- is restated after it (at the newest change's time), so history read as of now always ends in
-- the current state.

-- Enrolment statuses: five built in, more defined by an admin. kind: active | withdrawn | completed.
CREATE TABLE sis_status_codes (
    code       TEXT    PRIMARY KEY,
    label      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    builtin    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
INSERT INTO sis_status_codes (code, label, kind, builtin, created_at) VALUES
    ('active', 'Active', 'active', 1, 0),
    ('withdrawn', 'Withdrawn (reason pending)', 'withdrawn', 1, 0),
    ('withdrawn_no_grade', 'Withdrawn No Grade', 'withdrawn', 1, 0),
    ('withdrawn_failing', 'Withdrawn Failing', 'withdrawn', 1, 0),
    ('passed', 'Passed', 'completed', 1, 0);

-- Terms and other containers of sections; exactly one 'ongoing' holds Moodle-driven sections.
CREATE TABLE sis_containers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,               -- 'ongoing' | 'term'
    starts_at  INTEGER,
    ends_at    INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX sis_containers_one_ongoing ON sis_containers (kind) WHERE kind = 'ongoing';
INSERT INTO sis_containers (name, kind, created_at) VALUES ('Ongoing', 'ongoing', 0);

-- Courses ("Algebra 1"): an optional, SIS-only grouping of sections.
CREATE TABLE sis_courses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    idnumber   TEXT    UNIQUE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Sections ("Algebra 1 @ 9:15, Mr. Smith"): a Moodle course, or created by hand (peer_id NULL).
CREATE TABLE sis_sections (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    peer_id             INTEGER REFERENCES peers(id),
    idnumber            TEXT,
    name                TEXT    NOT NULL,
    segment             INTEGER NOT NULL DEFAULT 1,
    container_id        INTEGER NOT NULL REFERENCES sis_containers(id),
    course_id           INTEGER REFERENCES sis_courses(id),
    source              TEXT    NOT NULL,      -- 'moodle' | 'manual'
    teacher_id          INTEGER REFERENCES people(id),  -- current teacher (see sis_section_teachers)
    source_timemodified INTEGER,               -- newest new_section applied
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX sis_sections_peer_idnumber ON sis_sections (peer_id, idnumber) WHERE peer_id IS NOT NULL AND idnumber IS NOT NULL;
CREATE UNIQUE INDEX sis_sections_local_idnumber ON sis_sections (idnumber) WHERE peer_id IS NULL AND idnumber IS NOT NULL;
CREATE INDEX sis_sections_container ON sis_sections (container_id);
CREATE INDEX sis_sections_course ON sis_sections (course_id);
CREATE INDEX sis_sections_teacher ON sis_sections (teacher_id);

-- Teacher history of a section (teacher_id NULL: no teacher from then on).
CREATE TABLE sis_section_teachers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    section_id   INTEGER NOT NULL REFERENCES sis_sections(id),
    teacher_id   INTEGER REFERENCES people(id),
    effective_at INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    peer_id      INTEGER,
    eventid      TEXT,
    actor_id     INTEGER,
    stale        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sis_section_teachers_section ON sis_section_teachers (section_id, effective_at, id);

-- Enrolments: person × section × role, with the current status (a cache of the history below).
CREATE TABLE sis_enrolments (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    section_id          INTEGER NOT NULL REFERENCES sis_sections(id),
    person_id           INTEGER NOT NULL REFERENCES people(id),
    role                TEXT    NOT NULL,      -- 'student' | 'teacher'
    status              TEXT    NOT NULL REFERENCES sis_status_codes(code),
    status_effective_at INTEGER NOT NULL,
    source_timemodified INTEGER NOT NULL,      -- newest change applied (any source), >= status_effective_at
    source              TEXT    NOT NULL,      -- who created it
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (section_id, person_id, role)
);
CREATE INDEX sis_enrolments_person ON sis_enrolments (person_id);

-- Every status change of an enrolment, never deleted.
CREATE TABLE sis_enrolment_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    enrolment_id INTEGER NOT NULL REFERENCES sis_enrolments(id),
    status       TEXT    NOT NULL REFERENCES sis_status_codes(code),
    effective_at INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    peer_id      INTEGER,
    eventid      TEXT,
    actor_id     INTEGER,
    note         TEXT,
    stale        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sis_enrolment_history_enrolment ON sis_enrolment_history (enrolment_id, effective_at, id);

-- Assessments (grade items). origin: where the item was first made; peer_id + idnumber: the
-- link to the Moodle item (NULL for a manual item not yet linked).
CREATE TABLE sis_assessments (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    section_id          INTEGER NOT NULL REFERENCES sis_sections(id),
    origin              TEXT    NOT NULL,      -- 'moodle' | 'manual'
    peer_id             INTEGER REFERENCES peers(id),
    idnumber            TEXT,
    name                TEXT    NOT NULL,
    chapter             INTEGER NOT NULL DEFAULT 0,
    pointval            REAL    NOT NULL,
    honors_required     INTEGER NOT NULL DEFAULT 0,
    nonhonors_required  INTEGER NOT NULL DEFAULT 1,
    extra_credit        INTEGER NOT NULL DEFAULT 0,
    hidden              INTEGER NOT NULL DEFAULT 0,
    hidden_at           INTEGER,               -- effective time of the hiding, while hidden
    linked_at           INTEGER,               -- when a manual item was linked to Moodle's
    first_effective_at  INTEGER NOT NULL,      -- effective time of its creation
    source_timemodified INTEGER,               -- newest new_/remove_assessment applied
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE UNIQUE INDEX sis_assessments_peer_idnumber ON sis_assessments (peer_id, idnumber) WHERE idnumber IS NOT NULL;
CREATE INDEX sis_assessments_section_name ON sis_assessments (section_id, name);

-- Every grade ever given, never deleted.
CREATE TABLE sis_grade_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    assessment_id INTEGER NOT NULL REFERENCES sis_assessments(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    points        REAL,                        -- NULL only when excepted without points
    excepted      INTEGER NOT NULL DEFAULT 0,
    attempt       INTEGER NOT NULL DEFAULT 1,
    effective_at  INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    source        TEXT    NOT NULL,
    peer_id       INTEGER,
    eventid       TEXT,
    actor_id      INTEGER,
    note          TEXT,
    stale         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sis_grade_events_person ON sis_grade_events (person_id, effective_at);
CREATE INDEX sis_grade_events_cell ON sis_grade_events (assessment_id, person_id, attempt, effective_at);

-- The current grade of each cell: the event with the highest (attempt, effective_at, id).
CREATE TABLE sis_grades (
    assessment_id INTEGER NOT NULL REFERENCES sis_assessments(id),
    person_id     INTEGER NOT NULL REFERENCES people(id),
    event_id      INTEGER NOT NULL REFERENCES sis_grade_events(id),
    PRIMARY KEY (assessment_id, person_id)
);

-- The eventid ledger: one row per change applied from a peer, with the reply it got, so a
-- repeated eventid is answered with the original reply and changes nothing.
CREATE TABLE sis_events (
    peer_id      INTEGER NOT NULL REFERENCES peers(id),
    eventid      TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    idnumber     TEXT    NOT NULL,
    timemodified INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL,
    PRIMARY KEY (peer_id, eventid)
);
