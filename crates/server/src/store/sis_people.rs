//! `fetch_user` on the shared `people` table (`docs/product.md` §2, §3;
//! `docs/schooltool-sis.md` "fetch_user"): a person from a peer is found by (peer, idnumber); a
//! person who arrived earlier by SSO — (peer, username) with no idnumber — is completed, not
//! duplicated; a username that changes in Moodle follows the idnumber, and whoever held it before
//! keeps their record without a username. New people get no login rights. Password fields never
//! reach this module.

use super::StoreError;
use super::sis::{Applied, ChangeMeta, ChangeStatus, PersonColumns, PersonRef};
use sqlx::AnyConnection;

/// A validated `fetch_user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonUpsert {
    /// The shared id.
    pub idnumber: String,
    /// The Moodle username.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail; `None` (absent or empty) keeps what is stored.
    pub email: Option<String>,
}

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

const COLUMNS: &str =
    "id, idnumber, mnet_username, firstname, lastname, email, source_timemodified";

async fn by_idnumber(
    c: &mut AnyConnection,
    peer_id: i64,
    idnumber: &str,
) -> Result<Option<Existing>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM people WHERE peer_id = $1 AND idnumber = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(peer_id)
        .bind(idnumber)
        .fetch_optional(&mut *c)
        .await?)
}

async fn by_username(
    c: &mut AnyConnection,
    peer_id: i64,
    username: &str,
) -> Result<Option<Existing>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM people WHERE peer_id = $1 AND mnet_username = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(peer_id)
        .bind(username)
        .fetch_optional(&mut *c)
        .await?)
}

/// The `people.id` of a peer's person by shared id.
pub async fn person_id_by_idnumber(
    c: &mut AnyConnection,
    peer_id: i64,
    idnumber: &str,
) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM people WHERE peer_id = $1 AND idnumber = $2")
            .bind(peer_id)
            .bind(idnumber)
            .fetch_optional(&mut *c)
            .await?,
    )
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
    holder: &Existing,
    to_idnumber: &str,
    now: i64,
    notes: &mut Vec<String>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE people SET mnet_username = NULL, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(holder.id)
        .execute(&mut *c)
        .await?;
    notes.push(format!(
        "username {:?} moved from person #{} ({}) to {:?}",
        holder.username.as_deref().unwrap_or_default(),
        holder.id,
        holder.idnumber.as_deref().unwrap_or("no idnumber"),
        to_idnumber
    ));
    Ok(())
}

/// Applies `fetch_user` (`docs/schooltool-sis.md`): create, complete or update the person.
pub async fn apply_fetch_user(
    c: &mut AnyConnection,
    peer_id: i64,
    p: &PersonUpsert,
    meta: &ChangeMeta,
) -> Result<Applied, StoreError> {
    let mut notes = Vec::new();
    let now = meta.recorded_at;
    let tm = meta.effective_at;
    if let Some(person) = by_idnumber(c, peer_id, &p.idnumber).await? {
        if person.source_timemodified.is_some_and(|s| tm < s) {
            return Ok(Applied::new(ChangeStatus::Stale, &p.idnumber));
        }
        let email = p.email.clone().or_else(|| person.email.clone());
        let same = person.username.as_deref() == Some(p.username.as_str())
            && person.firstname == p.firstname
            && person.lastname == p.lastname
            && person.email == email;
        if same {
            if person.source_timemodified.is_none_or(|s| s < tm) {
                sqlx::query("UPDATE people SET source_timemodified = $1 WHERE id = $2")
                    .bind(tm)
                    .bind(person.id)
                    .execute(&mut *c)
                    .await?;
            }
            return Ok(Applied::new(ChangeStatus::Unchanged, &p.idnumber));
        }
        if person.username.as_deref() != Some(p.username.as_str())
            && let Some(holder) = by_username(c, peer_id, &p.username).await?
            && holder.id != person.id
        {
            release_username(c, &holder, &p.idnumber, now, &mut notes).await?;
        }
        update(c, person.id, p, email.as_deref(), tm, now).await?;
        return Ok(Applied {
            status: ChangeStatus::Updated,
            idnumber: p.idnumber.clone(),
            notes,
        });
    }
    // Not known by idnumber: a person who arrived by SSO is completed (§3).
    if let Some(holder) = by_username(c, peer_id, &p.username).await? {
        if holder.idnumber.is_none() {
            let email = p.email.clone().or_else(|| holder.email.clone());
            update(c, holder.id, p, email.as_deref(), tm, now).await?;
            sqlx::query("UPDATE people SET idnumber = $1 WHERE id = $2")
                .bind(p.idnumber.as_str())
                .bind(holder.id)
                .execute(&mut *c)
                .await?;
            return Ok(Applied {
                status: ChangeStatus::Updated,
                idnumber: p.idnumber.clone(),
                notes: vec![format!(
                    "completed person #{} (arrived by SSO as {:?})",
                    holder.id, p.username
                )],
            });
        }
        // Someone else (another idnumber) holds the username: Moodle's newer word wins.
        release_username(c, &holder, &p.idnumber, now, &mut notes).await?;
    }
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
    Ok(Applied {
        status: ChangeStatus::Created,
        idnumber: p.idnumber.clone(),
        notes,
    })
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
