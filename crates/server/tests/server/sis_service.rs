//! The seven `schooltool_sis` methods end to end through real MNet (`docs/product.md` §2,
//! `docs/schooltool-sis.md`), on SQLite and PostgreSQL: what each creates, updates or leaves
//! unchanged, values as Moodle sends them, and replays of the same eventid.

use super::sis_harness::AS_OF_NOW;
use super::sis_harness::{Sis, text};
use super::support::backends;
use crate::fields;
use mnet::xmlrpc::Value;
use schoolbridge::store::sis::{RecordSource, Role, StatusKind};
use schoolbridge::store::sis_sections::SectionFilter;
use sqlx::Row;

/// (idnumber, username, firstname, lastname, email, login_allowed, password_hash) of a person.
async fn person_row(
    sis: &Sis,
    id: i64,
) -> (
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
) {
    let r = sqlx::query(
        "SELECT idnumber, mnet_username, firstname, lastname, email, login_allowed, password_hash FROM people WHERE id = $1",
    )
    .bind(id)
    .fetch_one(sis.store().pool())
    .await
    .unwrap();
    (
        r.try_get(0).unwrap(),
        r.try_get(1).unwrap(),
        r.try_get(2).unwrap(),
        r.try_get(3).unwrap(),
        r.try_get(4).unwrap(),
        r.try_get(5).unwrap(),
        r.try_get(6).unwrap(),
    )
}

#[tokio::test]
async fn fetch_user_creates_updates_completes_and_moves_usernames() {
    for backend in backends() {
        let sis = Sis::start(backend).await;
        let r = sis
            .call("fetch_user", &fields! {"idnumber" => " u1 ", "username" => "jsmith", "firstname" => "Jane", "lastname" => "Smith", "email" => "jane@example.org", "eventid" => "e1", "timemodified" => "1000", "city" => "Springfield"})
            .await
            .unwrap();
        assert_eq!(text(&r, "status"), "created");
        assert_eq!(text(&r, "idnumber"), "u1", "text is trimmed");
        assert_eq!(text(&r, "eventid"), "e1");
        assert!(r.get("replayed").is_none());
        let u1 = sis.person("u1").await;
        let row = person_row(&sis, u1).await;
        assert_eq!(row.1.as_deref(), Some("jsmith"));
        assert_eq!(row.5, 0, "imported people get no login rights");
        // The same content under a new eventid: nothing to change.
        sis.expect_ok("fetch_user", &fields! {"idnumber" => "u1", "username" => "jsmith", "firstname" => "Jane", "lastname" => "Smith", "email" => "jane@example.org", "eventid" => "e2", "timemodified" => 1000}, "unchanged").await;
        // A username change follows the idnumber; an absent e-mail keeps the stored one.
        sis.expect_ok("fetch_user", &fields! {"idnumber" => "u1", "username" => "jane.smith", "firstname" => "Jane", "lastname" => "Smith-Jones", "eventid" => "e3", "timemodified" => 1100}, "updated").await;
        let row = person_row(&sis, u1).await;
        assert_eq!(
            (row.1.as_deref(), row.3.as_str(), row.4.as_deref()),
            (Some("jane.smith"), "Smith-Jones", Some("jane@example.org"))
        );
        // An older change arriving late does not overwrite the newer one.
        sis.expect_ok("fetch_user", &fields! {"idnumber" => "u1", "username" => "jsmith", "firstname" => "Old", "lastname" => "Name", "eventid" => "e4", "timemodified" => 1050}, "stale").await;
        assert_eq!(person_row(&sis, u1).await.2, "Jane");
        // A person who arrived by SSO first is completed, not duplicated (§3).
        let (bob, created) = schoolbridge::write_tx!(sis.store(), |c| {
            schoolbridge::store::people::upsert_sso_person(
                c,
                sis.peer.id,
                "bob",
                "Bob",
                "Brown",
                "bob@example.org",
                1,
            )
            .await
        })
        .unwrap();
        assert!(created);
        let before = sis.count("people").await;
        sis.expect_ok("fetch_user", &fields! {"idnumber" => "u2", "username" => "bob", "firstname" => "Robert", "lastname" => "Brown", "eventid" => "e5", "timemodified" => 1200}, "updated").await;
        assert_eq!(sis.count("people").await, before);
        assert_eq!(sis.person("u2").await, bob);
        assert_eq!(person_row(&sis, bob).await.2, "Robert");
        // Moodle gives "jane.smith" to another user: the newer word wins, u1 keeps its record.
        sis.expect_ok("fetch_user", &fields! {"idnumber" => "u3", "username" => "jane.smith", "firstname" => "Janet", "lastname" => "Smithers", "eventid" => "e6", "timemodified" => 1300}, "created").await;
        let u3 = sis.person("u3").await;
        assert_eq!(person_row(&sis, u3).await.1.as_deref(), Some("jane.smith"));
        assert_eq!(person_row(&sis, u1).await.1, None);
        assert_eq!(person_row(&sis, u1).await.0.as_deref(), Some("u1"));
        let (_, _, detail, _, _) = sis.last_audit().await;
        assert!(
            detail.as_deref().is_some_and(|d| d.contains("moved")),
            "the move is in the audit log: {detail:?}"
        );
    }
}

