//! Grade events (`docs/product.md` §2 `new_grade`, §3, §4; `docs/schooltool-sis.md`
//! `remove_grade`): which event of a cell (assessment × student) is current, when a change from
//! Moodle repeats what the history already holds, what a clearing does, and the checks of a
//! grade a teacher enters in the console. The store keeps every event and a cache row per cell
//! (its current event and its newest clearing), reads them, and writes what these rules decide.
//!
//! * An event is current when it comes at or after the cell's newest clearing and ranks highest:
//!   the highest attempt, then the newest effective time, then the latest arrival
//!   ([`schoolbridge_api::sis::current_grade`] is the same rule over a whole history).
//! * A grade already in the history (same value, attempt, effective time and source) is not
//!   recorded again: a full sync re-sends grades with their original time.
//! * `remove_grade` records a clearing only when the cell has or had a grade; a clearing older
//!   than the current grade is history only (`stale`).
//! * A manual grade goes on a manual item, for a student of the item's section, and may not be
//!   dated before the cell's current grade nor its clearing; a grade from Moodle is read-only.

use super::limits::{MAX_NOTE, MAX_POINTS};
use super::values::{Refusal, clean_optional};
use schoolbridge_api::sis::{ChangeStatus, GradeEvent, RecordSource, current_grade};

/// A `new_grade` as the contract reads it (`mnet::sis`, bounds checked).
pub use mnet::sis::NewGrade as GradeUpsert;

/// A `remove_grade` as the contract reads it.
pub use mnet::sis::RemoveGrade as GradeRemoval;

/// A grade a teacher enters or corrects in the console.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualGrade {
    /// The (manual) assessment.
    pub assessment_id: i64,
    /// The student.
    pub person_id: i64,
    /// Points (required unless excepted).
    pub points: Option<f64>,
    /// Excluded from totals.
    pub excepted: bool,
    /// Why (e.g. "corrected after review").
    pub note: Option<String>,
}

/// What the cache says of a cell: its current grade and its newest clearing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellState {
    /// The current grade (`None`: no grade, or cleared since).
    pub current: Option<GradeEvent>,
    /// The effective time of the newest clearing.
    pub cleared_at: Option<i64>,
}

/// The value of a new grade event, as compared with a cell's history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GradeValue {
    /// Points (`None` when excepted).
    pub points: Option<f64>,
    /// Excluded from totals.
    pub excepted: bool,
    /// Attempt number.
    pub attempt: i64,
    /// Effective time.
    pub effective_at: i64,
    /// Where it comes from.
    pub source: RecordSource,
}

/// Whether `event` already says `value`: not a clearing, and the same attempt, effective time,
/// source, points (to the bit) and exception. Such a change is answered `unchanged`.
pub fn already_recorded(event: &GradeEvent, value: &GradeValue) -> bool {
    !event.cleared
        && event.attempt == value.attempt
        && event.provenance.effective_at == value.effective_at
        && event.provenance.source == value.source
        && event.points.map(f64::to_bits) == value.points.map(f64::to_bits)
        && event.excepted == value.excepted
}

/// How a new event at `effective_at` of `attempt` is answered against `cell`: `stale` when it
/// does not become current (before the newest clearing, or ranked below the current grade; at
/// equal rank the later arrival wins), else `created` for a cell's first grade and `updated`
/// otherwise.
pub fn placement(cell: &CellState, attempt: i64, effective_at: i64) -> ChangeStatus {
    let becomes_current = cell.cleared_at.is_none_or(|t| effective_at >= t)
        && cell.current.as_ref().is_none_or(|cur| {
            (attempt, effective_at) >= (cur.attempt, cur.provenance.effective_at)
        });
    if !becomes_current {
        ChangeStatus::Stale
    } else if cell.current.is_some() || cell.cleared_at.is_some() {
        ChangeStatus::Updated
    } else {
        ChangeStatus::Created
    }
}

/// Whether `remove_grade` at `at` records a clearing in a cell with `history`: only when the
/// cell has a grade now or had one as of `at` (otherwise there is nothing to clear, `unchanged`).
pub fn clearing_is_recorded(history: &[GradeEvent], at: i64) -> bool {
    current_grade(history).is_some()
        || current_grade(history.iter().filter(|e| e.provenance.effective_at <= at)).is_some()
}

/// What the cell's cache holds after a clearing was added to its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterClearing {
    /// The event the cache points at: the current grade, or the clearing while none follows it.
    pub cache_event_id: i64,
    /// The newest clearing's effective time.
    pub cleared_at: Option<i64>,
    /// `stale` when the current grade is the same as before (the clearing is history only),
    /// else `updated`.
    pub status: ChangeStatus,
}

