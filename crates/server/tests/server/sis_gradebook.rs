//! The gradebook's issue 20 pieces through the console API: a grade import from a spreadsheet
//! (a preview with every line's outcome or error; a file with a bad line applies nothing; a good
//! file applies every line with its actor and history), "entered by" names, and the rescale
//! question when a Moodle item of another maximum takes over a manual item.

use super::sis_api::school_on;
use super::sis_harness::Sis;
use super::support::{Api, Backend, backends};
use crate::fields;
use serde_json::{Value, json};

async fn counsellor(sis: &Sis) -> Api {
    Api::sign_in(&sis.app, "counsellor", "counsellor-password").await
}

/// `school_on`'s section C1 (its id), its students S1 and S2 (theirs), and the counsellor
/// signed in.
type C1 = (Sis, i64, i64, i64, Api);

async fn c1_as_counsellor(backend: Backend) -> C1 {
    let sis = school_on(backend).await;
    let section = sis.id_of("sis_sections", "C1").await;
    let (s1, s2) = (sis.person("S1").await, sis.person("S2").await);
    let counsellor = counsellor(&sis).await;
    (sis, section, s1, s2, counsellor)
}

/// Runs `test` on a fresh [`c1_as_counsellor`] on every backend in turn.
async fn on_every_backend<F: Future<Output = ()>>(test: impl Fn(C1) -> F) {
    for backend in backends() {
        test(c1_as_counsellor(backend).await).await;
    }
}

async fn manual_item(c: &mut Api, section: i64, name: &str, max: f64) -> i64 {
    let (st, item) = c
        .post(&format!("/api/sis/sections/{section}/assessments"), json!({"name": name, "pointval": max, "chapter": 1, "honors_required": false, "nonhonors_required": true, "extra_credit": false}))
        .await;
    assert_eq!(st, 201, "{item}");
    item["id"].as_i64().unwrap()
}

async fn import(c: &mut Api, section: i64, csv: &str, preview: bool) -> (u16, Value) {
    c.post(
        &format!("/api/sis/sections/{section}/grades/csv?preview={preview}"),
        json!({ "csv": csv }),
    )
    .await
}

fn outcomes(answer: &Value) -> Vec<String> {
    answer["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let o = &l["outcome"];
            match o["kind"].as_str().unwrap() {
                "error" => format!("error:{}", o["problem"].as_str().unwrap()),
                "change" => format!("change:{}", o["from"]),
                kind => kind.to_owned(),
            }
        })
        .collect()
}

#[tokio::test]
async fn a_grade_import_is_previewed_and_applied_whole_or_not_at_all() {
    on_every_backend(grade_import_on).await;
}