#[tokio::test]
async fn new_section_keeps_teacher_history_in_the_ongoing_container() {
    for backend in backends() {
        let sis = Sis::start(backend).await;
        for (id, user) in [("t1", "tess"), ("t2", "tom")] {
            sis.ok("fetch_user", &fields! {"idnumber" => id, "username" => user, "firstname" => "T", "lastname" => user, "timemodified" => 1})
                .await;
        }
        sis.expect_ok("new_section", &fields! {"idnumber" => "c1", "name" => "Algebra 1", "teacheridnumber" => "t1", "segment" => "1", "eventid" => "s1", "timemodified" => 1000}, "created").await;
        let c1 = sis.section("c1").await;
        let section = sis.store().section(c1).await.unwrap().unwrap();
        let ongoing = sis.store().containers().await.unwrap()[0].clone();
        assert_eq!(ongoing.kind, "ongoing");
        assert_eq!(section.container_id, ongoing.id);
        assert_eq!(section.source, RecordSource::Moodle);
        assert_eq!(
            section.teacher.as_ref().unwrap().idnumber.as_deref(),
            Some("t1")
        );
        sis.expect_ok("new_section", &fields! {"idnumber" => "c1", "name" => "Algebra 1", "teacheridnumber" => "t1", "segment" => 1, "eventid" => "s2", "timemodified" => 1000}, "unchanged").await;
        sis.expect_ok("new_section", &fields! {"idnumber" => "c1", "name" => "Algebra 1 (9:15)", "teacheridnumber" => "t2", "eventid" => "s3", "timemodified" => 2000}, "updated").await;
        // An empty teacheridnumber means no teacher.
        sis.expect_ok("new_section", &fields! {"idnumber" => "c1", "name" => "Algebra 1 (9:15)", "teacheridnumber" => "", "eventid" => "s4", "timemodified" => 3000}, "updated").await;
        // Late and older: recorded in the teacher history only when it says something new then.
        sis.expect_ok("new_section", &fields! {"idnumber" => "c1", "name" => "Old name", "teacheridnumber" => "t1", "eventid" => "s5", "timemodified" => 1500}, "stale").await;
        sis.expect_ok("new_section", &fields! {"idnumber" => "c1", "name" => "Old name", "teacheridnumber" => "t1", "eventid" => "s6", "timemodified" => 2500}, "stale").await;
        let section = sis.store().section(c1).await.unwrap().unwrap();
        assert_eq!(section.name, "Algebra 1 (9:15)");
        assert!(section.teacher.is_none());
        let history = sis.store().teacher_history(c1).await.unwrap();
        let seen: Vec<(Option<String>, i64, bool)> = history
            .iter()
            .map(|h| {
                (
                    h.teacher.as_ref().and_then(|t| t.idnumber.clone()),
                    h.effective_at,
                    h.stale,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (Some("t1".into()), 1000, false),
                (Some("t2".into()), 2000, false),
                (Some("t1".into()), 2500, true),
                (None, 3000, false),
            ]
        );
        assert_eq!(history[1].eventid.as_deref(), Some("s3"));
    }
}

#[tokio::test]
async fn enrolments_withdraw_and_come_back_with_history() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "n1", "timemodified" => 1000}, "created").await;
        let r = sis
            .call("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "role" => "student", "eventid" => "n2", "timemodified" => 1100})
            .await
            .unwrap();
        assert_eq!(text(&r, "status"), "unchanged");
        assert_eq!(text(&r, "idnumber"), "c1/u1");
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "t1", "role" => "TEACHER", "eventid" => "n3", "timemodified" => 1000}, "created").await;
        let (u1, t1) = (sis.person("u1").await, sis.person("t1").await);
        let roster = sis.roster("c1", AS_OF_NOW).await;
        assert_eq!(roster.enrolments.len(), 2);
        assert_eq!(roster.enrolments[0].role, Role::Teacher, "teachers first");
        assert_eq!(roster.section.active_students, 1);
        // Withdrawal: status Withdrawn (reason pending), nothing deleted (§2).
        sis.expect_ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "role" => "student", "eventid" => "r1", "timemodified" => 2000}, "updated").await;
        sis.expect_ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "r2", "timemodified" => 2100}, "unchanged").await;
        let student = sis.roster("c1", AS_OF_NOW).await.enrolments[1].clone();
        assert_eq!(student.person.id, u1);
        assert_eq!(
            (
                student.status.as_str(),
                student.status_kind,
                student.status_effective_at
            ),
            ("withdrawn", StatusKind::Withdrawn, 2000)
        );
        // Enrolled again: Active with a new history entry.
        sis.expect_ok("new_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "n4", "timemodified" => 3000}, "updated").await;
        // Withdrawn again with the same content under a new eventid: a new change, applied.
        sis.expect_ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "role" => "student", "eventid" => "r3", "timemodified" => 4000}, "updated").await;
        let history = sis.store().enrolment_history(student.id).await.unwrap();
        let seen: Vec<(&str, i64, Option<&str>)> = history
            .iter()
            .map(|h| {
                (
                    h.status.as_str(),
                    h.provenance.effective_at,
                    h.provenance.eventid.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("active", 1000, Some("n1")),
                ("withdrawn", 2000, Some("r1")),
                ("active", 3000, Some("n4")),
                ("withdrawn", 4000, Some("r3")),
            ]
        );
        // Without a role every active role is withdrawn; a missing enrolment is unchanged.
        sis.expect_ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "t1", "eventid" => "r4", "timemodified" => 4000}, "updated").await;
        sis.expect_ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "t1", "role" => "student", "eventid" => "r5", "timemodified" => 4000}, "unchanged").await;
        let filter = SectionFilter {
            teacher_id: Some(t1),
            ..SectionFilter::default()
        };
        // Moodle withdrew every role, the teacher's too: they no longer teach the section, though
        // its last new_section named them (issue 18: access ends with the enrolment).
        assert_eq!(
            sis.store().list_sections(&filter).await.unwrap().len(),
            0,
            "no longer teaching it"
        );
    }
}

