//! The SIS store functions the console API calls (issue "Console part 2"), on SQLite and
//! PostgreSQL: lists and filters, rosters and histories, the refusals of manual changes, the
//! gradebook, and what a progress report of a large record shows.

use super::sis_harness::AS_OF_NOW;
use super::sis_harness::Sis;
use super::support::backends;
use crate::fields;
use schoolbridge::store::sis::{Provenance, Refusal, Role, SisError, StatusKind};
use schoolbridge::store::sis_assessments::NewManualAssessment;
use schoolbridge::store::sis_grades::ManualGrade;
use schoolbridge::store::sis_sections::{NewCourse, NewManualSection, NewTerm, SectionFilter};

fn refused(r: Result<impl std::fmt::Debug, SisError>) -> Refusal {
    match r {
        Err(SisError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A 20-point "Oral exam" in this chapter, required of every student, made in the SIS.
fn oral_exam(chapter: i64) -> NewManualAssessment {
    NewManualAssessment {
        name: "Oral exam".into(),
        pointval: 20.0,
        chapter,
        honors_required: false,
        nonhonors_required: true,
        extra_credit: false,
    }
}

/// Awaits a store call and asserts it was refused with a refusal matching `pattern`.
macro_rules! assert_refused {
    ($call:expr, $pattern:pat) => {
        assert!(matches!(refused($call.await), $pattern))
    };
}

#[tokio::test]
async fn sections_are_listed_by_container_teacher_and_course() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        let store = sis.store();
        let t1 = sis.person("t1").await;
        let meta = Provenance::manual(None, None, 100);
        let term = store
            .create_term(
                &NewTerm {
                    name: "Spring".into(),
                    starts_at: Some(10),
                    ends_at: Some(20),
                },
                100,
            )
            .await
            .unwrap();
        let course = store
            .create_course(
                &NewCourse {
                    idnumber: None,
                    name: "Algebra".into(),
                },
                100,
            )
            .await
            .unwrap();
        let manual = store
            .create_manual_section(
                &NewManualSection {
                    name: "Algebra @ 8:00".into(),
                    container_id: Some(term),
                    ..Default::default()
                },
                &meta,
            )
            .await
            .unwrap();
        let c1 = sis.section("c1").await;
        store
            .set_section_course(c1, Some(course), 100)
            .await
            .unwrap();
        store
            .set_section_course(manual, Some(course), 100)
            .await
            .unwrap();
        let ids = |f: SectionFilter| async move {
            store
                .list_sections(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.id)
                .collect::<Vec<_>>()
        };
        let ongoing = store.containers().await.unwrap()[0].id;
        let by = SectionFilter::default;
        for (filter, expected, what) in [
            (
                SectionFilter {
                    container_id: Some(ongoing),
                    ..by()
                },
                vec![c1],
                "the ongoing container",
            ),
            (
                SectionFilter {
                    container_id: Some(term),
                    ..by()
                },
                vec![manual],
                "the term",
            ),
            (
                SectionFilter {
                    course_id: Some(course),
                    ..by()
                },
                vec![c1, manual],
                "the course: by segment, then name",
            ),
            (
                SectionFilter {
                    teacher_id: Some(t1),
                    ..by()
                },
                vec![c1],
                "the teacher",
            ),
            (
                SectionFilter {
                    peer_id: Some(sis.peer.id),
                    ..by()
                },
                vec![c1],
                "the peer",
            ),
        ] {
            assert_eq!(ids(filter).await, expected, "{what}");
        }
        assert_eq!(ids(SectionFilter::default()).await.len(), 2);
        // A manual section's teacher is set in the SIS, with history; a Moodle section's is not.
        store
            .set_section_teacher(manual, Some(t1), &Provenance::manual(None, Some(150), 150))
            .await
            .unwrap();
        assert_eq!(
            ids(SectionFilter {
                teacher_id: Some(t1),
                ..Default::default()
            })
            .await
            .len(),
            2
        );
        assert_eq!(store.teacher_history(manual).await.unwrap().len(), 1);
        assert_refused!(
            store.set_section_teacher(c1, None, &meta),
            Refusal::ReadOnly(_)
        );
        assert_eq!(store.courses().await.unwrap()[0].name, "Algebra");
        assert_eq!(store.containers().await.unwrap().len(), 2);
        // Refusals leave nothing behind.
        let before = sis.dump().await;
        assert_refused!(
            store.create_course(
                &NewCourse {
                    idnumber: None,
                    name: "  ".into(),
                },
                1,
            ),
            Refusal::Invalid { field: "name", .. }
        );
        assert_refused!(
            store.create_term(
                &NewTerm {
                    name: "X".into(),
                    starts_at: Some(5),
                    ends_at: Some(1),
                },
                1,
            ),
            _
        );
        // A section on a course that does not exist (which the refusal names), and one in
        // segment 0.
        for (section, names_the_course) in [
            (
                NewManualSection {
                    course_id: Some(999),
                    ..Default::default()
                },
                true,
            ),
            (
                NewManualSection {
                    segment: Some(0),
                    ..Default::default()
                },
                false,
            ),
        ] {
            let section = NewManualSection {
                name: "X".into(),
                ..section
            };
            let refusal = refused(store.create_manual_section(&section, &meta).await);
            assert!(
                !names_the_course || matches!(refusal, Refusal::NotFound("course", 999)),
                "{refusal:?}"
            );
        }
        assert_refused!(
            store.set_section_course(999, None, 1),
            Refusal::NotFound("section", 999)
        );
        store
            .create_course(
                &NewCourse {
                    idnumber: Some("ALG".into()),
                    name: "A".into(),
                },
                1,
            )
            .await
            .unwrap();
        let before_dup = sis.dump().await;
        assert_refused!(
            store.create_course(
                &NewCourse {
                    idnumber: Some("ALG".into()),
                    name: "B".into()
                },
                1
            ),
            Refusal::Conflict(_)
        );
        assert_eq!(sis.dump().await, before_dup);
        assert_ne!(before, before_dup);
    }
}

#[tokio::test]
async fn manual_enrolments_and_status_changes_keep_their_history() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        let store = sis.store();
        let (u1, t1, c1) = (
            sis.person("u1").await,
            sis.person("t1").await,
            sis.section("c1").await,
        );
        let at = |t: i64| Provenance::manual(Some(t1), Some(t), t);
        let e = store
            .create_manual_enrolment(c1, u1, Role::Student, &at(1000))
            .await
            .unwrap();
        assert_eq!(
            store
                .create_manual_enrolment(c1, u1, Role::Student, &at(1100))
                .await
                .unwrap(),
            e,
            "already active"
        );
        assert_eq!(store.enrolment_history(e).await.unwrap().len(), 1);
        let codes = store.status_codes().await.unwrap();
        let builtin: Vec<&str> = codes
            .iter()
            .filter(|c| c.builtin)
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(builtin.len(), 6);
        for code in [
            "active",
            "withdrawn",
            "withdrawn_no_grade",
            "withdrawn_failing",
            "passed",
            "suspended",
        ] {
            assert!(builtin.contains(&code), "{code}");
        }
        store
            .change_enrolment_status(e, "withdrawn_failing", Some("Stopped attending"), &at(2000))
            .await
            .unwrap();
        // A second note on the same status is kept too; the same status without a note is a no-op.
        store
            .change_enrolment_status(e, "withdrawn_failing", Some("Parents informed"), &at(2100))
            .await
            .unwrap();
        store
            .change_enrolment_status(e, "withdrawn_failing", None, &at(2200))
            .await
            .unwrap();
        let before = sis.dump().await;
        assert_refused!(
            store.change_enrolment_status(e, "no-such-code", None, &at(3000)),
            Refusal::Invalid { field: "code", .. }
        );
        assert_refused!(
            store.change_enrolment_status(e, "active", None, &at(1500)),
            Refusal::Conflict(_)
        );
        assert_refused!(
            store.change_enrolment_status(999, "active", None, &at(3000)),
            Refusal::NotFound("enrolment", 999)
        );
        assert_refused!(
            store.change_enrolment_status(e, "active", Some(&"n".repeat(1025)), &at(3000)),
            Refusal::Invalid { field: "note", .. }
        );
        assert_refused!(
            store.create_manual_enrolment(999, u1, Role::Student, &at(3000)),
            Refusal::NotFound("section", 999)
        );
        assert_refused!(
            store.create_manual_enrolment(c1, 999, Role::Student, &at(3000)),
            Refusal::NotFound("person", 999)
        );
        assert_refused!(
            store.define_status_code("Bad Code", "x", StatusKind::Withdrawn, 1),
            Refusal::Invalid { .. }
        );
        assert_refused!(
            store.define_status_code("passed", "x", StatusKind::Completed, 1),
            Refusal::Conflict(_)
        );
        assert_eq!(sis.dump().await, before, "refusals change nothing");
        // Re-enrolled by hand.
        assert_eq!(
            store
                .create_manual_enrolment(c1, u1, Role::Student, &at(4000))
                .await
                .unwrap(),
            e
        );
        let h = store.enrolment_history(e).await.unwrap();
        let seen: Vec<(&str, i64, Option<&str>, Option<i64>)> = h
            .iter()
            .map(|h| {
                (
                    h.status.as_str(),
                    h.provenance.effective_at,
                    h.note.as_deref(),
                    h.provenance.actor_id,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("active", 1000, None, Some(t1)),
                (
                    "withdrawn_failing",
                    2000,
                    Some("Stopped attending"),
                    Some(t1)
                ),
                (
                    "withdrawn_failing",
                    2100,
                    Some("Parents informed"),
                    Some(t1)
                ),
                ("active", 4000, None, Some(t1)),
            ]
        );
        let one = store.enrolment(e, AS_OF_NOW).await.unwrap().unwrap();
        assert_eq!(
            (one.status_kind, one.section_id, one.person.id),
            (StatusKind::Active, c1, u1)
        );
        let records = store.student_enrolments(u1, AS_OF_NOW).await.unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].history.len(), 4);
        assert_eq!(
            store.student_schedule(u1, AS_OF_NOW).await.unwrap().len(),
            1
        );
        // A teacher's schedule lists what they teach.
        store
            .create_manual_enrolment(c1, t1, Role::Teacher, &at(100))
            .await
            .unwrap();
        let teaching = store.student_schedule(t1, AS_OF_NOW).await.unwrap();
        assert_eq!(teaching[0].enrolment.role, Role::Teacher);
    }
}

