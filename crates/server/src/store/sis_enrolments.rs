//! Enrolments (`docs/product.md` §3): person × section × role, with a current status and
//! a full, timestamped status history that is never deleted. `new_enrolment` makes an enrolment
//! Active (a withdrawn one becomes Active again with a new history entry); `remove_enrolment`
//! withdraws it (status Withdrawn, reason pending; §2); `new_enrolment` with Moodle's status
//! `suspended` suspends an Active one. A counsellor completes the reason with a code and a note;
//! admins define more codes. Status codes are a table: six built in, each code with a kind
//! (active, inactive, withdrawn, completed) that the reports use. Moodle's enrolment dates are
//! kept beside the status and read with it ([`apply_moodle_dates`]).

use super::rows::{IntFlag, KindText, ProvenanceRecord, RoleText, SourceText, api_row};
use super::sis::{
    Applied, ChangeStatus, Outcome, PersonColumns, PersonRef, Provenance, RecordSource, Refusal,
    Role, Shared, StatusKind, bind_meta, id_by_idnumber, status,
};
use super::sis_sections::section_summary;
use super::{Store, StoreError, flag};
use crate::sis::domain::enrolments::transition as decide;
use crate::sis::domain::enrolments::{
    CheckedNotes, CurrentStatus, ManualEnrolment, ServiceChange, Transition, check_status_code,
    combine, counsellor_change, late_change_is_recorded, manual_enrolment, moodle_date,
    withdrawn_before_enrolled,
};
use crate::sis::domain::ordering::restate_after_late_row;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow};

pub use crate::sis::domain::enrolments::{
    ENDED_LABEL, MAX_NOTE, NOT_STARTED_LABEL, RESTATED_NOTE, apply_moodle_dates, dated_status,
};

pub use schoolbridge_api::sis::StatusCodeRow;

pub use schoolbridge_api::sis::EnrolmentRow;

pub use schoolbridge_api::sis::SectionRoster;

pub use schoolbridge_api::sis::StatusChange;

#[derive(sqlx::FromRow)]
struct Current {
    id: i64,
    status: String,
    #[sqlx(try_from = "KindText")]
    kind: StatusKind,
    /// When the current status took effect.
    #[sqlx(rename = "status_effective_at")]
    effective_at: i64,
    /// The newest change applied, including ones that confirmed the status without changing it.
    #[sqlx(rename = "source_timemodified")]
    newest_at: i64,
}

impl Current {
    fn status(&self) -> CurrentStatus<'_> {
        CurrentStatus {
            code: &self.status,
            kind: self.kind,
            since: self.effective_at,
            newest_at: self.newest_at,
        }
    }
}

/// A status code with its kind.
#[derive(sqlx::FromRow)]
struct CodedStatus {
    status: String,
    #[sqlx(try_from = "KindText")]
    kind: StatusKind,
}

async fn current(
    c: &mut AnyConnection,
    section_id: i64,
    person_id: i64,
    role: Option<Role>,
) -> Result<Vec<Current>, StoreError> {
    let mut sql = String::from(
        "SELECT e.id, e.status, e.status_effective_at, e.source_timemodified, k.kind FROM sis_enrolments e JOIN sis_status_codes k ON k.code = e.status
          WHERE e.section_id = $1 AND e.person_id = $2",
    );
    if role.is_some() {
        sql.push_str(" AND e.role = $3");
    }
    sql.push_str(" ORDER BY e.id");
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(section_id)
        .bind(person_id);
    if let Some(r) = role {
        q = q.bind(r.as_str());
    }
    Ok(q.fetch_all(&mut *c).await?)
}

/// The status an enrolment had as of `at` by its history (`None` before its first row).
async fn status_as_of(
    c: &mut AnyConnection,
    enrolment_id: i64,
    at: i64,
) -> Result<Option<(String, StatusKind)>, StoreError> {
    let row: Option<CodedStatus> = sqlx::query_as(
        "SELECT h.status, k.kind FROM sis_enrolment_history h JOIN sis_status_codes k ON k.code = h.status
          WHERE h.enrolment_id = $1 AND h.effective_at <= $2 ORDER BY h.effective_at DESC, h.id DESC LIMIT 1",
    )
    .bind(enrolment_id)
    .bind(at)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row.map(|r| (r.status, r.kind)))
}

