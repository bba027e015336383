-- Issue 20: Moodle's course total arrives as a grade item of its own kind (`new_assessment`
-- field `kind`, docs/schooltool-sis.md): 'item' (an assessment, as before) or 'course_total'
-- (shown beside SchoolBridge's own total, never summed into it).

ALTER TABLE sis_assessments ADD COLUMN kind TEXT NOT NULL DEFAULT 'item';
