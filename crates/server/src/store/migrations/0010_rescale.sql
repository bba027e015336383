-- Issue 20 (docs/design/028-gradebook-entry.md): a manual grade item that a Moodle item of
-- another maximum took over keeps its former maximum here until a teacher answers "keep the
-- points" or "rescale" (design 026 §6); NULL when there is nothing to ask.

ALTER TABLE sis_assessments ADD COLUMN rescale_from REAL;
