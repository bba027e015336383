//! What a live Moodle showed that the first contract could not say (issue 14,
//! `docs/schooltool-sis.md`): an enrolment suspended and reactivated in Moodle, Moodle's
//! enrolment dates, and a grade cleared in Moodle (`remove_grade`) — on SQLite and PostgreSQL.

use super::sis_harness::{AS_OF_NOW, Sis};
use super::support::backends;
use crate::fields;
use schoolbridge::store::sis::StatusKind;

#[tokio::test]
async fn a_suspension_in_moodle_shows_as_not_active_with_its_history() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "status" => "active", "eventid" => "a", "timemodified" => 1000}, "created").await;
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "status" => "suspended", "eventid" => "b", "timemodified" => 2000}, "updated").await;
        let row = sis.enrolment("c1", "u1", AS_OF_NOW).await;
        assert_eq!(
            (
                row.status.as_str(),
                row.status_kind,
                row.status_label.as_str()
            ),
            ("suspended", StatusKind::Inactive, "Suspended in Moodle")
        );
        let summary = sis.roster("c1", AS_OF_NOW).await.section;
        assert_eq!(
            summary.active_students, 0,
            "a suspended student is not counted as active"
        );
        // Suspended again (a full sync): nothing new.
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "status" => "suspended", "eventid" => "c", "timemodified" => 2000}, "unchanged").await;
        // Reactivated in Moodle: Active again.
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "status" => "active", "eventid" => "d", "timemodified" => 3000}, "updated").await;
        let history = sis.store().enrolment_history(row.id).await.unwrap();
        let seen: Vec<(&str, i64)> = history
            .iter()
            .map(|h| (h.status.as_str(), h.provenance.effective_at))
            .collect();
        assert_eq!(
            seen,
            [("active", 1000), ("suspended", 2000), ("active", 3000)]
        );
        // As of a day in the suspension, the progress report says so.
        let then = sis.progress("u1", 2500).await;
        assert_eq!(then.sections[0].status_kind, StatusKind::Inactive);
        let now = sis.progress("u1", AS_OF_NOW).await;
        assert_eq!(now.sections[0].status_kind, StatusKind::Active);
    }
}

#[tokio::test]
async fn a_suspension_does_not_undo_a_counsellors_withdrawal_code() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "a", "timemodified" => 1000}).await;
        sis.ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "b", "timemodified" => 1500}).await;
        let row = sis.enrolment("c1", "u1", AS_OF_NOW).await;
        let meta = schoolbridge::store::sis::Provenance::manual(None, Some(1600), 1600);
        sis.store()
            .change_enrolment_status(row.id, "withdrawn_failing", Some("family moved"), &meta)
            .await
            .unwrap();
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "status" => "suspended", "eventid" => "c", "timemodified" => 2000}, "unchanged").await;
        assert_eq!(
            sis.enrolment("c1", "u1", AS_OF_NOW).await.status,
            "withdrawn_failing"
        );
        // A suspended enrolment that SchoolBridge did not know yet is created suspended.
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "t1", "role" => "teacher", "status" => "suspended", "eventid" => "d", "timemodified" => 2000}, "created").await;
        // Anything else is refused with the field named.
        sis.expect_fault("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "status" => "paused", "eventid" => "e", "timemodified" => 2100}, 8102).await;
    }
}

#[tokio::test]
async fn moodle_enrolment_dates_bound_when_an_active_enrolment_counts() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "timestart" => 1000, "timeend" => 5000, "eventid" => "a", "timemodified" => 1000}).await;
        let row = sis.enrolment("c1", "u1", 4000).await;
        assert_eq!(
            (row.status.as_str(), row.status_kind),
            ("active", StatusKind::Active)
        );
        assert_eq!(
            (row.moodle_starts_at, row.moodle_ends_at),
            (Some(1000), Some(5000))
        );
        let row = sis.enrolment("c1", "u1", 5000).await;
        assert_eq!(
            (
                row.status.as_str(),
                row.status_kind,
                row.status_label.as_str()
            ),
            ("ended", StatusKind::Inactive, "Ended in Moodle")
        );
        // The end date moved later in Moodle: active again at 5000; an older change arriving
        // late does not bring the old date back.
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "timestart" => 1000, "timeend" => 9000, "eventid" => "b", "timemodified" => 3000}, "updated").await;
        sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "timestart" => 1000, "timeend" => 5000, "eventid" => "c", "timemodified" => 2000}).await;
        assert_eq!(
            sis.enrolment("c1", "u1", 5000).await.status_kind,
            StatusKind::Active
        );
        // No end date any more (0): active for good; a sender without dates keeps them.
        sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "timestart" => 0, "timeend" => 0, "eventid" => "d", "timemodified" => 4000}).await;
        sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "e", "timemodified" => 4100}).await;
        let row = sis.enrolment("c1", "u1", AS_OF_NOW).await;
        assert_eq!((row.moodle_starts_at, row.moodle_ends_at), (None, None));
        // A start date in the future: not started yet.
        sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "t1", "role" => "teacher", "timestart" => 8000, "timeend" => 0, "eventid" => "f", "timemodified" => 4000}).await;
        let teacher = sis.enrolment("c1", "t1", 7000).await;
        assert_eq!(teacher.status, "not_started");
    }
}

