//! The SIS console API: who may see what (§4), and scenarios 2, 3 and 5 through the API a
//! counsellor's and a teacher's console use — manual course, section and enrolment; grade items
//! from a spreadsheet with a preview; manual grades; a withdrawal code with a note on the
//! transcript; a progress report as of a past date; CSV downloads.

use super::sis_harness::Sis;
use super::support::{Api, Backend, local_account};
use crate::fields;
use serde_json::json;

/// A school with one Moodle section (teacher T1, students S1 and S2) and accounts: an admin, a
/// counsellor, the teacher (signed in as a local account linked by idnumber is not needed: the
/// teacher is a local person made teacher of a manual section below), a student.
pub(crate) async fn school() -> Sis {
    school_on(Backend::Sqlite).await
}

/// [`school`] on either engine.
pub(crate) async fn school_on(backend: Backend) -> Sis {
    let sis = Sis::start(backend).await;
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
    account(&sis, "admin", &["admin"]).await;
    account(&sis, "counsellor", &["counsellor"]).await;
    account(&sis, "rivera", &[]).await;
    sis
}

/// A local account that may sign in, whose password is its name then `-password`.
async fn account(sis: &Sis, name: &str, roles: &[&str]) {
    local_account(&sis.app, name, &format!("{name}-password"), roles, true).await;
}

/// Signs in as an [`account`].
async fn sign_in(sis: &Sis, name: &str) -> Api {
    Api::sign_in(&sis.app, name, &format!("{name}-password")).await
}

async fn person_id(sis: &Sis, idnumber: &str) -> i64 {
    sis.id_of("people", idnumber).await
}

/// The [`school`], section C1's id, S1's id, and the counsellor signed in.
async fn c1_s1_as_counsellor() -> (Sis, i64, i64, Api) {
    let sis = school().await;
    let section = sis.id_of("sis_sections", "C1").await;
    let s1 = person_id(&sis, "S1").await;
    let counsellor = sign_in(&sis, "counsellor").await;
    (sis, section, s1, counsellor)
}

