//! Assessments (grade items, `docs/product.md` §2–§3): created by Moodle's
//! `new_assessment` or by hand (one at a time or a CSV batch, §4). A Moodle item whose section
//! holds a manual item of exactly the same name that is not yet linked takes over that item
//! instead of creating a second one (scenario 6); the manual grades stay as they are.
//! `remove_assessment` hides an item from current reports; nothing is deleted.

use super::rows::{IntFlag, ItemKindText, SourceText, api_row};
use super::sis::{
    Applied, ChangeStatus, Outcome, Provenance, RecordSource, Refusal, Shared, id_by_idnumber,
};
use super::{Store, StoreError, flag};

/// Binds a grade item's six gradebook fields to the next six placeholders, in the order every
/// write of `sis_assessments` names them: `name, chapter, pointval, honors_required,
/// nonhonors_required, extra_credit`. `$chapter` names the item's chapter field (Moodle's
/// `chapternum`, the console's `chapter`).
macro_rules! bind_item {
    ($query:expr, $item:expr, $chapter:ident) => {{
        let item = $item;
        $query
            .bind(item.name.as_str())
            .bind(item.$chapter)
            .bind(item.pointval)
            .bind(flag(item.honors_required))
            .bind(flag(item.nonhonors_required))
            .bind(flag(item.extra_credit))
    }};
}
use schoolbridge_api::sis::ItemKind;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow};
use std::collections::HashMap;

pub use crate::sis::domain::assessments::{MAX_NAME, MAX_POINTS};
use crate::sis::domain::assessments::{Removal, item_to_take_over, link_note, removal, repeats};
pub use crate::sis::domain::limits::MAX_BATCH;
use crate::sis::domain::ordering::is_late;

pub use crate::sis::domain::assessments::{AssessmentUpsert, NewManualAssessment, validate_manual};

pub use schoolbridge_api::sis::AssessmentRow;

/// One line of a batch (e.g. a CSV row): the item, or why the line could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessmentLine {
    /// Line number in the file (1 = header).
    pub line: u64,
    /// The item, or the reason it was rejected while reading.
    pub item: Result<NewManualAssessment, String>,
    /// The name the line gave, when it had one (shown beside a rejection too).
    pub name: Option<String>,
}

pub use schoolbridge_api::sis::LineResult;

pub use schoolbridge_api::sis::BatchLine;

pub(crate) const COLUMNS: &str = "id, section_id, origin, peer_id, idnumber, name, chapter, pointval, honors_required, nonhonors_required, extra_credit, hidden, hidden_at, linked_at, first_effective_at, kind";

api_row! {
    /// A row of `sis_assessments` ([`COLUMNS`]).
    AssessmentRecord => AssessmentRow {
        id: i64,
        section_id: i64,
        #[sqlx(try_from = "SourceText")]
        origin: RecordSource,
        peer_id: Option<i64>,
        idnumber: Option<String>,
        name: String,
        chapter: i64,
        pointval: f64,
        #[sqlx(try_from = "IntFlag")]
        honors_required: bool,
        #[sqlx(try_from = "IntFlag")]
        nonhonors_required: bool,
        #[sqlx(try_from = "IntFlag")]
        extra_credit: bool,
        #[sqlx(try_from = "IntFlag")]
        hidden: bool,
        hidden_at: Option<i64>,
        linked_at: Option<i64>,
        first_effective_at: i64,
        #[sqlx(try_from = "ItemKindText")]
        kind: ItemKind,
    }
}

pub(crate) fn assessment_from_row(r: &AnyRow) -> Result<AssessmentRow, sqlx::Error> {
    AssessmentRecord::from_row(r).map(AssessmentRow::from)
}

/// An item with the `timemodified` of the newest Moodle change applied to it.
#[derive(sqlx::FromRow)]
struct WatermarkedAssessment {
    #[sqlx(flatten)]
    item: AssessmentRecord,
    source_timemodified: Option<i64>,
}

/// What `remove_assessment` reads of an item.
#[derive(sqlx::FromRow)]
struct HideState {
    id: i64,
    #[sqlx(try_from = "IntFlag")]
    hidden: bool,
    source_timemodified: Option<i64>,
}

