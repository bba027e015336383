//! `timemodified` order (`docs/product.md` §2): an older change that arrives late is kept
//! in history but does not overwrite a newer one; equal times go to the later arrival; a call
//! without `timemodified` happens when it arrives — and reports as of a past date are rebuilt from
//! that history (scenario 2), on SQLite and PostgreSQL.

use super::sis_harness::AS_OF_NOW;
use super::sis_harness::Sis;
use super::support::backends;
use crate::fields;
use schoolbridge::store::sis_enrolments::RESTATED_NOTE;

/// (status, effective time, stale, note) of each history row of u1's enrolment in c1.
async fn history(sis: &Sis) -> Vec<(String, i64, bool, Option<String>)> {
    let e = sis.enrolment("c1", "u1", AS_OF_NOW).await;
    sis.store()
        .enrolment_history(e.id)
        .await
        .unwrap()
        .into_iter()
        .map(|h| (h.status, h.provenance.effective_at, h.stale, h.note))
        .collect()
}

/// u1's status in c1 on a progress report as of `at` (`None`: not enrolled by then).
async fn status_as_of(sis: &Sis, at: i64) -> Option<String> {
    let report = sis.progress("u1", at).await;
    report.sections.first().map(|s| s.status.clone())
}

async fn enrol(sis: &Sis, eventid: &str, tm: i64) -> String {
    sis.ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => eventid, "timemodified" => tm})
        .await
}

async fn withdraw(sis: &Sis, eventid: &str, tm: i64) -> String {
    sis.ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => eventid, "timemodified" => tm})
        .await
}

#[tokio::test]
async fn a_late_older_change_is_history_only() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        assert_eq!(enrol(&sis, "e1", 1000).await, "created");
        assert_eq!(withdraw(&sis, "e3", 3000).await, "updated");
        // The withdrawal at 2000 arrives last: the student was withdrawn by 3000 anyway.
        assert_eq!(withdraw(&sis, "e2", 2000).await, "stale");
        // An enrolment at 2500 arrives late: history only, the current status stays Withdrawn.
        assert_eq!(enrol(&sis, "e4", 2500).await, "stale");
        let h = history(&sis).await;
        let seen: Vec<(&str, i64, bool)> = h
            .iter()
            .map(|(s, t, st, _)| (s.as_str(), *t, *st))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("active", 1000, false),
                ("withdrawn", 2000, true),
                ("active", 2500, true),
                ("withdrawn", 3000, false),
            ]
        );
        for (at, status) in [
            (999, None),
            (1500, Some("active")),
            (2200, Some("withdrawn")),
            (2700, Some("active")),
            (3000, Some("withdrawn")),
        ] {
            assert_eq!(
                status_as_of(&sis, at).await.as_deref(),
                status,
                "as of {at}"
            );
        }
        let roster = sis.roster("c1", AS_OF_NOW).await;
        assert_eq!(roster.enrolments[0].status, "withdrawn");
    }
}

#[tokio::test]
async fn a_late_change_before_a_confirming_one_is_restated() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        // Moodle: enrolled at 1000, unenrolled at 2000, enrolled again at 3000. The 3000 call
        // arrives before the 2000 one and finds the student still Active: nothing to change.
        assert_eq!(enrol(&sis, "e1", 1000).await, "created");
        assert_eq!(enrol(&sis, "e3", 3000).await, "unchanged");
        assert_eq!(
            history(&sis).await.len(),
            1,
            "an unchanged call records nothing"
        );
        // The 2000 withdrawal arrives: older than the newest change, so history only — and the
        // Active status confirmed at 3000 is restated after it, so history and state agree.
        assert_eq!(withdraw(&sis, "e2", 2000).await, "stale");
        let h = history(&sis).await;
        assert_eq!(h.len(), 3);
        assert_eq!((h[1].0.as_str(), h[1].1, h[1].2), ("withdrawn", 2000, true));
        assert_eq!(
            (h[2].0.as_str(), h[2].1, h[2].2, h[2].3.as_deref()),
            ("active", 3000, false, Some(RESTATED_NOTE))
        );
        assert_eq!(status_as_of(&sis, 2500).await.as_deref(), Some("withdrawn"));
        assert_eq!(status_as_of(&sis, 3500).await.as_deref(), Some("active"));
        let roster = sis.roster("c1", AS_OF_NOW).await;
        assert_eq!(
            (
                roster.enrolments[0].status.as_str(),
                roster.enrolments[0].status_effective_at
            ),
            ("active", 1000)
        );
    }
}

