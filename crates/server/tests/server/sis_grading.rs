//! School settings, progress reports and transcripts through the console API (issue 20,
//! `docs/design/029-school-settings-and-grading.md`), on SQLite and PostgreSQL: who may change
//! the settings and that each change is recorded; a time zone checked against the tz database;
//! terms that may not overlap; course credits; the honours track; a progress report as of a day
//! in New York (a grade given at 21:00 there is on that day's report); a section's report with
//! Moodle's course total beside ours; the transcript's header, terms, final grades, credits, GPA
//! and withdrawal; the CSV exports with the same figures.

use super::sis_harness::Sis;
use super::support::{Api, Backend, backends, local_account};
use crate::fields;
use serde_json::{Value, json};

/// 21:00 on 5 October 2026 in New York (EDT), 01:00 UTC on the 6th.
const QUIZ_AT: i64 = 1_791_248_400;
/// 20 October 2026, 12:00 UTC.
const LATER: i64 = 1_792_497_600;
/// 21 September 2026, 14:00 UTC: students enrol in Algebra (in Fall).
const ENROLLED: i64 = 1_789_999_200;
/// 1 July 2026, 12:00 UTC: the manual Art section's enrolment (in Summer).
const SUMMER: i64 = 1_782_907_200;

/// One Moodle section, Algebra (students S1 and S2), with a quiz for both tracks, an
/// honours-only essay, a bonus, and Moodle's course total; S1's grades.
async fn school(backend: Backend) -> Sis {
    let sis = Sis::start(backend).await;
    for (id, user, first) in [("S1", "s1", "Sam"), ("S2", "s2", "Sue")] {
        sis.ok("fetch_user", &fields! {"idnumber" => id, "username" => user, "firstname" => first, "lastname" => "Moodle", "email" => "x@example.org", "timemodified" => ENROLLED}).await;
    }
    sis.ok(
        "new_section",
        &fields! {"idnumber" => "C1", "name" => "Algebra 1 @ 9:15", "timemodified" => ENROLLED},
    )
    .await;
    for s in ["S1", "S2"] {
        sis.ok("new_enrolment", &fields! {"sectionid" => "C1", "userid" => s, "role" => "student", "eventid" => format!("en-{s}"), "timemodified" => ENROLLED}).await;
    }
    let item = |id: &str, name: &str, max: &str, honors: bool, regular: bool, extra: bool| {
        fields! {"idnumber" => id, "sectionid" => "C1", "name" => name, "pointval" => max, "honors_required" => honors, "nonhonors_required" => regular, "extra_credit" => extra, "timemodified" => ENROLLED}
    };
    sis.ok(
        "new_assessment",
        &item("Q", "Quiz", "10", true, true, false),
    )
    .await;
    sis.ok(
        "new_assessment",
        &item("E", "Essay", "10", true, false, false),
    )
    .await;
    sis.ok(
        "new_assessment",
        &item("B", "Bonus", "5", false, false, true),
    )
    .await;
    sis.ok("new_assessment", &fields! {"idnumber" => "T", "sectionid" => "C1", "name" => "Course total", "pointval" => "100", "kind" => "course_total", "timemodified" => ENROLLED}).await;
    for (item, points, at) in [
        ("Q", "7", QUIZ_AT),
        ("E", "5", LATER),
        ("B", "5", LATER),
        ("T", "88", LATER),
    ] {
        sis.ok("new_grade", &fields! {"assessmentid" => item, "userid" => "S1", "points_earned" => points, "eventid" => format!("g-{item}"), "timemodified" => at}).await;
    }
    sis.ok("remove_enrolment", &fields! {"sectionid" => "C1", "userid" => "S2", "eventid" => "rm-S2", "timemodified" => LATER}).await;
    local_account(
        &sis.app,
        "counsellor",
        "counsellor-password",
        &["counsellor"],
        true,
    )
    .await;
    local_account(&sis.app, "rivera", "rivera-password", &["teacher"], true).await;
    sis
}

fn settings(zone: &str) -> Value {
    json!({
        "name": "  Springfield High School ",
        "address": "742 Evergreen Terrace\r\n  Springfield, OR 97403  \n",
        "time_zone": zone,
        "scale": [
            {"letter": "A", "min_percent": 90.0, "gpa_points": 4.0},
            {"letter": "B+", "min_percent": 87.0, "gpa_points": 3.3},
            {"letter": "B", "min_percent": 80.0, "gpa_points": 3.0},
            {"letter": "C", "min_percent": 70.0, "gpa_points": 2.0},
            {"letter": "D", "min_percent": 60.0, "gpa_points": 1.0},
            {"letter": "F", "min_percent": 0.0, "gpa_points": 0.0}
        ],
        "allow_over_100": false,
        "transcript_total": "moodle",
        "default_credits": 1.0
    })
}