/// One assessment by id.
pub async fn assessment(
    c: &mut AnyConnection,
    id: i64,
) -> Result<Option<AssessmentRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sis_assessments WHERE id = $1");
    let row: Option<AssessmentRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(AssessmentRow::from))
}

/// A section's assessments by chapter then name (hidden ones only when asked).
pub async fn section_assessments(
    c: &mut AnyConnection,
    section_id: i64,
    include_hidden: bool,
) -> Result<Vec<AssessmentRow>, StoreError> {
    let hidden = if include_hidden {
        ""
    } else {
        " AND hidden = 0"
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM sis_assessments WHERE section_id = $1{hidden} ORDER BY chapter, LOWER(name), id"
    );
    let rows: Vec<AssessmentRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(section_id)
        .fetch_all(&mut *c)
        .await?;
    Ok(rows.into_iter().map(AssessmentRow::from).collect())
}

/// Writes Moodle's fields over an item (update or link); visible again.
async fn write_moodle_fields(
    c: &mut AnyConnection,
    id: i64,
    section_id: i64,
    a: &AssessmentUpsert,
    meta: &Provenance,
) -> Result<(), StoreError> {
    let query = sqlx::query(
        "UPDATE sis_assessments SET section_id = $1, name = $2, chapter = $3, pointval = $4, honors_required = $5,
                nonhonors_required = $6, extra_credit = $7, hidden = 0, hidden_at = NULL, source_timemodified = $8, updated_at = $9,
                kind = $11
          WHERE id = $10",
    )
    .bind(section_id);
    bind_item!(query, a, chapternum)
        .bind(meta.effective_at)
        .bind(meta.recorded_at)
        .bind(id)
        .bind(a.kind.as_str())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Applies `new_assessment` (§2): update the linked item, else link a manual item of the same
/// name in the section that is not linked yet, else create. Refused (before any write) for an
/// unknown section.
pub async fn apply_new_assessment(
    c: &mut AnyConnection,
    peer_id: i64,
    a: &AssessmentUpsert,
    meta: &Provenance,
) -> Outcome<Applied> {
    let Some(section_id) = id_by_idnumber(c, Shared::Sections, peer_id, &a.sectionid).await? else {
        return Ok(Err(Refusal::UnknownSection(a.sectionid.clone())));
    };
    let sql = format!(
        "SELECT {COLUMNS}, source_timemodified FROM sis_assessments WHERE peer_id = $1 AND idnumber = $2"
    );
    let row: Option<WatermarkedAssessment> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(peer_id)
        .bind(a.idnumber.as_str())
        .fetch_optional(&mut *c)
        .await?;
    if let Some(r) = row {
        let item = AssessmentRow::from(r.item);
        if is_late(meta.effective_at, r.source_timemodified) {
            return Ok(Ok(Applied::new(ChangeStatus::Stale, &a.idnumber)));
        }
        if repeats(&item, section_id, a) {
            sqlx::query("UPDATE sis_assessments SET source_timemodified = $1 WHERE id = $2")
                .bind(meta.effective_at)
                .bind(item.id)
                .execute(&mut *c)
                .await?;
            return Ok(Ok(Applied::new(ChangeStatus::Unchanged, &a.idnumber)));
        }
        write_moodle_fields(c, item.id, section_id, a, meta).await?;
        return Ok(Ok(Applied::new(ChangeStatus::Updated, &a.idnumber)));
    }
    // Scenario 6: a manual item of exactly the same name, not linked yet, is taken over.
    let sql = format!(
        "SELECT {COLUMNS} FROM sis_assessments WHERE section_id = $1 AND name = $2 ORDER BY id"
    );
    let same_name: Vec<AssessmentRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(section_id)
        .bind(a.name.as_str())
        .fetch_all(&mut *c)
        .await?;
    let same_name: Vec<AssessmentRow> = same_name.into_iter().map(AssessmentRow::from).collect();
    if let Some((id, old_max)) = item_to_take_over(a, &same_name).map(|m| (m.id, m.pointval)) {
        // Design 026 §6: another maximum asks the teacher about the manual grades.
        super::sis_rescale::ask_on_link(c, id, old_max, a.pointval).await?;
        sqlx::query(
            "UPDATE sis_assessments SET peer_id = $1, idnumber = $2, linked_at = $3 WHERE id = $4",
        )
        .bind(peer_id)
        .bind(a.idnumber.as_str())
        .bind(meta.recorded_at)
        .bind(id)
        .execute(&mut *c)
        .await?;
        write_moodle_fields(c, id, section_id, a, meta).await?;
        let mut applied = Applied::new(ChangeStatus::Linked, &a.idnumber);
        applied.notes.push(link_note(id));
        return Ok(Ok(applied));
    }
    let query = sqlx::query(
        "INSERT INTO sis_assessments (section_id, origin, peer_id, idnumber, name, chapter, pointval, honors_required, nonhonors_required,
                extra_credit, hidden, first_effective_at, source_timemodified, created_at, updated_at, kind)
         VALUES ($1, 'moodle', $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10, $11, $11, $12)",
    )
    .bind(section_id)
    .bind(peer_id)
    .bind(a.idnumber.as_str());
    bind_item!(query, a, chapternum)
        .bind(meta.effective_at)
        .bind(meta.recorded_at)
        .bind(a.kind.as_str())
        .execute(&mut *c)
        .await?;
    Ok(Ok(Applied::new(ChangeStatus::Created, &a.idnumber)))
}

