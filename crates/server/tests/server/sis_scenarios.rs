//! The scenarios of `docs/product.md` §5 that involve the SIS records, end to end: Moodle
//! calls through real MNet, console actions through the store functions the console API calls,
//! and the reports a principal or counsellor reads — on SQLite and PostgreSQL.

use super::sis_harness::AS_OF_NOW;
use super::sis_harness::Sis;
use super::support::backends;
use crate::fields;
use schoolbridge::sis::csv_items::parse_assessment_csv;
use schoolbridge::store::sis::{Provenance, RecordSource, Refusal, Role, SisError, StatusKind};
use schoolbridge::store::sis_assessments::{LineResult, NewManualAssessment};
use schoolbridge::store::sis_enrolments::StatusNotes;
use schoolbridge::store::sis_grades::ManualGrade;
use schoolbridge::store::sis_reports::{Transcript, TranscriptEntry};
use schoolbridge::store::sis_sections::{NewCourse, NewManualSection, NewTerm};

#[tokio::test]
async fn scenario_1_self_enrolled_in_five_courses_shows_on_the_schedule() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        for i in 1..=5 {
            let id = format!("moodle-course-{i}");
            sis.ok("new_section", &fields! {"idnumber" => id.as_str(), "name" => format!("Course {i}"), "timemodified" => 1000})
                .await;
            sis.ok(
                "new_enrolment",
                &fields! {"sectionid" => id.as_str(), "userid" => "u1", "timemodified" => 1000 + i},
            )
            .await;
        }
        let u1 = sis.person("u1").await;
        let schedule = sis.store().student_schedule(u1, AS_OF_NOW).await.unwrap();
        let names: Vec<&str> = schedule.iter().map(|e| e.section.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["Course 1", "Course 2", "Course 3", "Course 4", "Course 5"]
        );
        assert!(schedule.iter().all(|e| e.enrolment.role == Role::Student));
    }
}

/// The transcript's line for the section named `name`.
fn transcript_entry<'a>(t: &'a Transcript, name: &str) -> &'a TranscriptEntry {
    t.entries
        .iter()
        .find(|e| e.section.name == name)
        .unwrap_or_else(|| panic!("no {name} on the transcript"))
}

#[tokio::test]
async fn scenario_3_a_dropped_course_gets_a_code_and_shows_on_the_transcript() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.ok(
            "new_section",
            &fields! {"idnumber" => "c2", "name" => "Biology", "timemodified" => 900},
        )
        .await;
        for c in ["c1", "c2"] {
            sis.ok(
                "new_enrolment",
                &fields! {"sectionid" => c, "userid" => "u1", "timemodified" => 1000},
            )
            .await;
        }
        // The student drops Algebra in Moodle.
        sis.expect_ok("remove_enrolment", &fields! {"sectionid" => "c1", "userid" => "u1", "eventid" => "drop", "timemodified" => 2000}, "updated").await;
        let t = sis.transcript("u1", AS_OF_NOW).await;
        let algebra = transcript_entry(&t, "Algebra 1");
        let w = algebra.withdrawal.as_ref().unwrap();
        assert_eq!(
            (w.code.as_str(), w.since, w.transcript_note.as_deref()),
            ("withdrawn", 2000, None)
        );
        // The counsellor adds a code (an admin-defined one) and a note.
        let counsellor = sis.person("t1").await;
        sis.store()
            .define_status_code(
                "wd-moved",
                "Withdrawn: moved away",
                StatusKind::Withdrawn,
                2100,
            )
            .await
            .unwrap();
        let meta = Provenance::manual(Some(counsellor), None, 2500);
        sis.store()
            .change_enrolment_status_with(
                algebra.enrolment.id,
                "wd-moved",
                StatusNotes {
                    staff: Some("Family moved to Shelbyville"),
                    transcript: Some("Transferred to another district"),
                },
                &meta,
            )
            .await
            .unwrap();
        let t = sis.transcript("u1", AS_OF_NOW).await;
        assert_eq!(t.entries.len(), 2, "withdrawals stay on the transcript");
        let algebra = transcript_entry(&t, "Algebra 1");
        let w = algebra.withdrawal.as_ref().unwrap();
        assert_eq!(
            (
                w.code.as_str(),
                w.label.as_str(),
                w.since,
                w.transcript_note.as_deref()
            ),
            (
                "wd-moved",
                "Withdrawn: moved away",
                2000,
                // The transcript carries the line written for it; the staff note stays in the
                // history (issue 16).
                Some("Transferred to another district")
            )
        );
        let biology = transcript_entry(&t, "Biology");
        assert!(biology.withdrawal.is_none());
        // The history says who did what, when, and why.
        let history = sis
            .store()
            .enrolment_history(algebra.enrolment.id)
            .await
            .unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (
                last.provenance.source,
                last.provenance.actor_id,
                last.provenance.recorded_at,
                last.note.as_deref()
            ),
            (
                RecordSource::Manual,
                Some(counsellor),
                2500,
                Some("Family moved to Shelbyville")
            )
        );
        assert_eq!(history[1].provenance.eventid.as_deref(), Some("drop"));
        // A later unenrolment from Moodle does not undo the counsellor's code.
        sis.expect_ok(
            "remove_enrolment",
            &fields! {"sectionid" => "c1", "userid" => "u1", "timemodified" => 3000},
            "unchanged",
        )
        .await;
        // Back in Moodle: Active again, with the whole story kept.
        sis.expect_ok(
            "new_enrolment",
            &fields! {"sectionid" => "c1", "userid" => "u1", "timemodified" => 4000},
            "updated",
        )
        .await;
        let statuses: Vec<String> = sis
            .store()
            .enrolment_history(algebra.enrolment.id)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.status)
            .collect();
        assert_eq!(statuses, vec!["active", "withdrawn", "wd-moved", "active"]);
        let t = sis.transcript("u1", AS_OF_NOW).await;
        assert!(t.entries.iter().all(|e| e.withdrawal.is_none()));
    }
}

