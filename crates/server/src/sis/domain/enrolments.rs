//! The enrolment status history (`docs/product.md` §2–§3, `docs/design/004-sis-service-semantics.md`):
//! what each change does to an enrolment's status. The store keeps the rows — a current status
//! with the time it took effect and a watermark, and a history that is never deleted — and asks
//! here what to write.
//!
//! * `new_enrolment` makes an enrolment Active (anything but Active becomes Active again);
//!   with Moodle's status `suspended` it suspends an Active-kind one.
//! * `remove_enrolment` withdraws an Active-kind enrolment (Withdrawn, reason pending); a coded
//!   withdrawal or a Passed stays as it is — the counsellor's word is not undone by Moodle's
//!   unenrolment. An unenrolment that comes before its enrolment is kept as a withdrawn
//!   enrolment from its `timemodified` (issue 19).
//! * A change older than the newest applied is history only ([`super::ordering`]).
//! * A counsellor's change and a manual enrolment may not be dated before the current status.
//! * Moodle's enrolment dates make an Active status show as Ended or Not started.

use super::ordering::{Arrival, arrival};
use super::values::{Refusal, clean_optional, clean_text};
use schoolbridge_api::sis::{ChangeStatus, EnrolmentRow, Role, StatusKind};

/// The built-in status codes (seeded by migrations 0003 and 0005), and the two that are only
/// shown.
pub mod status {
    /// Active.
    pub const ACTIVE: &str = "active";
    /// Withdrawn, reason pending (what `remove_enrolment` sets).
    pub const WITHDRAWN: &str = "withdrawn";
    /// Withdrawn No Grade.
    pub const WITHDRAWN_NO_GRADE: &str = "withdrawn_no_grade";
    /// Withdrawn Failing.
    pub const WITHDRAWN_FAILING: &str = "withdrawn_failing";
    /// Passed.
    pub const PASSED: &str = "passed";
    /// Suspended in Moodle (`new_enrolment` with `status` `suspended`; migration 0005).
    pub const SUSPENDED: &str = "suspended";
    /// Shown, not stored: an Active enrolment whose Moodle end date has passed.
    pub const ENDED: &str = "ended";
    /// Shown, not stored: an Active enrolment whose Moodle start date has not come.
    pub const NOT_STARTED: &str = "not_started";
}

pub use super::limits::{MAX_CODE, MAX_LABEL, MAX_NOTE};

/// The note on a restated history row ([`super::ordering::restate_after_late_row`]).
pub const RESTATED_NOTE: &str =
    "restated: a newer change had confirmed this status when an older change arrived late";

/// An enrolment's current status as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentStatus<'a> {
    /// The status code.
    pub code: &'a str,
    /// Its kind.
    pub kind: StatusKind,
    /// When it took effect.
    pub since: i64,
    /// The newest change applied, including ones that confirmed the status without changing it.
    pub newest_at: i64,
}

/// Which service change is being applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceChange {
    /// `new_enrolment`: anything but Active becomes Active.
    Enrol,
    /// `new_enrolment` with Moodle's status `suspended`: an Active-kind status becomes
    /// Suspended; like a withdrawal, it does not undo a coded withdrawal or a Passed.
    Suspend,
    /// `remove_enrolment`: an Active-kind status becomes Withdrawn.
    Withdraw,
}

impl ServiceChange {
    /// `new_enrolment` with Moodle's user enrolment status.
    pub fn new_enrolment(suspended: bool) -> Self {
        if suspended {
            ServiceChange::Suspend
        } else {
            ServiceChange::Enrol
        }
    }

    /// The status this change sets.
    pub fn target(self) -> &'static str {
        match self {
            ServiceChange::Enrol => status::ACTIVE,
            ServiceChange::Suspend => status::SUSPENDED,
            ServiceChange::Withdraw => status::WITHDRAWN,
        }
    }

    /// Whether this change says something new about an enrolment in `state` (`None`: before
    /// its first status).
    pub fn changes(self, state: Option<(&str, StatusKind)>) -> bool {
        match (self, state) {
            (ServiceChange::Enrol, None) => true,
            (ServiceChange::Enrol, Some((code, _))) => code != status::ACTIVE,
            (ServiceChange::Suspend, None) => true,
            (ServiceChange::Suspend, Some((_, kind))) => kind == StatusKind::Active,
            (ServiceChange::Withdraw, None) => false,
            (ServiceChange::Withdraw, Some((_, kind))) => kind == StatusKind::Active,
        }
    }
}