/// Applies `remove_assessment` (§2): hidden from current reports; grades and history stay. An
/// unknown item is acknowledged as unchanged.
pub async fn apply_remove_assessment(
    c: &mut AnyConnection,
    peer_id: i64,
    idnumber: &str,
    meta: &Provenance,
) -> Result<Applied, StoreError> {
    let row: Option<HideState> = sqlx::query_as(
        "SELECT id, hidden, source_timemodified FROM sis_assessments WHERE peer_id = $1 AND idnumber = $2",
    )
    .bind(peer_id)
    .bind(idnumber)
    .fetch_optional(&mut *c)
    .await?;
    let Some(r) = row else {
        return Ok(Applied::new(ChangeStatus::Unchanged, idnumber));
    };
    let id = r.id;
    match removal(r.hidden, r.source_timemodified, meta.effective_at) {
        Removal::Late => return Ok(Applied::new(ChangeStatus::Stale, idnumber)),
        Removal::AlreadyHidden => return Ok(Applied::new(ChangeStatus::Unchanged, idnumber)),
        Removal::Hide => {}
    }
    sqlx::query(
        "UPDATE sis_assessments SET hidden = 1, hidden_at = $1, source_timemodified = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(meta.effective_at)
    .bind(meta.recorded_at)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(Applied::new(ChangeStatus::Updated, idnumber))
}

async fn section_exists(c: &mut AnyConnection, section_id: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM sis_sections WHERE id = $1")
        .bind(section_id)
        .fetch_optional(&mut *c)
        .await?
        .is_some())
}

async fn insert_manual(
    c: &mut AnyConnection,
    section_id: i64,
    item: &NewManualAssessment,
    now: i64,
) -> Result<i64, StoreError> {
    let query = sqlx::query_scalar(
        "INSERT INTO sis_assessments (section_id, origin, name, chapter, pointval, honors_required, nonhonors_required, extra_credit,
                hidden, first_effective_at, created_at, updated_at)
         VALUES ($1, 'manual', $2, $3, $4, $5, $6, $7, 0, $8, $8, $8) RETURNING id",
    )
    .bind(section_id);
    let id = bind_item!(query, item, chapter)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
    Ok(id)
}

/// Names of a section's items → the oldest item of each name.
async fn names_in_section(
    c: &mut AnyConnection,
    section_id: i64,
) -> Result<HashMap<String, i64>, StoreError> {
    let mut names = HashMap::new();
    for a in section_assessments(c, section_id, true).await? {
        names.entry(a.name).or_insert(a.id);
    }
    Ok(names)
}

/// Creates one manual grade item; a second item of the same name in the section is refused.
pub async fn create_manual_assessment(
    c: &mut AnyConnection,
    section_id: i64,
    item: &NewManualAssessment,
    now: i64,
) -> Outcome<i64> {
    let item = crate::accepted!(validate_manual(item));
    if !section_exists(c, section_id).await? {
        return Ok(Err(Refusal::NotFound("section", section_id)));
    }
    if names_in_section(c, section_id)
        .await?
        .contains_key(&item.name)
    {
        return Ok(Err(Refusal::Conflict(format!(
            "the section already has an item named {:?}",
            item.name
        ))));
    }
    Ok(Ok(insert_manual(c, section_id, &item, now).await?))
}

