//! People (`docs/product.md` §3): everyone SchoolBridge knows. A person from a peer is
//! identified by (peer, username) for SSO and by (peer, idnumber) for service calls — never
//! merged with a same-named person from elsewhere. Local accounts have a sign-in name and an
//! argon2id password hash. Imported people have no login rights until someone grants them.

use super::rows::IntFlag;
use super::{Store, StoreError, flag};
use sqlx::AnyConnection;

/// A person (a row of `people`, read with `COLUMNS`).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonRow {
    /// Id.
    pub id: i64,
    /// The peer they come from; `None` for people created in SchoolBridge.
    pub peer_id: Option<i64>,
    /// The shared id.
    pub idnumber: Option<String>,
    /// Username at the peer.
    pub mnet_username: Option<String>,
    /// Sign-in name of a local account.
    pub local_username: Option<String>,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail.
    pub email: Option<String>,
    /// Whether they may sign in to the console.
    #[sqlx(try_from = "IntFlag")]
    pub login_allowed: bool,
    /// argon2id hash (local accounts).
    pub password_hash: Option<String>,
    /// When created.
    pub created_at: i64,
}

impl std::fmt::Debug for PersonRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonRow")
            .field("id", &self.id)
            .field("peer_id", &self.peer_id)
            .field("idnumber", &self.idnumber)
            .field("mnet_username", &self.mnet_username)
            .field("local_username", &self.local_username)
            .field("login_allowed", &self.login_allowed)
            .field("password_hash", &self.password_hash.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl PersonRow {
    /// "First Last".
    pub fn full_name(&self) -> String {
        schoolbridge_api::full_name(&self.firstname, &self.lastname)
    }
}

const COLUMNS: &str = "id, peer_id, idnumber, mnet_username, local_username, firstname, lastname, email, login_allowed, password_hash, created_at";

/// Search criteria for the people list.
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    /// Text in name, username, idnumber or e-mail.
    pub text: Option<String>,
    /// From this peer (`Some(0)` = local people).
    pub peer_id: Option<i64>,
    /// Holding this role: given here, or learnt from Moodle's enrolments (teacher, student).
    pub role: Option<String>,
    /// Only people with (true) or without (false) login rights.
    pub login_allowed: Option<bool>,
    /// Page size.
    pub limit: i64,
    /// Offset.
    pub offset: i64,
}

/// The sections the person bound at placeholder `person` (e.g. `$1`) teaches — one rule for
/// every check: those they are enrolled in as a teacher with an active status, and those whose
/// current teacher they are, unless they hold a teacher enrolment there that is no longer active
/// (Moodle removed their teacher role; the section's next `new_section` may come later or never).
/// So a teacher Moodle unenrols stops seeing the section's records at once; a manual section's
/// teacher, who has no enrolment, keeps it.
pub fn taught_sections_sql(person: &str) -> String {
    format!(
        "SELECT e.section_id AS section_id FROM sis_enrolments e
           JOIN sis_status_codes k ON k.code = e.status
          WHERE e.person_id = {person} AND e.role = 'teacher' AND k.kind = 'active'
         UNION
         SELECT s.id AS section_id FROM sis_sections s
          WHERE s.teacher_id = {person}
            AND NOT EXISTS (SELECT 1 FROM sis_enrolments e JOIN sis_status_codes k ON k.code = e.status
                             WHERE e.section_id = s.id AND e.person_id = {person} AND e.role = 'teacher'
                               AND k.kind <> 'active')"
    )
}