#[tokio::test]
async fn assessments_are_created_updated_hidden_and_shown_again() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.expect_ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Quiz 1", "chapternum" => "3", "honors_required" => "0", "nonhonors_required" => "yes", "extra_credit" => true, "pointval" => "87.5", "eventid" => "a1", "timemodified" => 1000}, "created").await;
        let c1 = sis.section("c1").await;
        let items = sis.store().assessments(c1, false).await.unwrap();
        assert_eq!(items.len(), 1);
        let q = &items[0];
        assert_eq!(
            (
                q.name.as_str(),
                q.chapter,
                q.pointval,
                q.honors_required,
                q.nonhonors_required,
                q.extra_credit
            ),
            ("Quiz 1", 3, 87.5, false, true, true)
        );
        assert_eq!(
            (q.origin, q.idnumber.as_deref()),
            (RecordSource::Moodle, Some("gi-1"))
        );
        // Defaults: chapter 0, honours false, non-honours true, extra credit false.
        sis.expect_ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Quiz 1 (revised)", "pointval" => 90, "eventid" => "a2", "timemodified" => 1100}, "updated").await;
        let q = &sis.store().assessments(c1, false).await.unwrap()[0];
        assert_eq!(
            (q.chapter, q.pointval, q.extra_credit, q.nonhonors_required),
            (0, 90.0, false, true)
        );
        sis.expect_ok(
            "remove_assessment",
            &fields! {"idnumber" => "gi-1", "eventid" => "a3", "timemodified" => 1200},
            "updated",
        )
        .await;
        assert!(sis.store().assessments(c1, false).await.unwrap().is_empty());
        let hidden = sis.store().assessments(c1, true).await.unwrap();
        assert!(hidden[0].hidden && hidden[0].hidden_at == Some(1200));
        sis.expect_ok(
            "remove_assessment",
            &fields! {"idnumber" => "gi-1", "eventid" => "a4", "timemodified" => 1300},
            "unchanged",
        )
        .await;
        sis.expect_ok(
            "remove_assessment",
            &fields! {"idnumber" => "gi-404", "eventid" => "a5"},
            "unchanged",
        )
        .await;
        // Sent again: visible again.
        sis.expect_ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Quiz 1 (revised)", "pointval" => "90", "eventid" => "a6", "timemodified" => 1400}, "updated").await;
        assert_eq!(sis.store().assessments(c1, false).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn grades_keep_every_event_and_the_best_attempt_is_current() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.ok(
            "new_enrolment",
            &fields! {"sectionid" => "c1", "userid" => "u1", "timemodified" => 950},
        )
        .await;
        sis.ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Essay", "pointval" => "10", "timemodified" => 950})
            .await;
        let r = sis
            .call("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "8.5", "eventid" => "g1", "timemodified" => 1000})
            .await
            .unwrap();
        assert_eq!(
            (text(&r, "status"), text(&r, "idnumber")),
            ("created".into(), "gi-1/u1".into())
        );
        // The same grade at the same time under a new eventid (a full sync): not copied.
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => 8.5, "attempt_num" => "1", "eventid" => "g2", "timemodified" => 1000}, "unchanged").await;
        // The same value later is a new event (the teacher regraded).
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "8.5", "eventid" => "g3", "timemodified" => 1100}, "updated").await;
        // A second attempt wins even when its time is older; a newer first attempt does not.
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "6", "attempt_num" => 2, "eventid" => "g4", "timemodified" => 1050}, "updated").await;
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "9", "attempt_num" => 1, "eventid" => "g5", "timemodified" => 1200}, "stale").await;
        // Excepted with no points.
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "", "excepted" => "true", "attempt_num" => 2, "eventid" => "g6", "timemodified" => 1300}, "updated").await;
        let (item, u1) = (sis.assessment("gi-1").await, sis.person("u1").await);
        let book = sis
            .store()
            .gradebook(sis.section("c1").await, false, AS_OF_NOW)
            .await
            .unwrap()
            .unwrap();
        let cell = book.cell(item, u1).unwrap();
        assert_eq!(
            (
                cell.grade.points,
                cell.grade.excepted,
                cell.grade.attempt,
                cell.grade.provenance.source
            ),
            (None, true, 2, RecordSource::Moodle)
        );
        assert!(!cell.editable, "grades from Moodle are read-only");
        let history = sis.store().grade_history(item, u1).await.unwrap();
        let seen: Vec<(Option<f64>, i64, i64, bool)> = history
            .iter()
            .map(|e| (e.points, e.attempt, e.provenance.effective_at, e.stale))
            .collect();
        assert_eq!(
            seen,
            vec![
                (Some(8.5), 1, 1000, false),
                (Some(6.0), 2, 1050, false),
                (Some(8.5), 1, 1100, false),
                (Some(9.0), 1, 1200, true),
                (None, 2, 1300, false),
            ]
        );
    }
}