/// Adds a term (first and last day) in the school settings; returns the status and the
/// settings page.
async fn add_term(c: &mut Api, name: &str, first: &str, last: &str) -> (u16, Value) {
    let term = json!({"name": name, "first_day": first, "last_day": last});
    c.post("/api/sis/settings/terms", term).await
}

fn section_named<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"]["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {report}"))
}

#[tokio::test]
async fn school_settings_reports_and_transcripts() {
    for backend in backends() {
        run(backend).await;
    }
}

async fn run(backend: Backend) {
    let sis = school(backend).await;
    let c1 = sis.id_of("sis_sections", "C1").await;
    let s1 = sis.id_of("people", "S1").await;
    let mut c = Api::sign_in(&sis.app, "counsellor", "counsellor-password").await;
    let mut teacher = Api::sign_in(&sis.app, "rivera", "rivera-password").await;

    // The defaults; a teacher reads them but may not change them.
    let (st, page) = teacher.get("/api/sis/settings").await;
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["settings"]["time_zone"], "UTC");
    assert_eq!(page["settings"]["scale"][4]["letter"], "F");
    assert_eq!(page["can_manage"], false);
    let (st, _) = teacher.put("/api/sis/settings", settings("UTC")).await;
    assert_eq!(st, 403);

    // Before the zone is set, days are UTC: the quiz given at 01:00 UTC on the 6th is not on
    // the report of the 5th.
    let (st, r) = c
        .get(&format!("/api/sis/students/{s1}/progress?day=2026-10-05"))
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["as_of"], QUIZ_AT - 3600 - 1, "the end of the 5th, UTC");
    let algebra = section_named(&r, "Algebra 1 @ 9:15");
    assert_eq!(algebra["totals"]["graded"], 0, "{algebra}");

    // A zone the tz database does not know, and a scale that does not fall, are refused.
    let (st, body) = c
        .put("/api/sis/settings", settings("America/Springfield"))
        .await;
    assert_eq!(
        (st, body["code"].as_str()),
        (400, Some("invalid_setting")),
        "{body}"
    );
    let mut bad = settings("UTC");
    bad["scale"][1]["min_percent"] = json!(95.0);
    let (st, _) = c.put("/api/sis/settings", bad).await;
    assert_eq!(st, 400);
    let (st, page) = c
        .put("/api/sis/settings", settings("America/New_York"))
        .await;
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["settings"]["name"], "Springfield High School");
    assert_eq!(
        page["settings"]["address"],
        "742 Evergreen Terrace\nSpringfield, OR 97403"
    );
    assert_eq!(page["can_manage"], true);

    // Terms: Summer and Fall; one overlapping Fall is refused.
    let (st, _) = add_term(&mut c, "Fall 2026", "2026-09-01", "2027-01-15").await;
    assert_eq!(st, 201);
    let (st, body) = add_term(&mut c, "Overlap", "2027-01-15", "2027-02-01").await;
    assert_eq!(st, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("Fall 2026"),
        "{body}"
    );
    let (st, page) = add_term(&mut c, "Summer 2026", "2026-06-15", "2026-08-31").await;
    assert_eq!(st, 201);
    let names: Vec<&str> = page["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Summer 2026", "Fall 2026"], "by first day");

    // A manual Art section in a course of 2 credits, in Summer; Sam gets 10 of 20 there (F).
    let (st, course) = c
        .post("/api/sis/courses", json!({"name": "Art", "idnumber": null}))
        .await;
    assert_eq!(st, 201);
    let course = course["id"].as_i64().unwrap();
    let (st, _) = c
        .put(
            &format!("/api/sis/courses/{course}/credits"),
            json!({"credits": -1.0}),
        )
        .await;
    assert_eq!(st, 400);
    let (st, page) = c
        .put(
            &format!("/api/sis/courses/{course}/credits"),
            json!({"credits": 2.0}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(page["courses"][0]["credits"], 2.0);
    let (_, art) = c
        .post("/api/sis/sections", json!({"name": "Art @ 13:00", "idnumber": null, "container_id": null, "course_id": course, "teacher_id": null}))
        .await;
    let art = art["id"].as_i64().unwrap();
    let (st, _) = c
        .post(
            &format!("/api/sis/sections/{art}/enrolments"),
            json!({"person_id": s1, "role": "student", "effective_at": SUMMER}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, project) = c
        .post(&format!("/api/sis/sections/{art}/assessments"), json!({"name": "Project", "pointval": 20.0, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false}))
        .await;
    let project = project["id"].as_i64().unwrap();
    let (st, body) = c
        .put("/api/sis/grades", json!({"assessment_id": project, "person_id": s1, "points": 10.0, "excepted": false, "note": null, "effective_at": SUMMER + 86_400}))
        .await;
    assert_eq!(st, 200, "{body}");

    // In New York the quiz given at 21:00 on the 5th is on that day's report.
    let (_, r) = c
        .get(&format!("/api/sis/students/{s1}/progress?day=2026-10-05"))
        .await;
    assert_eq!(r["as_of_day"], "2026-10-05");
    assert_eq!(r["time_zone"], "America/New_York");
    assert_eq!(
        r["as_of"],
        QUIZ_AT + 3 * 3600 - 1,
        "midnight EDT is 04:00 UTC"
    );
    let algebra = section_named(&r, "Algebra 1 @ 9:15");
    assert_eq!(algebra["totals"]["earned"], 7.0, "{algebra}");
    assert_eq!(algebra["totals"]["possible"], 10.0);
    assert_eq!(algebra["grade"]["letter"], "C");
    assert_eq!(
        algebra["grade"]["counted"], "schoolbridge",
        "no Moodle total yet"
    );
    let (_, r) = c
        .get(&format!("/api/sis/students/{s1}/progress?day=2026-10-04"))
        .await;
    assert_eq!(section_named(&r, "Algebra 1 @ 9:15")["totals"]["graded"], 0);
    let (st, _) = c
        .get(&format!("/api/sis/students/{s1}/progress?day=2026-02-30"))
        .await;
    assert_eq!(st, 400);

    // Now: non-honours, the essay is not Sam's; 7 + 5 extra = 12 of 10, capped: 100 %.
    let (_, r) = c.get(&format!("/api/sis/students/{s1}/progress")).await;
    let algebra = section_named(&r, "Algebra 1 @ 9:15");
    assert_eq!(algebra["totals"]["earned"], 10.0, "{algebra}");
    assert_eq!(algebra["totals"]["percent"], 100.0);
    assert_eq!(algebra["moodle_total"]["percent"], 88.0);
    assert_eq!(algebra["grade"]["letter"], "B+", "Moodle's 88 % counts");
    assert_eq!(algebra["grade"]["counted"], "moodle");
    // On the honours track the essay counts: 7 + 5 + 5 extra = 17 of 20, 85 %.
    let enrolment = algebra["enrolment_id"].as_i64().unwrap();
    let (st, _) = teacher
        .put(
            &format!("/api/sis/enrolments/{enrolment}/honors"),
            json!({"honors": true}),
        )
        .await;
    assert_eq!(st, 403, "a counsellor sets the track");
    let (st, _) = c
        .put(
            &format!("/api/sis/enrolments/{enrolment}/honors"),
            json!({"honors": true}),
        )
        .await;
    assert_eq!(st, 204);
    let (_, r) = c.get(&format!("/api/sis/students/{s1}/progress")).await;
    let algebra = section_named(&r, "Algebra 1 @ 9:15");
    assert_eq!(algebra["honors"], true);
    assert_eq!(
        (
            algebra["totals"]["earned"].as_f64(),
            algebra["totals"]["possible"].as_f64()
        ),
        (Some(17.0), Some(20.0))
    );
    let csv = c
        .get_text(&format!("/api/sis/students/{s1}/progress.csv"))
        .await;
    assert!(
        csv.contains("Algebra 1 @ 9:15,Active,Total,,20,17,,,,B,no,SchoolBridge,85.0"),
        "{csv}"
    );
    assert!(
        csv.contains("Algebra 1 @ 9:15,Active,Moodle course total,,100,88,,,,B+,yes,Moodle,88.0"),
        "{csv}"
    );
    assert!(
        csv.contains("2026-10-05 21:00 EDT"),
        "given on, New York time: {csv}"
    );

    // The section's report: every student, Moodle's total beside ours.
    let (st, sp) = c
        .get(&format!("/api/sis/sections/{c1}/progress?day=2026-10-25"))
        .await;
    assert_eq!(st, 200, "{sp}");
    assert_eq!(sp["has_moodle_total"], true);
    assert_eq!(sp["counts"], "moodle");
    let students = sp["students"].as_array().unwrap();
    assert_eq!(students.len(), 2);
    let sam = students.iter().find(|s| s["person"]["id"] == s1).unwrap();
    assert_eq!(sam["totals"]["percent"], 85.0);
    assert_eq!(sam["grade"]["letter"], "B+");
    let sue = students.iter().find(|s| s["person"]["id"] != s1).unwrap();
    assert_eq!(sue["status_kind"], "withdrawn", "{sue}");
    assert_eq!(sue["totals"]["percent"], Value::Null);
    let csv = c
        .get_text(&format!(
            "/api/sis/sections/{c1}/progress.csv?day=2026-10-25"
        ))
        .await;
    assert!(
        csv.contains("Sam Moodle,S1,Active,yes,17,20,85.0,88,100,88.0,Moodle,B+,88.0"),
        "{csv}"
    );

    // The transcript: header, Summer then Fall, final grades, credits and GPA.
    let (st, t) = c.get(&format!("/api/sis/students/{s1}/transcript")).await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["school"]["name"], "Springfield High School");
    assert_eq!(t["person"]["idnumber"], "S1");
    assert_eq!(t["printed_on"].as_str().unwrap().len(), 10, "{t}");
    let entries = t["entries"].as_array().unwrap();
    let art_line = &entries[0];
    assert_eq!(art_line["section"]["name"], "Art @ 13:00");
    assert_eq!(art_line["final_grade"]["letter"], "F");
    assert_eq!(art_line["final_grade"]["percent"], 50.0);
    assert_eq!(
        (
            art_line["credits_attempted"].as_f64(),
            art_line["credits_earned"].as_f64()
        ),
        (Some(2.0), Some(0.0))
    );
    let algebra = &entries[1];
    assert_eq!(algebra["final_grade"]["letter"], "B+");
    assert_eq!(algebra["credits_earned"], 1.0);
    let terms = t["terms"].as_array().unwrap();
    assert_eq!(terms[0]["name"], "Summer 2026");
    assert_eq!(terms[0]["summary"]["gpa"], 0.0);
    assert_eq!(terms[1]["name"], "Fall 2026");
    assert_eq!(terms[1]["summary"]["gpa"], 3.3);
    // (0 × 2 + 3.3 × 1) / 3.
    let gpa = t["cumulative"]["gpa"].as_f64().unwrap();
    assert!((gpa - 1.1).abs() < 1e-9, "{gpa}");
    assert_eq!(t["cumulative"]["credits_attempted"], 3.0);
    assert_eq!(t["cumulative"]["credits_earned"], 1.0);
    let csv = c
        .get_text(&format!("/api/sis/students/{s1}/transcript.csv"))
        .await;
    for line in [
        "School,Springfield High School",
        "Address,\"742 Evergreen Terrace, Springfield, OR 97403\"",
        "Student,Sam Moodle",
        "Student number,S1",
        "Summer 2026,Art @ 13:00,Art,Active,,,,F,SchoolBridge,2,2,0,10,20,50.0",
        "Fall 2026,Algebra 1 @ 9:15,,Active,,,,B+,Moodle,1,1,1,17,20,88.0",
        "Summer 2026,2,0,0.00",
        "Fall 2026,1,1,3.30",
        "Cumulative,3,1,1.10",
    ] {
        assert!(csv.contains(line), "{line:?} in {csv}");
    }

    // Sue withdrew: W, in no credits and no GPA.
    let s2 = sis.id_of("people", "S2").await;
    let (_, t) = c.get(&format!("/api/sis/students/{s2}/transcript")).await;
    let line = &t["entries"][0];
    assert_eq!(line["final_grade"]["letter"], "W", "{line}");
    assert_eq!(line["withdrawal"]["code"], "withdrawn");
    assert_eq!(line["credits_attempted"], 0.0);
    assert_eq!(t["cumulative"]["gpa"], Value::Null);

    // Every change is recorded with who made it.
    let (st, changes) = c.get("/api/sis/settings/changes").await;
    assert_eq!(st, 200);
    let what: Vec<&str> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        what,
        ["honors", "credits", "term", "term", "settings"],
        "newest first"
    );
    assert!(changes[0]["actor_id"].as_i64().is_some());
    assert!(
        changes[4]["detail"]
            .as_str()
            .unwrap()
            .contains("America/New_York")
    );
    assert_eq!(teacher.get("/api/sis/settings/changes").await.0, 403);
}
