//! Decisions about peers: how healthy one looks, what the services table shows and sends back,
//! whether an address typed into "Add peer" is worth sending to the server, and peers as a
//! list's choices.

use schoolbridge_api::{PeerSummary, ServiceSwitch};

/// The services SchoolBridge speaks, in the order the peer page lists them.
pub const KNOWN_SERVICES: &[&str] = &[
    mnet::services::SCHOOLTOOL_SIS,
    mnet::services::SSO_IDP,
    mnet::services::SSO_SP,
];

/// Peers as the choices of a drop-down list: (id, name).
pub fn peer_choices(peers: Vec<PeerSummary>) -> Vec<(String, String)> {
    peers
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect()
}

/// A peer's state in one word, for the list's "Health" column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Soft-deleted: no traffic either way.
    Deleted,
    /// The last exchange failed (newer than the last success).
    Failing {
        /// The server's plain-words reason.
        error: String,
        /// When, Unix seconds.
        at: Option<i64>,
    },
    /// The last exchange worked.
    Healthy {
        /// When, Unix seconds.
        at: i64,
    },
    /// No exchange yet.
    NeverContacted,
}

impl Health {
    /// Reads a peer summary.
    pub fn of(peer: &PeerSummary) -> Self {
        if peer.deleted {
            return Health::Deleted;
        }
        // Times are whole seconds; within the same second the success wins, since an
        // administrator retries after a failure, not the other way round.
        let failed_after_success = match (peer.last_error_at, peer.last_contact_at) {
            (Some(failed), Some(worked)) => failed > worked,
            (_, None) => true,
            (None, Some(_)) => false,
        };
        match (&peer.last_error, peer.last_contact_at) {
            (Some(error), _) if failed_after_success => Health::Failing {
                error: error.clone(),
                at: peer.last_error_at,
            },
            (_, Some(at)) => Health::Healthy { at },
            (_, None) => Health::NeverContacted,
        }
    }

    /// Whether to draw attention to it.
    pub fn warns(&self) -> bool {
        matches!(self, Health::Failing { .. } | Health::Deleted)
    }

    /// A stable one-word code (`data-health` for tests and styles).
    pub fn code(&self) -> &'static str {
        match self {
            Health::Deleted => "deleted",
            Health::Failing { .. } => "failing",
            Health::Healthy { .. } => "ok",
            Health::NeverContacted => "never",
        }
    }
}

/// Which side of a service switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// We serve it to the peer.
    Publish,
    /// We call it on the peer.
    Subscribe,
}

/// The switches in display order: known services first (present or not), then any others.
pub fn service_rows(current: &[ServiceSwitch]) -> Vec<ServiceSwitch> {
    let mut rows: Vec<ServiceSwitch> = KNOWN_SERVICES
        .iter()
        .map(|name| {
            current
                .iter()
                .find(|s| s.service == *name)
                .cloned()
                .unwrap_or(ServiceSwitch {
                    service: (*name).to_owned(),
                    publish: false,
                    subscribe: false,
                })
        })
        .collect();
    rows.extend(
        current
            .iter()
            .filter(|s| !KNOWN_SERVICES.contains(&s.service.as_str()))
            .cloned(),
    );
    rows
}

/// The whole list to `PUT …/services` after flipping one switch.
pub fn with_switch(
    current: &[ServiceSwitch],
    service: &str,
    side: Side,
    on: bool,
) -> Vec<ServiceSwitch> {
    service_rows(current)
        .into_iter()
        .map(|mut row| {
            if row.service == service {
                match side {
                    Side::Publish => row.publish = on,
                    Side::Subscribe => row.subscribe = on,
                }
            }
            row
        })
        .collect()
}

/// Why an address cannot be a peer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressProblem {
    /// Nothing typed.
    Empty,
    /// No `http://` or `https://`.
    NoScheme,
    /// Spaces or other characters no URL has.
    BadCharacters,
    /// No host after the scheme.
    NoHost,
}