/// What a service change at `at` does to an existing enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Older than the newest change applied: judged against the status the history gives as
    /// of `at` ([`late_change_is_recorded`]); answered `stale`.
    Late,
    /// Says nothing new: only the watermark moves; answered `unchanged`.
    Confirm,
    /// The target becomes the current status, with a history row; answered `updated`.
    Apply,
}

/// What `change` at `at` does to an enrolment whose current status is `current`.
pub fn transition(current: CurrentStatus<'_>, change: ServiceChange, at: i64) -> Transition {
    if let Arrival::Late { .. } = arrival(at, Some(current.newest_at)) {
        return Transition::Late;
    }
    if change.changes(Some((current.code, current.kind))) {
        Transition::Apply
    } else {
        Transition::Confirm
    }
}

/// Whether a late change gets a history row (marked stale): when it says something the history
/// does not already say as of its time (`then`: the status then, `None` before the first row).
pub fn late_change_is_recorded(change: ServiceChange, then: Option<(&str, StatusKind)>) -> bool {
    change.changes(then)
}

/// The answer to `remove_enrolment` over several roles: `updated` when any role changed, else
/// `stale` when any was late, else `unchanged`.
pub fn combine(overall: ChangeStatus, one: ChangeStatus) -> ChangeStatus {
    match (overall, one) {
        (ChangeStatus::Updated, _) | (_, ChangeStatus::Updated) => ChangeStatus::Updated,
        (ChangeStatus::Stale, _) | (_, ChangeStatus::Stale) => ChangeStatus::Stale,
        _ => ChangeStatus::Unchanged,
    }
}

/// An unenrolment for a person with no enrolment at all in the section came before its
/// enrolment (out of order, e.g. in a batch or after a retry): it is kept as an enrolment in
/// this role, withdrawn from its `timemodified`, so that the older `new_enrolment`, when it
/// arrives, is history only and the person ends withdrawn, as in Moodle (issue 19).
pub fn withdrawn_before_enrolled(role: Option<Role>) -> (Role, &'static str) {
    (role.unwrap_or(Role::Student), status::WITHDRAWN)
}

/// What enrolling a person by hand does to the enrolment in that role, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManualEnrolment {
    /// None yet: a new Active enrolment.
    Create,
    /// Already Active: returned as it is.
    Keep,
    /// Active again, with a history row.
    Reactivate,
}

/// Enrolling by hand at `at` (`current`: the enrolment in that role, if any). Refused when the
/// date is before the current status.
pub fn manual_enrolment(
    current: Option<CurrentStatus<'_>>,
    at: i64,
) -> Result<ManualEnrolment, Refusal> {
    match current {
        None => Ok(ManualEnrolment::Create),
        Some(e) if e.code == status::ACTIVE => Ok(ManualEnrolment::Keep),
        Some(e) if at < e.since => Err(before_current()),
        Some(_) => Ok(ManualEnrolment::Reactivate),
    }
}

fn before_current() -> Refusal {
    Refusal::Conflict("the date is before the enrolment's current status".into())
}

/// A counsellor's notes, checked: the staff note and the transcript line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckedNotes {
    /// For counsellors and administrators only.
    pub staff: Option<String>,
    /// The line the transcript shows.
    pub transcript: Option<String>,
}

impl CheckedNotes {
    /// Checks both notes (trimmed; empty is none; at most [`MAX_NOTE`] characters).
    pub fn check(staff: Option<&str>, transcript: Option<&str>) -> Result<Self, Refusal> {
        Ok(CheckedNotes {
            staff: clean_optional("note", staff, MAX_NOTE)?,
            transcript: clean_optional("transcript_note", transcript, MAX_NOTE)?,
        })
    }

    fn is_empty(&self) -> bool {
        self.staff.is_none() && self.transcript.is_none()
    }
}

/// Whether a counsellor's change to `code` at `at` is written (`false`: it repeats the current
/// status without a note, nothing to do). Refused when dated before the current status.
pub fn counsellor_change(
    current_code: &str,
    since: i64,
    code: &str,
    notes: &CheckedNotes,
    at: i64,
) -> Result<bool, Refusal> {
    if at < since {
        return Err(before_current());
    }
    Ok(!(current_code == code && notes.is_empty()))
}