#[tokio::test]
async fn manual_grades_follow_the_rules_and_the_gradebook_marks_sources() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.add_person("u2", "bob", "Bob", "Adams").await;
        sis.ok(
            "new_enrolment",
            &fields! {"sectionid" => "c1", "userid" => "u1", "timemodified" => 1000},
        )
        .await;
        sis.ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Moodle quiz", "pointval" => 10, "timemodified" => 1000})
            .await;
        let store = sis.store();
        let (u1, u2, t1, c1) = (
            sis.person("u1").await,
            sis.person("u2").await,
            sis.person("t1").await,
            sis.section("c1").await,
        );
        let quiz = sis.assessment("gi-1").await;
        let item = oral_exam(2);
        let oral = store
            .create_manual_assessment(c1, &item, 1100)
            .await
            .unwrap();
        assert_refused!(
            store.create_manual_assessment(c1, &item, 1100),
            Refusal::Conflict(_)
        );
        assert_refused!(
            store.create_manual_assessment(
                c1,
                &NewManualAssessment {
                    pointval: -1.0,
                    ..item.clone()
                },
                1100
            ),
            Refusal::Invalid {
                field: "points",
                ..
            }
        );
        let g = |assessment_id, person_id, points: Option<f64>| ManualGrade {
            assessment_id,
            person_id,
            points,
            excepted: false,
            note: Some("first marking".into()),
        };
        let at = |t: i64| Provenance::manual(Some(t1), Some(t), t);
        let first = store
            .record_manual_grade(&g(oral, u1, Some(15.0)), &at(2000))
            .await
            .unwrap();
        let fixed = store
            .record_manual_grade(&g(oral, u1, Some(17.0)), &at(2100))
            .await
            .unwrap();
        let before = sis.dump().await;
        assert_refused!(
            store.record_manual_grade(&g(quiz, u1, Some(5.0)), &at(2200)),
            Refusal::ReadOnly(_)
        );
        assert_refused!(
            store.record_manual_grade(&g(oral, u2, Some(5.0)), &at(2200)),
            Refusal::Invalid {
                field: "person",
                ..
            }
        );
        assert_refused!(
            store.record_manual_grade(&g(oral, u1, None), &at(2200)),
            Refusal::Invalid {
                field: "points",
                ..
            }
        );
        assert_refused!(
            store.record_manual_grade(&g(oral, u1, Some(1.0)), &at(1500)),
            Refusal::Conflict(_)
        );
        assert_refused!(
            store.record_manual_grade(&g(999, u1, Some(1.0)), &at(2200)),
            Refusal::NotFound(..)
        );
        assert_eq!(sis.dump().await, before);
        sis.ok("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => 9, "timemodified" => 2300})
            .await;
        let book = sis.gradebook_now(c1).await;
        assert_eq!(
            book.assessments
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>(),
            vec!["Moodle quiz", "Oral exam"]
        );
        assert_eq!(book.students.len(), 1);
        let oral_cell = book.cell(oral, u1).unwrap();
        assert_eq!(
            (
                oral_cell.grade.id,
                oral_cell.grade.points,
                oral_cell.editable
            ),
            (fixed, Some(17.0), true)
        );
        assert!(!book.cell(quiz, u1).unwrap().editable);
        let history = store.grade_history(oral, u1).await.unwrap();
        assert_eq!(
            history.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![first, fixed]
        );
        assert_eq!(history[0].note.as_deref(), Some("first marking"));
        // Hidden items leave the gradebook unless asked for.
        sis.ok(
            "remove_assessment",
            &fields! {"idnumber" => "gi-1", "timemodified" => 2400},
        )
        .await;
        assert_eq!(sis.gradebook_now(c1).await.assessments.len(), 1);
        let all = store.gradebook(c1, true, AS_OF_NOW).await.unwrap().unwrap();
        assert_eq!(all.assessments.len(), 2);
        assert!(all.cell(quiz, u1).is_some());
        assert!(
            store
                .gradebook(999, false, AS_OF_NOW)
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.progress_report(999, 1).await.unwrap().is_none());
        assert!(store.transcript(999, AS_OF_NOW).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_progress_report_of_8_sections_and_300_grades_shows_what_was_known_then() {
    for backend in backends() {
        let sis = Sis::start(backend).await;
        // Build the school directly in the store (the MNet path is covered elsewhere).
        let peer = sis.peer.id;
        schoolbridge::write_tx!(sis.store(), |c| super::progress_school::build(c, peer)
            .await)
        .unwrap();
        let u0 = sis.person("u0").await;
        let events: i64 = sqlx::Row::try_get(
            &sqlx::query("SELECT COUNT(*) FROM sis_grade_events WHERE person_id = $1")
                .bind(u0)
                .fetch_one(sis.store().pool())
                .await
                .unwrap(),
            0,
        )
        .unwrap();
        assert_eq!(events, 300);
        // (How fast this is served is a benchmark, not a test: BENCHMARKS.md §4.)
        let report = sis
            .store()
            .progress_report(u0, super::progress_school::AS_OF)
            .await
            .unwrap()
            .unwrap();
        super::progress_school::check_report_as_of(&report);
        assert_eq!(
            report.sections.iter().map(|s| s.items.len()).sum::<usize>(),
            200
        );
    }
}

/// An excused grade has no points: its statement binds a NULL number. On PostgreSQL the first
/// statement run on a connection fixes its parameter types, so a NULL sent as the wrong
/// floating-point type (sqlx 0.9.0's Any driver sent `float4` for an `f64`) broke every later
/// grade with points on that connection — an intermittent 500 in the gradebook. One connection,
/// excused first, then points: both are kept.
#[tokio::test]
async fn an_excused_grade_first_on_a_connection_leaves_later_grades_working() {
    for backend in backends() {
        let sis = Sis::with_two_students_on(backend, "Adams").await;
        let store = sis.store();
        let (u1, u2, c1) = (
            sis.person("u1").await,
            sis.person("u2").await,
            sis.section("c1").await,
        );
        let item = oral_exam(1);
        let oral = store
            .create_manual_assessment(c1, &item, 1100)
            .await
            .unwrap();
        let meta = Provenance::manual(None, None, 1200);
        let mut c = store.pool().acquire().await.unwrap();
        for (person, points, excepted) in [(u1, None, true), (u2, Some(17.5), false)] {
            let g = ManualGrade {
                assessment_id: oral,
                person_id: person,
                points,
                excepted,
                note: None,
            };
            schoolbridge::store::sis_grades::record_manual_grade(&mut c, &g, &meta)
                .await
                .unwrap()
                .unwrap();
        }
        drop(c);
        let history = store.grade_history(oral, u2).await.unwrap();
        assert_eq!(
            history.iter().map(|e| e.points).collect::<Vec<_>>(),
            [Some(17.5)]
        );
        let excused = store.grade_history(oral, u1).await.unwrap();
        assert_eq!(
            excused
                .iter()
                .map(|e| (e.points, e.excepted))
                .collect::<Vec<_>>(),
            [(None, true)]
        );
    }
}