async fn grade_points(sis: &Sis, as_of: i64) -> Option<f64> {
    let report = sis.progress("u1", as_of).await;
    report.sections[0]
        .items
        .iter()
        .find(|i| i.assessment.idnumber.as_deref() == Some("g1"))
        .and_then(|i| i.grade.as_ref())
        .and_then(|g| g.points)
}

#[tokio::test]
async fn a_grade_cleared_in_moodle_leaves_the_cell_empty_and_keeps_its_history() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "e", "timemodified" => 900}).await;
        sis.ok("new_assessment", &fields! {"idnumber" => "g1", "sectionid" => "c1", "name" => "Quiz 1", "pointval" => 10, "eventid" => "a", "timemodified" => 900}).await;
        // Nothing to clear yet.
        sis.expect_ok("remove_grade", &fields! {"assessmentid" => "g1", "userid" => "u1", "eventid" => "r0", "timemodified" => 950}, "unchanged").await;
        sis.ok("new_grade", &fields! {"assessmentid" => "g1", "userid" => "u1", "points_earned" => "7", "eventid" => "g", "timemodified" => 1000}).await;
        sis.expect_ok("remove_grade", &fields! {"assessmentid" => "g1", "userid" => "u1", "eventid" => "r1", "timemodified" => 2000}, "updated").await;
        assert_eq!(grade_points(&sis, AS_OF_NOW).await, None, "no grade now");
        assert_eq!(
            grade_points(&sis, 1500).await,
            Some(7.0),
            "as of before: the grade then"
        );
        let c1 = sis.section("c1").await;
        let book = sis.gradebook_now(c1).await;
        assert!(book.cells.is_empty(), "the gradebook shows no grade");
        // Cleared again (a retry under a new eventid, or a full sync): nothing new.
        sis.expect_ok("remove_grade", &fields! {"assessmentid" => "g1", "userid" => "u1", "eventid" => "r2", "timemodified" => 2000}, "unchanged").await;
        // A grade from before the clearing arriving late does not bring the cell back.
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "g1", "userid" => "u1", "points_earned" => "9", "attempt_num" => 2, "eventid" => "late", "timemodified" => 1500}, "stale").await;
        assert_eq!(grade_points(&sis, AS_OF_NOW).await, None);
        // Graded again after the clearing.
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "g1", "userid" => "u1", "points_earned" => "8", "eventid" => "g2", "timemodified" => 3000}, "updated").await;
        assert_eq!(grade_points(&sis, AS_OF_NOW).await, Some(8.0));
        // An old clearing arriving late is kept but does not empty the cell.
        sis.expect_ok("remove_grade", &fields! {"assessmentid" => "g1", "userid" => "u1", "eventid" => "r3", "timemodified" => 1200}, "stale").await;
        assert_eq!(grade_points(&sis, AS_OF_NOW).await, Some(8.0));
        let (g1, u1) = (sis.assessment("g1").await, sis.person("u1").await);
        let history = sis.store().grade_history(g1, u1).await.unwrap();
        let seen: Vec<(Option<f64>, bool, i64)> = history
            .iter()
            .map(|e| (e.points, e.cleared, e.provenance.effective_at))
            .collect();
        assert_eq!(
            seen,
            [
                (Some(7.0), false, 1000),
                (None, true, 1200),
                (Some(9.0), false, 1500),
                (None, true, 2000),
                (Some(8.0), false, 3000)
            ]
        );
        // Unknown assessment or person: as new_grade.
        sis.expect_fault("remove_grade", &fields! {"assessmentid" => "nope", "userid" => "u1", "eventid" => "x", "timemodified" => 3100}, 8105).await;
        sis.expect_fault("remove_grade", &fields! {"assessmentid" => "g1", "userid" => "nobody", "eventid" => "y", "timemodified" => 3100}, 8104).await;
    }
}