/// Checks a new status code and its label: the code trimmed, 1 to [`MAX_CODE`] of a-z, 0-9,
/// `_` and `-`; the label a console text of at most [`MAX_LABEL`] characters.
pub fn check_status_code(code: &str, label: &str) -> Result<(String, String), Refusal> {
    let code = code.trim();
    let valid = !code.is_empty()
        && code.len() <= MAX_CODE
        && code
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '-');
    if !valid {
        return Err(Refusal::invalid(
            "code",
            format!("1 to {MAX_CODE} of a-z, 0-9, '_' and '-'"),
        ));
    }
    Ok((code.to_owned(), clean_text("label", label, MAX_LABEL)?))
}

/// A Moodle enrolment date as stored: 0 (none) is `None`.
pub fn moodle_date(t: i64) -> Option<i64> {
    (t > 0).then_some(t)
}

/// The label of [`status::ENDED`].
pub const ENDED_LABEL: &str = "Ended in Moodle";
/// The label of [`status::NOT_STARTED`].
pub const NOT_STARTED_LABEL: &str = "Not started in Moodle";

/// What Moodle's dates make of an Active-kind status as of `at`: the code, label and since-when
/// to show instead, or `None` when the dates do not matter then. Moodle's own rule
/// (`is_enrolled(..., onlyactive)`): an enrolment is not active before its start or from its end
/// on. Other kinds (suspended, withdrawn, completed) are shown as they are.
pub fn dated_status(
    kind: StatusKind,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    at: i64,
) -> Option<(&'static str, &'static str, Option<i64>)> {
    if kind != StatusKind::Active {
        return None;
    }
    match (starts_at, ends_at) {
        (_, Some(end)) if end <= at => Some((status::ENDED, ENDED_LABEL, Some(end))),
        (Some(start), _) if start > at => Some((status::NOT_STARTED, NOT_STARTED_LABEL, None)),
        _ => None,
    }
}

