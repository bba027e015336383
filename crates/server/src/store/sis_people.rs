//! `fetch_user` on the shared `people` table (`docs/product.md` §2, §3;
//! `docs/schooltool-sis.md` "fetch_user"): reads the person with the sent idnumber (and, when
//! the rule asks, whoever holds the sent username), lets [`crate::sis::domain::people`] decide —
//! create, complete a person who arrived by SSO, update, move a username — and writes that. New
//! people get no login rights. Password fields never reach this module.

use super::StoreError;
use super::sis::{Applied, ChangeStatus, PersonColumns, PersonRef, Provenance};
use crate::sis::domain::people::{FetchUser, KnownPerson, UsernameMove, fetch_user};
use sqlx::AnyConnection;

pub use crate::sis::domain::people::PersonUpsert;

/// A row of `people` as [`COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct Existing {
    id: i64,
    idnumber: Option<String>,
    #[sqlx(rename = "mnet_username")]
    username: Option<String>,
    firstname: String,
    lastname: String,
    email: Option<String>,
    source_timemodified: Option<i64>,
}

impl From<Existing> for KnownPerson {
    fn from(r: Existing) -> KnownPerson {
        KnownPerson {
            id: r.id,
            idnumber: r.idnumber,
            username: r.username,
            firstname: r.firstname,
            lastname: r.lastname,
            email: r.email,
            source_timemodified: r.source_timemodified,
        }
    }
}

const COLUMNS: &str =
    "id, idnumber, mnet_username, firstname, lastname, email, source_timemodified";

/// A peer's person by `column` (`idnumber` or `mnet_username`).
async fn person_by(
    c: &mut AnyConnection,
    peer_id: i64,
    column: &'static str,
    value: &str,
) -> Result<Option<KnownPerson>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM people WHERE peer_id = $1 AND {column} = $2");
    let row: Option<Existing> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(peer_id)
        .bind(value)
        .fetch_optional(&mut *c)
        .await?;
    Ok(row.map(KnownPerson::from))
}

/// A person as SIS lists show them.
pub async fn person_ref(c: &mut AnyConnection, id: i64) -> Result<Option<PersonRef>, StoreError> {
    let person: Option<PersonColumns> = sqlx::query_as(
        "SELECT id AS p_id, idnumber AS p_idnumber, firstname AS p_firstname, lastname AS p_lastname FROM people WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?;
    Ok(person.map(PersonRef::from))
}

/// Takes a username away from whoever holds it (another person of the same peer), recording why.
async fn release_username(
    c: &mut AnyConnection,
    moved: UsernameMove,
    now: i64,
    notes: &mut Vec<String>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE people SET mnet_username = NULL, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(moved.from_id)
        .execute(&mut *c)
        .await?;
    notes.push(moved.note);
    Ok(())
}

/// Applies `fetch_user` (`docs/schooltool-sis.md`): create, complete or update the person, as
/// [`fetch_user`] decides.
pub async fn apply_fetch_user(
    c: &mut AnyConnection,
    peer_id: i64,
    p: &PersonUpsert,
    meta: &Provenance,
) -> Result<Applied, StoreError> {
    let mut notes = Vec::new();
    let now = meta.recorded_at;
    let tm = meta.effective_at;
    let found = person_by(c, peer_id, "idnumber", &p.idnumber).await?;
    let mut decision = fetch_user(p, tm, found.as_ref(), None);
    if decision.asks_username_holder(p, found.as_ref()) {
        let holder = person_by(c, peer_id, "mnet_username", &p.username).await?;
        decision = fetch_user(p, tm, found.as_ref(), holder.as_ref());
    }
    let status = match decision {
        FetchUser::Stale => ChangeStatus::Stale,
        FetchUser::Unchanged { id, watermark } => {
            if watermark {
                sqlx::query("UPDATE people SET source_timemodified = $1 WHERE id = $2")
                    .bind(tm)
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
            }
            ChangeStatus::Unchanged
        }
        FetchUser::Update { id, email, moved } => {
            if let Some(moved) = moved {
                release_username(c, moved, now, &mut notes).await?;
            }
            update(c, id, p, email.as_deref(), tm, now).await?;
            ChangeStatus::Updated
        }
        FetchUser::Complete { id, email, note } => {
            update(c, id, p, email.as_deref(), tm, now).await?;
            sqlx::query("UPDATE people SET idnumber = $1 WHERE id = $2")
                .bind(p.idnumber.as_str())
                .bind(id)
                .execute(&mut *c)
                .await?;
            notes.push(note);
            ChangeStatus::Updated
        }
        FetchUser::Create { moved } => {
            if let Some(moved) = moved {
                release_username(c, moved, now, &mut notes).await?;
            }
            insert(c, peer_id, p, tm, now).await?;
            ChangeStatus::Created
        }
    };
    Ok(Applied {
        status,
        idnumber: p.idnumber.clone(),
        notes,
    })
}

async fn insert(
    c: &mut AnyConnection,
    peer_id: i64,
    p: &PersonUpsert,
    tm: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO people (peer_id, idnumber, mnet_username, firstname, lastname, email, login_allowed, source_timemodified, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8)",
    )
    .bind(peer_id)
    .bind(p.idnumber.as_str())
    .bind(p.username.as_str())
    .bind(p.firstname.as_str())
    .bind(p.lastname.as_str())
    .bind(p.email.as_deref())
    .bind(tm)
    .bind(now)
    .execute(&mut *c)
    .await?;
    Ok(())
}

async fn update(
    c: &mut AnyConnection,
    id: i64,
    p: &PersonUpsert,
    email: Option<&str>,
    tm: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE people SET mnet_username = $1, firstname = $2, lastname = $3, email = $4, source_timemodified = $5, updated_at = $6 WHERE id = $7",
    )
    .bind(p.username.as_str())
    .bind(p.firstname.as_str())
    .bind(p.lastname.as_str())
    .bind(email)
    .bind(tm)
    .bind(now)
    .bind(id)
    .execute(&mut *c)
    .await?;
    Ok(())
}