impl Store {
    /// A person by id.
    pub async fn person(&self, id: i64) -> Result<Option<PersonRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM people WHERE id = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// A local account by sign-in name (case-insensitive).
    pub async fn person_by_local_username(
        &self,
        username: &str,
    ) -> Result<Option<PersonRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM people WHERE local_username = $1");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(username.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?)
    }

    /// A peer's person by MNet username.
    pub async fn person_by_peer_username(
        &self,
        peer_id: i64,
        username: &str,
    ) -> Result<Option<PersonRow>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM people WHERE peer_id = $1 AND mnet_username = $2");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(peer_id)
            .bind(username)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Explicit roles of a person.
    pub async fn person_roles(&self, person_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT role FROM person_roles WHERE person_id = $1 ORDER BY role")
                .bind(person_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Whether a person teaches any section ([`taught_sections_sql`]) and whether they are
    /// enrolled as a student anywhere (any status: a former student still reads their own
    /// transcript): their implicit console roles.
    pub async fn person_involvement(&self, person_id: i64) -> Result<(bool, bool), StoreError> {
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM ({}) taught),
                    (SELECT COUNT(*) FROM sis_enrolments WHERE person_id = $1 AND role = 'student')",
            taught_sections_sql("$1")
        );
        let (taught, studied): (i64, i64) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_one(self.pool())
            .await?;
        Ok((taught > 0, studied > 0))
    }

    /// Whether a person teaches this section ([`taught_sections_sql`]).
    pub async fn teaches_section(
        &self,
        person_id: i64,
        section_id: i64,
    ) -> Result<bool, StoreError> {
        let sql = format!(
            "SELECT COUNT(*) FROM ({}) taught WHERE taught.section_id = $2",
            taught_sections_sql("$1")
        );
        let count: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .bind(section_id)
            .fetch_one(self.pool())
            .await?;
        Ok(count > 0)
    }

    /// The sections a person teaches ([`taught_sections_sql`]).
    pub async fn sections_taught(&self, person_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar(sqlx::AssertSqlSafe(taught_sections_sql("$1")))
                .bind(person_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// The section of a grade item.
    pub async fn assessment_section(&self, assessment_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT section_id FROM sis_assessments WHERE id = $1")
                .bind(assessment_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// How many people hold the admin role and may sign in.
    pub async fn count_admins(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM person_roles r JOIN people p ON p.id = r.person_id WHERE r.role = 'admin' AND p.login_allowed = 1")
            .fetch_one(self.pool())
            .await?)
    }

    /// Searches people, by family then given name.
    pub async fn people(&self, q: &PeopleQuery) -> Result<Vec<PersonRow>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM people p WHERE 1 = 1");
        let mut next = super::placeholders();
        let text = q
            .text
            .as_ref()
            .map(|t| format!("%{}%", t.trim().to_lowercase().replace(['%', '_'], "")))
            .filter(|t| t != "%%");
        if text.is_some() {
            let a = next();
            sql.push_str(&format!(
                " AND (LOWER(firstname || ' ' || lastname) LIKE {a} OR LOWER(COALESCE(mnet_username, '')) LIKE {a} OR LOWER(COALESCE(local_username, '')) LIKE {a} OR LOWER(COALESCE(idnumber, '')) LIKE {a} OR LOWER(COALESCE(email, '')) LIKE {a})"
            ));
        }
        match q.peer_id {
            Some(0) => sql.push_str(" AND peer_id IS NULL"),
            Some(_) => sql.push_str(&format!(" AND peer_id = {}", next())),
            None => {}
        }
        if q.role.is_some() {
            // A role given here, or one learnt from the enrolments Moodle sends (the same rule as
            // `person_involvement`): people who arrive by single sign-on have no roles given yet,
            // and "everyone from this Moodle holding role teacher" must still find its teachers.
            let r = next();
            sql.push_str(&format!(
                " AND (EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = {r})
                   OR ({r} = 'teacher' AND (EXISTS (SELECT 1 FROM sis_sections s WHERE s.teacher_id = p.id)
                        OR EXISTS (SELECT 1 FROM sis_enrolments e JOIN sis_status_codes k ON k.code = e.status
                                   WHERE e.person_id = p.id AND e.role = 'teacher' AND k.kind = 'active')))
                   OR ({r} = 'student' AND EXISTS (SELECT 1 FROM sis_enrolments e WHERE e.person_id = p.id AND e.role = 'student')))"
            ));
        }
        if q.login_allowed.is_some() {
            sql.push_str(&format!(" AND login_allowed = {}", next()));
        }
        sql.push_str(&format!(
            " ORDER BY LOWER(lastname), LOWER(firstname), id LIMIT {} OFFSET {}",
            next(),
            next()
        ));
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        if let Some(t) = text {
            query = query.bind(t);
        }
        if let Some(p) = q.peer_id.filter(|p| *p != 0) {
            query = query.bind(p);
        }
        if let Some(r) = &q.role {
            query = query.bind(r.clone());
        }
        if let Some(l) = q.login_allowed {
            query = query.bind(flag(l));
        }
        query = query.bind(q.limit.clamp(1, 500)).bind(q.offset.max(0));
        Ok(query.fetch_all(self.pool()).await?)
    }
}

/// What a new local account needs.
#[derive(Debug, Clone)]
pub struct NewLocalPerson<'a> {
    /// Sign-in name (stored lower-case).
    pub username: &'a str,
    /// Given name.
    pub firstname: &'a str,
    /// Family name.
    pub lastname: &'a str,
    /// E-mail.
    pub email: Option<&'a str>,
    /// argon2id hash, if the account has a password yet.
    pub password_hash: Option<&'a str>,
    /// May sign in.
    pub login_allowed: bool,
}

