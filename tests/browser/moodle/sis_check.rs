//! What arrived in SchoolBridge's school records from a Moodle, read through the console's JSON
//! API (`/api/people`, `/api/sis/…`) by the records' shared ids: a person, a section with its
//! roster, an enrolment's status history, a gradebook cell and its grade history. Every function
//! names what it looked for when it is missing, so a failed assertion says what SchoolBridge lacks.

use anyhow::{Context, bail};
use serde_json::Value;

use crate::real_moodle::sb_api::SchoolBridgeApi;

/// The person of `peer_id` with this shared id (`PersonSummary`).
pub async fn person(api: &SchoolBridgeApi, peer_id: i64, idnumber: &str) -> anyhow::Result<Value> {
    let people = api.get(&format!("/api/people?peer={peer_id}")).await?;
    find(&people, |p| p["idnumber"] == idnumber)
        .with_context(|| format!("SchoolBridge has no person {idnumber} from the peer: {people}"))
}

/// The section with this shared id (`SectionSummary`).
pub async fn section(api: &SchoolBridgeApi, idnumber: &str) -> anyhow::Result<Value> {
    let sections = api.get("/api/sis/sections").await?;
    find(&sections, |s| s["idnumber"] == idnumber)
        .with_context(|| format!("SchoolBridge has no section {idnumber}: {sections}"))
}

/// The section's page: its roster and teacher history (`SectionPage`).
pub async fn section_page(api: &SchoolBridgeApi, idnumber: &str) -> anyhow::Result<Value> {
    let id = id_of(&section(api, idnumber).await?)?;
    api.get(&format!("/api/sis/sections/{id}")).await
}

/// The roster row (`EnrolmentRow`) of a person in a section, in a role, if there is one.
pub async fn roster_row(
    api: &SchoolBridgeApi,
    section_idnumber: &str,
    person_idnumber: &str,
    role: &str,
) -> anyhow::Result<Option<Value>> {
    let page = section_page(api, section_idnumber).await?;
    Ok(find(&page["roster"]["enrolments"], |e| {
        e["person"]["idnumber"] == person_idnumber && e["role"] == role
    }))
}

/// Like [`roster_row`], but the row must be there.
pub async fn enrolment(
    api: &SchoolBridgeApi,
    section_idnumber: &str,
    person_idnumber: &str,
    role: &str,
) -> anyhow::Result<Value> {
    roster_row(api, section_idnumber, person_idnumber, role)
        .await?
        .with_context(|| format!("no {role} {person_idnumber} on the roster of {section_idnumber}"))
}

/// The status history (`StatusChange` list, oldest first) of a person's enrolment.
pub async fn status_history(
    api: &SchoolBridgeApi,
    section_idnumber: &str,
    person_idnumber: &str,
    role: &str,
) -> anyhow::Result<Vec<String>> {
    let row = enrolment(api, section_idnumber, person_idnumber, role).await?;
    let history = api
        .get(&format!("/api/sis/enrolments/{}/history", id_of(&row)?))
        .await?;
    Ok(history
        .as_array()
        .context("the history is not a list")?
        .iter()
        .map(|h| h["status"].as_str().unwrap_or_default().to_owned())
        .collect())
}

/// A section's gradebook (`Gradebook`).
pub async fn gradebook(api: &SchoolBridgeApi, section_idnumber: &str) -> anyhow::Result<Value> {
    let id = id_of(&section(api, section_idnumber).await?)?;
    api.get(&format!("/api/sis/sections/{id}/gradebook")).await
}

/// The gradebook column (`AssessmentRow`) with this shared id.
pub fn assessment(book: &Value, idnumber: &str) -> anyhow::Result<Value> {
    find(&book["assessments"], |a| a["idnumber"] == idnumber)
        .with_context(|| format!("no grade item {idnumber} in the gradebook"))
}

/// The current grade (`GradeEvent`) of a cell, `None` when the cell has no grade.
pub async fn cell(
    api: &SchoolBridgeApi,
    section_idnumber: &str,
    assessment_idnumber: &str,
    person_idnumber: &str,
) -> anyhow::Result<Option<Value>> {
    let book = gradebook(api, section_idnumber).await?;
    let item = id_of(&assessment(&book, assessment_idnumber)?)?;
    let student = find(&book["students"], |s| {
        s["person"]["idnumber"] == person_idnumber
    })
    .with_context(|| format!("{person_idnumber} is not a student in the gradebook"))?;
    let person = student["person"]["id"].as_i64().context("no person id")?;
    Ok(find(&book["cells"], |c| {
        c["grade"]["assessment_id"] == item && c["grade"]["person_id"] == person
    })
    .map(|c| c["grade"].clone()))
}

/// A cell's whole history (`GradeEvent` list), as the gradebook's history shows it.
pub async fn grade_history(
    api: &SchoolBridgeApi,
    section_idnumber: &str,
    assessment_idnumber: &str,
    person_id: i64,
) -> anyhow::Result<Vec<Value>> {
    let book = gradebook(api, section_idnumber).await?;
    let item = id_of(&assessment(&book, assessment_idnumber)?)?;
    let history = api
        .get(&format!("/api/sis/grades/{item}/{person_id}/history"))
        .await?;
    Ok(history.as_array().cloned().unwrap_or_default())
}

/// `points` of a grade event as Moodle sent it ("87.5"), `None` for no points.
pub fn points(event: &Value) -> Option<String> {
    event["points"].as_f64().map(|p| {
        let text = format!("{p}");
        text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
    })
}

fn find(list: &Value, pick: impl Fn(&Value) -> bool) -> Option<Value> {
    list.as_array()?.iter().find(|v| pick(v)).cloned()
}

fn id_of(record: &Value) -> anyhow::Result<i64> {
    match record["id"].as_i64() {
        Some(id) => Ok(id),
        None => bail!("no id in {record}"),
    }
}