/// Shows `row` as of `at` under Moodle's dates ([`dated_status`]).
pub fn apply_moodle_dates(row: &mut EnrolmentRow, at: i64) {
    if let Some((code, label, since)) = dated_status(
        row.status_kind,
        row.moodle_starts_at,
        row.moodle_ends_at,
        at,
    ) {
        row.status = code.to_owned();
        row.status_label = label.to_owned();
        row.status_kind = StatusKind::Inactive;
        if let Some(since) = since {
            row.status_effective_at = row.status_effective_at.max(since);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current(code: &'static str, kind: StatusKind) -> CurrentStatus<'static> {
        CurrentStatus {
            code,
            kind,
            since: 100,
            newest_at: 200,
        }
    }

    const ACTIVE: (&str, StatusKind) = (status::ACTIVE, StatusKind::Active);

    #[test]
    fn new_enrolment_makes_anything_but_active_active() {
        let e = ServiceChange::new_enrolment(false);
        assert_eq!(e.target(), status::ACTIVE);
        assert!(e.changes(None));
        assert!(!e.changes(Some(ACTIVE)));
        assert!(e.changes(Some((status::WITHDRAWN, StatusKind::Withdrawn))));
        assert!(e.changes(Some((status::PASSED, StatusKind::Completed))));
        assert!(e.changes(Some((status::SUSPENDED, StatusKind::Inactive))));
    }

    #[test]
    fn withdrawal_and_suspension_touch_only_an_active_kind_status() {
        for change in [ServiceChange::Withdraw, ServiceChange::new_enrolment(true)] {
            assert!(change.changes(Some(ACTIVE)));
            assert!(!change.changes(Some((status::WITHDRAWN_FAILING, StatusKind::Withdrawn))));
            assert!(!change.changes(Some((status::PASSED, StatusKind::Completed))));
        }
        assert_eq!(ServiceChange::Withdraw.target(), status::WITHDRAWN);
        assert_eq!(ServiceChange::Suspend.target(), status::SUSPENDED);
        // Nothing to withdraw before the first status; a suspension before it is news.
        assert!(!ServiceChange::Withdraw.changes(None));
        assert!(ServiceChange::Suspend.changes(None));
    }

    #[test]
    fn a_change_older_than_the_watermark_is_late_whatever_it_says() {
        let e = current(status::ACTIVE, StatusKind::Active);
        assert_eq!(
            transition(e, ServiceChange::Withdraw, 199),
            Transition::Late
        );
        assert_eq!(transition(e, ServiceChange::Enrol, 199), Transition::Late);
        assert_eq!(
            transition(e, ServiceChange::Withdraw, 200),
            Transition::Apply
        );
        assert_eq!(
            transition(e, ServiceChange::Enrol, 250),
            Transition::Confirm
        );
        let coded = current(status::WITHDRAWN_NO_GRADE, StatusKind::Withdrawn);
        assert_eq!(
            transition(coded, ServiceChange::Withdraw, 300),
            Transition::Confirm
        );
    }

    #[test]
    fn a_late_change_is_recorded_only_when_the_history_then_says_otherwise() {
        assert!(late_change_is_recorded(
            ServiceChange::Withdraw,
            Some(ACTIVE)
        ));
        assert!(!late_change_is_recorded(
            ServiceChange::Withdraw,
            Some((status::WITHDRAWN, StatusKind::Withdrawn))
        ));
        assert!(!late_change_is_recorded(ServiceChange::Withdraw, None));
        assert!(late_change_is_recorded(ServiceChange::Enrol, None));
    }

    #[test]
    fn removal_over_several_roles_answers_the_strongest_outcome() {
        use ChangeStatus::{Stale, Unchanged, Updated};
        assert_eq!(combine(Unchanged, Unchanged), Unchanged);
        assert_eq!(combine(Unchanged, Stale), Stale);
        assert_eq!(combine(Stale, Updated), Updated);
        assert_eq!(combine(Updated, Unchanged), Updated);
        assert_eq!(
            withdrawn_before_enrolled(None),
            (Role::Student, status::WITHDRAWN)
        );
        assert_eq!(
            withdrawn_before_enrolled(Some(Role::Teacher)).0,
            Role::Teacher
        );
    }

    #[test]
    fn a_manual_enrolment_keeps_an_active_one_and_may_not_predate_the_status() {
        assert_eq!(manual_enrolment(None, 0), Ok(ManualEnrolment::Create));
        let active = current(status::ACTIVE, StatusKind::Active);
        assert_eq!(manual_enrolment(Some(active), 0), Ok(ManualEnrolment::Keep));
        let withdrawn = current(status::WITHDRAWN, StatusKind::Withdrawn);
        assert_eq!(
            manual_enrolment(Some(withdrawn), 100),
            Ok(ManualEnrolment::Reactivate)
        );
        assert!(matches!(
            manual_enrolment(Some(withdrawn), 99),
            Err(Refusal::Conflict(_))
        ));
    }

    #[test]
    fn a_counsellor_change_needs_a_date_from_the_current_status_on_and_something_new() {
        let none = CheckedNotes::default();
        let noted = CheckedNotes::check(Some(" family moved "), None).unwrap();
        assert_eq!(noted.staff.as_deref(), Some("family moved"));
        assert!(matches!(
            counsellor_change(
                status::WITHDRAWN,
                100,
                status::WITHDRAWN_NO_GRADE,
                &none,
                99
            ),
            Err(Refusal::Conflict(_))
        ));
        assert_eq!(
            counsellor_change(status::WITHDRAWN, 100, status::WITHDRAWN, &none, 100),
            Ok(false)
        );
        assert_eq!(
            counsellor_change(status::WITHDRAWN, 100, status::WITHDRAWN, &noted, 100),
            Ok(true)
        );
        assert_eq!(
            counsellor_change(status::WITHDRAWN, 100, status::PASSED, &none, 100),
            Ok(true)
        );
        let long = "x".repeat(MAX_NOTE + 1);
        assert!(CheckedNotes::check(None, Some(&long)).is_err());
    }

    #[test]
    fn status_codes_are_short_lowercase_words_with_a_label() {
        assert_eq!(
            check_status_code(" moved_away ", "Moved away"),
            Ok(("moved_away".into(), "Moved away".into()))
        );
        assert!(check_status_code("Moved", "x").is_err());
        assert!(check_status_code("", "x").is_err());
        assert!(check_status_code(&"a".repeat(MAX_CODE + 1), "x").is_err());
        assert!(check_status_code("ok", " ").is_err());
    }

    #[test]
    fn moodle_dates_colour_only_an_active_status() {
        assert_eq!(moodle_date(0), None);
        assert_eq!(moodle_date(5), Some(5));
        assert_eq!(
            dated_status(StatusKind::Active, None, Some(50), 50),
            Some((status::ENDED, ENDED_LABEL, Some(50)))
        );
        assert_eq!(
            dated_status(StatusKind::Active, Some(60), None, 50),
            Some((status::NOT_STARTED, NOT_STARTED_LABEL, None))
        );
        assert_eq!(
            dated_status(StatusKind::Active, Some(40), Some(60), 50),
            None
        );
        assert_eq!(
            dated_status(StatusKind::Withdrawn, None, Some(10), 50),
            None
        );
    }
}
