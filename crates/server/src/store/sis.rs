//! The SIS records (`docs/product.md` §3) — the vocabulary shared by the `sis_*` store
//! modules: where a change came from and when it took effect ([`Provenance`]), what a change did
//! ([`ChangeStatus`], [`Applied`]), why a change was refused ([`Refusal`]), and the savepoint
//! discipline that makes a refused change leave nothing behind.
//!
//! The modules: `sis_ledger` (the eventid ledger), `sis_people` (`fetch_user` on the shared
//! `people` table), `sis_sections` (courses, terms, sections, teacher history), `sis_enrolments`
//! (enrolments, status codes, status history), `sis_assessments` (grade items, name matching,
//! CSV batches), `sis_grades` (grade events, gradebook) and `sis_reports` (schedule, progress
//! report as of a date, transcript). The rules they share are in
//! `docs/design/004-sis-service-semantics.md`: history rows are never deleted; each has an
//! effective time and a recorded time; the current state is the newest row by effective time
//! (then by arrival), and a report "as of" a date is the same rule restricted to rows effective by
//! then.

use super::StoreError;
use sqlx::{AnyConnection, Executor};

pub use schoolbridge_api::sis::RecordSource;

pub use schoolbridge_api::sis::Role;

pub use schoolbridge_api::sis::StatusKind;

pub use crate::sis::domain::enrolments::status;

/// Who made a change and when it took effect: the API's own type, so a history row read back
/// carries exactly what was written.
pub use schoolbridge_api::sis::Provenance;

/// The tables whose rows a peer names by its shared id (`peer_id` and `idnumber` columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shared {
    /// `people`: `userid` in the contract.
    People,
    /// `sis_sections`: `sectionid`.
    Sections,
}

impl Shared {
    /// The lookup by shared id, written out per table (no statement built per call).
    fn id_sql(self) -> &'static str {
        match self {
            Shared::People => "SELECT id FROM people WHERE peer_id = $1 AND idnumber = $2",
            Shared::Sections => "SELECT id FROM sis_sections WHERE peer_id = $1 AND idnumber = $2",
        }
    }
}

/// The id of the row of `table` that peer `peer_id` names `idnumber`, if there is one.
pub async fn id_by_idnumber(
    c: &mut AnyConnection,
    table: Shared,
    peer_id: i64,
    idnumber: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query_scalar(table.id_sql())
        .bind(peer_id)
        .bind(idnumber)
        .fetch_optional(&mut *c)
        .await?)
}

/// Binds a change's provenance (a [`Provenance`]) to the next six placeholders, in the order
/// every history table (status history, teacher history, grade events) names them:
/// `effective_at, recorded_at, source, peer_id, eventid, actor_id`. Works on any sqlx query.
macro_rules! bind_meta {
    ($query:expr, $meta:expr) => {{
        let m: &$crate::store::sis::Provenance = $meta;
        $query
            .bind(m.effective_at)
            .bind(m.recorded_at)
            .bind(m.source.as_str())
            .bind(m.peer_id)
            .bind(m.eventid.as_deref())
            .bind(m.actor_id)
    }};
}
pub(crate) use bind_meta;

pub use schoolbridge_api::sis::ChangeStatus;

/// The result of an applied service call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// What happened.
    pub status: ChangeStatus,
    /// The record's shared id (enrolments: `sectionid/userid`).
    pub idnumber: String,
    /// Things worth a line in the audit log (e.g. a username that moved).
    pub notes: Vec<String>,
}

impl Applied {
    /// Without notes.
    pub fn new(status: ChangeStatus, idnumber: impl Into<String>) -> Self {
        Applied {
            status,
            idnumber: idnumber.into(),
            notes: Vec::new(),
        }
    }
}

pub use crate::sis::domain::values::{Refusal, clean_optional, clean_text};

