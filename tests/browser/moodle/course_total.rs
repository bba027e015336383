//! Moodle's course total in SchoolBridge (issue 20, design 030), against real Moodle 4.5 and 5.1:
//! a course whose category weights make Moodle's total differ from a plain sum of points; the
//! plugin sends the total as Moodle computed it (`new_assessment` with `kind` `course_total`,
//! then `new_grade` per student), and SchoolBridge's gradebook holds Moodle's own figure — read
//! back from Moodle's `grade_grades` — not the sum. Then the total follows each way it changes in
//! Moodle: a grade (regraded at once), a weight (Moodle only marks the totals stale; the plugin's
//! scheduled task recomputes them) and a full sync.

use anyhow::{Context, ensure};
use serde_json::{Value, json};

use crate::real_moodle::flows::{Peered, services_of};
use crate::real_moodle::sis_check as sis;
use crate::real_moodle::site::Version;

const SECTION: &str = "SEC-GEO7";
const STUDENT: &str = "S-3001";
const DRAIN_TASK: &str = "\\local_schooltool\\task\\drain_queue";
/// Moodle's `GRADE_AGGREGATE_WEIGHTED_MEAN`: each item's fraction of its maximum, weighted.
const WEIGHTED_MEAN: i64 = 10;

/// Moodle's figure for the student: (course item's shared id, its maximum, the final grade).
async fn moodles_total(
    site: &crate::real_moodle::site::MoodleSite,
) -> anyhow::Result<(String, f64, f64)> {
    let total = site
        .fixture(
            "course-total",
            json!({"course": "GEO7", "user": "milhouse"}),
        )
        .await?;
    ensure!(
        total["needsupdate"] == 0,
        "Moodle's total is stale: {total}"
    );
    assert_eq!(total["name"], "Course total", "{total}");
    let idnumber = match total["idnumber"].as_str() {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => format!("moodle-gradeitem-{}", total["itemid"]),
    };
    let max = total["grademax"].as_f64().context("grademax")?;
    let grade = total["finalgrade"]
        .as_f64()
        .with_context(|| format!("Moodle has no course total: {total}"))?;
    Ok((idnumber, max, grade))
}

/// SchoolBridge's course total column and the student's grade in it.
async fn schoolbridges_total(peered: &Peered, idnumber: &str) -> anyhow::Result<(Value, f64)> {
    let book = sis::gradebook(&peered.api, SECTION).await?;
    let item = sis::assessment(&book, idnumber)?;
    let cell = sis::cell(&peered.api, SECTION, idnumber, STUDENT)
        .await?
        .with_context(|| format!("no course total for {STUDENT} in SchoolBridge: {book}"))?;
    let points = cell["points"].as_f64().context("points")?;
    Ok((item, points))
}

fn same(a: f64, b: f64) -> bool {
    // Moodle keeps five decimals, and the plugin sends them as they are.
    (a - b).abs() < 1e-4
}

