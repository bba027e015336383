//! The session context: who is signed in, loaded once from `GET /api/session` and shared with
//! every component through Leptos context. Signing in, signing out and any `401` from the API
//! (through [`api::on_signed_out`]) update it; the shell reacts by sending a signed-out person to
//! the sign-in page.

use leptos::prelude::*;
use schoolbridge_api::{PeerLink, SessionInfo};

use crate::api::{self, ApiError};
use crate::model::roles::Need;
use schoolbridge_api::roles::{Right, RoleSet};

/// Where the session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// `GET /api/session` has not answered yet.
    Loading,
    /// Nobody is signed in.
    SignedOut,
    /// Someone is.
    SignedIn(Box<SessionInfo>),
    /// The server could not be asked.
    Unreachable(ApiError),
}

/// What a page may do for the current person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Still asking.
    Loading,
    /// Sign in first.
    SignedOut,
    /// The server could not be asked.
    Unreachable,
    /// Signed in, but the page is not for their roles.
    Forbidden,
    /// Go ahead.
    Granted,
}

impl SessionState {
    /// The roles of whoever is signed in (none when nobody is).
    pub fn roles(&self) -> RoleSet {
        match self {
            SessionState::SignedIn(info) => RoleSet::from_names(&info.roles),
            _ => RoleSet::NONE,
        }
    }

    /// Whether whoever is signed in may do `right` (nobody signed in may do nothing).
    pub fn may(&self, right: Right) -> bool {
        self.roles().may(right)
    }

    /// Whether a page needing `need` may show.
    pub fn access(&self, need: Need) -> Access {
        match self {
            SessionState::Loading => Access::Loading,
            SessionState::SignedOut => Access::SignedOut,
            SessionState::Unreachable(_) => Access::Unreachable,
            SessionState::SignedIn(_) if need.allows(&self.roles()) => Access::Granted,
            SessionState::SignedIn(_) => Access::Forbidden,
        }
    }

    /// The session, when someone is signed in.
    pub fn info(&self) -> Option<&SessionInfo> {
        match self {
            SessionState::SignedIn(info) => Some(info),
            _ => None,
        }
    }
}

/// The shared handle (a `Copy` signal wrapper).
#[derive(Debug, Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
    /// The Moodle a person who signed out had come from (the way back, `pages::signed_out`).
    left_from: RwSignal<Option<PeerLink>>,
}

impl Session {
    /// Creates the context, starts loading the session, and listens for `401`s.
    pub fn provide() -> Self {
        let session = Session {
            state: RwSignal::new(SessionState::Loading),
            left_from: RwSignal::new(None),
        };
        provide_context(session);
        api::on_signed_out(move || session.state.set(SessionState::SignedOut));
        session.reload();
        session
    }

    /// Asks the server again.
    pub fn reload(self) {
        crate::ui::spawn(async move {
            let state = match api::session::current().await {
                Ok(info) => SessionState::SignedIn(Box::new(info)),
                Err(ApiError::SignedOut) => SessionState::SignedOut,
                Err(error) => SessionState::Unreachable(error),
            };
            self.state.set(state);
        });
    }

    /// After a successful sign-in.
    pub fn signed_in(self, info: SessionInfo) {
        self.state.set(SessionState::SignedIn(Box::new(info)));
    }

    /// After signing out; `came_from` is the Moodle a person who arrived by SSO came from.
    pub fn signed_out_from(self, came_from: Option<PeerLink>) {
        self.left_from.set(came_from);
        self.state.set(SessionState::SignedOut);
    }

    /// The Moodle the person who just signed out had come from, if any.
    pub fn left_from(self) -> Option<PeerLink> {
        self.left_from.get()
    }

    /// Reads the state without cloning it.
    pub fn with<R>(self, f: impl FnOnce(&SessionState) -> R) -> R {
        self.state.with(f)
    }

    /// What a page needing `need` may do, tracked.
    pub fn access(self, need: Need) -> Access {
        self.state.with(|state| state.access(need))
    }
}

/// The session from context (provided by `App`).
pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(Session::provide)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::PersonSummary;

    fn info(roles: &[&str]) -> SessionState {
        SessionState::SignedIn(Box::new(SessionInfo {
            person: PersonSummary {
                id: 1,
                firstname: "Seymour".into(),
                lastname: "Skinner".into(),
                email: None,
                idnumber: None,
                username: Some("skinner".into()),
                peer: None,
                login_allowed: true,
                roles: vec![],
                roles_from_enrolments: vec![],
            },
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            csrf_token: "t".into(),
            site_name: "Springfield".into(),
            arrived_from: None,
            network_servers: vec![],
        }))
    }

    #[test]
    fn access_follows_the_session_and_the_roles() {
        assert_eq!(
            SessionState::Loading.access(Need::May(Right::ManageNetwork)),
            Access::Loading
        );
        assert_eq!(
            SessionState::SignedOut.access(Need::SignedIn),
            Access::SignedOut
        );
        assert_eq!(
            SessionState::Unreachable(ApiError::Network("down".into())).access(Need::SignedIn),
            Access::Unreachable
        );
        assert_eq!(
            info(&["admin"]).access(Need::May(Right::ManageNetwork)),
            Access::Granted
        );
        assert_eq!(
            info(&["counsellor"]).access(Need::May(Right::ManageNetwork)),
            Access::Forbidden
        );
        assert_eq!(
            info(&["counsellor"]).access(Need::May(Right::ReadAllStudents)),
            Access::Granted
        );
        assert_eq!(info(&[]).access(Need::SignedIn), Access::Granted);
    }
}