#[tokio::test]
async fn who_sees_what() {
    let (sis, section, s1, mut counsellor) = c1_s1_as_counsellor().await;
    let mut stranger = sign_in(&sis, "rivera").await;
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
            .post("/api/sis/courses", json!({"name": "X"}))
            .await
            .0,
        403
    );
    // A student sees themself only (S1 gets login rights and signs in by SSO in real life; here
    // the session is made directly).
    let mut student = session_for(&sis, s1).await;
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
    let mut c = sign_in(&sis, "counsellor").await;
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
        .post("/api/sis/courses", json!({"name": "Chemistry"}))
        .await;
    assert_eq!(st, 201);
    let (st, section) = c
        .post(
            "/api/sis/sections",
            json!({"name": "Chem Lab @ 10:15", "course_id": course["id"], "teacher_id": rivera}),
        )
        .await;
    assert_eq!(st, 201, "{section}");
    let section = section["id"].as_i64().unwrap();
    let (st, _) = c
        .post(
            &format!("/api/sis/sections/{section}/enrolments"),
            json!({"person_id": s1, "role": "student"}),
        )
        .await;
    assert_eq!(st, 201);
    // The teacher now sees that section (and only it) and uploads grade items.
    let mut t = sign_in(&sis, "rivera").await;
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
        .post(
            &format!("/api/sis/sections/{section}/assessments/csv?preview=true"),
            json!({"csv": csv}),
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
        .post(
            &format!("/api/sis/sections/{section}/assessments/csv?preview=false"),
            json!({"csv": csv}),
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
        .put("/api/sis/grades", json!({"assessment_id": lab1, "person_id": s1, "points": 15.0, "excepted": false, "effective_at": given}),)
        .await;
    assert_eq!(st, 200, "{first}");
    assert_eq!(first[0]["effective_at"], given);
    // Not in the future; not before the cell's current grade.
    let (st, _) = t
        .put("/api/sis/grades", json!({"assessment_id": lab1, "person_id": s1, "points": 1.0, "excepted": false, "effective_at": now + 86_400}))
        .await;
    assert_eq!(st, 400);
    let (st, _) = t
        .put("/api/sis/grades", json!({"assessment_id": lab1, "person_id": s1, "points": 1.0, "excepted": false, "effective_at": given - 86_400}))
        .await;
    assert_eq!(st, 409);
    let (st, history) = t.put("/api/sis/grades", json!({"assessment_id": lab1, "person_id": s1, "points": 18.0, "excepted": false, "note": "re-marked"})).await;
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
    assert!(header.ends_with(",Source,Percent"), "{header}");
    // Headings in people's words: no wire word such as `excepted`.
    assert!(
        header.starts_with("Section,Status,Item,Chapter,Points possible,Points earned,Excused,"),
        "{header}"
    );
    let lab = text.lines().find(|l| l.contains("Lab 1: Density")).unwrap();
    assert!(lab.contains(" UTC,"), "a date, not Unix seconds: {lab}");
    assert!(
        lab.contains(",Entered in SchoolBridge,"),
        "the source in words: {lab}"
    );
    let total = text.lines().find(|l| l.contains(",Total,")).unwrap();
    let cells: Vec<&str> = total.split(',').collect();
    assert_eq!(cells.len(), header.split(',').count(), "{total}");
    assert!(cells.last().unwrap().parse::<f64>().is_ok(), "{total}");
}

#[tokio::test]
async fn grades_from_moodle_are_read_only_and_history_and_as_of_reports_scenario_2() {
    let (sis, section, s1, mut c) = c1_s1_as_counsellor().await;
    let a1 = sis.id_of("sis_assessments", "A1").await;
    let (_, book) = c
        .get(&format!("/api/sis/sections/{section}/gradebook"))
        .await;
    let cell = &book["cells"][0];
    assert_eq!(cell["grade"]["points"], 9.0);
    assert_eq!(cell["grade"]["source"], "moodle");
    assert_eq!(cell["editable"], false);
    let (st, _) = c
        .put(
            "/api/sis/grades",
            json!({"assessment_id": a1, "person_id": s1, "points": 10.0, "excepted": false}),
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
    let mut c = sign_in(&sis, "counsellor").await;
    let (_, page) = c.get(&format!("/api/sis/students/{s2}")).await;
    let enrolment = &page["enrolments"][0];
    assert_eq!(enrolment["enrolment"]["status"], "withdrawn");
    let eid = enrolment["enrolment"]["id"].as_i64().unwrap();
    let (st, history) = c
        .put(
            &format!("/api/sis/enrolments/{eid}/status"),
            json!({"code": "withdrawn_no_grade", "note": "Moved to another district",
                "transcript_note": "Transferred to Shelbyville High"}),
        )
        .await;
    assert_eq!(st, 200, "{history}");
    let h = history.as_array().unwrap();
    assert_eq!(h.last().unwrap()["status"], "withdrawn_no_grade");
    assert_eq!(h.last().unwrap()["note"], "Moved to another district");
    assert_eq!(
        h.last().unwrap()["transcript_note"],
        "Transferred to Shelbyville High"
    );
    assert!(h.len() >= 3, "active, withdrawn, withdrawn_no_grade");
    let (_, t) = c.get(&format!("/api/sis/students/{s2}/transcript")).await;
    assert_eq!(t["entries"][0]["withdrawal"]["code"], "withdrawn_no_grade");
    // The transcript carries the line written for it, never the staff note.
    assert_eq!(
        t["entries"][0]["withdrawal"]["transcript_note"],
        "Transferred to Shelbyville High"
    );
    assert!(!t.to_string().contains("Moved to another district"), "{t}");
    let csv = c
        .get_text(&format!("/api/sis/students/{s2}/transcript.csv"))
        .await;
    assert!(
        csv.contains("withdrawn_no_grade") && csv.contains("Transferred to Shelbyville High"),
        "{csv}"
    );
    assert!(!csv.contains("Moved to another district"), "{csv}");
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
        .put(
            &format!("/api/sis/enrolments/{eid}/status"),
            json!({"code": "nonsense"}),
        )
        .await;
    assert!(st == 400 || st == 404, "{st}");
    // A change dated in the future would apply at once: refused, nothing recorded.
    let next_month = sis.app.state.clock.now() + 30 * 86_400;
    let (st, refused) = c
        .put(
            &format!("/api/sis/enrolments/{eid}/status"),
            json!({"code": "passed", "effective_at": next_month}),
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
    let mut t = sign_in(&sis, "rivera").await;
    assert_eq!(
        t.put(
            &format!("/api/sis/enrolments/{eid}/status"),
            json!({"code": "passed"})
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
        .post(&format!("/api/sis/sections/{c2}/assessments"), json!({"name": "Quiz", "pointval": 10.0, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false}))
        .await;
    assert_eq!(st, 403);
    // … while C1 stays theirs, changes included.
    let (st, _) = teacher
        .post(&format!("/api/sis/sections/{c1}/assessments"), json!({"name": "Quiz 2", "pointval": 10.0, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false}))
        .await;
    assert_eq!(st, 201);
    assert_eq!(
        teacher
            .get(&format!("/api/sis/sections/{c1}/gradebook"))
            .await
            .0,
        200
    );
    // Moodle removes the teacher role in C1, whose current teacher T1 is: access ends at once,
    // not at Moodle's next new_section (issue 18).
    sis.ok("new_enrolment", &fields! {"sectionid" => "C1", "userid" => "T1", "role" => "teacher", "eventid" => "t1-c1-in", "timemodified" => 1_790_000_300}).await;
    sis.ok("remove_enrolment", &fields! {"sectionid" => "C1", "userid" => "T1", "role" => "teacher", "eventid" => "t1-c1-out", "timemodified" => 1_790_000_400}).await;
    assert_eq!(teacher.get(&format!("/api/sis/sections/{c1}")).await.0, 403);
    let (st, list) = teacher.get("/api/sis/sections").await;
    assert!(
        st == 403 || ids(&list).is_empty(),
        "no section left to read: {st} {list}"
    );
}

/// Words only staff may read, planted where they could leak (issue 16): a counsellor's notes on
/// statuses, and a teacher's note on a grade (not for the student).
const STAFF_NOTE: &str = "Staff only: family matters";
const GRADE_NOTE: &str = "For teachers: re-marked after a complaint";
const TRANSCRIPT_LINE: &str = "Left to attend another school";

/// Every id of a table, for reaching every record through the API.
async fn all_ids(sis: &Sis, table: &str) -> Vec<i64> {
    use sqlx::Row as _;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM {table} ORDER BY id"
    )))
    .fetch_all(sis.store().pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<i64, _>(0).unwrap())
    .collect()
}

/// Every `GET` the console API answers, for every record there is.
async fn every_get_path(sis: &Sis) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/api/session",
        "/api/setup",
        "/api/peers",
        "/api/site-key",
        "/api/people",
        "/api/audit",
        "/api/sis/sections",
        "/api/sis/containers",
        "/api/sis/courses",
        "/api/sis/status-codes",
        "/api/sis/grade-items-template.csv",
    ]
    .map(String::from)
    .to_vec();
    for id in all_ids(sis, "sis_sections").await {
        paths.push(format!("/api/sis/sections/{id}"));
        paths.push(format!("/api/sis/sections/{id}/gradebook"));
        paths.push(format!("/api/sis/sections/{id}/gradebook?hidden=true"));
    }
    for id in all_ids(sis, "sis_enrolments").await {
        paths.push(format!("/api/sis/enrolments/{id}/history"));
    }
    let people = all_ids(sis, "people").await;
    for id in &people {
        for page in [
            "",
            "/progress",
            "/progress.csv",
            "/transcript",
            "/transcript.csv",
        ] {
            paths.push(format!("/api/sis/students/{id}{page}"));
        }
        for item in all_ids(sis, "sis_assessments").await {
            paths.push(format!("/api/sis/grades/{item}/{id}/history"));
        }
    }
    for id in all_ids(sis, "peers").await {
        paths.push(format!("/api/peers/{id}"));
    }
    for id in all_ids(sis, "audit_log").await {
        paths.push(format!("/api/audit/{id}"));
    }
    paths
}

