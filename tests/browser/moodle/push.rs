//! The plugin's push from a real Moodle 4.5 and 5.1 into SchoolBridge, every step asserted on both
//! sides: what Moodle queued and how it went (the plugin's queue), and what SchoolBridge's school
//! records show (people, the section's roster with each enrolment's status history, the gradebook
//! cell and its history). Then an outage of SchoolBridge, with the plugin's status page in the
//! browser (the error while SchoolBridge is down, "Retry now", the error shown as resolved), and
//! the full sync from the command line and from the status page's button.
//!
//! Each change is made through Moodle's own APIs (`tests/moodle/fixture.php`), as a teacher's click
//! makes it; the plugin sends it at the end of that PHP run, as at the end of the teacher's request.

use anyhow::{Context, ensure};
use serde_json::{Value, json};

use crate::real_moodle::flows::{Peered, services_of};
use crate::real_moodle::pages;
use crate::real_moodle::sb_api::SchoolBridgeApi;
use crate::real_moodle::sis_check::{self as sis, points};
use crate::real_moodle::site::{MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD, MoodleSite, Version};
use crate::server::TestServer;

const SECTION: &str = "SEC-HIST5";
const ESSAY: &str = "GI-ESSAY1";
const EDNA: &str = "T-2001";
const BART: &str = "S-2001";
const LISA: &str = "S-2002";
const MILHOUSE: &str = "S-2003";
const DRAIN_TASK: &str = "\\local_schooltool\\task\\drain_queue";

/// A Moodle peered with SchoolBridge, the plugin sending to it.
struct Pair {
    site: MoodleSite,
    server: TestServer,
    api: SchoolBridgeApi,
    peer_id: i64,
    /// Moodle's id of SchoolBridge (`mnet_host.id`).
    moodle_hostid: i64,
}

impl Pair {
    async fn start(version: Version, name: &str) -> anyhow::Result<Self> {
        let Peered {
            site,
            server,
            api,
            connection,
        } = Peered::start(version, name, &services_of(version)).await?;
        Ok(Pair {
            site,
            server,
            api,
            peer_id: connection.peer_id,
            moodle_hostid: connection.moodle_hostid,
        })
    }

    /// Site administration → Plugins → Local plugins → SchoolTool SIS: SchoolBridge ticked under
    /// "Peers that receive data" (and any other setting given).
    async fn send_to_schoolbridge(&self, more: Value) -> anyhow::Result<()> {
        let mut config = json!({"peers": [self.server.wwwroot()]});
        if let (Some(c), Some(m)) = (config.as_object_mut(), more.as_object()) {
            c.extend(m.clone());
        }
        self.site.fixture("plugin-config", config).await?;
        Ok(())
    }

    async fn moodle(&self, command: &str, args: Value) -> anyhow::Result<Value> {
        self.site.fixture(command, args).await
    }

    /// The plugin's queue for SchoolBridge, oldest first.
    async fn queue(&self) -> anyhow::Result<Vec<Value>> {
        let rows = self
            .moodle("queue", json!({"wwwroot": self.server.wwwroot()}))
            .await?;
        Ok(rows.as_array().cloned().unwrap_or_default())
    }

    /// The newest queued row of a method, which must have been delivered (status 1 = sent).
    async fn last_sent(&self, method: &str) -> anyhow::Result<Value> {
        let queue = self.queue().await?;
        let row = queue
            .iter()
            .rev()
            .find(|r| r["method"] == method)
            .with_context(|| format!("Moodle queued no {method}: {queue:?}"))?;
        ensure!(
            row["status"] == 1,
            "Moodle's {method} was not delivered: {row}"
        );
        Ok(row.clone())
    }

    async fn roster_status(&self, person: &str, role: &str) -> anyhow::Result<String> {
        let row = sis::enrolment(&self.api, SECTION, person, role).await?;
        Ok(row["status"].as_str().unwrap_or_default().to_owned())
    }