/// What a batch would do, line by line, without writing: created, matched by name (an item of
/// that name exists in the section), or rejected with the reason.
pub async fn plan_manual_assessments(
    c: &mut AnyConnection,
    section_id: i64,
    lines: &[AssessmentLine],
) -> Outcome<Vec<BatchLine>> {
    if !section_exists(c, section_id).await? {
        return Ok(Err(Refusal::NotFound("section", section_id)));
    }
    if lines.len() > MAX_BATCH {
        return Ok(Err(Refusal::invalid(
            "file",
            format!("more than {MAX_BATCH} lines"),
        )));
    }
    let existing = names_in_section(c, section_id).await?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let plan = lines
        .iter()
        .map(|l| {
            let (name, result) = match &l.item {
                Err(reason) => (
                    l.name.clone(),
                    LineResult::Rejected {
                        reason: reason.clone(),
                    },
                ),
                Ok(raw) => match validate_manual(raw) {
                    Err(r) => (
                        Some(raw.name.trim().to_owned()),
                        LineResult::Rejected {
                            reason: r.to_string(),
                        },
                    ),
                    Ok(item) => {
                        let result = if let Some(first) = seen.get(&item.name) {
                            LineResult::Rejected {
                                reason: format!("the same name as line {first}"),
                            }
                        } else if let Some(id) = existing.get(&item.name) {
                            LineResult::MatchedByName { id: *id }
                        } else {
                            LineResult::Created { id: None }
                        };
                        seen.entry(item.name.clone()).or_insert(l.line);
                        (Some(item.name), result)
                    }
                },
            };
            BatchLine {
                line: l.line,
                name,
                result,
            }
        })
        .collect();
    Ok(Ok(plan))
}

/// Applies a batch: creates the lines the plan marks created (in one transaction).
pub async fn create_manual_assessments(
    c: &mut AnyConnection,
    section_id: i64,
    lines: &[AssessmentLine],
    now: i64,
) -> Outcome<Vec<BatchLine>> {
    let mut plan = crate::accepted!(plan_manual_assessments(c, section_id, lines).await?);
    for (entry, line) in plan.iter_mut().zip(lines) {
        if let (LineResult::Created { id }, Ok(raw)) = (&mut entry.result, &line.item) {
            let item = crate::accepted!(validate_manual(raw));
            *id = Some(insert_manual(c, section_id, &item, now).await?);
        }
    }
    Ok(Ok(plan))
}

impl Store {
    /// A section's assessments.
    pub async fn assessments(
        &self,
        section_id: i64,
        include_hidden: bool,
    ) -> Result<Vec<AssessmentRow>, StoreError> {
        let mut c = self.pool().acquire().await?;
        section_assessments(&mut c, section_id, include_hidden).await
    }

    /// Creates one manual grade item.
    pub async fn create_manual_assessment(
        &self,
        section_id: i64,
        item: &NewManualAssessment,
        now: i64,
    ) -> Result<i64, super::sis::SisError> {
        crate::sis_write!(self, |c| create_manual_assessment(c, section_id, item, now)
            .await)
    }

    /// The preview of a batch (nothing written).
    pub async fn preview_manual_assessments(
        &self,
        section_id: i64,
        lines: &[AssessmentLine],
    ) -> Result<Vec<BatchLine>, super::sis::SisError> {
        let mut c = self.pool().acquire().await.map_err(StoreError::from)?;
        Ok(plan_manual_assessments(&mut c, section_id, lines).await??)
    }

    /// Applies a batch; returns what happened to each line.
    pub async fn create_manual_assessments(
        &self,
        section_id: i64,
        lines: &[AssessmentLine],
        now: i64,
    ) -> Result<Vec<BatchLine>, super::sis::SisError> {
        crate::sis_write!(self, |c| create_manual_assessments(
            c, section_id, lines, now
        )
        .await)
    }
}
