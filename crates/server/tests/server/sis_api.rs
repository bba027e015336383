//! The SIS console API: who may see what (§4), and scenarios 2, 3 and 5 through the API a
//! counsellor's and a teacher's console use — manual course, section and enrolment; grade items
//! from a spreadsheet with a preview; manual grades; a withdrawal code with a note on the
//! transcript; a progress report as of a past date; CSV downloads.

use super::sis_harness::Sis;
use super::support::{Api, Backend, local_account};
use crate::fields;
use reqwest::Method;
use serde_json::json;

/// A school with one Moodle section (teacher T1, students S1 and S2) and accounts: an admin, a
/// counsellor, the teacher (signed in as a local account linked by idnumber is not needed: the
/// teacher is a local person made teacher of a manual section below), a student.
async fn school() -> Sis {
    let sis = Sis::start(Backend::Sqlite).await;
    for (id, user, first) in [
        ("T1", "tmoodle", "Tara"),
        ("S1", "s1", "Sam"),
        ("S2", "s2", "Sue"),
    ] {
        sis.ok("fetch_user", &fields! {"idnumber" => id, "username" => user, "firstname" => first, "lastname" => "Moodle", "email" => "x@example.org", "timemodified" => 1_790_000_000}).await;
    }
    sis.ok("new_section", &fields! {"idnumber" => "C1", "name" => "Algebra 1 @ 9:15", "teacheridnumber" => "T1", "timemodified" => 1_790_000_000}).await;
    for s in ["S1", "S2"] {
        sis.ok("new_enrolment", &fields! {"sectionid" => "C1", "userid" => s, "role" => "student", "eventid" => format!("en-{s}"), "timemodified" => 1_790_000_100}).await;
    }
    sis.ok("new_assessment", &fields! {"idnumber" => "A1", "sectionid" => "C1", "name" => "Quiz 1", "pointval" => "10", "timemodified" => 1_790_000_200}).await;
    sis.ok("new_grade", &fields! {"assessmentid" => "A1", "userid" => "S1", "points_earned" => "6", "eventid" => "g1", "timemodified" => 1_790_100_000}).await;
    sis.ok("new_grade", &fields! {"assessmentid" => "A1", "userid" => "S1", "points_earned" => "9", "attempt_num" => "2", "eventid" => "g2", "timemodified" => 1_790_200_000}).await;
    local_account(&sis.app, "admin", "admin-password", &["admin"], true).await;
    local_account(
        &sis.app,
        "counsellor",
        "counsellor-password",
        &["counsellor"],
        true,
    )
    .await;
    local_account(&sis.app, "rivera", "rivera-password", &[], true).await;
    sis
}

async fn person_id(sis: &Sis, idnumber: &str) -> i64 {
    sis.id_of("people", idnumber).await
}

