//! The accounts use cases, written once for the console's JSON API (`http::api::people`,
//! `http::api::session`) and the command line (`schoolbridge user …`): create a local account
//! (the first administrator too), find and list people, give roles, grant and withdraw login
//! rights (withdrawing ends the person's sessions), set a password, check a sign-in. The callers
//! parse their input, decide who may ask (the API by `Right`, the CLI is the machine's
//! operator) and present the result; the rules are here (`docs/design/023-accounts-service.md`).
//!
//! Rules: a sign-in name is one Moodle can take (`schoolbridge_api::rules::username_is_valid`),
//! stored trimmed and lower-cased, and unique among local accounts; given and family names are
//! needed; a password has at least `rules::MIN_PASSWORD` characters; role names are those of
//! `schoolbridge_api::roles::Role`. A person in the console cannot withdraw their own login
//! rights nor their own admin role.

use super::passwords::{self, PasswordError};
use super::sessions;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::people::{
    NewLocalPerson, PeopleQuery, PersonRow, insert_local_person, set_login_allowed,
    set_password_hash, set_roles as store_roles,
};
use crate::store::sessions::{end_person_sessions, take_setup_token};
use schoolbridge_api::roles::{Role, RoleSet, UnknownRole};
use schoolbridge_api::rules;

/// Why a sign-in name is refused (`schoolbridge_api::rules::username_is_valid`).
pub const BAD_USERNAME: &str = "Choose a sign-in name of the letters a–z, digits and . _ - @ only, at most 100 characters: Moodle takes no other characters for people who sign in from SchoolBridge.";

/// How many people one page of a bulk selection reads (the store's largest page).
const PAGE: i64 = 500;

/// Why an accounts use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The sign-in name is not one Moodle can take.
    #[error("{}", BAD_USERNAME)]
    BadUsername,
    /// A given or family name is empty.
    #[error("Given and family names are needed.")]
    MissingName,
    /// A role name is not one of ours.
    #[error(transparent)]
    UnknownRole(#[from] UnknownRole),
    /// Another local account has this sign-in name.
    #[error("That sign-in name is taken.")]
    UsernameTaken,
    /// The password is too short, or could not be hashed.
    #[error(transparent)]
    Password(#[from] PasswordError),
    /// No such person.
    #[error("no such person (use an id from `user list` or a local sign-in name)")]
    NotFound,
    /// A password was set for a person who signs in at a peer, not here.
    #[error("this person has no local account: they sign in through their own Moodle")]
    NotLocal,
    /// A person in the console tried to withdraw their own login rights.
    #[error("You cannot withdraw your own login rights.")]
    OwnLoginRights,
    /// A person in the console tried to remove their own admin role.
    #[error("You cannot remove your own admin role.")]
    OwnAdminRole,
    /// The first administrator exists already.
    #[error(
        "SchoolBridge already has an administrator. Sign in, or ask an administrator for an account."
    )]
    AlreadySetUp,
    /// The set-up token is used, expired or wrong.
    #[error(
        "The set-up link is not valid (used, expired or mistyped). Restart the server for a new one, or use `schoolbridge user add`."
    )]
    BadSetupToken,
    /// The name or the password is wrong (which one is not said).
    #[error("The name or the password is not right.")]
    BadCredentials,
    /// The password is right but login rights were withdrawn.
    #[error("This account has no sign-in rights. Ask an administrator.")]
    NoLoginRights,
    /// The database failed.
    #[error("the accounts could not be read or written: {0}")]
    Store(#[from] StoreError),
}

/// Who asks for a change: the rules that keep a console user from locking themself out do not
/// bind the machine's operator, who can always undo a change from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A person signed in to the console.
    Person(i64),
    /// Whoever runs `schoolbridge user …` on the server.
    Operator,
}

impl Actor {
    fn is(self, person_id: i64) -> bool {
        self == Actor::Person(person_id)
    }
}

/// A local account to create, as given.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    /// Sign-in name (normalised here).
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail; empty means none.
    pub email: Option<String>,
    /// Role names.
    pub roles: Vec<String>,
}

/// A [`NewAccount`] that follows the rules (the sign-in name may still be taken by the time it
/// is created: the database's unique index has the last word).
#[derive(Debug, Clone)]
pub struct CheckedAccount {
    /// Normalised sign-in name.
    pub username: String,
    firstname: String,
    lastname: String,
    email: Option<String>,
    /// The roles.
    pub roles: RoleSet,
}

/// Whom a change of login rights is for: these people, and everyone from a peer (optionally
/// only those holding a role, given or learnt from enrolments).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// These people (ids that do not exist change nothing).
    pub person_ids: Vec<i64>,
    /// Everyone from this peer…
    pub peer_id: Option<i64>,
    /// …holding this role.
    pub role: Option<String>,
}

