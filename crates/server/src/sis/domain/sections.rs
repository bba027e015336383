//! Sections and their teacher history (`docs/product.md` §2–§3): what `new_section` does to a
//! stored section, when a late change still teaches the teacher history something, and when a
//! console user may change a section's teacher. Every teacher change is a history row; a Moodle
//! section's teacher comes from Moodle only.

use super::ordering::{Arrival, arrival};
use super::values::Refusal;

/// A `new_section` as the contract reads it (`mnet::sis`, bounds checked; `teacheridnumber`
/// `None`: no teacher).
pub use mnet::sis::NewSection as SectionUpsert;

/// What `new_section` compares of a stored section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownSection<'a> {
    /// Name.
    pub name: &'a str,
    /// Term segment.
    pub segment: i64,
    /// The current teacher (`people.id`).
    pub teacher_id: Option<i64>,
    /// The newest `timemodified` applied.
    pub source_timemodified: Option<i64>,
}

/// What `new_section` at a time does to a stored section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionChange {
    /// Older than the newest change applied (at `newest`): only the teacher history may learn
    /// from it ([`late_teacher_is_recorded`]); answered `stale`.
    Late {
        /// The section's watermark.
        newest: i64,
    },
    /// The sent values become the section's, and the watermark moves.
    Current {
        /// Something differs (`updated`, and `updated_at` moves); else `unchanged`.
        changed: bool,
        /// The teacher differs: a teacher history row.
        teacher_changed: bool,
    },
}

/// What `s`, whose teacher is `teacher_id`, at `at` does to `stored`.
pub fn section_change(
    stored: &KnownSection<'_>,
    s: &SectionUpsert,
    teacher_id: Option<i64>,
    at: i64,
) -> SectionChange {
    if let Arrival::Late { newest } = arrival(at, stored.source_timemodified) {
        return SectionChange::Late { newest };
    }
    let teacher_changed = stored.teacher_id != teacher_id;
    SectionChange::Current {
        changed: stored.name != s.name || stored.segment != s.segment || teacher_changed,
        teacher_changed,
    }
}

/// Whether a late `new_section` is written to the teacher history: when the teacher it names
/// differs from the one the history gives as of its time (`then`: `None` when the history says
/// nothing by then, `Some(None)` when it says "no teacher"). When the late row is written and
/// none follows it, the current teacher is restated ([`super::ordering::restate_after_late_row`]).
pub fn late_teacher_is_recorded(then: Option<Option<i64>>, teacher_id: Option<i64>) -> bool {
    then.flatten() != teacher_id
}

/// What the store knows of a section whose teacher a console user changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeacherChangeTarget {
    /// The section is Moodle's (its teacher comes from `new_section`).
    pub from_moodle: bool,
    /// Its current teacher.
    pub current: Option<i64>,
}

/// Whether a console user's change of a section's teacher to `teacher_id` is written (`false`:
/// the same teacher, nothing to do). Refused for a Moodle section, and for a teacher who does
/// not exist (`teacher_exists` is read only for `Some`).
pub fn manual_teacher_change(
    section: TeacherChangeTarget,
    teacher_id: Option<i64>,
    teacher_exists: bool,
) -> Result<bool, Refusal> {
    if section.from_moodle {
        return Err(Refusal::ReadOnly(
            "the teacher of a Moodle section comes from Moodle".into(),
        ));
    }
    if let Some(id) = teacher_id
        && !teacher_exists
    {
        return Err(Refusal::NotFound("person", id));
    }
    Ok(section.current != teacher_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(teacher: Option<&str>) -> SectionUpsert {
        SectionUpsert {
            idnumber: "s1".into(),
            name: "Algebra".into(),
            teacheridnumber: teacher.map(str::to_owned),
            segment: 1,
        }
    }

    const STORED: KnownSection<'static> = KnownSection {
        name: "Algebra",
        segment: 1,
        teacher_id: Some(7),
        source_timemodified: Some(100),
    };

    #[test]
    fn a_section_change_is_late_unchanged_or_changed() {
        assert_eq!(
            section_change(&STORED, &sent(Some("t")), Some(7), 99),
            SectionChange::Late { newest: 100 }
        );
        assert_eq!(
            section_change(&STORED, &sent(Some("t")), Some(7), 100),
            SectionChange::Current {
                changed: false,
                teacher_changed: false
            }
        );
        assert_eq!(
            section_change(&STORED, &sent(None), None, 101),
            SectionChange::Current {
                changed: true,
                teacher_changed: true
            }
        );
        let renamed = SectionUpsert {
            name: "Geometry".into(),
            ..sent(Some("t"))
        };
        assert_eq!(
            section_change(&STORED, &renamed, Some(7), 101),
            SectionChange::Current {
                changed: true,
                teacher_changed: false
            }
        );
    }

    #[test]
    fn a_late_change_is_recorded_only_when_the_history_then_said_otherwise() {
        assert!(!late_teacher_is_recorded(Some(Some(7)), Some(7)));
        assert!(late_teacher_is_recorded(Some(Some(7)), Some(8)));
        assert!(late_teacher_is_recorded(Some(None), Some(8)));
        assert!(!late_teacher_is_recorded(None, None));
        assert!(!late_teacher_is_recorded(Some(None), None));
    }

    #[test]
    fn a_console_user_changes_only_a_manual_section_s_teacher_to_someone_who_exists() {
        let manual = TeacherChangeTarget {
            from_moodle: false,
            current: Some(7),
        };
        assert_eq!(manual_teacher_change(manual, Some(8), true), Ok(true));
        assert_eq!(manual_teacher_change(manual, None, true), Ok(true));
        assert_eq!(manual_teacher_change(manual, Some(7), true), Ok(false));
        assert_eq!(
            manual_teacher_change(manual, Some(9), false),
            Err(Refusal::NotFound("person", 9))
        );
        let moodle = TeacherChangeTarget {
            from_moodle: true,
            ..manual
        };
        assert!(matches!(
            manual_teacher_change(moodle, Some(8), true),
            Err(Refusal::ReadOnly(_))
        ));
    }
}
