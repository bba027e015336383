//! The school of the progress-report test (`sis_store`) and benchmark
//! (`benches/progress_report.rs`, BENCHMARKS.md §4), written straight into the store as rows
//! from one peer: 40 students (`u0`…`u39`), 12 sections (`c0`…`c11`) of 25 items
//! (`gi-{section}-{item}`, 10 points, chapters of five, the last extra credit), student u0 in
//! the first 8 sections with 300 grade events effective at [`T0`] + 1000…1299 (some items regraded), and
//! one grade for each other student. Shared as a file (`#[path]` in the benchmark) so the two
//! measure and check the same school.

use schoolbridge::store::StoreError;
use schoolbridge::store::sis::{Provenance, Role};
use schoolbridge::store::sis_assessments::{AssessmentUpsert, apply_new_assessment};
use schoolbridge::store::sis_enrolments::{MoodleEnrolment, apply_new_enrolment};
use schoolbridge::store::sis_grades::{GradeUpsert, apply_new_grade};
use schoolbridge::store::sis_people::{PersonUpsert, apply_fetch_user};
use schoolbridge::store::sis_sections::{SectionUpsert, apply_new_section};
use sqlx::AnyConnection;

/// When the school starts (2026-08-30 UTC): its changes are effective at `T0` + 1…1299, inside
/// the range a report's `as_of` may name (the API refuses dates before 2000).
pub const T0: i64 = 1_788_048_000;

/// A past date for u0's report: after 151 of the 300 events (effective at `T0` + 1000, 1001, …).
pub const AS_OF: i64 = T0 + 1150;

/// Checks u0's report as of [`AS_OF`]: the 8 sections, and the 151 items graded by then.
pub fn check_report_as_of(report: &schoolbridge_api::sis::ProgressReport) {
    assert_eq!(report.sections.len(), 8);
    let graded: usize = report
        .sections
        .iter()
        .map(|s| s.items.iter().filter(|i| i.grade.is_some()).count())
        .sum();
    assert_eq!(
        graded, 151,
        "events effective by T0 + 1150: T0 + 1000..=1150"
    );
}

/// Writes the school; call inside one write transaction.
pub async fn build(c: &mut AnyConnection, peer: i64) -> Result<(), StoreError> {
    let meta = |t: i64| Provenance::from_peer(peer, None, T0 + t, T0 + t);
    for i in 0..40 {
        let p = PersonUpsert {
            idnumber: format!("u{i}"),
            username: format!("user{i}"),
            firstname: "S".into(),
            lastname: format!("Student {i}"),
            email: None,
        };
        apply_fetch_user(c, peer, &p, &meta(1)).await?;
    }
    for s in 0..12 {
        let sec = SectionUpsert {
            idnumber: format!("c{s}"),
            name: format!("Section {s}"),
            teacheridnumber: None,
            segment: 1,
        };
        apply_new_section(c, peer, &sec, &meta(1)).await?.unwrap();
        for i in 0..40 {
            // Student u0 is in the first 8 sections; the others fill every section.
            if i == 0 && s >= 8 {
                continue;
            }
            apply_new_enrolment(
                c,
                peer,
                &format!("c{s}"),
                &format!("u{i}"),
                Role::Student,
                MoodleEnrolment::default(),
                &meta(1),
            )
            .await?
            .unwrap();
        }
        for a in 0..25 {
            let item = AssessmentUpsert {
                idnumber: format!("gi-{s}-{a}"),
                sectionid: format!("c{s}"),
                name: format!("Item {a}"),
                chapternum: a / 5,
                honors_required: false,
                nonhonors_required: true,
                extra_credit: a == 24,
                pointval: 10.0,
                kind: Default::default(),
            };
            apply_new_assessment(c, peer, &item, &meta(1))
                .await?
                .unwrap();
        }
    }
    // 300 grade events for u0 over its 8 sections (some items regraded), and some for others.
    let mut n = 0;
    for round in 0..2 {
        for s in 0..8 {
            for a in 0..25 {
                if n == 300 || (round == 1 && a % 2 == 1) {
                    continue;
                }
                let g = GradeUpsert {
                    assessmentid: format!("gi-{s}-{a}"),
                    userid: "u0".into(),
                    points_earned: Some(f64::from((a + round) % 11)),
                    excepted: a == 7,
                    attempt_num: 1,
                };
                apply_new_grade(c, peer, &g, &meta(1000 + n))
                    .await?
                    .unwrap();
                n += 1;
            }
        }
    }
    for i in 1..40 {
        let g = GradeUpsert {
            assessmentid: "gi-0-0".into(),
            userid: format!("u{i}"),
            points_earned: Some(5.0),
            excepted: false,
            attempt_num: 1,
        };
        apply_new_grade(c, peer, &g, &meta(1000)).await?.unwrap();
    }
    Ok(())
}