    async fn cell_points(&self, person: &str) -> anyhow::Result<Option<String>> {
        Ok(sis::cell(&self.api, SECTION, ESSAY, person)
            .await?
            .map(|g| points(&g).unwrap_or_default()))
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Moodle's teacher Edna and her students Bart and Lisa, made in Moodle.
async fn create_edna_bart_and_lisa(pair: &Pair) -> anyhow::Result<()> {
    for (username, first, last, idnumber) in [
        ("ednak", "Edna", "Krabappel", EDNA),
        ("bart", "Bart", "Simpson", BART),
        ("lisa", "Lisa", "Simpson", LISA),
    ] {
        pair.moodle(
            "create-user",
            json!({"username": username, "firstname": first, "lastname": last, "idnumber": idnumber}),
        )
        .await?;
    }
    Ok(())
}

async fn pushes_every_change(version: Version, name: &str) -> anyhow::Result<()> {
    let mut pair = Pair::start(version, name).await?;
    pair.send_to_schoolbridge(json!({})).await?;

    // People.
    create_edna_bart_and_lisa(&pair).await?;
    let bart = sis::person(&pair.api, pair.peer_id, BART).await?;
    assert_eq!(bart["username"], "bart", "{bart}");
    assert_eq!(bart["lastname"], "Simpson", "{bart}");
    assert_eq!(bart["login_allowed"], false, "{bart}");
    pair.last_sent("fetch_user").await?;

    // A course, its teacher, two students.
    pair.moodle(
        "create-course",
        json!({"fullname": "History 5", "shortname": "HIST5", "idnumber": SECTION}),
    )
    .await?;
    assert_eq!(sis::section(&pair.api, SECTION).await?["name"], "History 5");
    pair.moodle(
        "enrol",
        json!({"course": "HIST5", "user": "ednak", "role": "editingteacher"}),
    )
    .await?;
    for student in ["bart", "lisa"] {
        pair.moodle("enrol", json!({"course": "HIST5", "user": student}))
            .await?;
    }
    edna_teaches_bart(&pair).await?;
    let sent = pair.last_sent("new_enrolment").await?;
    assert_eq!(sent["payload"]["status"], "active", "{sent}");
    assert_eq!(sent["payload"]["timeend"], 0, "{sent}");

    // Bart's enrolment suspended (Participants → Edit enrolment → Suspended), then active again.
    pair.moodle(
        "update-enrolment",
        json!({"course": "HIST5", "user": "bart", "status": "suspended"}),
    )
    .await?;
    let sent = pair.last_sent("new_enrolment").await?;
    assert_eq!(sent["payload"]["status"], "suspended", "{sent}");
    assert_eq!(pair.roster_status(BART, "student").await?, "suspended");
    pair.moodle(
        "update-enrolment",
        json!({"course": "HIST5", "user": "bart", "status": "active"}),
    )
    .await?;
    assert_eq!(pair.roster_status(BART, "student").await?, "active");
    assert_eq!(
        sis::status_history(&pair.api, SECTION, BART, "student").await?,
        ["active", "suspended", "active"],
        "Bart's status history"
    );

    // Lisa's enrolment gets an end date next month, then one that has passed.
    let next_month = now() + 30 * 86_400;
    pair.moodle(
        "update-enrolment",
        json!({"course": "HIST5", "user": "lisa", "timeend": next_month}),
    )
    .await?;
    let row = sis::enrolment(&pair.api, SECTION, LISA, "student").await?;
    assert_eq!(row["moodle_ends_at"], next_month, "{row}");
    assert_eq!(row["status"], "active", "{row}");
    let yesterday = now() - 86_400;
    pair.moodle(
        "update-enrolment",
        json!({"course": "HIST5", "user": "lisa", "timeend": yesterday}),
    )
    .await?;
    let row = sis::enrolment(&pair.api, SECTION, LISA, "student").await?;
    assert_eq!(row["moodle_ends_at"], yesterday, "{row}");
    assert_eq!(
        row["status"], "ended",
        "an enrolment past its Moodle end date: {row}"
    );

    // A grade item, grades, a regrade.
    pair.moodle(
        "create-grade-item",
        json!({"course": "HIST5", "name": "Essay 1", "idnumber": ESSAY, "grademax": 20}),
    )
    .await?;
    let book = sis::gradebook(&pair.api, SECTION).await?;
    let essay = sis::assessment(&book, ESSAY)?;
    assert_eq!(essay["name"], "Essay 1", "{essay}");
    assert_eq!(essay["pointval"], 20.0, "{essay}");
    for (student, grade) in [("bart", 15.0), ("lisa", 19.0), ("bart", 17.5)] {
        pair.moodle(
            "grade",
            json!({"course": "HIST5", "item": "Essay 1", "user": student, "grade": grade}),
        )
        .await?;
    }
    assert_eq!(pair.cell_points(BART).await?.as_deref(), Some("17.5"));
    assert_eq!(pair.cell_points(LISA).await?.as_deref(), Some("19"));
    let bart_id = bart["id"].as_i64().context("Bart's id")?;
    let history = sis::grade_history(&pair.api, SECTION, ESSAY, bart_id).await?;
    let values: Vec<Option<String>> = history.iter().map(points).collect();
    assert_eq!(
        values,
        [Some("15".to_owned()), Some("17.5".to_owned())],
        "{history:?}"
    );

    // The teacher empties Bart's cell in the grader report: no grade in SchoolBridge, the
    // earlier values still in the history.
    pair.moodle(
        "grade",
        json!({"course": "HIST5", "item": "Essay 1", "user": "bart", "grade": null}),
    )
    .await?;
    let sent = pair.last_sent("remove_grade").await?;
    assert_eq!(
        sent["payload"],
        json!({"assessmentid": ESSAY, "userid": BART}),
        "{sent}"
    );
    assert_eq!(pair.cell_points(BART).await?, None, "a cleared cell");
    let history = sis::grade_history(&pair.api, SECTION, ESSAY, bart_id).await?;
    ensure!(
        history.len() == 3 && history[2]["cleared"] == true,
        "the clearing follows the two grades in the history: {history:?}"
    );

    // A new grade after the clearing, then excluded: an exclusion raises no Moodle event; the
    // plugin's scheduled task finds it in Moodle's grade history.
    pair.moodle(
        "grade",
        json!({"course": "HIST5", "item": "Essay 1", "user": "bart", "grade": 12}),
    )
    .await?;
    assert_eq!(pair.cell_points(BART).await?.as_deref(), Some("12"));
    pair.moodle(
        "exclude-grade",
        json!({"course": "HIST5", "item": "Essay 1", "user": "bart", "excluded": true}),
    )
    .await?;
    let output = pair.site.run_task(DRAIN_TASK).await?;
    let cell = sis::cell(&pair.api, SECTION, ESSAY, BART)
        .await?
        .context("Bart's excluded grade")?;
    assert_eq!(
        cell["excepted"], true,
        "cron output:\n{output}\ncell {cell}"
    );
    assert_eq!(points(&cell).as_deref(), Some("12"), "{cell}");

    // Lisa is unenrolled: withdrawn in SchoolBridge; Moodle deletes her grades with the
    // enrolment, but SchoolBridge keeps the grade she had.
    pair.moodle("unenrol", json!({"course": "HIST5", "user": "lisa"}))
        .await?;
    assert_eq!(pair.roster_status(LISA, "student").await?, "withdrawn");
    assert_eq!(
        pair.cell_points(LISA).await?.as_deref(),
        Some("19"),
        "a withdrawn student's grade stays"
    );

    // Course reset → "Delete all grades": Bart's grade row is deleted, his cell cleared; the
    // grade item stays.
    pair.moodle("reset-grades", json!({"course": "HIST5"}))
        .await?;
    assert_eq!(
        pair.cell_points(BART).await?,
        None,
        "grades deleted by a reset"
    );
    let book = sis::gradebook(&pair.api, SECTION).await?;
    assert_eq!(sis::assessment(&book, ESSAY)?["hidden"], false);

    // Nothing waits, nothing needs an admin.
    let queue = pair.queue().await?;
    let open: Vec<&Value> = queue.iter().filter(|r| r["status"] != 1).collect();
    ensure!(open.is_empty(), "rows not delivered: {open:?}");

    outage_is_retried(&mut pair, name).await?;
    failed_observer_is_repaired(&pair).await
}

/// The plugin's observer fails in the middle of a Moodle user's transaction (its queue table is
/// away): the user's action still commits — on PostgreSQL too — and the change that could not be
/// queued reaches SchoolBridge through the full sync the next cron run asks for.
async fn failed_observer_is_repaired(pair: &Pair) -> anyhow::Result<()> {
    let nelson = "S-2004";
    let out = pair
        .moodle(
            "observer-failure",
            json!({"username": "nelson", "firstname": "Nelson", "lastname": "Muntz",
                   "idnumber": nelson}),
        )
        .await?;
    ensure!(
        out["committed"] == true,
        "the user's action was undone: {out}"
    );
    ensure!(
        out["missed"].as_i64().unwrap_or(0) > 0,
        "the missed change was not remembered: {out}"
    );
    ensure!(
        sis::person(&pair.api, pair.peer_id, nelson).await.is_err(),
        "nothing was queued, so nothing can have arrived yet"
    );
    let output = pair.site.run_task(DRAIN_TASK).await?;
    ensure!(
        output.contains("full sync requested"),
        "cron after a missed change:\n{output}"
    );
    pair.site.run_adhoc_tasks().await?;
    let person = sis::person(&pair.api, pair.peer_id, nelson).await?;
    assert_eq!(person["lastname"], "Muntz", "{person}");
    Ok(())
}

/// SchoolBridge stops; Moodle goes on changing things. The plugin's status page shows the error
/// and the waiting rows, cron leaves the peer alone while it backs off, SchoolBridge comes back,
/// the administrator presses "Retry now": everything arrives and the error shows as resolved.
async fn outage_is_retried(pair: &mut Pair, name: &str) -> anyhow::Result<()> {
    pair.server.stop();
    pair.moodle(
        "create-user",
        json!({"username": "milhouse", "firstname": "Milhouse", "lastname": "Van Houten",
               "idnumber": MILHOUSE}),
    )
    .await?;
    pair.moodle("enrol", json!({"course": "HIST5", "user": "milhouse"}))
        .await?;
    pair.moodle(
        "grade",
        json!({"course": "HIST5", "item": "Essay 1", "user": "milhouse", "grade": 11}),
    )
    .await?;
    // The three changes; on 4.5 also Milhouse's course total, which Moodle recomputed with his
    // grade (issue 20, design 030). 5.1's course reset left the totals to an ad hoc task
    // (`grade_regrade_final_grades($courseid, async: true)`), so there the course is still stale
    // and Moodle recomputes nothing yet.
    let with_total = pair.site.code_version() == Version::M45;
    let waiting: Vec<Value> = pair
        .queue()
        .await?
        .into_iter()
        .filter(|r| r["status"] == 0)
        .collect();
    let methods: Vec<&str> = waiting
        .iter()
        .map(|r| r["method"].as_str().unwrap_or_default())
        .collect();
    let expected: &[&str] = if with_total {
        &["fetch_user", "new_enrolment", "new_grade", "new_grade"]
    } else {
        &["fetch_user", "new_enrolment", "new_grade"]
    };
    ensure!(
        methods == expected
            && waiting[2]["payload"]["assessmentid"] == ESSAY
            && (!with_total
                || (waiting[3]["payload"]["assessmentid"] != ESSAY
                    && waiting[3]["payload"]["points_earned"] == "11")),
        "{expected:?} wait while SchoolBridge is down, not {waiting:?}"
    );

    // The administrator's status page: the error of now, in red, and the rows waiting.
    let browser =
        pages::logged_in_browser(name, &pair.site, MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD).await?;
    let status_page = pair
        .site
        .url("/admin/settings.php?section=local_schooltool");
    browser.goto(&status_page).await?;
    let shown = browser.wait_for("[data-lasterror=current]").await;
    browser.screenshot(&format!("{name}-outage")).await?;
    shown.context("the status page does not show SchoolBridge's outage as the current error")?;

    // Cron leaves a peer that is backing off alone; nothing is lost meanwhile.
    let output = pair.site.run_task(DRAIN_TASK).await?;
    ensure!(
        output.contains("backing off"),
        "cron during the back-off:\n{output}"
    );

    // SchoolBridge is back (same data, same address); "Retry now" sends what waited.
    pair.server.restart().await?;
    browser.goto(&status_page).await?;
    browser
        .click("a[href*='/local/schooltool/queue.php'][href*='action=retry']")
        .await?;
    browser
        .wait_for_text("#user-notifications, .alert", "retried now")
        .await?;
    browser.goto(&status_page).await?;
    browser.wait_for("[data-lasterror=resolved]").await?;
    ensure!(
        browser.count("[data-lasterror=current]").await? == 0,
        "the status page still shows the outage as the peer's error"
    );
    browser.screenshot(&format!("{name}-resolved")).await?;
    let open: Vec<Value> = pair
        .queue()
        .await?
        .into_iter()
        .filter(|r| r["status"] != 1)
        .collect();
    ensure!(
        open.is_empty(),
        "rows not delivered after the retry: {open:?}"
    );

    let milhouse = sis::person(&pair.api, pair.peer_id, MILHOUSE).await?;
    assert_eq!(milhouse["lastname"], "Van Houten", "{milhouse}");
    assert_eq!(pair.roster_status(MILHOUSE, "student").await?, "active");
    assert_eq!(pair.cell_points(MILHOUSE).await?.as_deref(), Some("11"));
    Ok(())
}

/// A school that Moodle held before the plugin sent anywhere arrives whole with the full sync
/// from the command line: people, the section with its teacher, the roster with a suspended
/// enrolment, the grade item and the grades Moodle holds (not a cleared one). A second sync,
/// after a grade was cleared, does not bring it back. Then the status page's "Full sync" button
/// (an ad hoc task, run as cron would) sends what a switched-off kind of change held back.
async fn full_sync_sends_what_moodle_holds(version: Version, name: &str) -> anyhow::Result<()> {
    let pair = Pair::start(version, name).await?;
    create_edna_bart_and_lisa(&pair).await?;
    pair.moodle(
        "create-course",
        json!({"fullname": "History 5", "shortname": "HIST5", "idnumber": SECTION}),
    )
    .await?;
    pair.moodle(
        "enrol",
        json!({"course": "HIST5", "user": "ednak", "role": "editingteacher"}),
    )
    .await?;
    pair.moodle("enrol", json!({"course": "HIST5", "user": "bart"}))
        .await?;
    pair.moodle(
        "enrol",
        json!({"course": "HIST5", "user": "lisa", "status": "suspended"}),
    )
    .await?;
    pair.moodle(
        "create-grade-item",
        json!({"course": "HIST5", "name": "Essay 1", "idnumber": ESSAY, "grademax": 20}),
    )
    .await?;
    for (student, grade) in [
        ("bart", json!(14)),
        ("lisa", json!(9)),
        ("lisa", Value::Null),
    ] {
        pair.moodle(
            "grade",
            json!({"course": "HIST5", "item": "Essay 1", "user": student, "grade": grade}),
        )
        .await?;
    }
    ensure!(
        pair.queue().await?.is_empty(),
        "nothing is queued before a peer is chosen"
    );

    // The administrator chooses SchoolBridge and runs the full sync from the command line.
    pair.send_to_schoolbridge(json!({})).await?;
    let wwwroot = pair.server.wwwroot();
    let output = pair
        .site
        .cli(
            "local/schooltool/cli/sync.php",
            &[&format!("--peer={wwwroot}")],
        )
        .await?;
    ensure!(
        output.contains("needing an admin: 0"),
        "the CLI's report:\n{output}"
    );
    // Issue 19: the full sync went in batches, on both sides — the CLI counts its batch calls and
    // SchoolBridge's audit log holds a `schooltool/sis/batch` call with what it applied.
    ensure!(
        output.contains("Calls: 1 of schooltool/sis/batch"),
        "the CLI's report:\n{output}"
    );
    let audit = pair
        .api
        .get("/api/audit?method=schooltool%2Fsis%2Fbatch")
        .await?;
    ensure!(
        audit.to_string().contains("batch of "),
        "SchoolBridge's audit log: {audit}"
    );
    assert_eq!(
        sis::person(&pair.api, pair.peer_id, LISA).await?["username"],
        "lisa"
    );
    edna_teaches_bart(&pair).await?;
    assert_eq!(pair.roster_status(LISA, "student").await?, "suspended");
    assert_eq!(pair.cell_points(BART).await?.as_deref(), Some("14"));
    assert_eq!(
        pair.cell_points(LISA).await?,
        None,
        "a cleared grade is not sent"
    );

    // Bart's grade is cleared (sent at once); the next full sync does not bring it back.
    pair.moodle(
        "grade",
        json!({"course": "HIST5", "item": "Essay 1", "user": "bart", "grade": null}),
    )
    .await?;
    assert_eq!(pair.cell_points(BART).await?, None);
    pair.site
        .cli(
            "local/schooltool/cli/sync.php",
            &[&format!("--peer={wwwroot}")],
        )
        .await?;
    assert_eq!(
        pair.cell_points(BART).await?,
        None,
        "a full sync brought a cleared grade back"
    );

    // Grades switched off for a while: a grade given then stays in Moodle …
    let all_but_grades = ["users", "courses", "enrolments", "teachers", "assessments"];
    pair.send_to_schoolbridge(json!({"kinds": all_but_grades}))
        .await?;
    pair.moodle(
        "grade",
        json!({"course": "HIST5", "item": "Essay 1", "user": "bart", "grade": 16}),
    )
    .await?;
    assert_eq!(pair.cell_points(BART).await?, None);
    // … until grades are on again and the administrator presses "Full sync" on the status page.
    pair.send_to_schoolbridge(
        json!({"kinds": ["users", "courses", "enrolments", "teachers",
        "assessments", "grades"]}),
    )
    .await?;
    let browser =
        pages::logged_in_browser(name, &pair.site, MOODLE_ADMIN, MOODLE_ADMIN_PASSWORD).await?;
    browser
        .goto(
            &pair
                .site
                .url("/admin/settings.php?section=local_schooltool"),
        )
        .await?;
    browser
        .click("a[href*='/local/schooltool/queue.php'][href*='action=fullsync']")
        .await?;
    browser
        .wait_for_text("#user-notifications, .alert", "full sync has been queued")
        .await?;
    // The status page says the sync waits for cron, then how it ended.
    let status_page = pair
        .site
        .url("/admin/settings.php?section=local_schooltool");
    browser.goto(&status_page).await?;
    browser
        .wait_for("[data-fullsync=requested]")
        .await
        .context("the status page does not show the full sync waiting for cron")?;
    browser
        .screenshot(&format!("{name}-full-sync-queued"))
        .await?;
    let output = pair.site.run_adhoc_tasks().await?;
    assert_eq!(
        pair.cell_points(BART).await?.as_deref(),
        Some("16"),
        "after the full sync task:\n{output}"
    );
    browser.goto(&status_page).await?;
    browser
        .wait_for_text("[data-fullsync=done]", "none waiting")
        .await
        .context("the status page does not show the finished full sync")?;
    browser
        .screenshot(&format!("{name}-full-sync-done"))
        .await?;
    Ok(())
}

on_each_moodle!(
    pushes_every_change:
    moodle45_pushes_every_change("m45-push"),
    moodle51_pushes_every_change("m51-push")
);

on_each_moodle!(
    full_sync_sends_what_moodle_holds:
    moodle45_full_sync_from_the_command_line_and_the_status_page("m45-full-sync"),
    moodle51_full_sync_from_the_command_line_and_the_status_page("m51-full-sync")
);

/// A school made inside Moodle with Moodle's own APIs (one teacher, `students` students, four
/// courses, two of them per student, two grade items per course, every student graded), as
/// `fixture.php steps`.
fn school_steps(students: usize) -> Vec<Value> {
    let mut steps = vec![json!({"command": "create-user", "args":
        {"username": "teacher", "firstname": "Elizabeth", "lastname": "Hoover", "idnumber": "T-9000"}})];
    let courses = ["ART", "MUS", "GYM", "SCI"];
    for course in courses {
        steps.push(json!({"command": "create-course", "args":
            {"fullname": format!("{course} 1"), "shortname": course, "idnumber": format!("SEC-{course}")}}));
        steps.push(json!({"command": "enrol", "args":
            {"course": course, "user": "teacher", "role": "editingteacher"}}));
        for item in 1..=2 {
            steps.push(json!({"command": "create-grade-item", "args":
                {"course": course, "name": format!("Task {item}"), "idnumber": format!("GI-{course}-{item}"), "grademax": 20}}));
        }
    }
    for n in 0..students {
        let username = format!("student{n}");
        steps.push(json!({"command": "create-user", "args":
            {"username": username, "firstname": format!("Student{n}"), "lastname": "Springfield", "idnumber": format!("S-9{n:04}")}}));
        for course in [courses[n % 4], courses[(n + 1) % 4]] {
            steps.push(json!({"command": "enrol", "args": {"course": course, "user": username}}));
            for item in 1..=2 {
                steps.push(json!({"command": "grade", "args":
                    {"course": course, "item": format!("Task {item}"), "user": username, "grade": (n % 20) as i64}}));
            }
        }
    }
    steps
}

/// BENCHMARKS.md §3c: the full sync of a school made inside the real Moodle 4.5, one call per
/// change against `schooltool/sis/batch`, measured in the same run on two fresh copies of the same
/// site. Run by hand (`BENCH_MOODLE_STUDENTS`, default 200):
/// `cargo test --test browser real_moodle::push::moodle45_full_sync_per_call_against_batched -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by hand, see BENCHMARKS.md §3c"]
async fn moodle45_full_sync_per_call_against_batched() -> anyhow::Result<()> {
    let students: usize = std::env::var("BENCH_MOODLE_STUDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut runs = Vec::new();
    for batched in [false, true] {
        let name = if batched {
            "m45-bench-batched"
        } else {
            "m45-bench-per-call"
        };
        let pair = Pair::start(Version::M45, name).await?;
        // In pieces: fixture.php takes its arguments on the command line.
        for steps in school_steps(students).chunks(1000) {
            pair.moodle("steps", json!({ "steps": steps })).await?;
        }
        let mut more = json!({});
        if !batched {
            // What the plugin keeps for a day after a peer refused a batch (7012): one call each.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            more = json!({ format!("nobatch_{}", pair.moodle_hostid): now });
        }
        pair.send_to_schoolbridge(more).await?;
        let started = std::time::Instant::now();
        let output = pair
            .site
            .cli(
                "local/schooltool/cli/sync.php",
                &[&format!("--peer={}", pair.server.wwwroot())],
            )
            .await?;
        let elapsed = started.elapsed();
        ensure!(
            output.contains("needing an admin: 0")
                && output.contains("waiting for a prerequisite or retry: 0"),
            "the CLI's report:\n{output}"
        );
        ensure!(
            output.contains("of schooltool/sis/batch") == batched,
            "batched {batched}, the CLI's report:\n{output}"
        );
        let sent = output
            .lines()
            .find(|l| l.starts_with("Sent: "))
            .context("no Sent: line")?
            .to_owned();
        println!(
            "{name}: {students} students, {sent} in {:.1} s",
            elapsed.as_secs_f64()
        );
        runs.push((sent, elapsed));
    }
    ensure!(
        runs[0].0 == runs[1].0,
        "both ways send the same rows: {runs:?}"
    );
    println!(
        "batched / per call: {:.1}x faster",
        runs[0].1.as_secs_f64() / runs[1].1.as_secs_f64()
    );
    Ok(())
}

/// What both the live push and the full sync must reach: Edna teaches the section and Bart is an
/// active student in it.
async fn edna_teaches_bart(pair: &Pair) -> anyhow::Result<()> {
    let page = sis::section_page(&pair.api, SECTION).await?;
    assert_eq!(
        page["roster"]["section"]["teacher"]["idnumber"], EDNA,
        "{page}"
    );
    assert_eq!(pair.roster_status(EDNA, "teacher").await?, "active");
    assert_eq!(pair.roster_status(BART, "student").await?, "active");
    Ok(())
}