/// Checks a new account without the database: names, e-mail, roles.
pub fn validate(new: &NewAccount) -> Result<CheckedAccount, AccountError> {
    let username = rules::normalise_username(&new.username);
    if !rules::username_is_valid(&username) {
        return Err(AccountError::BadUsername);
    }
    let (firstname, lastname) = (new.firstname.trim(), new.lastname.trim());
    if firstname.is_empty() || lastname.is_empty() {
        return Err(AccountError::MissingName);
    }
    let email = new
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned);
    Ok(CheckedAccount {
        username,
        firstname: firstname.to_owned(),
        lastname: lastname.to_owned(),
        email,
        roles: RoleSet::parse(&new.roles)?,
    })
}

/// Checks a new account, including that its sign-in name is free (the CLI asks before it reads
/// the password).
pub async fn check(state: &AppState, new: &NewAccount) -> Result<CheckedAccount, AccountError> {
    let checked = validate(new)?;
    name_is_free(state, &checked.username).await?;
    Ok(checked)
}

async fn name_is_free(state: &AppState, username: &str) -> Result<(), AccountError> {
    match state.store.person_by_local_username(username).await? {
        Some(_) => Err(AccountError::UsernameTaken),
        None => Ok(()),
    }
}

/// Creates a local account with login rights.
pub async fn create(
    state: &AppState,
    new: &NewAccount,
    password: &str,
) -> Result<PersonRow, AccountError> {
    let account = check(state, new).await?;
    let hash = passwords::hash(&state.crypto, password).await?;
    let now = state.clock.now();
    let id = crate::write_tx!(state.store, |c| insert(c, &account, &hash, now).await)?;
    person(state, id).await
}

/// Creates the first administrator with the one-time set-up token (`accounts::setup`), only
/// while there is no administrator: a link printed at an earlier start (in a log, say) must not
/// make a second one later. The token is checked before the name is looked up and before any
/// password is hashed, so an anonymous caller learns nothing and costs nothing.
pub async fn create_first_admin(
    state: &AppState,
    token: &str,
    new: &NewAccount,
    password: &str,
) -> Result<PersonRow, AccountError> {
    if state.store.count_admins().await? > 0 {
        return Err(AccountError::AlreadySetUp);
    }
    let account = CheckedAccount {
        roles: RoleSet::NONE.with(Role::Admin, true),
        ..validate(&NewAccount {
            roles: Vec::new(),
            ..new.clone()
        })?
    };
    let token_hash = sessions::token_hash(token.trim());
    let now = state.clock.now();
    if !state.store.setup_token_is_live(&token_hash, now).await? {
        return Err(AccountError::BadSetupToken);
    }
    name_is_free(state, &account.username).await?;
    let hash = passwords::hash(&state.crypto, password).await?;
    let created = crate::write_tx!(state.store, |c| {
        if !take_setup_token(c, &token_hash, now).await? {
            return Ok(None);
        }
        insert(c, &account, &hash, now).await.map(Some)
    })?;
    match created {
        Some(id) => person(state, id).await,
        None => Err(AccountError::BadSetupToken),
    }
}

async fn insert(
    c: &mut sqlx::AnyConnection,
    account: &CheckedAccount,
    hash: &str,
    now: i64,
) -> Result<i64, StoreError> {
    let p = NewLocalPerson {
        username: &account.username,
        firstname: &account.firstname,
        lastname: &account.lastname,
        email: account.email.as_deref(),
        password_hash: Some(hash),
        login_allowed: true,
    };
    let id = insert_local_person(c, &p, now).await?;
    store_roles(c, id, &account.roles.names()).await?;
    Ok(id)
}

/// A person by id.
pub async fn person(state: &AppState, id: i64) -> Result<PersonRow, AccountError> {
    state.store.person(id).await?.ok_or(AccountError::NotFound)
}

/// A person by id or by local sign-in name (as typed: any case, spaces around it).
pub async fn find(state: &AppState, key: &str) -> Result<PersonRow, AccountError> {
    let found = match key.trim().parse::<i64>() {
        Ok(id) => state.store.person(id).await?,
        Err(_) => {
            state
                .store
                .person_by_local_username(&rules::normalise_username(key))
                .await?
        }
    };
    found.ok_or(AccountError::NotFound)
}

/// People matching a search, by family then given name (at most 500 a page).
pub async fn list(state: &AppState, query: &PeopleQuery) -> Result<Vec<PersonRow>, AccountError> {
    Ok(state.store.people(query).await?)
}

