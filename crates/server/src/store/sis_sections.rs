//! Courses, terms (containers) and sections (`docs/product.md` §3), with each section's
//! teacher history. `new_section` (§2) creates or updates a section in the "ongoing" container
//! and records every teacher change; the console creates courses, terms and manual sections
//! and lists sections by container, teacher or course. What a change does to a section and its
//! teacher history is decided by [`crate::sis::domain::sections`].

use super::rows::{IntFlag, SourceText, api_row};
use super::sis::{
    Applied, ChangeStatus, Outcome, PersonRef, Provenance, RecordSource, Refusal, Shared,
    TeacherColumns, bind_meta, clean_optional, clean_text, exists, id_by_idnumber,
};
use super::{Store, StoreError, flag};
use crate::sis::domain::ordering::restate_after_late_row;
use crate::sis::domain::sections::{
    KnownSection, SectionChange, TeacherChangeTarget, late_teacher_is_recorded,
    manual_teacher_change, section_change,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow};

pub use crate::sis::domain::limits::{MAX_ID as MAX_IDNUMBER, MAX_NAME};

pub use crate::sis::domain::sections::SectionUpsert;

pub use schoolbridge_api::sis::ContainerRow;

pub use schoolbridge_api::sis::CourseRow;

pub use schoolbridge_api::sis::SectionSummary;

/// Section list filters (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct SectionFilter {
    /// In this container.
    pub container_id: Option<i64>,
    /// Taught by this person: the section's teacher, or an active teacher enrolment.
    pub teacher_id: Option<i64>,
    /// In this course.
    pub course_id: Option<i64>,
    /// From this peer.
    pub peer_id: Option<i64>,
}

pub use schoolbridge_api::sis::TeacherChange;

/// What a new course needs (optional code, unique; name): the console's request itself.
pub use schoolbridge_api::sis::NewCourseRequest as NewCourse;

/// What a new term needs (name, start, end): the console's request itself.
pub use schoolbridge_api::sis::NewTermRequest as NewTerm;

/// What a section created in the console needs.
#[derive(Debug, Clone, Default)]
pub struct NewManualSection {
    /// Optional shared id, unique among manual sections.
    pub idnumber: Option<String>,
    /// Name.
    pub name: String,
    /// Segment (≥ 1; default 1).
    pub segment: Option<i64>,
    /// Container (default: the ongoing one).
    pub container_id: Option<i64>,
    /// Course.
    pub course_id: Option<i64>,
    /// Teacher (`people.id`).
    pub teacher_id: Option<i64>,
}

/// The id of the "ongoing" container (seeded by the migration).
pub async fn ongoing_container_id(c: &mut AnyConnection) -> Result<i64, StoreError> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM sis_containers WHERE kind = 'ongoing'")
            .fetch_optional(&mut *c)
            .await?;
    id.ok_or(StoreError::NotFound("the ongoing container"))
}

/// The teacher a section had as of `at` by its history: `None` when the history says nothing
/// by then, `Some(None)` when it says "no teacher".
async fn teacher_as_of(
    c: &mut AnyConnection,
    section_id: i64,
    at: i64,
) -> Result<Option<Option<i64>>, StoreError> {
    let row: Option<Option<i64>> = sqlx::query_scalar(
        "SELECT teacher_id FROM sis_section_teachers WHERE section_id = $1 AND effective_at <= $2 ORDER BY effective_at DESC, id DESC LIMIT 1",
    )
    .bind(section_id)
    .bind(at)
    .fetch_optional(&mut *c)
    .await?;
    Ok(row)
}