/// Creates a local account.
pub async fn insert_local_person(
    c: &mut AnyConnection,
    p: &NewLocalPerson<'_>,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO people (peer_id, local_username, firstname, lastname, email, login_allowed, password_hash, created_at, updated_at)
         VALUES (NULL, $1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(p.username.trim().to_lowercase())
    .bind(p.firstname)
    .bind(p.lastname)
    .bind(p.email)
    .bind(flag(p.login_allowed))
    .bind(p.password_hash)
    .bind(now)
    .fetch_one(c)
    .await?)
}

/// Creates or updates the person a peer's `user_authorise` described (SSO arrival): found by
/// (peer, username); names and e-mail refreshed; a new person has no login rights. Returns the
/// id and whether it was created.
pub async fn upsert_sso_person(
    c: &mut AnyConnection,
    peer_id: i64,
    username: &str,
    firstname: &str,
    lastname: &str,
    email: &str,
    now: i64,
) -> Result<(i64, bool), StoreError> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE peer_id = $1 AND mnet_username = $2")
            .bind(peer_id)
            .bind(username)
            .fetch_optional(&mut *c)
            .await?;
    if let Some(id) = existing {
        sqlx::query("UPDATE people SET firstname = $1, lastname = $2, email = $3, updated_at = $4 WHERE id = $5")
            .bind(firstname)
            .bind(lastname)
            .bind(email)
            .bind(now)
            .bind(id)
            .execute(&mut *c)
            .await?;
        return Ok((id, false));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO people (peer_id, mnet_username, firstname, lastname, email, login_allowed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 0, $6, $6) RETURNING id",
    )
    .bind(peer_id)
    .bind(username)
    .bind(firstname)
    .bind(lastname)
    .bind(email)
    .bind(now)
    .fetch_one(&mut *c)
    .await?;
    Ok((id, true))
}

/// Grants or withdraws login rights for these people. Returns how many changed.
pub async fn set_login_allowed(
    c: &mut AnyConnection,
    ids: &[i64],
    allowed: bool,
    now: i64,
) -> Result<u64, StoreError> {
    let mut changed = 0;
    for id in ids {
        changed += sqlx::query("UPDATE people SET login_allowed = $1, updated_at = $2 WHERE id = $3 AND login_allowed <> $1")
            .bind(flag(allowed))
            .bind(now)
            .bind(*id)
            .execute(&mut *c)
            .await?
            .rows_affected();
    }
    Ok(changed)
}

/// Replaces a person's explicit roles.
pub async fn set_roles(
    c: &mut AnyConnection,
    person_id: i64,
    roles: &[String],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM person_roles WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *c)
        .await?;
    for role in roles {
        sqlx::query(
            "INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(person_id)
        .bind(role.as_str())
        .execute(&mut *c)
        .await?;
    }
    Ok(())
}

/// Sets a local account's password hash.
pub async fn set_password_hash(
    c: &mut AnyConnection,
    person_id: i64,
    hash: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE people SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(person_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Edits a person's names and e-mail.
pub async fn update_person_details(
    c: &mut AnyConnection,
    person_id: i64,
    firstname: &str,
    lastname: &str,
    email: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE people SET firstname = $1, lastname = $2, email = $3, updated_at = $4 WHERE id = $5")
        .bind(firstname)
        .bind(lastname)
        .bind(email)
        .bind(now)
        .bind(person_id)
        .execute(c)
        .await?;
    Ok(())
}

/// Records a person's shared idnumber when they arrived by SSO without one (`fetch_user` or
/// `list_user_enrolments` tells it). Returns false when another person from the peer holds it.
pub async fn link_idnumber(
    c: &mut AnyConnection,
    person_id: i64,
    peer_id: i64,
    idnumber: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM people WHERE peer_id = $1 AND idnumber = $2")
            .bind(peer_id)
            .bind(idnumber)
            .fetch_optional(&mut *c)
            .await?;
    if let Some(id) = taken {
        return Ok(id == person_id);
    }
    let done = sqlx::query("UPDATE people SET idnumber = $1, updated_at = $2 WHERE id = $3 AND peer_id = $4 AND idnumber IS NULL")
        .bind(idnumber)
        .bind(now)
        .bind(person_id)
        .bind(peer_id)
        .execute(c)
        .await?;
    Ok(done.rows_affected() > 0)
}
