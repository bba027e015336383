-- A status change's line for the transcript (issue 16, docs/who-sees-what.md): the counsellor's
-- `note` is for staff only; `transcript_note` is what the student and anyone given the
-- transcript may read about a withdrawal. Existing notes stay staff-only.

ALTER TABLE sis_enrolment_history ADD COLUMN transcript_note TEXT;