/// Every answer `who` can get, as text.
async fn every_answer(sis: &Sis, who: &Api) -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    for path in every_get_path(sis).await {
        let resp = who.get_raw(&path).await;
        let status = resp.status().as_u16();
        out.push((path, status, resp.text().await.unwrap()));
    }
    out
}

#[tokio::test]
async fn a_student_and_a_teacher_never_read_a_staff_note() {
    let sis = school().await;
    let section = sis.id_of("sis_sections", "C1").await;
    let (s1, s2, t1) = (
        person_id(&sis, "S1").await,
        person_id(&sis, "S2").await,
        person_id(&sis, "T1").await,
    );
    let mut counsellor = sign_in(&sis, "counsellor").await;
    // Moodle drops Sue from Algebra; the counsellor codes the withdrawal with a note for staff and
    // a line for the transcript, and notes something about Sam, who stays.
    sis.ok("remove_enrolment", &fields! {"sectionid" => "C1", "userid" => "S2", "eventid" => "rm-S2", "timemodified" => 1_790_300_000}).await;
    let enrolment_of =
        |page: &serde_json::Value| page["enrolments"][0]["enrolment"]["id"].as_i64().unwrap();
    let sue = enrolment_of(&counsellor.get(&format!("/api/sis/students/{s2}")).await.1);
    let sam = enrolment_of(&counsellor.get(&format!("/api/sis/students/{s1}")).await.1);
    for (enrolment, change) in [
        (
            sue,
            json!({"code": "withdrawn_no_grade", "note": STAFF_NOTE, "transcript_note": TRANSCRIPT_LINE}),
        ),
        (sam, json!({"code": "active", "note": STAFF_NOTE})),
    ] {
        let (st, body) = counsellor
            .put(&format!("/api/sis/enrolments/{enrolment}/status"), change)
            .await;
        assert_eq!(st, 200, "{body}");
    }
    // The teacher grades Sam on a manual item, with a note for colleagues.
    let mut teacher = session_for(&sis, t1).await;
    let (st, lab) = teacher
        .post(&format!("/api/sis/sections/{section}/assessments"), json!({"name": "Lab", "pointval": 10.0, "chapter": 2, "honors_required": false, "nonhonors_required": true, "extra_credit": false}))
        .await;
    assert_eq!(st, 201, "{lab}");
    let (st, body) = teacher
        .put("/api/sis/grades", json!({"assessment_id": lab["id"], "person_id": s1, "points": 7.0, "excepted": false, "note": GRADE_NOTE}))
        .await;
    assert_eq!(st, 200, "{body}");

    // Staff read the notes (so the checks below can fail) …
    let staff = every_answer(&sis, &counsellor).await;
    let staff_reads = |text: &str| {
        staff
            .iter()
            .any(|(_, st, body)| *st == 200 && body.contains(text))
    };
    assert!(staff_reads(STAFF_NOTE) && staff_reads(GRADE_NOTE) && staff_reads(TRANSCRIPT_LINE));
    // … the teacher reads grade notes and transcript lines, never a counsellor's note …
    let answers = every_answer(&sis, &teacher).await;
    assert!(
        answers
            .iter()
            .any(|(_, st, body)| *st == 200 && body.contains(GRADE_NOTE))
    );
    for (path, _, body) in &answers {
        assert!(
            !body.contains(STAFF_NOTE),
            "the teacher reads a staff note at {path}: {body}"
        );
    }
    // … and a student reads neither, on any page of their own or anyone else's.
    for student in [s1, s2] {
        let me = session_for(&sis, student).await;
        let answers = every_answer(&sis, &me).await;
        let readable = answers.iter().filter(|(_, st, _)| *st == 200).count();
        assert!(
            readable >= 8,
            "the student reads their own records ({readable} answers)"
        );
        for (path, _, body) in &answers {
            for secret in [STAFF_NOTE, GRADE_NOTE] {
                assert!(
                    !body.contains(secret),
                    "student {student} reads {secret:?} at {path}: {body}"
                );
            }
        }
        if student == s2 {
            // The line written for the transcript is there, in the page and the CSV.
            for page in ["transcript", "transcript.csv"] {
                let (_, _, body) = answers
                    .iter()
                    .find(|(path, _, _)| path == &format!("/api/sis/students/{s2}/{page}"))
                    .unwrap();
                assert!(body.contains(TRANSCRIPT_LINE), "{page}: {body}");
            }
        }
    }
}