#[tokio::test]
async fn scenario_6_manual_items_link_up_and_keep_their_grades() {
    for backend in backends() {
        let sis = Sis::with_two_students_on(backend, "Brown").await;
        let c1 = sis.section("c1").await;
        let (u1, u2, teacher) = (
            sis.person("u1").await,
            sis.person("u2").await,
            sis.person("t1").await,
        );
        let lab = |name: &str| NewManualAssessment {
            name: name.into(),
            pointval: 10.0,
            chapter: 0,
            honors_required: false,
            nonhonors_required: true,
            extra_credit: false,
        };
        let lab1 = sis
            .store()
            .create_manual_assessment(c1, &lab("Lab 1"), 1100)
            .await
            .unwrap();
        let lab2 = sis
            .store()
            .create_manual_assessment(c1, &lab("Lab 2"), 1100)
            .await
            .unwrap();
        let mut manual_events = Vec::new();
        for (person, points) in [(u1, 8.0), (u2, 7.0)] {
            let g = ManualGrade {
                assessment_id: lab1,
                person_id: person,
                points: Some(points),
                excepted: false,
                note: None,
            };
            manual_events.push(
                sis.store()
                    .record_manual_grade(&g, &Provenance::manual(Some(teacher), Some(1200), 1200))
                    .await
                    .unwrap(),
            );
        }
        // The teacher creates the same items in Moodle (names trimmed, exactly equal).
        sis.expect_ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => " Lab 1 ", "pointval" => 12, "eventid" => "l1", "timemodified" => 2000}, "linked").await;
        assert_eq!(
            sis.ok("new_assessment", &fields! {"idnumber" => "gi-2", "sectionid" => "c1", "name" => "lab 2", "pointval" => 10, "timemodified" => 2000}).await,
            "created",
            "a different case is a different name"
        );
        // Lab 1 is linked now: a second Moodle item of the same name is a new item.
        sis.expect_ok("new_assessment", &fields! {"idnumber" => "gi-3", "sectionid" => "c1", "name" => "Lab 1", "pointval" => 10, "timemodified" => 2000}, "created").await;
        let items = sis.store().assessments(c1, true).await.unwrap();
        assert_eq!(items.len(), 4);
        let linked = items.iter().find(|a| a.id == lab1).unwrap();
        assert_eq!(
            (
                linked.origin,
                linked.idnumber.as_deref(),
                linked.pointval,
                linked.linked_at.is_some()
            ),
            (RecordSource::Manual, Some("gi-1"), 12.0, true)
        );
        assert!(items.iter().any(|a| a.id == lab2 && a.idnumber.is_none()));
        // Moodle grades flow in; the manual grades are untouched.
        sis.expect_ok("new_grade", &fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "11", "timemodified" => 2100}, "updated").await;
        let book = sis.gradebook_now(c1).await;
        let c_u1 = book.cell(lab1, u1).unwrap();
        let c_u2 = book.cell(lab1, u2).unwrap();
        assert_eq!(
            (
                c_u1.grade.points,
                c_u1.grade.provenance.source,
                c_u1.editable
            ),
            (Some(11.0), RecordSource::Moodle, false)
        );
        assert_eq!(
            (
                c_u2.grade.id,
                c_u2.grade.points,
                c_u2.grade.provenance.source
            ),
            (manual_events[1], Some(7.0), RecordSource::Manual)
        );
        assert!(
            c_u2.editable,
            "a manual grade on a manual item stays editable"
        );
        let h = sis.store().grade_history(lab1, u1).await.unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(
            (h[0].id, h[0].points, h[0].provenance.source),
            (manual_events[0], Some(8.0), RecordSource::Manual)
        );
        // A Moodle grade is read-only in the SIS.
        let g = ManualGrade {
            assessment_id: lab1,
            person_id: u1,
            points: Some(5.0),
            excepted: false,
            note: None,
        };
        let err = sis
            .store()
            .record_manual_grade(&g, &Provenance::manual(Some(teacher), None, 2200))
            .await;
        assert!(
            matches!(err, Err(SisError::Refused(Refusal::ReadOnly(_)))),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn scenario_5_a_class_without_moodle_from_course_to_transcript() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        let store = sis.store();
        let (u1, teacher) = (sis.person("u1").await, sis.person("t1").await);
        let counsellor = Provenance::manual(Some(teacher), Some(1000), 1000);
        let course = store
            .create_course(
                &NewCourse {
                    idnumber: Some("CHEM".into()),
                    name: "Chemistry".into(),
                },
                1000,
            )
            .await
            .unwrap();
        let term = store
            .create_term(
                &NewTerm {
                    name: "Fall 2026".into(),
                    starts_at: Some(1000),
                    ends_at: Some(9000),
                },
                1000,
            )
            .await
            .unwrap();
        let section = store
            .create_manual_section(
                &NewManualSection {
                    idnumber: Some("CHEM-1".into()),
                    name: "Chemistry @ 10:00".into(),
                    segment: Some(1),
                    container_id: Some(term),
                    course_id: Some(course),
                    teacher_id: Some(teacher),
                },
                &counsellor,
            )
            .await
            .unwrap();
        let enrolment = store
            .create_manual_enrolment(section, u1, Role::Student, &counsellor)
            .await
            .unwrap();
        // The teacher uploads the grade items as a spreadsheet: preview, then create.
        let csv = "name,points,chapter,extra credit\nLab A,20,1,no\nLab B,abc,1,no\nLab A,5,,\nBonus,5,2,yes\n";
        let lines = parse_assessment_csv(csv).unwrap();
        let before = sis.count("sis_assessments").await;
        let preview = store
            .preview_manual_assessments(section, &lines)
            .await
            .unwrap();
        assert_eq!(
            sis.count("sis_assessments").await,
            before,
            "a preview writes nothing"
        );
        let outcome: Vec<(u64, LineResult)> =
            preview.iter().map(|l| (l.line, l.result.clone())).collect();
        assert_eq!(outcome[0], (2, LineResult::Created { id: None }));
        assert!(
            matches!(&outcome[1], (3, LineResult::Rejected { reason }) if reason.contains("abc"))
        );
        assert!(
            matches!(&outcome[2], (4, LineResult::Rejected { reason }) if reason.contains("line 2"))
        );
        assert_eq!(outcome[3], (5, LineResult::Created { id: None }));
        let done = store
            .create_manual_assessments(section, &lines, 1100)
            .await
            .unwrap();
        let LineResult::Created { id: Some(lab_a) } = done[0].result else {
            panic!("{done:?}")
        };
        let LineResult::Created { id: Some(bonus) } = done[3].result else {
            panic!("{done:?}")
        };
        // Uploading the same file again matches by name and creates nothing.
        let again = store
            .create_manual_assessments(section, &lines, 1200)
            .await
            .unwrap();
        assert_eq!(again[0].result, LineResult::MatchedByName { id: lab_a });
        assert_eq!(sis.count("sis_assessments").await, before + 2);
        // Grades entered by hand, one corrected later.
        let grade = |assessment_id, points, at| {
            let g = ManualGrade {
                assessment_id,
                person_id: u1,
                points: Some(points),
                excepted: false,
                note: None,
            };
            async move {
                store
                    .record_manual_grade(&g, &Provenance::manual(Some(teacher), Some(at), at))
                    .await
                    .unwrap()
            }
        };
        grade(lab_a, 14.0, 2000).await;
        grade(bonus, 3.0, 2000).await;
        grade(lab_a, 16.0, 3000).await;
        // The Chemistry section of Jane's progress report as of `at`.
        let chem_as_of = async |at: i64| {
            let report = store.progress_report(u1, at).await.unwrap().unwrap();
            report
                .sections
                .into_iter()
                .find(|s| s.section.id == section)
                .unwrap()
        };
        let chem = chem_as_of(2500).await;
        assert_eq!(
            (chem.totals.earned, chem.totals.possible),
            (17.0, 20.0),
            "extra credit adds to earned only"
        );
        assert_eq!(chem.status, "active");
        assert_eq!(chem.section.course.as_ref().unwrap().name, "Chemistry");
        let chem = chem_as_of(3500).await;
        assert_eq!(chem.totals.earned, 19.0);
        // The course ends: Passed, and the transcript shows it.
        store
            .change_enrolment_status(
                enrolment,
                "passed",
                None,
                &Provenance::manual(Some(teacher), Some(9000), 9000),
            )
            .await
            .unwrap();
        let t = store.transcript(u1, AS_OF_NOW).await.unwrap().unwrap();
        let line = t.entries.iter().find(|e| e.section.id == section).unwrap();
        assert_eq!(
            (line.enrolment.status_kind, line.totals.percent),
            (StatusKind::Completed, Some(95.0))
        );
        assert_eq!(line.section.container_name, "Fall 2026");
    }
}