async fn grade_import_on((sis, section, s1, s2, mut c): C1) {
    let lab = manual_item(&mut c, section, "Lab", 20.0).await;
    let events_before = sis.count("sis_grade_events").await;

    // A bad file: every line says what it would do or why it cannot be used.
    let bad = "student,item,points,note\nS1,Lab,18,good work\ns2,Lab,25,\nS9,Lab,3,\nS1,Quiz 1,4,\nS2,Lab,abc,\nS1,Lab,17,\n";
    let (st, preview) = import(&mut c, section, bad, true).await;
    assert_eq!(st, 200, "{preview}");
    assert_eq!(preview["applied"], false);
    assert_eq!(
        outcomes(&preview),
        [
            "new",
            "error:over_maximum",
            "error:unknown_student",
            "error:moodle_item",
            "error:not_a_number",
            "error:duplicate"
        ]
    );
    assert_eq!(preview["lines"][1]["line"], 3);
    assert_eq!(preview["lines"][1]["person"]["id"], s2, "found by username");
    // Applying it is refused whole: nothing recorded, not even line 2.
    let (st, refused) = import(&mut c, section, bad, false).await;
    assert_eq!(st, 409, "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("5 line"),
        "{refused}"
    );
    assert_eq!(sis.count("sis_grade_events").await, events_before);

    // The file fixed: both lines applied, with the counsellor as actor and the note kept.
    let good = "student,item,points,note\nS1,Lab,18,good work\ns2,Lab,15.5,\n";
    let (_, preview) = import(&mut c, section, good, true).await;
    assert_eq!(outcomes(&preview), ["new", "new"]);
    assert_eq!(sis.count("sis_grade_events").await, events_before);
    let (st, applied) = import(&mut c, section, good, false).await;
    assert_eq!(st, 200, "{applied}");
    assert_eq!(
        (applied["applied"].as_bool(), outcomes(&applied).len()),
        (Some(true), 2)
    );
    assert_eq!(sis.count("sis_grade_events").await, events_before + 2);
    let counsellor_id: i64 =
        sqlx::query_scalar("SELECT id FROM people WHERE local_username = 'counsellor'")
            .fetch_one(sis.store().pool())
            .await
            .unwrap();
    let (_, history) = c.get(&format!("/api/sis/grades/{lab}/{s1}/history")).await;
    let h = &history[0];
    assert_eq!(
        (
            h["points"].as_f64(),
            h["source"].as_str(),
            h["actor_id"].as_i64(),
            h["actor_name"].as_str(),
            h["note"].as_str()
        ),
        (
            Some(18.0),
            Some("manual"),
            Some(counsellor_id),
            Some("Test counsellor"),
            Some("good work")
        ),
        "{history}"
    );
    // The gradebook names who entered each grade, and Moodle's site for Moodle's.
    let (_, book) = c
        .get(&format!("/api/sis/sections/{section}/gradebook"))
        .await;
    let cell = |item: i64, person: i64| {
        book["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["grade"]["assessment_id"] == item && c["grade"]["person_id"] == person)
            .cloned()
            .unwrap()
    };
    assert_eq!(cell(lab, s2)["grade"]["points"].as_f64(), Some(15.5));
    assert_eq!(cell(lab, s2)["grade"]["actor_name"], "Test counsellor");
    let quiz = sis.assessment("A1").await;
    let moodle = cell(quiz, s1);
    assert!(
        moodle["grade"]["peer_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty()),
        "{moodle}"
    );

    // Importing again: the same value is unchanged, another is a change from the old one.
    let (_, again) = import(
        &mut c,
        section,
        "student,item,points\nS1,Lab,18\nS2,Lab,16\n",
        true,
    )
    .await;
    assert_eq!(outcomes(&again), ["unchanged", "change:15.5"]);
    let (st, _) = import(
        &mut c,
        section,
        "student,item,points\nS1,Lab,18\nS2,Lab,16\n",
        false,
    )
    .await;
    assert_eq!(st, 200);
    let (_, history) = c.get(&format!("/api/sis/grades/{lab}/{s2}/history")).await;
    let points: Vec<Option<f64>> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["points"].as_f64())
        .collect();
    assert_eq!(
        points,
        [Some(15.5), Some(16.0)],
        "the old value stays in the history"
    );
    // S1's unchanged line recorded nothing new.
    let (_, history) = c.get(&format!("/api/sis/grades/{lab}/{s1}/history")).await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    // A file without the required columns is refused before anything is read.
    let (st, refused) = import(&mut c, section, "name,points\nLab,3\n", true).await;
    assert_eq!((st, refused["code"].as_str()), (400, Some("bad_csv")));
}

async fn answer(c: &mut Api, item: i64, choice: &str) -> (u16, Value) {
    let body = json!({ "choice": choice });
    c.post(&format!("/api/sis/assessments/{item}/rescale"), body)
        .await
}

#[tokio::test]
async fn a_moodle_item_of_another_maximum_asks_keep_or_rescale() {
    on_every_backend(rescale_on).await;
}

async fn rescale_on((sis, section, s1, s2, mut c): C1) {
    let project = manual_item(&mut c, section, "Project", 20.0).await;
    let essay = manual_item(&mut c, section, "Essay", 10.0).await;
    let empty = manual_item(&mut c, section, "Poster", 10.0).await;
    let grade = |item: i64, person: i64, points: Option<f64>, excepted: bool| json!({"assessment_id": item, "person_id": person, "points": points, "excepted": excepted});
    for body in [
        grade(project, s1, Some(15.0), false),
        grade(project, s2, None, true),
        grade(essay, s1, Some(8.0), false),
    ] {
        let (st, answer) = c.put("/api/sis/grades", body).await;
        assert_eq!(st, 200, "{answer}");
    }
    // Moodle takes all three over with other maxima; the ungraded one asks nothing.
    for (id, name, max) in [
        ("A2", "Project", "50"),
        ("A3", "Essay", "20"),
        ("A4", "Poster", "40"),
    ] {
        sis.ok("new_assessment", &fields! {"idnumber" => id, "sectionid" => "C1", "name" => name, "pointval" => max, "timemodified" => 1_790_300_000}).await;
    }
    let (_, book) = c
        .get(&format!("/api/sis/sections/{section}/gradebook"))
        .await;
    assert_eq!(
        book["rescales"],
        json!([{"assessment_id": project, "old_max": 20.0}, {"assessment_id": essay, "old_max": 10.0}]),
        "{book}"
    );
    let _ = empty;
    // Rescale: 15 of 20 becomes 37.5 of 50, as a new event; the excused grade is left alone.
    let (st, done) = answer(&mut c, project, "rescale").await;
    assert_eq!((st, done["rescaled"].as_u64()), (200, Some(1)), "{done}");
    let (_, history) = c
        .get(&format!("/api/sis/grades/{project}/{s1}/history"))
        .await;
    let rows = history.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{history}");
    assert_eq!(rows[0]["points"].as_f64(), Some(15.0));
    assert_eq!(rows[1]["points"].as_f64(), Some(37.5));
    assert_eq!(rows[1]["actor_name"], "Test counsellor");
    assert!(
        rows[1]["note"]
            .as_str()
            .unwrap()
            .contains("15 of 20 to 37.5 of 50"),
        "{history}"
    );
    let (_, history) = c
        .get(&format!("/api/sis/grades/{project}/{s2}/history"))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    // Keep the points: nothing written, the question closed.
    let (st, done) = answer(&mut c, essay, "keep_points").await;
    assert_eq!((st, done["rescaled"].as_u64()), (200, Some(0)));
    let (_, history) = c
        .get(&format!("/api/sis/grades/{essay}/{s1}/history"))
        .await;
    assert_eq!(history.as_array().unwrap().len(), 1);
    let (_, book) = c
        .get(&format!("/api/sis/sections/{section}/gradebook"))
        .await;
    assert_eq!(book["rescales"], json!([]));
    // A second answer has no question left.
    let (st, _) = answer(&mut c, project, "rescale").await;
    assert_eq!(st, 409);
}