#[tokio::test]
async fn points_above_an_items_maximum_need_the_teachers_yes() {
    let (_sis, section, s1, mut c) = c1_s1_as_counsellor().await;
    let (_, lab) = c
        .post(&format!("/api/sis/sections/{section}/assessments"), json!({"name": "Lab", "pointval": 20.0, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false}))
        .await;
    let grade = |points: f64, above_maximum: bool| json!({"assessment_id": lab["id"], "person_id": s1, "points": points, "excepted": false, "above_maximum": above_maximum});
    // 25 of 20 (a slip for 2.5?) is refused with a reason; nothing is recorded.
    let (st, refused) = c.put("/api/sis/grades", grade(25.0, false)).await;
    assert_eq!(
        (st, refused["code"].as_str()),
        (400, Some("above_maximum")),
        "{refused}"
    );
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("maximum of 20"),
        "{refused}"
    );
    let (_, history) = c
        .get(&format!("/api/sis/grades/{}/{s1}/history", lab["id"]))
        .await;
    assert_eq!(history, json!([]));
    // The maximum itself is fine, and bonus points are taken when the teacher says so.
    assert_eq!(c.put("/api/sis/grades", grade(20.0, false)).await.0, 200);
    let (st, history) = c.put("/api/sis/grades", grade(22.0, true)).await;
    assert_eq!(st, 200, "{history}");
    assert_eq!(history.as_array().unwrap().last().unwrap()["points"], 22.0);
}

