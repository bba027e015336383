-- Issue 20: the school's settings for grades, progress reports and transcripts
-- (docs/design/029-school-settings-and-grading.md). The settings themselves (name, address,
-- time zone, grading scale, cap, which total the transcript uses, default credits) are one JSON
-- value in `settings` under the name 'school'; what needs rows is here.

-- Terms (marking periods): calendar days in the school's time zone, both included, YYYY-MM-DD
-- (text in this form sorts in day order). The application keeps them from overlapping.
CREATE TABLE school_terms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    first_day  TEXT    NOT NULL,
    last_day   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- A course's credits; NULL: the school's default.
ALTER TABLE sis_courses ADD COLUMN credits REAL;

-- The student's track in the section (a counsellor sets it; 0 = non-honours, the contract's
-- default for whom an item is required).
ALTER TABLE sis_enrolments ADD COLUMN honors INTEGER NOT NULL DEFAULT 0;

-- Who changed the school settings, a term, a course's credits or a student's track, and to what.
CREATE TABLE school_changes (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       INTEGER NOT NULL,
    actor_id INTEGER,
    what     TEXT    NOT NULL,   -- 'settings' | 'term' | 'credits' | 'honors'
    detail   TEXT    NOT NULL    -- the new value, JSON
);