/// A console operation's failure: storage, or a refusal the user can act on.
#[derive(Debug, thiserror::Error)]
pub enum SisError {
    /// The database failed (details are logged, not shown).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The change was refused; nothing was stored.
    #[error(transparent)]
    Refused(#[from] Refusal),
}

/// A write step that may be refused: `Ok(Err(_))` is a refusal, `Err(_)` a storage failure.
pub type Outcome<T> = Result<Result<T, Refusal>, StoreError>;

/// In a step that returns [`Outcome`]: the value of a `Result<T, Refusal>`, or an early return
/// of the refusal (`Ok(Err(refusal))`) — the `?` of the refusal layer, so a step reads flat.
#[macro_export]
macro_rules! accepted {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return Ok(Err(r)),
        }
    };
}

/// Whether `table` has a row with this `id` (a record named by the console must exist).
pub async fn exists(
    c: &mut AnyConnection,
    table: &'static str,
    id: i64,
) -> Result<bool, StoreError> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = $1");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
        .is_some())
}

/// Starts a savepoint, so that a refusal found after some writes can undo them (see [`settle`]).
pub async fn savepoint(c: &mut AnyConnection) -> Result<(), StoreError> {
    (&mut *c).execute("SAVEPOINT sis_change").await?;
    Ok(())
}

/// Ends the savepoint: a refusal rolls back everything written since [`savepoint`].
pub async fn settle<T>(
    c: &mut AnyConnection,
    out: Result<T, Refusal>,
) -> Result<Result<T, Refusal>, StoreError> {
    if out.is_err() {
        (&mut *c)
            .execute("ROLLBACK TO SAVEPOINT sis_change")
            .await?;
    }
    (&mut *c).execute("RELEASE SAVEPOINT sis_change").await?;
    Ok(out)
}

/// Runs a refusable write step in its own serialisable transaction (`write_tx!`) with a
/// savepoint around it, and flattens the result into `Result<T, SisError>`.
#[macro_export]
macro_rules! sis_write {
    ($store:expr, |$c:ident| $body:expr) => {{
        let out = $crate::write_tx!($store, |$c| {
            $crate::store::sis::savepoint(&mut *$c).await?;
            let step = $body?;
            $crate::store::sis::settle(&mut *$c, step).await
        });
        match out {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(r)) => Err($crate::store::sis::SisError::Refused(r)),
            Err(e) => Err($crate::store::sis::SisError::Store(e)),
        }
    }};
}

pub use schoolbridge_api::sis::PersonRef;

/// A person read from columns `p_id, p_idnumber, p_firstname, p_lastname` (an inner join).
#[derive(sqlx::FromRow)]
pub struct PersonColumns {
    p_id: i64,
    p_idnumber: Option<String>,
    p_firstname: String,
    p_lastname: String,
}

impl From<PersonColumns> for PersonRef {
    fn from(p: PersonColumns) -> PersonRef {
        PersonRef {
            id: p.p_id,
            idnumber: p.p_idnumber,
            firstname: p.p_firstname,
            lastname: p.p_lastname,
        }
    }
}

/// A teacher read from columns `t_id, t_idnumber, t_firstname, t_lastname` of an outer join:
/// nobody when `t_id` is NULL.
#[derive(sqlx::FromRow)]
pub struct TeacherColumns {
    t_id: Option<i64>,
    t_idnumber: Option<String>,
    t_firstname: Option<String>,
    t_lastname: Option<String>,
}

impl TryFrom<TeacherColumns> for Option<PersonRef> {
    type Error = &'static str;
    fn try_from(t: TeacherColumns) -> Result<Option<PersonRef>, &'static str> {
        let Some(id) = t.t_id else { return Ok(None) };
        match (t.t_firstname, t.t_lastname) {
            (Some(firstname), Some(lastname)) => Ok(Some(PersonRef {
                id,
                idnumber: t.t_idnumber,
                firstname,
                lastname,
            })),
            _ => Err("a teacher without a name"),
        }
    }
}