#[tokio::test]
async fn extra_credit_never_takes_a_report_above_100_percent() {
    let sis = school().await;
    let s1 = person_id(&sis, "S1").await;
    // Sam has 9 of 10 on Quiz 1 (from Moodle); an extra-credit item gives him 10 more.
    sis.ok("new_assessment", &fields! {"idnumber" => "X1", "sectionid" => "C1", "name" => "Bonus", "pointval" => "10", "extra_credit" => "1", "timemodified" => 1_790_000_300}).await;
    sis.ok("new_grade", &fields! {"assessmentid" => "X1", "userid" => "S1", "points_earned" => "10", "eventid" => "gx", "timemodified" => 1_790_200_100}).await;
    let mut c = sign_in(&sis, "counsellor").await;
    let (_, report) = c.get(&format!("/api/sis/students/{s1}/progress")).await;
    let totals = &report["sections"][0]["totals"];
    assert_eq!(
        (totals["earned"].as_f64(), totals["possible"].as_f64()),
        (Some(10.0), Some(10.0)),
        "{report}"
    );
    assert_eq!(
        totals["percent"].as_f64(),
        Some(100.0),
        "not 190 %: {report}"
    );
    let (_, transcript) = c.get(&format!("/api/sis/students/{s1}/transcript")).await;
    assert_eq!(
        transcript["entries"][0]["totals"]["percent"].as_f64(),
        Some(100.0)
    );
}

#[tokio::test]
async fn the_first_run_steps_are_ticked_off_from_real_state() {
    use super::support::{FakeMoodle, TestApp};
    let app = TestApp::start_on(Backend::Sqlite).await;
    let mut admin = Api::admin(&app).await;
    let steps = |v: &serde_json::Value| {
        (
            v["peers"].as_array().map_or(0, Vec::len),
            v["records_arrived"].as_bool(),
            v["sign_in_granted"].as_bool(),
        )
    };
    let (st, fresh) = admin.get("/api/first-run").await;
    assert_eq!(
        (st, steps(&fresh)),
        (200, (0, Some(false), Some(false))),
        "{fresh}"
    );
    // 1. A Moodle is added …
    let moodle = FakeMoodle::new("https://moodle.example/school");
    let peer = app
        .add_peer(&moodle, &[("schooltool_sis", true, true)])
        .await;
    assert_eq!(
        steps(&admin.get("/api/first-run").await.1),
        (1, Some(false), Some(false))
    );
    // 2. … it sends school records, which are accepted …
    let sis = Sis { app, moodle, peer };
    sis.ok("fetch_user", &fields! {"idnumber" => "S1", "username" => "s1", "firstname" => "Sam", "lastname" => "Moodle", "email" => "s@example.org", "timemodified" => 1_790_000_000}).await;
    assert_eq!(
        steps(&admin.get("/api/first-run").await.1),
        (1, Some(true), Some(false))
    );
    // 3. … and someone from it may sign in.
    let s1 = person_id(&sis, "S1").await;
    let (st, _) = admin.set_login(&[s1], true).await;
    assert_eq!(st, 200);
    assert_eq!(
        steps(&admin.get("/api/first-run").await.1),
        (1, Some(true), Some(true))
    );
    // Only administrators ask.
    account(&sis, "counsellor", &["counsellor"]).await;
    let mut counsellor = sign_in(&sis, "counsellor").await;
    assert_eq!(counsellor.get("/api/first-run").await.0, 403);
}