#[tokio::test]
async fn who_sees_what() {
    let sis = school().await;
    let section = sis.id_of("sis_sections", "C1").await;
    let s1 = person_id(&sis, "S1").await;
    let mut counsellor = Api::sign_in(&sis.app, "counsellor", "counsellor-password").await;
    let mut stranger = Api::sign_in(&sis.app, "rivera", "rivera-password").await;
    // Staff see everything.
    let (st, list) = counsellor.get("/api/sis/sections").await;
    assert_eq!(st, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(
        counsellor
            .get(&format!("/api/sis/sections/{section}/gradebook"))
            .await
            .0,
        200
    );
    assert_eq!(
        counsellor
            .get(&format!("/api/sis/students/{s1}/progress"))
            .await
            .0,
        200
    );
    // A local account that teaches nothing and studies nothing sees nothing.
    assert_eq!(stranger.get("/api/sis/sections").await.0, 403);
    assert_eq!(
        stranger
            .get(&format!("/api/sis/sections/{section}"))
            .await
            .0,
        403
    );
    assert_eq!(
        stranger
            .get(&format!("/api/sis/sections/{section}/gradebook"))
            .await
            .0,
        403
    );
    assert_eq!(
        stranger
            .get(&format!("/api/sis/students/{s1}/transcript"))
            .await
            .0,
        403
    );
    assert_eq!(
        stranger
            .send(Method::POST, "/api/sis/courses", Some(json!({"name": "X"})))
            .await
            .0,
        403
    );
    // A student sees themself only (S1 gets login rights and signs in by SSO in real life; here
    // the session is made directly).
    let now = sis.app.state.clock.now();
    schoolbridge::write_tx!(sis.app.state.store, |c| {
        schoolbridge::store::people::set_login_allowed(c, &[s1], true, now).await
    })
    .unwrap();
    let started =
        schoolbridge::accounts::sessions::start(&sis.app.state, s1, Some(sis.peer.id), None)
            .await
            .unwrap();
    let mut student = Api::anonymous(&sis.app);
    student.cookie = started
        .set_cookie
        .strip_prefix("sb_session=")
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let (st, me) = student.get("/api/session").await;
    assert_eq!(st, 200);
    assert_eq!(
        me["roles"],
        json!(["student"]),
        "student role from the enrolment"
    );
    assert_eq!(
        student
            .get(&format!("/api/sis/students/{s1}/progress"))
            .await
            .0,
        200
    );
    let s2 = person_id(&sis, "S2").await;
    assert_eq!(
        student
            .get(&format!("/api/sis/students/{s2}/progress"))
            .await
            .0,
        403
    );
    assert_eq!(
        student
            .get(&format!("/api/sis/sections/{section}/gradebook"))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn a_class_with_no_moodle_presence_scenario_5() {
    let sis = school().await;
    let mut c = Api::sign_in(&sis.app, "counsellor", "counsellor-password").await;
    let rivera = sis
        .app
        .state
        .store
        .person_by_local_username("rivera")
        .await
        .unwrap()
        .unwrap()
        .id;
    let s1 = person_id(&sis, "S1").await;
    // Course, section with a teacher, enrolment.
    let (st, course) = c
        .send(
            Method::POST,
            "/api/sis/courses",
            Some(json!({"name": "Chemistry"})),
        )
        .await;
    assert_eq!(st, 201);
    let (st, section) = c
        .send(Method::POST, "/api/sis/sections", Some(json!({"name": "Chem Lab @ 10:15", "course_id": course["id"], "teacher_id": rivera})))
        .await;
    assert_eq!(st, 201, "{section}");
    let section = section["id"].as_i64().unwrap();
    let (st, _) = c
        .send(
            Method::POST,
            &format!("/api/sis/sections/{section}/enrolments"),
            Some(json!({"person_id": s1, "role": "student"})),
        )
        .await;
    assert_eq!(st, 201);
    // The teacher now sees that section (and only it) and uploads grade items.
    let mut t = Api::sign_in(&sis.app, "rivera", "rivera-password").await;
    let (_, mine) = t.get("/api/sis/sections").await;
    assert_eq!(
        mine.as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        vec![section]
    );
    let template = t.get_raw("/api/sis/grade-items-template.csv").await;
    assert_eq!(
        template.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(template.text().await.unwrap().starts_with("name,points"));
    let csv =
        "name,points,chapter\nLab 1: Density,20,1\nLab 2: Titration,abc,2\nLab 1: Density,20,1\n";
    let (st, preview) = t
        .send(
            Method::POST,
            &format!("/api/sis/sections/{section}/assessments/csv?preview=true"),
            Some(json!({"csv": csv})),
        )
        .await;
    assert_eq!(st, 200, "{preview}");
    let lines = preview.as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0]["result"].get("Created").is_some()
            || lines[0]["result"].to_string().contains("reated"),
        "{preview}"
    );
    assert!(
        lines[1]["result"].to_string().contains("ejected"),
        "{preview}"
    );
    let (_, book) = t
        .get(&format!("/api/sis/sections/{section}/gradebook"))
        .await;
    assert_eq!(
        book["assessments"].as_array().unwrap().len(),
        0,
        "a preview saves nothing"
    );
    let (st, _) = t
        .send(
            Method::POST,
            &format!("/api/sis/sections/{section}/assessments/csv?preview=false"),
            Some(json!({"csv": csv})),
        )
        .await;
    assert_eq!(st, 200);
    let (_, book) = t
        .get(&format!("/api/sis/sections/{section}/gradebook"))
        .await;
    let items = book["assessments"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{book}");
    let lab1 = items[0]["id"].as_i64().unwrap();
    // Manual grades, corrected once: the cell's history keeps both values. The first was typed
    // a day late, with the day it was given.
    let now = sis.app.state.clock.now();
    let given = now - now.rem_euclid(86_400) - 86_400;
    let (st, first) = t
        .send(
            Method::PUT,
            "/api/sis/grades",
            Some(
                json!({"assessment_id": lab1, "person_id": s1, "points": 15.0, "excepted": false, "effective_at": given}),
            ),
        )
        .await;
    assert_eq!(st, 200, "{first}");
    assert_eq!(first[0]["effective_at"], given);
    // Not in the future; not before the cell's current grade.
    let (st, _) = t
        .send(Method::PUT, "/api/sis/grades", Some(json!({"assessment_id": lab1, "person_id": s1, "points": 1.0, "excepted": false, "effective_at": now + 86_400})))
        .await;
    assert_eq!(st, 400);
    let (st, _) = t
        .send(Method::PUT, "/api/sis/grades", Some(json!({"assessment_id": lab1, "person_id": s1, "points": 1.0, "excepted": false, "effective_at": given - 86_400})))
        .await;
    assert_eq!(st, 409);
    let (st, history) = t.send(Method::PUT, "/api/sis/grades", Some(json!({"assessment_id": lab1, "person_id": s1, "points": 18.0, "excepted": false, "note": "re-marked"}))).await;
    assert_eq!(st, 200);
    assert_eq!(history.as_array().unwrap().len(), 2);
    // The report and the transcript include the class.
    let (_, report) = c.get(&format!("/api/sis/students/{s1}/progress")).await;
    assert!(report.to_string().contains("Chem Lab @ 10:15"));
    let csv = c
        .get_raw(&format!("/api/sis/students/{s1}/progress.csv"))
        .await;
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let text = csv.text().await.unwrap();
    assert!(text.contains("Lab 1: Density,1,20,18"), "{text}");
    // Dates for people, and the total's percent under "percent".
    let header = text.lines().next().unwrap();
    assert!(header.ends_with(",source,percent"), "{header}");
    let lab = text.lines().find(|l| l.contains("Lab 1: Density")).unwrap();
    assert!(lab.contains(" UTC,"), "a date, not Unix seconds: {lab}");
    let total = text.lines().find(|l| l.contains(",TOTAL,")).unwrap();
    let cells: Vec<&str> = total.split(',').collect();
    assert_eq!(cells.len(), header.split(',').count(), "{total}");
    assert!(cells.last().unwrap().parse::<f64>().is_ok(), "{total}");
}

#[tokio::test]
async fn grades_from_moodle_are_read_only_and_history_and_as_of_reports_scenario_2() {
    let sis = school().await;
    let section = sis.id_of("sis_sections", "C1").await;
    let a1 = sis.id_of("sis_assessments", "A1").await;
    let s1 = person_id(&sis, "S1").await;
    let mut c = Api::sign_in(&sis.app, "counsellor", "counsellor-password").await;
    let (_, book) = c
        .get(&format!("/api/sis/sections/{section}/gradebook"))
        .await;
    let cell = &book["cells"][0];
    assert_eq!(cell["grade"]["points"], 9.0);
    assert_eq!(cell["grade"]["source"], "moodle");
    assert_eq!(cell["editable"], false);
    let (st, _) = c
        .send(
            Method::PUT,
            "/api/sis/grades",
            Some(json!({"assessment_id": a1, "person_id": s1, "points": 10.0, "excepted": false})),
        )
        .await;
    assert_eq!(st, 409, "Moodle's grades are read-only here");
    let (_, history) = c.get(&format!("/api/sis/grades/{a1}/{s1}/history")).await;
    assert_eq!(history.as_array().unwrap().len(), 2);
    // As of a date between the two grades: the first value.
    let (_, then) = c
        .get(&format!("/api/sis/students/{s1}/progress?as_of=1790150000"))
        .await;
    assert!(then.to_string().contains("\"points\":6.0"), "{then}");
    let (_, now) = c.get(&format!("/api/sis/students/{s1}/progress")).await;
    assert!(now.to_string().contains("\"points\":9.0"), "{now}");
}

#[tokio::test]
async fn a_withdrawal_gets_a_code_and_a_note_and_shows_on_the_transcript_scenario_3() {
    let sis = school().await;
    let s2 = person_id(&sis, "S2").await;
    sis.ok("remove_enrolment", &fields! {"sectionid" => "C1", "userid" => "S2", "eventid" => "rm-S2", "timemodified" => 1_790_300_000}).await;
    let mut c = Api::sign_in(&sis.app, "counsellor", "counsellor-password").await;
    let (_, page) = c.get(&format!("/api/sis/students/{s2}")).await;
    let enrolment = &page["enrolments"][0];
    assert_eq!(enrolment["enrolment"]["status"], "withdrawn");
    let eid = enrolment["enrolment"]["id"].as_i64().unwrap();
    let (st, history) = c
        .send(
            Method::PUT,
            &format!("/api/sis/enrolments/{eid}/status"),
            Some(json!({"code": "withdrawn_no_grade", "note": "Moved to another district"})),
        )
        .await;
    assert_eq!(st, 200, "{history}");
    let h = history.as_array().unwrap();
    assert_eq!(h.last().unwrap()["status"], "withdrawn_no_grade");
    assert_eq!(h.last().unwrap()["note"], "Moved to another district");
    assert!(h.len() >= 3, "active, withdrawn, withdrawn_no_grade");
    let (_, t) = c.get(&format!("/api/sis/students/{s2}/transcript")).await;
    assert_eq!(t["entries"][0]["withdrawal"]["code"], "withdrawn_no_grade");
    let csv = c
        .get_raw(&format!("/api/sis/students/{s2}/transcript.csv"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("withdrawn_no_grade") && csv.contains("Moved to another district"),
        "{csv}"
    );
    // A withdrawn class shows its withdrawal, not points and percent.
    let line = csv
        .lines()
        .find(|l| l.contains("withdrawn_no_grade"))
        .unwrap();
    assert!(line.ends_with(",,,"), "{line}");
    assert!(
        line.contains(" UTC,"),
        "the withdrawal date for people: {line}"
    );
    // Unknown codes are refused; only staff may change statuses.
    let (st, _) = c
        .send(
            Method::PUT,
            &format!("/api/sis/enrolments/{eid}/status"),
            Some(json!({"code": "nonsense"})),
        )
        .await;
    assert!(st == 400 || st == 404, "{st}");
    // A change dated in the future would apply at once: refused, nothing recorded.
    let next_month = sis.app.state.clock.now() + 30 * 86_400;
    let (st, refused) = c
        .send(
            Method::PUT,
            &format!("/api/sis/enrolments/{eid}/status"),
            Some(json!({"code": "passed", "effective_at": next_month})),
        )
        .await;
    assert_eq!(
        (st, refused["code"].as_str()),
        (400, Some("future_date")),
        "{refused}"
    );
    let (_, after) = c.get(&format!("/api/sis/enrolments/{eid}/history")).await;
    assert_eq!(
        after.as_array().unwrap().last().unwrap()["status"],
        "withdrawn_no_grade"
    );
    let mut t = Api::sign_in(&sis.app, "rivera", "rivera-password").await;
    assert_eq!(
        t.send(
            Method::PUT,
            &format!("/api/sis/enrolments/{eid}/status"),
            Some(json!({"code": "passed"}))
        )
        .await
        .0,
        403
    );
}

/// A session for a person from Moodle (in real life they arrive by SSO once given login rights).
async fn session_for(sis: &Sis, person: i64) -> Api {
    let now = sis.app.state.clock.now();
    schoolbridge::write_tx!(sis.app.state.store, |c| {
        schoolbridge::store::people::set_login_allowed(c, &[person], true, now).await
    })
    .unwrap();
    let started =
        schoolbridge::accounts::sessions::start(&sis.app.state, person, Some(sis.peer.id), None)
            .await
            .unwrap();
    let mut api = Api::anonymous(&sis.app);
    api.cookie = started
        .set_cookie
        .strip_prefix("sb_session=")
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    let (st, me) = api.get("/api/session").await;
    assert_eq!(st, 200, "{me}");
    api.csrf = me["csrf_token"].as_str().map(str::to_owned);
    api
}

fn ids(list: &serde_json::Value) -> Vec<i64> {
    let mut ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_teacher_sees_the_sections_they_teach_now() {
    let sis = school().await;
    sis.ok(
        "new_section",
        &fields! {"idnumber" => "C2", "name" => "Geometry", "timemodified" => 1_790_000_000},
    )
    .await;
    sis.ok("new_enrolment", &fields! {"sectionid" => "C2", "userid" => "T1", "role" => "teacher", "eventid" => "t1-in", "timemodified" => 1_790_000_100}).await;
    let (c1, c2) = (
        sis.id_of("sis_sections", "C1").await,
        sis.id_of("sis_sections", "C2").await,
    );
    let (t1, s1) = (person_id(&sis, "T1").await, person_id(&sis, "S1").await);
    let mut teacher = session_for(&sis, t1).await;
    // C1 by being its teacher, C2 by a teacher enrolment.
    let (st, list) = teacher.get("/api/sis/sections").await;
    assert_eq!(st, 200);
    assert_eq!(ids(&list), vec![c1, c2]);
    for path in [
        format!("/api/sis/sections/{c2}"),
        format!("/api/sis/sections/{c2}/gradebook"),
    ] {
        assert_eq!(teacher.get(&path).await.0, 200, "{path}");
    }
    // A teacher reads rosters and gradebooks, not a student's whole record.
    assert_eq!(
        teacher
            .get(&format!("/api/sis/students/{s1}/transcript"))
            .await
            .0,
        403
    );
    // Moodle unenrols the teacher from C2: it is no longer theirs to read or grade.
    sis.ok("remove_enrolment", &fields! {"sectionid" => "C2", "userid" => "T1", "eventid" => "t1-out", "timemodified" => 1_790_000_200}).await;
    let (_, list) = teacher.get("/api/sis/sections").await;
    assert_eq!(ids(&list), vec![c1]);
    for path in [
        format!("/api/sis/sections/{c2}"),
        format!("/api/sis/sections/{c2}/gradebook"),
    ] {
        assert_eq!(teacher.get(&path).await.0, 403, "{path}");
    }
    let (st, _) = teacher
        .send(
            Method::POST,
            &format!("/api/sis/sections/{c2}/assessments"),
            Some(json!({"name": "Quiz", "pointval": 10.0, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false})),
        )
        .await;
    assert_eq!(st, 403);
    // … while C1 stays theirs, changes included.
    let (st, _) = teacher
        .send(
            Method::POST,
            &format!("/api/sis/sections/{c1}/assessments"),
            Some(json!({"name": "Quiz 2", "pointval": 10.0, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false})),
        )
        .await;
    assert_eq!(st, 201);
    assert_eq!(
        teacher
            .get(&format!("/api/sis/sections/{c1}/gradebook"))
            .await
            .0,
        200
    );
}