async fn insert_history(
    c: &mut AnyConnection,
    enrolment_id: i64,
    status: &str,
    meta: &Provenance,
    note: Option<&str>,
    stale: bool,
) -> Result<(), StoreError> {
    let q = sqlx::query(
        "INSERT INTO sis_enrolment_history (enrolment_id, status, effective_at, recorded_at, source, peer_id, eventid, actor_id, note, stale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(enrolment_id)
    .bind(status);
    bind_meta!(q, meta)
        .bind(note)
        .bind(flag(stale))
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Makes `status` the current one (the history row is written by the caller).
async fn set_current(
    c: &mut AnyConnection,
    enrolment_id: i64,
    status: &str,
    meta: &Provenance,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sis_enrolments SET status = $1, status_effective_at = $2,
                source_timemodified = CASE WHEN source_timemodified > $2 THEN source_timemodified ELSE $2 END,
                updated_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(meta.effective_at)
    .bind(meta.recorded_at)
    .bind(enrolment_id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// A change that confirmed the current status without changing it moves the watermark only.
async fn confirm_current(
    c: &mut AnyConnection,
    enrolment_id: i64,
    at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE sis_enrolments SET source_timemodified = $1 WHERE id = $2 AND source_timemodified < $1",
    )
    .bind(at)
    .bind(enrolment_id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// After a late, older row was inserted at `at`: when no row follows it, the current status —
/// which a newer change confirmed at `e.newest_at` without a row — is restated there, so the
/// history read as of any date still ends in the current status.
async fn restate_after(
    c: &mut AnyConnection,
    e: &Current,
    at: i64,
    meta: &Provenance,
) -> Result<(), StoreError> {
    let later = sqlx::query(
        "SELECT 1 FROM sis_enrolment_history WHERE enrolment_id = $1 AND effective_at > $2 LIMIT 1",
    )
    .bind(e.id)
    .bind(at)
    .fetch_optional(&mut *c)
    .await?;
    if !restate_after_late_row(later.is_some()) {
        return Ok(());
    }
    let restated = Provenance {
        eventid: None,
        effective_at: e.newest_at,
        ..meta.clone()
    };
    insert_history(c, e.id, &e.status, &restated, Some(RESTATED_NOTE), false).await
}

async fn insert_enrolment(
    c: &mut AnyConnection,
    section_id: i64,
    person_id: i64,
    role: Role,
    initial: &str,
    meta: &Provenance,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sis_enrolments (section_id, person_id, role, status, status_effective_at, source_timemodified, source, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $7) RETURNING id",
    )
    .bind(section_id)
    .bind(person_id)
    .bind(role.as_str())
    .bind(initial)
    .bind(meta.effective_at)
    .bind(meta.source.as_str())
    .bind(meta.recorded_at)
    .fetch_one(&mut *c)
    .await?;
    insert_history(c, id, initial, meta, None, false).await?;
    Ok(id)
}

/// Applies a service change to one enrolment in `timemodified` order (§2): a change older than
/// the newest one applied is recorded in history (when it says something the history does not
/// already say then) and does not touch the current status.
async fn transition(
    c: &mut AnyConnection,
    e: &Current,
    change: ServiceChange,
    meta: &Provenance,
) -> Result<ChangeStatus, StoreError> {
    match decide(e.status(), change, meta.effective_at) {
        Transition::Late => {
            let then = status_as_of(c, e.id, meta.effective_at).await?;
            if late_change_is_recorded(change, then.as_ref().map(|(s, k)| (s.as_str(), *k))) {
                insert_history(c, e.id, change.target(), meta, None, true).await?;
                restate_after(c, e, meta.effective_at, meta).await?;
            }
            Ok(ChangeStatus::Stale)
        }
        Transition::Confirm => {
            confirm_current(c, e.id, meta.effective_at).await?;
            Ok(ChangeStatus::Unchanged)
        }
        Transition::Apply => {
            insert_history(c, e.id, change.target(), meta, None, false).await?;
            set_current(c, e.id, change.target(), meta).await?;
            Ok(ChangeStatus::Updated)
        }
    }
}

async fn resolve(
    c: &mut AnyConnection,
    peer_id: i64,
    sectionid: &str,
    userid: &str,
) -> Outcome<(i64, i64)> {
    let Some(section) = id_by_idnumber(c, Shared::Sections, peer_id, sectionid).await? else {
        return Ok(Err(Refusal::UnknownSection(sectionid.to_owned())));
    };
    let Some(person) = id_by_idnumber(c, Shared::People, peer_id, userid).await? else {
        return Ok(Err(Refusal::UnknownPerson(userid.to_owned())));
    };
    Ok(Ok((section, person)))
}

/// Moodle's side of an enrolment as `new_enrolment` carries it (`docs/schooltool-sis.md`);
/// the default is an older sender's: active, dates unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MoodleEnrolment {
    /// Moodle's user enrolment status: suspended (`true`) or active.
    pub suspended: bool,
    /// Moodle's start and end dates (0 = none), when the sender gave them.
    pub dates: Option<(i64, i64)>,
}

/// Applies `new_enrolment` (§2). Refused (before any write) for an unknown section or person.
pub async fn apply_new_enrolment(
    c: &mut AnyConnection,
    peer_id: i64,
    sectionid: &str,
    userid: &str,
    role: Role,
    moodle: MoodleEnrolment,
    meta: &Provenance,
) -> Outcome<Applied> {
    let (section, person) = crate::accepted!(resolve(c, peer_id, sectionid, userid).await?);
    let key = format!("{sectionid}/{userid}");
    let change = ServiceChange::new_enrolment(moodle.suspended);
    let (id, mut status) = match current(c, section, person, Some(role)).await?.first() {
        Some(e) => (e.id, transition(c, e, change, meta).await?),
        None => {
            let id = insert_enrolment(c, section, person, role, change.target(), meta).await?;
            (id, ChangeStatus::Created)
        }
    };
    if let Some((start, end)) = moodle.dates
        && set_moodle_dates(c, id, start, end, meta.effective_at).await?
        && status == ChangeStatus::Unchanged
    {
        status = ChangeStatus::Updated;
    }
    Ok(Ok(Applied::new(status, key)))
}

/// Stores Moodle's dates when this change is not older than the one that set them; `true` when
/// they changed.
async fn set_moodle_dates(
    c: &mut AnyConnection,
    enrolment_id: i64,
    start: i64,
    end: i64,
    at: i64,
) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE sis_enrolments SET moodle_starts_at = $1, moodle_ends_at = $2, dates_timemodified = $3
          WHERE id = $4 AND dates_timemodified <= $3
            AND (COALESCE(moodle_starts_at, -1) <> COALESCE($1, -1) OR COALESCE(moodle_ends_at, -1) <> COALESCE($2, -1))",
    )
    .bind(moodle_date(start))
    .bind(moodle_date(end))
    .bind(at)
    .bind(enrolment_id)
    .execute(&mut *c)
    .await?;
    if changed.rows_affected() == 0 {
        // Same dates: only the watermark moves (a later, older change must not overwrite them).
        sqlx::query(
            "UPDATE sis_enrolments SET dates_timemodified = $1 WHERE id = $2 AND dates_timemodified < $1",
        )
        .bind(at)
        .bind(enrolment_id)
        .execute(&mut *c)
        .await?;
    }
    Ok(changed.rows_affected() > 0)
}

/// Applies `remove_enrolment` (§2): Withdrawn, reason pending; nothing deleted. Without a role,
/// every role of the person in the section is withdrawn. An enrolment that does not exist is
/// acknowledged as unchanged.
pub async fn apply_remove_enrolment(
    c: &mut AnyConnection,
    peer_id: i64,
    sectionid: &str,
    userid: &str,
    role: Option<Role>,
    meta: &Provenance,
) -> Outcome<Applied> {
    let (section, person) = crate::accepted!(resolve(c, peer_id, sectionid, userid).await?);
    let enrolments = current(c, section, person, role).await?;
    if enrolments.is_empty() && current(c, section, person, None).await?.is_empty() {
        // The unenrolment came before its enrolment: kept as a withdrawn enrolment (issue 19).
        let (role, withdrawn) = withdrawn_before_enrolled(role);
        insert_enrolment(c, section, person, role, withdrawn, meta).await?;
        return Ok(Ok(Applied::new(
            ChangeStatus::Created,
            format!("{sectionid}/{userid}"),
        )));
    }
    let mut overall = ChangeStatus::Unchanged;
    for e in enrolments {
        let s = transition(c, &e, ServiceChange::Withdraw, meta).await?;
        overall = combine(overall, s);
    }
    Ok(Ok(Applied::new(overall, format!("{sectionid}/{userid}"))))
}

/// Enrols a person by hand (§4: classes with no Moodle presence). An existing active enrolment
/// is returned as it is; a withdrawn one becomes Active again with a history row.
pub async fn create_manual_enrolment(
    c: &mut AnyConnection,
    section_id: i64,
    person_id: i64,
    role: Role,
    meta: &Provenance,
) -> Outcome<i64> {
    if section_summary(c, section_id).await?.is_none() {
        return Ok(Err(Refusal::NotFound("section", section_id)));
    }
    if !super::sis::exists(c, "people", person_id).await? {
        return Ok(Err(Refusal::NotFound("person", person_id)));
    }
    let existing = current(c, section_id, person_id, Some(role)).await?;
    let existing = existing.first();
    let step = crate::accepted!(manual_enrolment(
        existing.map(Current::status),
        meta.effective_at
    ));
    match (step, existing) {
        (ManualEnrolment::Keep, Some(e)) => Ok(Ok(e.id)),
        (ManualEnrolment::Reactivate, Some(e)) => {
            insert_history(c, e.id, status::ACTIVE, meta, None, false).await?;
            set_current(c, e.id, status::ACTIVE, meta).await?;
            Ok(Ok(e.id))
        }
        _ => Ok(Ok(insert_enrolment(
            c,
            section_id,
            person_id,
            role,
            status::ACTIVE,
            meta,
        )
        .await?)),
    }
}

/// A counsellor's status change (§3: a withdrawal code and a note), kept in the history. The
/// effective date may not be before the current status's (there would be nothing to change).
pub async fn change_enrolment_status(
    c: &mut AnyConnection,
    enrolment_id: i64,
    code: &str,
    notes: StatusNotes<'_>,
    meta: &Provenance,
) -> Outcome<()> {
    let checked = crate::accepted!(CheckedNotes::check(notes.staff, notes.transcript));
    let known = sqlx::query("SELECT 1 FROM sis_status_codes WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *c)
        .await?;
    if known.is_none() {
        return Ok(Err(Refusal::invalid(
            "code",
            format!("no status code {code:?}"),
        )));
    }
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT status, status_effective_at FROM sis_enrolments WHERE id = $1")
            .bind(enrolment_id)
            .fetch_optional(&mut *c)
            .await?;
    let Some((current, since)) = row else {
        return Ok(Err(Refusal::NotFound("enrolment", enrolment_id)));
    };
    match counsellor_change(&current, since, code, &checked, meta.effective_at) {
        Err(r) => return Ok(Err(r)),
        Ok(false) => return Ok(Ok(())),
        Ok(true) => {}
    }
    let CheckedNotes {
        staff: note,
        transcript: line,
    } = checked;
    insert_history(c, enrolment_id, code, meta, note.as_deref(), false).await?;
    if line.is_some() {
        // The newest row is the one just written (ids only grow).
        sqlx::query(
            "UPDATE sis_enrolment_history SET transcript_note = $1
             WHERE id = (SELECT MAX(id) FROM sis_enrolment_history WHERE enrolment_id = $2)",
        )
        .bind(line.as_deref())
        .bind(enrolment_id)
        .execute(&mut *c)
        .await?;
    }
    set_current(c, enrolment_id, code, meta).await?;
    Ok(Ok(()))
}

/// The two notes a counsellor may give a status change: one for staff, one for the transcript
/// (`docs/who-sees-what.md`).
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusNotes<'a> {
    /// For counsellors and administrators only (reasons, family matters).
    pub staff: Option<&'a str>,
    /// The line the transcript shows (the student reads it too).
    pub transcript: Option<&'a str>,
}

/// Defines a status code (an admin's withdrawal reason, for instance).
pub async fn define_status_code(
    c: &mut AnyConnection,
    code: &str,
    label: &str,
    kind: StatusKind,
    now: i64,
) -> Outcome<()> {
    let (code, label) = crate::accepted!(check_status_code(code, label));
    let code = code.as_str();
    let dup = sqlx::query("SELECT 1 FROM sis_status_codes WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *c)
        .await?;
    if dup.is_some() {
        return Ok(Err(Refusal::Conflict(format!(
            "status code {code:?} exists"
        ))));
    }
    sqlx::query(
        "INSERT INTO sis_status_codes (code, label, kind, builtin, created_at) VALUES ($1, $2, $3, 0, $4)",
    )
    .bind(code)
    .bind(label.as_str())
    .bind(kind.as_str())
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(Ok(()))
}

pub(crate) const ENROLMENT_SQL: &str =
    "SELECT e.id, e.section_id, e.role, e.status, e.status_effective_at, e.source,
    e.moodle_starts_at, e.moodle_ends_at,
    k.label AS status_label, k.kind AS status_kind,
    p.id AS p_id, p.idnumber AS p_idnumber, p.firstname AS p_firstname, p.lastname AS p_lastname
  FROM sis_enrolments e
  JOIN sis_status_codes k ON k.code = e.status
  JOIN people p ON p.id = e.person_id";

api_row! {
    /// A row of [`ENROLMENT_SQL`].
    EnrolmentRecord => EnrolmentRow {
        id: i64,
        section_id: i64,
        #[sqlx(flatten, try_from = "PersonColumns")]
        person: PersonRef,
        #[sqlx(try_from = "RoleText")]
        role: Role,
        status: String,
        status_label: String,
        #[sqlx(try_from = "KindText")]
        status_kind: StatusKind,
        status_effective_at: i64,
        #[sqlx(try_from = "SourceText")]
        source: RecordSource,
        moodle_starts_at: Option<i64>,
        moodle_ends_at: Option<i64>,
    }
}

pub(crate) fn enrolment_from_row(r: &AnyRow) -> Result<EnrolmentRow, sqlx::Error> {
    EnrolmentRecord::from_row(r).map(EnrolmentRow::from)
}

/// The enrolments of [`ENROLMENT_SQL`] that `filter` selects: a `WHERE …` (and `ORDER BY …`)
/// tail whose one parameter `$1` is `id`. Statuses as stored: the caller applies Moodle's dates.
pub(crate) async fn enrolments_where(
    c: &mut AnyConnection,
    filter: &str,
    id: i64,
) -> Result<Vec<EnrolmentRow>, StoreError> {
    let sql = format!("{ENROLMENT_SQL} {filter}");
    let rows: Vec<EnrolmentRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_all(&mut *c)
        .await?;
    Ok(rows.into_iter().map(EnrolmentRow::from).collect())
}

api_row! {
    /// A row of [`HISTORY_SQL`].
    StatusChangeRecord => StatusChange {
        id: i64,
        enrolment_id: i64,
        status: String,
        label: String,
        #[sqlx(try_from = "KindText")]
        kind: StatusKind,
        #[sqlx(flatten)]
        provenance: ProvenanceRecord,
        note: Option<String>,
        transcript_note: Option<String>,
        #[sqlx(try_from = "IntFlag")]
        stale: bool,
    }
}

pub(crate) fn change_from_row(r: &AnyRow) -> Result<StatusChange, sqlx::Error> {
    StatusChangeRecord::from_row(r).map(StatusChange::from)
}

api_row! {
    /// A row of `sis_status_codes`.
    StatusCodeRecord => StatusCodeRow {
        code: String,
        label: String,
        #[sqlx(try_from = "KindText")]
        kind: StatusKind,
        #[sqlx(try_from = "IntFlag")]
        builtin: bool,
    }
}

pub(crate) const HISTORY_SQL: &str =
    "SELECT h.id, h.enrolment_id, h.status, k.label, k.kind, h.effective_at, h.recorded_at,
    h.source, h.peer_id, h.eventid, h.actor_id, h.note, h.transcript_note, h.stale
  FROM sis_enrolment_history h JOIN sis_status_codes k ON k.code = h.status";

impl Store {
    /// Every status code: built-in first, then by label.
    pub async fn status_codes(&self) -> Result<Vec<StatusCodeRow>, StoreError> {
        self.read_all::<StatusCodeRecord, _>(
            "SELECT code, label, kind, builtin FROM sis_status_codes ORDER BY builtin DESC, LOWER(label), code",
        )
        .await
    }

    /// A section and its roster with each enrolment's status as of `at` (now, for the console).
    pub async fn section_roster(
        &self,
        section_id: i64,
        at: i64,
    ) -> Result<Option<SectionRoster>, StoreError> {
        let mut c = self.pool().acquire().await?;
        let Some(section) = section_summary(&mut c, section_id).await? else {
            return Ok(None);
        };
        let mut enrolments = enrolments_where(
            &mut c,
            "WHERE e.section_id = $1 ORDER BY CASE WHEN e.role = 'teacher' THEN 0 ELSE 1 END, LOWER(p.lastname), LOWER(p.firstname), e.id",
            section_id,
        )
        .await?;
        for e in &mut enrolments {
            apply_moodle_dates(e, at);
        }
        Ok(Some(SectionRoster {
            section,
            enrolments,
        }))
    }

    /// One enrolment, with its status as of `at`.
    pub async fn enrolment(
        &self,
        enrolment_id: i64,
        at: i64,
    ) -> Result<Option<EnrolmentRow>, StoreError> {
        let sql = format!("{ENROLMENT_SQL} WHERE e.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(enrolment_id)
            .fetch_optional(self.pool())
            .await?;
        let mut enrolment = row.as_ref().map(enrolment_from_row).transpose()?;
        if let Some(e) = &mut enrolment {
            apply_moodle_dates(e, at);
        }
        Ok(enrolment)
    }

    /// An enrolment's status history, by effective time then arrival.
    pub async fn enrolment_history(
        &self,
        enrolment_id: i64,
    ) -> Result<Vec<StatusChange>, StoreError> {
        let sql = format!("{HISTORY_SQL} WHERE h.enrolment_id = $1 ORDER BY h.effective_at, h.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(enrolment_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(change_from_row).collect::<Result<_, _>>()?)
    }

    /// Enrols a person by hand.
    pub async fn create_manual_enrolment(
        &self,
        section_id: i64,
        person_id: i64,
        role: Role,
        meta: &Provenance,
    ) -> Result<i64, super::sis::SisError> {
        crate::sis_write!(self, |c| create_manual_enrolment(
            c, section_id, person_id, role, meta
        )
        .await)
    }

    /// Changes an enrolment's status with a code and a staff note (history kept).
    pub async fn change_enrolment_status(
        &self,
        enrolment_id: i64,
        code: &str,
        note: Option<&str>,
        meta: &Provenance,
    ) -> Result<(), super::sis::SisError> {
        let notes = StatusNotes {
            staff: note,
            transcript: None,
        };
        self.change_enrolment_status_with(enrolment_id, code, notes, meta)
            .await
    }

    /// Changes an enrolment's status with a code, a staff note and a line for the transcript.
    pub async fn change_enrolment_status_with(
        &self,
        enrolment_id: i64,
        code: &str,
        notes: StatusNotes<'_>,
        meta: &Provenance,
    ) -> Result<(), super::sis::SisError> {
        crate::sis_write!(self, |c| change_enrolment_status(
            c,
            enrolment_id,
            code,
            notes,
            meta
        )
        .await)
    }

    /// Defines a status code.
    pub async fn define_status_code(
        &self,
        code: &str,
        label: &str,
        kind: StatusKind,
        now: i64,
    ) -> Result<(), super::sis::SisError> {
        crate::sis_write!(self, |c| define_status_code(c, code, label, kind, now)
            .await)
    }
}