#[tokio::test]
async fn granting_by_role_finds_the_teachers_and_students_moodle_sent() {
    let sis = school().await;
    let mut admin = sign_in(&sis, "admin").await;
    let (t1, s1) = (person_id(&sis, "T1").await, person_id(&sis, "S1").await);
    // Nobody from Moodle was given a role here: their roles come from the enrolments Moodle sent.
    let (_, students) = admin
        .get(&format!("/api/people?peer={}&role=student", sis.peer.id))
        .await;
    assert_eq!(ids(&students), {
        let mut both = vec![s1, person_id(&sis, "S2").await];
        both.sort_unstable();
        both
    });
    let (_, teachers) = admin
        .get(&format!("/api/people?peer={}&role=teacher", sis.peer.id))
        .await;
    assert_eq!(ids(&teachers), vec![t1]);
    assert_eq!(teachers[0]["roles"], json!([]));
    assert_eq!(teachers[0]["roles_from_enrolments"], json!(["teacher"]));
    // "Allow all" for the teachers of this Moodle lets exactly them in.
    let (st, changed) = admin
        .put(
            "/api/people/login",
            json!({"person_ids": [], "peer_id": sis.peer.id, "role": "teacher", "allowed": true}),
        )
        .await;
    assert_eq!(
        (st, changed["changed"].as_u64()),
        (200, Some(1)),
        "{changed}"
    );
    let (_, allowed) = admin
        .get(&format!("/api/people?peer={}&login=true", sis.peer.id))
        .await;
    assert_eq!(ids(&allowed), vec![t1]);
}

/// Issue 18: a name that a spreadsheet would run as a formula is exported as text; a manual
/// date cannot be decades back; a report's date must be a real year.
#[tokio::test]
async fn exports_are_spreadsheet_safe_and_dates_are_bounded() {
    let (sis, section, s1, mut c) = c1_s1_as_counsellor().await;
    let mut ids = Vec::new();
    for name in [
        "=HYPERLINK(\"http://evil.example\",\"x\")",
        "@SUM(A1)",
        "-2+3",
        "+1 bonus",
    ] {
        let (st, item) = c
            .post(&format!("/api/sis/sections/{section}/assessments"), json!({"name": name, "pointval": 5.0, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false}))
            .await;
        assert_eq!(st, 201, "{item}");
        ids.push(item["id"].as_i64().unwrap());
    }
    let text = c
        .get_text(&format!("/api/sis/students/{s1}/progress.csv"))
        .await;
    for safe in [
        "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"",
        ",'@SUM(A1),",
        ",'-2+3,",
        ",'+1 bonus,",
    ] {
        assert!(text.contains(safe), "{safe:?} in {text}");
    }
    assert!(!text.contains(",=") && !text.contains(",@"), "{text}");
    // Numbers stay numbers.
    assert!(text.contains("Quiz 1,,10,9,"), "{text}");

    // Dates: ten years back at most for a change entered here; a report between 2000 and 9999.
    let now = sis.app.state.clock.now();
    let grade = |at: i64| json!({"assessment_id": ids[0], "person_id": s1, "points": 1.0, "excepted": false, "effective_at": at});
    for at in [0, -62_000_000_000, now - 11 * 366 * 86_400] {
        let (st, body) = c.put("/api/sis/grades", grade(at)).await;
        assert_eq!(
            (st, body["code"].as_str()),
            (400, Some("date_too_old")),
            "{at}"
        );
    }
    let (st, body) = c.put("/api/sis/grades", grade(now - 400 * 86_400)).await;
    assert_eq!(st, 200, "a year back is fine: {body}");
    for as_of in ["-1", "0", "9223372036854775807", "253402300800"] {
        let (st, body) = c
            .get(&format!("/api/sis/students/{s1}/progress?as_of={as_of}"))
            .await;
        assert_eq!(
            (st, body["code"].as_str()),
            (400, Some("bad_date")),
            "{as_of}"
        );
        let st = c
            .get_raw(&format!(
                "/api/sis/students/{s1}/progress.csv?as_of={as_of}"
            ))
            .await
            .status();
        assert_eq!(st, 400, "{as_of}");
    }
    let (st, _) = c
        .get(&format!("/api/sis/students/{s1}/progress?as_of={now}"))
        .await;
    assert_eq!(st, 200);
}