async fn insert_teacher_change(
    c: &mut AnyConnection,
    section_id: i64,
    teacher_id: Option<i64>,
    meta: &Provenance,
    stale: bool,
) -> Result<(), StoreError> {
    let q = sqlx::query(
        "INSERT INTO sis_section_teachers (section_id, teacher_id, effective_at, recorded_at, source, peer_id, eventid, actor_id, stale)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(section_id)
    .bind(teacher_id);
    bind_meta!(q, meta)
        .bind(flag(stale))
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Applies `new_section` (§2): create or update in the ongoing container; teacher changes go to
/// the teacher history. Refused (before any write) when the teacher is unknown.
pub async fn apply_new_section(
    c: &mut AnyConnection,
    peer_id: i64,
    s: &SectionUpsert,
    meta: &Provenance,
) -> Outcome<Applied> {
    let teacher_id = match &s.teacheridnumber {
        None => None,
        Some(t) => match id_by_idnumber(c, Shared::People, peer_id, t).await? {
            Some(id) => Some(id),
            None => return Ok(Err(Refusal::UnknownPerson(t.clone()))),
        },
    };
    let tm = meta.effective_at;
    let now = meta.recorded_at;
    let row: Option<StoredSection> = sqlx::query_as(
        "SELECT id, name, segment, teacher_id, source_timemodified, updated_at FROM sis_sections WHERE peer_id = $1 AND idnumber = $2",
    )
    .bind(peer_id)
    .bind(s.idnumber.as_str())
    .fetch_optional(&mut *c)
    .await?;
    let Some(r) = row else {
        let container = ongoing_container_id(c).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO sis_sections (peer_id, idnumber, name, segment, container_id, source, teacher_id, source_timemodified, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'moodle', $6, $7, $8, $8) RETURNING id",
        )
        .bind(peer_id)
        .bind(s.idnumber.as_str())
        .bind(s.name.as_str())
        .bind(s.segment)
        .bind(container)
        .bind(teacher_id)
        .bind(tm)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        if teacher_id.is_some() {
            insert_teacher_change(c, id, teacher_id, meta, false).await?;
        }
        return Ok(Ok(Applied::new(ChangeStatus::Created, &s.idnumber)));
    };
    let id = r.id;
    let current_teacher = r.teacher_id;
    let known = KnownSection {
        name: &r.name,
        segment: r.segment,
        teacher_id: r.teacher_id,
        source_timemodified: r.source_timemodified,
    };
    let (changed, teacher_changed) = match section_change(&known, s, teacher_id, tm) {
        SectionChange::Current {
            changed,
            teacher_changed,
        } => (changed, teacher_changed),
        SectionChange::Late { newest } => {
            // Older than what we hold: only the teacher history learns from it (§2). When
            // nothing follows it there, the current teacher (confirmed by the newer call) is
            // restated.
            late_section_change(c, id, teacher_id, current_teacher, newest, meta).await?;
            return Ok(Ok(Applied::new(ChangeStatus::Stale, &s.idnumber)));
        }
    };

    sqlx::query(
        "UPDATE sis_sections SET name = $1, segment = $2, teacher_id = $3, source_timemodified = $4, updated_at = $5 WHERE id = $6",
    )
    .bind(s.name.as_str())
    .bind(s.segment)
    .bind(teacher_id)
    .bind(tm)
    .bind(if changed { now } else { r.updated_at })
    .bind(id)
    .execute(&mut *c)
    .await?;
    if teacher_changed {
        insert_teacher_change(c, id, teacher_id, meta, false).await?;
    }
    let status = if changed {
        ChangeStatus::Updated
    } else {
        ChangeStatus::Unchanged
    };
    Ok(Ok(Applied::new(status, &s.idnumber)))
}

/// A late `new_section` in the teacher history: a stale row when it says something the history
/// did not say as of its time, and the current teacher restated at the watermark `newest` when
/// no row follows it.
async fn late_section_change(
    c: &mut AnyConnection,
    id: i64,
    teacher_id: Option<i64>,
    current_teacher: Option<i64>,
    newest: i64,
    meta: &Provenance,
) -> Result<(), StoreError> {
    let tm = meta.effective_at;
    if !late_teacher_is_recorded(teacher_as_of(c, id, tm).await?, teacher_id) {
        return Ok(());
    }
    insert_teacher_change(c, id, teacher_id, meta, true).await?;
    let later = sqlx::query(
        "SELECT 1 FROM sis_section_teachers WHERE section_id = $1 AND effective_at > $2 LIMIT 1",
    )
    .bind(id)
    .bind(tm)
    .fetch_optional(&mut *c)
    .await?;
    if restate_after_late_row(later.is_some()) {
        let restated = Provenance {
            eventid: None,
            effective_at: newest,
            ..meta.clone()
        };
        insert_teacher_change(c, id, current_teacher, &restated, false).await?;
    }
    Ok(())
}

/// Creates a course.
pub async fn create_course(c: &mut AnyConnection, new: &NewCourse, now: i64) -> Outcome<i64> {
    let name = crate::accepted!(clean_text("name", &new.name, MAX_NAME));
    let idnumber = crate::accepted!(clean_optional(
        "idnumber",
        new.idnumber.as_deref(),
        MAX_IDNUMBER
    ));
    if let Some(code) = &idnumber {
        let dup = sqlx::query("SELECT id FROM sis_courses WHERE idnumber = $1")
            .bind(code.as_str())
            .fetch_optional(&mut *c)
            .await?;
        if dup.is_some() {
            return Ok(Err(Refusal::Conflict(format!(
                "a course with idnumber {code:?} exists"
            ))));
        }
    }
    let id = sqlx::query_scalar(
        "INSERT INTO sis_courses (idnumber, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(idnumber.as_deref())
    .bind(name.as_str())
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    Ok(Ok(id))
}

/// Creates a term.
pub async fn create_term(c: &mut AnyConnection, new: &NewTerm, now: i64) -> Outcome<i64> {
    let name = crate::accepted!(clean_text("name", &new.name, MAX_NAME));
    if let (Some(s), Some(e)) = (new.starts_at, new.ends_at)
        && e < s
    {
        return Ok(Err(Refusal::invalid("ends_at", "before the start")));
    }
    let id = sqlx::query_scalar(
        "INSERT INTO sis_containers (name, kind, starts_at, ends_at, created_at) VALUES ($1, 'term', $2, $3, $4) RETURNING id",
    )
    .bind(name.as_str())
    .bind(new.starts_at)
    .bind(new.ends_at)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    Ok(Ok(id))
}

/// Creates a section in the console (a class with no Moodle presence, §4, scenario 5).
pub async fn create_manual_section(
    c: &mut AnyConnection,
    new: &NewManualSection,
    meta: &Provenance,
) -> Outcome<i64> {
    let name = crate::accepted!(clean_text("name", &new.name, MAX_NAME));
    let idnumber = crate::accepted!(clean_optional(
        "idnumber",
        new.idnumber.as_deref(),
        MAX_IDNUMBER
    ));
    let segment = new.segment.unwrap_or(1);
    if segment < 1 {
        return Ok(Err(Refusal::invalid("segment", "must be 1 or more")));
    }
    let container = match new.container_id {
        Some(id) if !exists(c, "sis_containers", id).await? => {
            return Ok(Err(Refusal::NotFound("container", id)));
        }
        Some(id) => id,
        None => ongoing_container_id(c).await?,
    };
    if let Some(id) = new.course_id
        && !exists(c, "sis_courses", id).await?
    {
        return Ok(Err(Refusal::NotFound("course", id)));
    }
    if let Some(id) = new.teacher_id
        && !exists(c, "people", id).await?
    {
        return Ok(Err(Refusal::NotFound("person", id)));
    }
    if let Some(code) = &idnumber {
        let dup =
            sqlx::query("SELECT id FROM sis_sections WHERE peer_id IS NULL AND idnumber = $1")
                .bind(code.as_str())
                .fetch_optional(&mut *c)
                .await?;
        if dup.is_some() {
            return Ok(Err(Refusal::Conflict(format!(
                "a section with idnumber {code:?} exists"
            ))));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sis_sections (peer_id, idnumber, name, segment, container_id, course_id, source, teacher_id, created_at, updated_at)
         VALUES (NULL, $1, $2, $3, $4, $5, 'manual', $6, $7, $7) RETURNING id",
    )
    .bind(idnumber.as_deref())
    .bind(name.as_str())
    .bind(segment)
    .bind(container)
    .bind(new.course_id)
    .bind(new.teacher_id)
    .bind(meta.recorded_at)
    .fetch_one(&mut *c)
    .await?;
    if new.teacher_id.is_some() {
        insert_teacher_change(c, id, new.teacher_id, meta, false).await?;
    }
    Ok(Ok(id))
}

/// Puts a section (Moodle's or manual) in a course, or takes it out (`None`).
pub async fn set_section_course(
    c: &mut AnyConnection,
    section_id: i64,
    course_id: Option<i64>,
    now: i64,
) -> Outcome<()> {
    if !exists(c, "sis_sections", section_id).await? {
        return Ok(Err(Refusal::NotFound("section", section_id)));
    }
    if let Some(id) = course_id
        && !exists(c, "sis_courses", id).await?
    {
        return Ok(Err(Refusal::NotFound("course", id)));
    }
    sqlx::query("UPDATE sis_sections SET course_id = $1, updated_at = $2 WHERE id = $3")
        .bind(course_id)
        .bind(now)
        .bind(section_id)
        .execute(&mut *c)
        .await?;
    Ok(Ok(()))
}

/// Changes a manual section's teacher (Moodle sections take theirs from `new_section`).
pub async fn set_section_teacher(
    c: &mut AnyConnection,
    section_id: i64,
    teacher_id: Option<i64>,
    meta: &Provenance,
) -> Outcome<()> {
    let row: Option<(String, Option<i64>)> =
        sqlx::query_as("SELECT source, teacher_id FROM sis_sections WHERE id = $1")
            .bind(section_id)
            .fetch_optional(&mut *c)
            .await?;
    let Some((source, current)) = row else {
        return Ok(Err(Refusal::NotFound("section", section_id)));
    };
    let target = TeacherChangeTarget {
        from_moodle: source == RecordSource::Moodle.as_str(),
        current,
    };
    let teacher_exists = match teacher_id {
        Some(id) => exists(c, "people", id).await?,
        None => true,
    };
    if !crate::accepted!(manual_teacher_change(target, teacher_id, teacher_exists)) {
        return Ok(Ok(()));
    }
    sqlx::query("UPDATE sis_sections SET teacher_id = $1, updated_at = $2 WHERE id = $3")
        .bind(teacher_id)
        .bind(meta.recorded_at)
        .bind(section_id)
        .execute(&mut *c)
        .await?;
    insert_teacher_change(c, section_id, teacher_id, meta, false).await?;
    Ok(Ok(()))
}

pub(crate) const SUMMARY_SQL: &str = "SELECT s.id, s.peer_id, s.idnumber, s.name, s.segment, s.container_id, ct.name AS container_name, ct.kind AS container_kind,
    s.course_id, co.idnumber AS course_idnumber, co.name AS course_name, s.source,
    t.id AS t_id, t.idnumber AS t_idnumber, t.firstname AS t_firstname, t.lastname AS t_lastname,
    (SELECT COUNT(*) FROM sis_enrolments e JOIN sis_status_codes k ON k.code = e.status
      WHERE e.section_id = s.id AND e.role = 'student' AND k.kind = 'active') AS active_students
  FROM sis_sections s
  JOIN sis_containers ct ON ct.id = s.container_id
  LEFT JOIN sis_courses co ON co.id = s.course_id
  LEFT JOIN people t ON t.id = s.teacher_id";

/// A course read from columns `course_id, course_idnumber, course_name` of an outer join: none
/// when `course_id` is NULL.
#[derive(sqlx::FromRow)]
pub struct CourseColumns {
    course_id: Option<i64>,
    course_idnumber: Option<String>,
    course_name: Option<String>,
}

impl From<CourseColumns> for Option<CourseRow> {
    fn from(c: CourseColumns) -> Option<CourseRow> {
        Some(CourseRow {
            id: c.course_id?,
            idnumber: c.course_idnumber,
            name: c.course_name.unwrap_or_default(),
        })
    }
}

api_row! {
    /// A row of [`SUMMARY_SQL`].
    SummaryRecord => SectionSummary {
        id: i64,
        peer_id: Option<i64>,
        idnumber: Option<String>,
        name: String,
        segment: i64,
        container_id: i64,
        container_name: String,
        container_kind: String,
        #[sqlx(flatten, try_from = "CourseColumns")]
        course: Option<CourseRow>,
        #[sqlx(try_from = "SourceText")]
        source: RecordSource,
        #[sqlx(flatten, try_from = "TeacherColumns")]
        teacher: Option<PersonRef>,
        active_students: i64,
    }
}

pub(crate) fn summary_from_row(r: &AnyRow) -> Result<SectionSummary, sqlx::Error> {
    SummaryRecord::from_row(r).map(SectionSummary::from)
}

/// What `new_section` reads of a stored section.
#[derive(sqlx::FromRow)]
struct StoredSection {
    id: i64,
    name: String,
    segment: i64,
    teacher_id: Option<i64>,
    source_timemodified: Option<i64>,
    updated_at: i64,
}

api_row! {
    /// A row of `sis_containers`.
    ContainerRecord => ContainerRow {
        id: i64,
        name: String,
        kind: String,
        starts_at: Option<i64>,
        ends_at: Option<i64>,
    }
}

api_row! {
    /// A row of `sis_courses`.
    CourseRecord => CourseRow {
        id: i64,
        idnumber: Option<String>,
        name: String,
    }
}

api_row! {
    /// A row of a section's teacher history, with the teacher (`t_` columns).
    TeacherChangeRecord => TeacherChange {
        id: i64,
        #[sqlx(flatten, try_from = "TeacherColumns")]
        teacher: Option<PersonRef>,
        effective_at: i64,
        recorded_at: i64,
        #[sqlx(try_from = "SourceText")]
        source: RecordSource,
        eventid: Option<String>,
        actor_id: Option<i64>,
        #[sqlx(try_from = "IntFlag")]
        stale: bool,
    }
}

/// One section's summary (on any connection, e.g. inside a transaction).
pub async fn section_summary(
    c: &mut AnyConnection,
    section_id: i64,
) -> Result<Option<SectionSummary>, StoreError> {
    let sql = format!("{SUMMARY_SQL} WHERE s.id = $1");
    let row: Option<SummaryRecord> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(section_id)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(SectionSummary::from))
}

impl Store {
    /// Every container, the ongoing one first, then terms by start.
    pub async fn containers(&self) -> Result<Vec<ContainerRow>, StoreError> {
        self.read_all::<ContainerRecord, _>(
            "SELECT id, name, kind, starts_at, ends_at FROM sis_containers ORDER BY CASE WHEN kind = 'ongoing' THEN 0 ELSE 1 END, starts_at, id",
        )
        .await
    }

    /// Every course, by name.
    pub async fn courses(&self) -> Result<Vec<CourseRow>, StoreError> {
        self.read_all::<CourseRecord, _>(
            "SELECT id, idnumber, name FROM sis_courses ORDER BY LOWER(name), id",
        )
        .await
    }

    /// Sections matching the filter, by segment then name.
    pub async fn list_sections(
        &self,
        f: &SectionFilter,
    ) -> Result<Vec<SectionSummary>, StoreError> {
        let mut sql = format!("{SUMMARY_SQL} WHERE 1 = 1");
        let mut next = super::placeholders();
        if f.container_id.is_some() {
            sql.push_str(&format!(" AND s.container_id = {}", next()));
        }
        if f.course_id.is_some() {
            sql.push_str(&format!(" AND s.course_id = {}", next()));
        }
        if f.peer_id.is_some() {
            sql.push_str(&format!(" AND s.peer_id = {}", next()));
        }
        if f.teacher_id.is_some() {
            let person = next();
            sql.push_str(&format!(
                " AND s.id IN ({})",
                super::people::taught_sections_sql(&person)
            ));
        }
        sql.push_str(" ORDER BY s.segment, LOWER(s.name), s.id");
        let mut q = sqlx::query_as::<_, SummaryRecord>(sqlx::AssertSqlSafe(sql));
        for v in [f.container_id, f.course_id, f.peer_id]
            .into_iter()
            .flatten()
        {
            q = q.bind(v);
        }
        if let Some(t) = f.teacher_id {
            q = q.bind(t);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(SectionSummary::from).collect())
    }

    /// One section.
    pub async fn section(&self, section_id: i64) -> Result<Option<SectionSummary>, StoreError> {
        let mut c = self.pool().acquire().await?;
        section_summary(&mut c, section_id).await
    }

    /// A section's teacher history, oldest first by effective time.
    pub async fn teacher_history(&self, section_id: i64) -> Result<Vec<TeacherChange>, StoreError> {
        let rows: Vec<TeacherChangeRecord> = sqlx::query_as(
            "SELECT h.id, h.effective_at, h.recorded_at, h.source, h.eventid, h.actor_id, h.stale,
                    t.id AS t_id, t.idnumber AS t_idnumber, t.firstname AS t_firstname, t.lastname AS t_lastname
               FROM sis_section_teachers h LEFT JOIN people t ON t.id = h.teacher_id
              WHERE h.section_id = $1 ORDER BY h.effective_at, h.id",
        )
        .bind(section_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(TeacherChange::from).collect())
    }

    /// Creates a course.
    pub async fn create_course(
        &self,
        new: &NewCourse,
        now: i64,
    ) -> Result<i64, super::sis::SisError> {
        crate::sis_write!(self, |c| create_course(c, new, now).await)
    }

    /// Creates a term.
    pub async fn create_term(&self, new: &NewTerm, now: i64) -> Result<i64, super::sis::SisError> {
        crate::sis_write!(self, |c| create_term(c, new, now).await)
    }

    /// Creates a manual section.
    pub async fn create_manual_section(
        &self,
        new: &NewManualSection,
        meta: &Provenance,
    ) -> Result<i64, super::sis::SisError> {
        crate::sis_write!(self, |c| create_manual_section(c, new, meta).await)
    }

    /// Groups a section under a course (or ungroups it).
    pub async fn set_section_course(
        &self,
        section_id: i64,
        course_id: Option<i64>,
        now: i64,
    ) -> Result<(), super::sis::SisError> {
        crate::sis_write!(self, |c| set_section_course(c, section_id, course_id, now)
            .await)
    }

    /// Changes a manual section's teacher (history kept).
    pub async fn set_section_teacher(
        &self,
        section_id: i64,
        teacher_id: Option<i64>,
        meta: &Provenance,
    ) -> Result<(), super::sis::SisError> {
        crate::sis_write!(self, |c| set_section_teacher(
            c, section_id, teacher_id, meta
        )
        .await)
    }
}