/// Checks a peer address before asking the server (which normalises and checks it again).
pub fn check_address(text: &str) -> Result<String, AddressProblem> {
    let url = text.trim();
    if url.is_empty() {
        return Err(AddressProblem::Empty);
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or(AddressProblem::NoScheme)?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AddressProblem::BadCharacters);
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(AddressProblem::NoHost);
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> PeerSummary {
        PeerSummary {
            id: 1,
            name: "Springfield".into(),
            wwwroot: "https://moodle.example".into(),
            application: "moodle".into(),
            fingerprint: "AB".into(),
            certificate_expires: 0,
            last_contact_at: None,
            last_error: None,
            last_error_at: None,
            key_change_pending: false,
            deleted: false,
        }
    }

    #[test]
    fn a_peer_is_chosen_by_its_id() {
        assert_eq!(
            peer_choices(vec![peer()]),
            vec![("1".to_owned(), "Springfield".to_owned())]
        );
    }

    #[test]
    fn health_follows_the_latest_exchange() {
        assert_eq!(Health::of(&peer()), Health::NeverContacted);
        let worked = PeerSummary {
            last_contact_at: Some(100),
            ..peer()
        };
        assert_eq!(Health::of(&worked), Health::Healthy { at: 100 });
        let failed_later = PeerSummary {
            last_error: Some("7020".into()),
            last_error_at: Some(200),
            ..worked.clone()
        };
        assert!(matches!(Health::of(&failed_later), Health::Failing { .. }));
        assert!(Health::of(&failed_later).warns());
        let recovered = PeerSummary {
            last_error: Some("old".into()),
            last_error_at: Some(50),
            ..worked
        };
        assert_eq!(Health::of(&recovered), Health::Healthy { at: 100 });
        let same_second = PeerSummary {
            last_error: Some("7020".into()),
            last_error_at: Some(100),
            ..recovered.clone()
        };
        assert_eq!(Health::of(&same_second), Health::Healthy { at: 100 });
        let never_worked = PeerSummary {
            last_error: Some("refused".into()),
            last_error_at: Some(10),
            ..peer()
        };
        assert!(matches!(Health::of(&never_worked), Health::Failing { .. }));
        let gone = PeerSummary {
            deleted: true,
            ..peer()
        };
        assert_eq!(Health::of(&gone), Health::Deleted);
    }

    #[test]
    fn one_switch_changes_and_the_rest_is_kept() {
        let current = vec![
            ServiceSwitch {
                service: "sso_sp".into(),
                publish: true,
                subscribe: true,
            },
            ServiceSwitch {
                service: "pf".into(),
                publish: true,
                subscribe: false,
            },
        ];
        let rows = service_rows(&current);
        let names: Vec<&str> = rows.iter().map(|r| r.service.as_str()).collect();
        assert_eq!(names, ["schooltool_sis", "sso_idp", "sso_sp", "pf"]);
        let changed = with_switch(&current, "sso_sp", Side::Subscribe, false);
        assert_eq!(
            changed[2],
            ServiceSwitch {
                service: "sso_sp".into(),
                publish: true,
                subscribe: false
            }
        );
        assert!(changed[3].publish, "other services are sent back unchanged");
        let added = with_switch(&current, "schooltool_sis", Side::Publish, true);
        assert!(added[0].publish && !added[0].subscribe);
    }

    #[test]
    fn addresses_are_checked_before_asking_the_server() {
        assert_eq!(
            check_address("  https://moodle.example/school/ "),
            Ok("https://moodle.example/school/".into())
        );
        assert_eq!(
            check_address("http://127.0.0.1:8081"),
            Ok("http://127.0.0.1:8081".into())
        );
        assert_eq!(check_address(""), Err(AddressProblem::Empty));
        assert_eq!(
            check_address("moodle.example"),
            Err(AddressProblem::NoScheme)
        );
        assert_eq!(
            check_address("https://moo dle.example"),
            Err(AddressProblem::BadCharacters)
        );
        assert_eq!(check_address("https:///x"), Err(AddressProblem::NoHost));
    }
}