#[tokio::test]
async fn equal_times_go_to_the_later_arrival_and_missing_times_to_arrival() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        assert_eq!(enrol(&sis, "e1", 1000).await, "created");
        assert_eq!(withdraw(&sis, "e2", 1000).await, "updated");
        assert_eq!(enrol(&sis, "e3", 1000).await, "updated");
        assert_eq!(status_as_of(&sis, 1000).await.as_deref(), Some("active"));
        // No timemodified (an older sender): it happens on arrival, so it is newest.
        let before = sis.app.state.clock.now();
        sis.expect_ok(
            "remove_enrolment",
            &fields! {"sectionid" => "c1", "userid" => "u1"},
            "updated",
        )
        .await;
        let h = history(&sis).await;
        let last = h.last().unwrap();
        assert_eq!(last.0, "withdrawn");
        assert!(last.1 >= before && last.1 <= sis.app.state.clock.now());
        // An explicit older time now is stale.
        assert_eq!(enrol(&sis, "e4", 5000).await, "stale");
    }
}

#[tokio::test]
async fn a_grade_changed_twice_reports_the_old_value_as_of_between() {
    // Scenario 2: grades arrive one by one; a progress report for any date, past or present.
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        enrol(&sis, "e1", 1000).await;
        for (id, name) in [("gi-1", "Essay"), ("gi-2", "Quiz")] {
            sis.ok("new_assessment", &fields! {"idnumber" => id, "sectionid" => "c1", "name" => name, "pointval" => 100, "timemodified" => 1000})
                .await;
        }
        let grade = |eventid: &'static str, item: &'static str, points: &'static str, tm: i64| {
            let sis = &sis;
            async move {
                sis.ok("new_grade", &fields! {"assessmentid" => item, "userid" => "u1", "points_earned" => points, "eventid" => eventid, "timemodified" => tm})
                    .await
            }
        };
        assert_eq!(grade("g1", "gi-1", "70", 2000).await, "created");
        assert_eq!(grade("g2", "gi-1", "80", 3000).await, "updated");
        assert_eq!(grade("g3", "gi-2", "50", 3500).await, "created");
        assert_eq!(grade("g4", "gi-1", "90", 4000).await, "updated");
        // A correction dated before all of them arrives last: history only.
        assert_eq!(grade("g0", "gi-1", "60", 1500).await, "stale");
        let essay = |at: i64| {
            let sis = &sis;
            async move {
                let r = sis.progress("u1", at).await;
                let s = &r.sections[0];
                let item = s
                    .items
                    .iter()
                    .find(|i| i.assessment.name == "Essay")
                    .unwrap();
                (
                    item.grade.as_ref().and_then(|g| g.points),
                    s.totals.earned,
                    s.totals.possible,
                )
            }
        };
        assert_eq!(essay(1200).await, (None, 0.0, 0.0));
        assert_eq!(essay(1700).await, (Some(60.0), 60.0, 100.0));
        assert_eq!(essay(2500).await, (Some(70.0), 70.0, 100.0));
        assert_eq!(
            essay(3200).await,
            (Some(80.0), 80.0, 100.0),
            "between the changes: the old value"
        );
        assert_eq!(essay(3700).await, (Some(80.0), 130.0, 200.0));
        assert_eq!(essay(i64::from(i32::MAX)).await, (Some(90.0), 140.0, 200.0));
        let now = sis.progress("u1", i64::from(i32::MAX)).await;
        assert_eq!(now.sections[0].totals.percent, Some(70.0));
        // A hidden item leaves current reports but stays in reports dated before the hiding.
        sis.ok(
            "remove_assessment",
            &fields! {"idnumber" => "gi-2", "timemodified" => 5000},
        )
        .await;
        let names = |at: i64| {
            let sis = &sis;
            async move {
                let r = sis.progress("u1", at).await;
                r.sections[0]
                    .items
                    .iter()
                    .map(|i| i.assessment.name.clone())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(names(4500).await, vec!["Essay", "Quiz"]);
        assert_eq!(names(5000).await, vec!["Essay"]);
    }
}

#[tokio::test]
async fn older_section_and_assessment_changes_do_not_overwrite() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Quiz 2", "pointval" => 10, "timemodified" => 2000})
            .await;
        sis.expect_ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Quiz old", "pointval" => 5, "timemodified" => 1500}, "stale").await;
        sis.expect_ok(
            "remove_assessment",
            &fields! {"idnumber" => "gi-1", "timemodified" => 1900},
            "stale",
        )
        .await;
        let items = sis
            .store()
            .assessments(sis.section("c1").await, false)
            .await
            .unwrap();
        assert_eq!(
            (items[0].name.as_str(), items[0].pointval, items[0].hidden),
            ("Quiz 2", 10.0, false)
        );
        sis.expect_ok("new_section", &fields! {"idnumber" => "c1", "name" => "Ancient", "teacheridnumber" => "t1", "timemodified" => 100}, "stale").await;
        assert_eq!(
            sis.store()
                .section(sis.section("c1").await)
                .await
                .unwrap()
                .unwrap()
                .name,
            "Algebra 1"
        );
    }
}