async fn course_total_arrives(version: Version, name: &str) -> anyhow::Result<()> {
    let peered = Peered::start(version, name, &services_of(version)).await?;
    let site = &peered.site;
    site.fixture("plugin-config", json!({"peers": [peered.server.wwwroot()]}))
        .await?;
    site.fixture(
        "create-user",
        json!({"username": "milhouse", "firstname": "Milhouse", "lastname": "Van Houten", "idnumber": STUDENT}),
    )
    .await?;
    site.fixture(
        "create-course",
        json!({"fullname": "Geography 7", "shortname": "GEO7", "idnumber": SECTION}),
    )
    .await?;
    site.fixture("enrol", json!({"course": "GEO7", "user": "milhouse"}))
        .await?;
    for (item, max) in [("Map quiz", 10), ("Project", 50)] {
        site.fixture(
            "create-grade-item",
            json!({"course": "GEO7", "name": item, "grademax": max}),
        )
        .await?;
    }
    // The map quiz weighs three times the project: Moodle's total is no sum of points.
    site.fixture(
        "course-aggregation",
        json!({"course": "GEO7", "aggregation": WEIGHTED_MEAN, "weights": {"Map quiz": 3, "Project": 1}}),
    )
    .await?;
    for (item, grade) in [("Map quiz", 8), ("Project", 20)] {
        site.fixture(
            "grade",
            json!({"course": "GEO7", "item": item, "user": "milhouse", "grade": grade}),
        )
        .await?;
    }
    // Moodle left the totals stale (items and weights changed); the plugin's task recomputes them,
    // as opening the gradebook would, and sends what changed.
    let output = site.run_task(DRAIN_TASK).await?;
    ensure!(
        output.contains("course totals recomputed in 1 courses"),
        "cron:\n{output}"
    );
    let (idnumber, max, moodle) = moodles_total(site).await?;
    let plain_sum = 8.0 + 20.0;
    ensure!(
        !same(moodle, plain_sum),
        "the weighting makes Moodle's total ({moodle}) differ from the plain sum"
    );
    ensure!(
        same(moodle, max * (0.8 * 3.0 + 0.4) / 4.0),
        "Moodle's weighted mean of 8/10 (×3) and 20/50 (×1) out of {max}: {moodle}"
    );
    let (item, points) = schoolbridges_total(&peered, &idnumber).await?;
    assert_eq!(item["kind"], "course_total", "{item}");
    assert_eq!(item["name"], "Course total", "{item}");
    ensure!(
        item["pointval"].as_f64().is_some_and(|p| same(p, max)),
        "pointval is the course total's maximum {max}: {item}"
    );
    ensure!(
        same(points, moodle),
        "SchoolBridge holds {points}, Moodle's figure is {moodle} (plain sum {plain_sum})"
    );

    // A grade changes: Moodle recomputes that student's total in the same request, and the plugin
    // sends it at the end of it — no cron needed.
    site.fixture(
        "grade",
        json!({"course": "GEO7", "item": "Project", "user": "milhouse", "grade": 50}),
    )
    .await?;
    let (_, _, moodle_after) = moodles_total(site).await?;
    ensure!(
        same(moodle_after, max * (0.8 * 3.0 + 1.0) / 4.0) && !same(moodle_after, moodle),
        "Moodle's total after the project's 50/50: {moodle_after}"
    );
    let (_, points) = schoolbridges_total(&peered, &idnumber).await?;
    ensure!(
        same(points, moodle_after),
        "after a grade changed: SchoolBridge {points}, Moodle {moodle_after}"
    );

    // The weights change (Gradebook setup): Moodle only marks the totals stale; the scheduled task
    // brings them up to date and the total follows.
    site.fixture(
        "course-aggregation",
        json!({"course": "GEO7", "aggregation": WEIGHTED_MEAN, "weights": {"Map quiz": 1, "Project": 1}}),
    )
    .await?;
    site.run_task(DRAIN_TASK).await?;
    let (_, _, moodle_reweighted) = moodles_total(site).await?;
    ensure!(
        same(moodle_reweighted, max * (0.8 + 1.0) / 2.0),
        "Moodle's total with equal weights: {moodle_reweighted}"
    );
    let (_, points) = schoolbridges_total(&peered, &idnumber).await?;
    ensure!(
        same(points, moodle_reweighted),
        "after the weights changed: SchoolBridge {points}, Moodle {moodle_reweighted}"
    );

    // A full sync sends the course total too, and it still agrees; nothing needs an admin.
    let output = site
        .cli(
            "local/schooltool/cli/sync.php",
            &[&format!("--peer={}", peered.server.wwwroot())],
        )
        .await?;
    ensure!(
        output.contains("needing an admin: 0"),
        "the CLI's report:\n{output}"
    );
    let (item, points) = schoolbridges_total(&peered, &idnumber).await?;
    assert_eq!(item["kind"], "course_total", "{item}");
    ensure!(
        same(points, moodle_reweighted),
        "after a full sync: SchoolBridge {points}, Moodle {moodle_reweighted}"
    );
    let queue = site
        .fixture("queue", json!({"wwwroot": peered.server.wwwroot()}))
        .await?;
    let open: Vec<&Value> = queue
        .as_array()
        .map(|rows| rows.iter().filter(|r| r["status"] != 1).collect())
        .unwrap_or_default();
    ensure!(open.is_empty(), "rows not delivered: {open:?}");
    Ok(())
}

on_each_moodle!(
    course_total_arrives:
    moodle45_sends_its_course_total("m45-course-total"),
    moodle51_sends_its_course_total("m51-course-total")
);
