//! Rules the console and the server both apply — input the console checks as people type and
//! the server enforces, and what a report shows in the page and in its CSV: one definition, so
//! the two never disagree.

use crate::sis::StatusKind;

/// Whether a transcript line shows the class's points and percent. A withdrawn enrolment shows
/// its withdrawal (code, date, note) instead, as a registrar's transcript shows W, WP or WNG
/// rather than a grade; the grades stay in the progress report for any date before it.
pub fn transcript_shows_grade(kind: StatusKind) -> bool {
    kind != StatusKind::Withdrawn
}

/// Whether a grade's points are above its item's maximum. Bonus marks exist, so such a grade is
/// not impossible, but it is more often a typing slip (25 for 2.5): the console asks, and the
/// server takes it only when the teacher said yes (`GradeRequest::above_maximum`).
pub fn points_above_maximum(points: Option<f64>, pointval: f64) -> bool {
    points.is_some_and(|p| p > pointval)
}

/// Whether an id number is one a Moodle sender made up from its internal id because the record
/// had none (`moodle-user-51`, `moodle-course-7`, `moodle-gradeitem-12`; `docs/schooltool-sis.md`).
/// Such ids mean nothing to people and are not shown to them; a school's own id numbers are.
pub fn is_derived_idnumber(idnumber: &str) -> bool {
    ["moodle-user-", "moodle-course-", "moodle-gradeitem-"]
        .iter()
        .any(|prefix| {
            idnumber
                .strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// The shortest password a local account may have (counted in characters).
pub const MIN_PASSWORD: usize = 10;

/// Whether a password is long enough ([`MIN_PASSWORD`]).
pub fn password_is_long_enough(password: &str) -> bool {
    password.chars().count() >= MIN_PASSWORD
}

/// The longest sign-in name (Moodle's `user.username` column).
pub const MAX_USERNAME: usize = 100;

/// A sign-in name as it is stored: trimmed and lower-cased, as Moodle stores usernames.
pub fn normalise_username(input: &str) -> String {
    input.trim().to_lowercase()
}

/// Whether a (normalised) sign-in name is one Moodle can take. SchoolBridge people roam into
/// Moodle under this name (`mnet-protocol.md` §8.2 step 5): Moodle creates the account with
/// `user_create_user`, which refuses a name that `clean_param(PARAM_USERNAME)` would change —
/// by default only `a-z`, `0-9` and `. _ - @` survive.
pub fn username_is_valid(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_USERNAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b".-_@".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_moodles_param_username() {
        for ok in ["jdoe", "j.doe", "j_doe-2", "jane@school.example", "007"] {
            assert!(username_is_valid(ok), "{ok}");
        }
        for bad in ["", "j doe", "o'brien", "josé", "JDoe", "a+b", "x/y"] {
            assert!(!username_is_valid(bad), "{bad}");
        }
        assert!(username_is_valid(&"a".repeat(MAX_USERNAME)));
        assert!(!username_is_valid(&"a".repeat(MAX_USERNAME + 1)));
        assert_eq!(normalise_username("  JDoe "), "jdoe");
        assert!(password_is_long_enough("ten chars!"));
        assert!(!password_is_long_enough("nine char"));
        assert!(
            password_is_long_enough("éééééééééé"),
            "characters, not bytes"
        );
    }

    #[test]
    fn points_above_the_maximum_are_noticed() {
        assert!(points_above_maximum(Some(25.0), 20.0));
        assert!(!points_above_maximum(Some(20.0), 20.0));
        assert!(!points_above_maximum(None, 20.0));
    }

    #[test]
    fn made_up_id_numbers_are_told_from_a_schools_own() {
        for derived in [
            "moodle-user-51",
            "moodle-course-7",
            "moodle-gradeitem-820003",
        ] {
            assert!(is_derived_idnumber(derived), "{derived}");
        }
        for own in [
            "S-1001",
            "moodle-user-",
            "moodle-user-x1",
            "T1",
            "2026-ALG-1",
        ] {
            assert!(!is_derived_idnumber(own), "{own}");
        }
    }

    #[test]
    fn a_withdrawn_class_shows_no_grade_on_the_transcript() {
        assert!(!transcript_shows_grade(StatusKind::Withdrawn));
        assert!(transcript_shows_grade(StatusKind::Active));
        assert!(transcript_shows_grade(StatusKind::Completed));
    }
}