/// The cache and the answer after `clearing` joins a cell's `history` (the events before it).
pub fn after_clearing(history: &[GradeEvent], clearing: &GradeEvent) -> AfterClearing {
    let before = current_grade(history).map(|e| e.id);
    let all = || history.iter().chain(std::iter::once(clearing));
    let after = current_grade(all()).map(|e| e.id);
    AfterClearing {
        cache_event_id: after.unwrap_or(clearing.id),
        cleared_at: all()
            .filter(|e| e.cleared)
            .map(|e| e.provenance.effective_at)
            .max(),
        status: if after == before {
            ChangeStatus::Stale
        } else {
            ChangeStatus::Updated
        },
    }
}

/// What the store knows of a manual grade's item and student.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManualTarget {
    /// The item takes manual grades (made in the console).
    pub manual_item: bool,
    /// The person is enrolled as a student in the item's section.
    pub student: bool,
}

/// A manual grade that may be recorded: its cleaned note and the attempt it corrects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedManualGrade {
    /// The note, trimmed (`None` when blank).
    pub note: Option<String>,
    /// The attempt: the current grade's, or 1.
    pub attempt: i64,
}

/// Checks a manual grade at `at`, in this order: the item takes manual grades, the person is
/// its section's student, the points (required unless excepted, a usable number), the note,
/// the current grade is not Moodle's and not dated after `at`, nor the cell's clearing.
pub fn check_manual_grade(
    target: ManualTarget,
    g: &ManualGrade,
    cell: &CellState,
    at: i64,
) -> Result<AcceptedManualGrade, Refusal> {
    if !target.manual_item {
        return Err(Refusal::ReadOnly(
            "grades of an item from Moodle are given in Moodle".into(),
        ));
    }
    if !target.student {
        return Err(Refusal::invalid(
            "person",
            "not enrolled as a student in the item's section",
        ));
    }
    match g.points {
        None if !g.excepted => {
            return Err(Refusal::invalid("points", "required unless excepted"));
        }
        Some(p) if !p.is_finite() || p.abs() > MAX_POINTS => {
            return Err(Refusal::invalid("points", "not a usable number"));
        }
        _ => {}
    }
    let note = clean_optional("note", g.note.as_deref(), MAX_NOTE)?;
    if let Some(cur) = &cell.current {
        if cur.provenance.source == RecordSource::Moodle {
            return Err(Refusal::ReadOnly(
                "this grade came from Moodle; change it in Moodle".into(),
            ));
        }
        if at < cur.provenance.effective_at {
            return Err(Refusal::Conflict(
                "the date is before the current grade's".into(),
            ));
        }
    }
    if cell.cleared_at.is_some_and(|t| at < t) {
        return Err(Refusal::Conflict(
            "the date is before the grade was cleared".into(),
        ));
    }
    Ok(AcceptedManualGrade {
        note,
        attempt: cell.current.as_ref().map_or(1, |cur| cur.attempt),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::sis::Provenance;

    fn event(id: i64, attempt: i64, at: i64, source: RecordSource) -> GradeEvent {
        GradeEvent {
            id,
            assessment_id: 1,
            person_id: 2,
            points: Some(7.5),
            attempt,
            provenance: Provenance {
                effective_at: at,
                recorded_at: 1000 + id,
                source,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn clearing(id: i64, at: i64) -> GradeEvent {
        GradeEvent {
            points: None,
            cleared: true,
            ..event(id, 1, at, RecordSource::Moodle)
        }
    }

    fn value(attempt: i64, at: i64) -> GradeValue {
        GradeValue {
            points: Some(7.5),
            excepted: false,
            attempt,
            effective_at: at,
            source: RecordSource::Moodle,
        }
    }

    #[test]
    fn a_grade_is_already_recorded_only_when_every_field_matches() {
        let stored = event(1, 1, 100, RecordSource::Moodle);
        assert!(already_recorded(&stored, &value(1, 100)));
        assert!(!already_recorded(&stored, &value(2, 100)));
        assert!(!already_recorded(&stored, &value(1, 101)));
        let other_points = GradeValue {
            points: Some(8.0),
            ..value(1, 100)
        };
        assert!(!already_recorded(&stored, &other_points));
        let manual = GradeValue {
            source: RecordSource::Manual,
            ..value(1, 100)
        };
        assert!(!already_recorded(&stored, &manual));
        assert!(!already_recorded(&clearing(2, 100), &value(1, 100)));
    }

    #[test]
    fn a_new_event_ranks_by_attempt_then_time_and_not_before_a_clearing() {
        let empty = CellState::default();
        assert_eq!(placement(&empty, 1, 100), ChangeStatus::Created);
        let graded = CellState {
            current: Some(event(1, 2, 100, RecordSource::Moodle)),
            cleared_at: None,
        };
        assert_eq!(placement(&graded, 2, 100), ChangeStatus::Updated);
        assert_eq!(placement(&graded, 2, 101), ChangeStatus::Updated);
        assert_eq!(placement(&graded, 3, 50), ChangeStatus::Updated);
        assert_eq!(placement(&graded, 2, 99), ChangeStatus::Stale);
        assert_eq!(placement(&graded, 1, 200), ChangeStatus::Stale);
        let cleared = CellState {
            current: None,
            cleared_at: Some(100),
        };
        assert_eq!(placement(&cleared, 1, 100), ChangeStatus::Updated);
        assert_eq!(placement(&cleared, 9, 99), ChangeStatus::Stale);
    }

    #[test]
    fn a_clearing_is_recorded_when_the_cell_has_or_had_a_grade() {
        assert!(!clearing_is_recorded(&[], 100));
        let graded = [event(1, 1, 100, RecordSource::Moodle)];
        assert!(clearing_is_recorded(&graded, 50));
        assert!(clearing_is_recorded(&graded, 150));
        let cleared = [event(1, 1, 100, RecordSource::Moodle), clearing(2, 120)];
        assert!(!clearing_is_recorded(&cleared, 90));
        assert!(clearing_is_recorded(&cleared, 110));
    }

    #[test]
    fn a_clearing_ends_the_current_grade_unless_it_is_older() {
        let graded = [event(1, 1, 100, RecordSource::Moodle)];
        assert_eq!(
            after_clearing(&graded, &clearing(2, 150)),
            AfterClearing {
                cache_event_id: 2,
                cleared_at: Some(150),
                status: ChangeStatus::Updated,
            }
        );
        assert_eq!(
            after_clearing(&graded, &clearing(2, 50)),
            AfterClearing {
                cache_event_id: 1,
                cleared_at: Some(50),
                status: ChangeStatus::Stale,
            }
        );
    }

    fn manual(points: Option<f64>, excepted: bool) -> ManualGrade {
        ManualGrade {
            assessment_id: 1,
            person_id: 2,
            points,
            excepted,
            note: Some("  after review ".into()),
        }
    }

    const OPEN: ManualTarget = ManualTarget {
        manual_item: true,
        student: true,
    };

    #[test]
    fn a_manual_grade_keeps_the_current_attempt_and_a_trimmed_note() {
        let cell = CellState {
            current: Some(event(1, 3, 100, RecordSource::Manual)),
            cleared_at: None,
        };
        assert_eq!(
            check_manual_grade(OPEN, &manual(Some(5.0), false), &cell, 100),
            Ok(AcceptedManualGrade {
                note: Some("after review".into()),
                attempt: 3,
            })
        );
        let first = check_manual_grade(OPEN, &manual(None, true), &CellState::default(), 5);
        assert_eq!(first.map(|g| g.attempt), Ok(1));
    }

    #[test]
    fn a_manual_grade_is_refused_in_the_order_the_console_explains() {
        let g = manual(Some(5.0), false);
        let empty = CellState::default();
        let refusal = |target, g: &ManualGrade, cell: &CellState, at| {
            check_manual_grade(target, g, cell, at).map(|_| ())
        };
        let moodle_item = ManualTarget {
            manual_item: false,
            student: false,
        };
        assert!(matches!(
            refusal(moodle_item, &g, &empty, 5),
            Err(Refusal::ReadOnly(_))
        ));
        let not_student = ManualTarget {
            manual_item: true,
            student: false,
        };
        assert_eq!(
            refusal(not_student, &manual(None, false), &empty, 5),
            Err(Refusal::invalid(
                "person",
                "not enrolled as a student in the item's section"
            ))
        );
        assert_eq!(
            refusal(OPEN, &manual(None, false), &empty, 5),
            Err(Refusal::invalid("points", "required unless excepted"))
        );
        for bad in [f64::NAN, f64::INFINITY, -(MAX_POINTS * 2.0)] {
            assert_eq!(
                refusal(OPEN, &manual(Some(bad), false), &empty, 5),
                Err(Refusal::invalid("points", "not a usable number"))
            );
        }
        let from_moodle = CellState {
            current: Some(event(1, 1, 100, RecordSource::Moodle)),
            cleared_at: None,
        };
        assert!(matches!(
            refusal(OPEN, &g, &from_moodle, 200),
            Err(Refusal::ReadOnly(_))
        ));
        let manual_cell = CellState {
            current: Some(event(1, 1, 100, RecordSource::Manual)),
            cleared_at: None,
        };
        assert_eq!(
            refusal(OPEN, &g, &manual_cell, 99),
            Err(Refusal::Conflict(
                "the date is before the current grade's".into()
            ))
        );
        let cleared = CellState {
            current: None,
            cleared_at: Some(100),
        };
        assert_eq!(
            refusal(OPEN, &g, &cleared, 99),
            Err(Refusal::Conflict(
                "the date is before the grade was cleared".into()
            ))
        );
        assert_eq!(refusal(OPEN, &g, &cleared, 100), Ok(()));
    }
}