/// One call of each method, each with its own eventid.
fn one_of_each() -> Vec<(&'static str, Vec<(&'static str, Value)>)> {
    vec![
        ("fetch_user", fields! {"idnumber" => "u9", "username" => "nine", "firstname" => "N", "lastname" => "Nine", "eventid" => "x1", "timemodified" => 2000}.to_vec()),
        ("new_section", fields! {"idnumber" => "c9", "name" => "Nine", "teacheridnumber" => "t1", "eventid" => "x2", "timemodified" => 2000}.to_vec()),
        ("new_enrolment", fields! {"sectionid" => "c9", "userid" => "u9", "eventid" => "x3", "timemodified" => 2000}.to_vec()),
        ("new_assessment", fields! {"idnumber" => "gi-9", "sectionid" => "c9", "name" => "Lab", "pointval" => 5, "eventid" => "x4", "timemodified" => 2000}.to_vec()),
        ("new_grade", fields! {"assessmentid" => "gi-9", "userid" => "u9", "points_earned" => 4, "eventid" => "x5", "timemodified" => 2000}.to_vec()),
        ("remove_assessment", fields! {"idnumber" => "gi-9", "eventid" => "x6", "timemodified" => 2100}.to_vec()),
        ("remove_enrolment", fields! {"sectionid" => "c9", "userid" => "u9", "eventid" => "x7", "timemodified" => 2100}.to_vec()),
    ]
}

#[tokio::test]
async fn a_repeated_eventid_gets_the_original_reply_and_changes_nothing() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        let calls = one_of_each();
        let mut first = Vec::new();
        for (method, f) in &calls {
            first.push(sis.call(method, f).await.unwrap());
        }
        let state = sis.dump().await;
        for ((method, f), original) in calls.iter().zip(&first) {
            let again = sis.call(method, f).await.unwrap();
            assert_eq!(text(&again, "status"), text(original, "status"), "{method}");
            assert_eq!(
                text(&again, "idnumber"),
                text(original, "idnumber"),
                "{method}"
            );
            assert_eq!(
                text(&again, "eventid"),
                text(original, "eventid"),
                "{method}"
            );
            assert_eq!(again.get("replayed"), Some(&Value::Bool(true)), "{method}");
        }
        assert_eq!(sis.dump().await, state, "replays change nothing");
        // Even with different content, a replay is answered from the ledger.
        let changed = fields! {"idnumber" => "u9", "username" => "nine", "firstname" => "Changed", "lastname" => "Nine", "eventid" => "x1", "timemodified" => 9000};
        let again = sis.call("fetch_user", &changed).await.unwrap();
        assert_eq!(text(&again, "status"), "created");
        assert_eq!(sis.dump().await, state);
        let (_, outcome, detail, _, _) = sis.last_audit().await;
        assert_eq!(outcome, "ok");
        assert!(detail.unwrap().starts_with("replayed"));
    }
}