/// Replaces a person's explicit roles. Returns the person.
pub async fn set_roles(
    state: &AppState,
    actor: Actor,
    person_id: i64,
    names: &[String],
) -> Result<PersonRow, AccountError> {
    let roles = RoleSet::parse(names)?;
    if actor.is(person_id) && !roles.has(Role::Admin) {
        return Err(AccountError::OwnAdminRole);
    }
    let found = person(state, person_id).await?;
    let names = roles.names();
    crate::write_tx!(state.store, |c| store_roles(c, person_id, &names).await)?;
    Ok(found)
}

/// Grants or withdraws login rights; withdrawing ends the people's sessions at once, in the same
/// transaction. Returns how many people changed.
pub async fn set_login_rights(
    state: &AppState,
    actor: Actor,
    selection: &Selection,
    allowed: bool,
) -> Result<u64, AccountError> {
    let ids = selected(state, selection).await?;
    if !allowed && ids.iter().any(|id| actor.is(*id)) {
        return Err(AccountError::OwnLoginRights);
    }
    let now = state.clock.now();
    let changed = crate::write_tx!(state.store, |c| {
        let n = set_login_allowed(c, &ids, allowed, now).await?;
        if !allowed {
            for id in &ids {
                end_person_sessions(c, *id, now).await?;
            }
        }
        Ok::<_, StoreError>(n)
    })?;
    Ok(changed)
}

/// The ids a selection names: its people and every page of its peer's people.
async fn selected(state: &AppState, selection: &Selection) -> Result<Vec<i64>, AccountError> {
    let mut ids = selection.person_ids.clone();
    if let Some(peer) = selection.peer_id {
        let query = PeopleQuery {
            peer_id: Some(peer),
            role: selection.role.clone(),
            limit: PAGE,
            ..PeopleQuery::default()
        };
        let mut offset = 0;
        loop {
            let page = state
                .store
                .people(&PeopleQuery {
                    offset,
                    ..query.clone()
                })
                .await?;
            if page.is_empty() {
                break;
            }
            offset += page.len() as i64;
            ids.extend(page.iter().map(|p| p.id));
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Sets a local account's password and ends all its sessions (whoever knew the old one is out).
pub async fn set_password(
    state: &AppState,
    person_id: i64,
    password: &str,
) -> Result<(), AccountError> {
    let found = person(state, person_id).await?;
    if found.local_username.is_none() {
        return Err(AccountError::NotLocal);
    }
    let hash = passwords::hash(&state.crypto, password).await?;
    let now = state.clock.now();
    crate::write_tx!(state.store, |c| {
        set_password_hash(c, person_id, &hash, now).await?;
        end_person_sessions(c, person_id, now).await
    })?;
    Ok(())
}

/// Checks a local account's sign-in name and password, then its login rights (in that order, so
/// only the password's owner learns that rights were withdrawn). The password is checked even
/// for a name nobody has, so timing does not tell which accounts exist. Throttling is the
/// caller's (`http::api::sign_in_throttle`).
pub async fn check_sign_in(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<PersonRow, AccountError> {
    let name = rules::normalise_username(username);
    let found = state.store.person_by_local_username(&name).await?;
    let ok = passwords::verify(
        &state.crypto,
        password,
        found.as_ref().and_then(|p| p.password_hash.as_deref()),
    )
    .await;
    match found {
        Some(p) if ok && p.login_allowed => Ok(p),
        Some(_) if ok => Err(AccountError::NoLoginRights),
        _ => Err(AccountError::BadCredentials),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(username: &str, first: &str, roles: &[&str]) -> NewAccount {
        NewAccount {
            username: username.into(),
            firstname: first.into(),
            lastname: " Skinner ".into(),
            email: Some("  ".into()),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    #[test]
    fn new_accounts_follow_the_rules() {
        let ok = validate(&account(" Seymour ", " Seymour", &["Teacher", "admin"])).unwrap();
        assert_eq!(ok.username, "seymour");
        assert_eq!(
            (ok.firstname.as_str(), ok.lastname.as_str()),
            ("Seymour", "Skinner")
        );
        assert_eq!(ok.email, None, "a blank e-mail is none");
        assert_eq!(ok.roles.names(), ["admin", "teacher"]);
        assert!(matches!(
            validate(&account("o'brien", "Pat", &[])),
            Err(AccountError::BadUsername)
        ));
        assert!(matches!(
            validate(&account("pat", "  ", &[])),
            Err(AccountError::MissingName)
        ));
        let wizard = validate(&account("pat", "Pat", &["wizard"])).unwrap_err();
        assert!(matches!(wizard, AccountError::UnknownRole(_)));
        assert!(
            wizard
                .to_string()
                .contains("admin, counsellor, teacher or student")
        );
        assert!(AccountError::BadUsername.to_string().contains("Moodle"));
    }

    #[test]
    fn only_a_console_person_is_kept_from_locking_themself_out() {
        assert!(Actor::Person(3).is(3));
        assert!(!Actor::Person(3).is(4));
        assert!(!Actor::Operator.is(3));
    }
}
