//! `fetch_user` (`docs/product.md` §2, §3; `docs/schooltool-sis.md` "fetch_user"): what a
//! person sent by a peer does to the shared `people` table. A person is found by (peer,
//! idnumber); one who arrived earlier by SSO — (peer, username) with no idnumber — is
//! completed, not duplicated; a username that changes in Moodle follows the idnumber, and
//! whoever held it before keeps their record without a username (Moodle's newer word wins).
//! A change older than the person's watermark is `stale` ([`super::ordering`]).

use super::ordering::is_late;

/// A `fetch_user` as the contract reads it (`mnet::sis`, bounds checked; `email` `None`:
/// absent or empty, keep what is stored).
pub use mnet::sis::FetchUser as PersonUpsert;

/// A peer's person as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPerson {
    /// `people.id`.
    pub id: i64,
    /// The shared id (`None`: arrived by SSO, not sent yet).
    pub idnumber: Option<String>,
    /// The Moodle username (`None`: given up to someone else).
    pub username: Option<String>,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail.
    pub email: Option<String>,
    /// The newest `timemodified` applied.
    pub source_timemodified: Option<i64>,
}

/// A username taken away from the person who held it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsernameMove {
    /// The person who loses it.
    pub from_id: i64,
    /// The audit note.
    pub note: String,
}

/// What `fetch_user` does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchUser {
    /// Older than the person's newest change: nothing (`stale`).
    Stale,
    /// The same person as stored (`unchanged`); the watermark moves when `watermark` says.
    Unchanged {
        /// The person.
        id: i64,
        /// Whether to move the watermark to the change's time.
        watermark: bool,
    },
    /// Update the person known by idnumber (`updated`), after the username move, if any.
    Update {
        /// The person.
        id: i64,
        /// The e-mail to store (the sent one, or the stored one).
        email: Option<String>,
        /// The username taken from its holder first.
        moved: Option<UsernameMove>,
    },
    /// Complete the person who arrived by SSO with this username (`updated`): their details
    /// and the idnumber.
    Complete {
        /// The person.
        id: i64,
        /// The e-mail to store.
        email: Option<String>,
        /// The audit note.
        note: String,
    },
    /// Create the person (`created`), after the username move, if any.
    Create {
        /// The username taken from its holder first.
        moved: Option<UsernameMove>,
    },
}

impl FetchUser {
    /// Whether the decision needs the person who holds `p.username` (read only then): a new
    /// person, or one whose username changes.
    pub fn asks_username_holder(&self, p: &PersonUpsert, found: Option<&KnownPerson>) -> bool {
        match self {
            FetchUser::Create { .. } => true,
            FetchUser::Update { .. } => {
                found.is_some_and(|f| f.username.as_deref() != Some(p.username.as_str()))
            }
            _ => false,
        }
    }
}

/// What `fetch_user` at `at` does, given the person `found` by idnumber and the person `holder`
/// who holds the sent username (pass `None` until [`FetchUser::asks_username_holder`] says it
/// is needed, then decide again with it).
pub fn fetch_user(
    p: &PersonUpsert,
    at: i64,
    found: Option<&KnownPerson>,
    holder: Option<&KnownPerson>,
) -> FetchUser {
    let moved = |holder: &KnownPerson| UsernameMove {
        from_id: holder.id,
        note: format!(
            "username {:?} moved from person #{} ({}) to {:?}",
            holder.username.as_deref().unwrap_or_default(),
            holder.id,
            holder.idnumber.as_deref().unwrap_or("no idnumber"),
            p.idnumber
        ),
    };
    let Some(person) = found else {
        return match holder {
            Some(h) if h.idnumber.is_none() => FetchUser::Complete {
                id: h.id,
                email: p.email.clone().or_else(|| h.email.clone()),
                note: format!(
                    "completed person #{} (arrived by SSO as {:?})",
                    h.id, p.username
                ),
            },
            // Someone else (another idnumber) holds the username: Moodle's newer word wins.
            _ => FetchUser::Create {
                moved: holder.map(moved),
            },
        };
    };
    if is_late(at, person.source_timemodified) {
        return FetchUser::Stale;
    }
    let email = p.email.clone().or_else(|| person.email.clone());
    let same_username = person.username.as_deref() == Some(p.username.as_str());
    if same_username
        && person.firstname == p.firstname
        && person.lastname == p.lastname
        && person.email == email
    {
        return FetchUser::Unchanged {
            id: person.id,
            watermark: person.source_timemodified.is_none_or(|s| s < at),
        };
    }
    FetchUser::Update {
        id: person.id,
        email,
        moved: holder
            .filter(|h| !same_username && h.id != person.id)
            .map(moved),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent() -> PersonUpsert {
        PersonUpsert {
            idnumber: "u1".into(),
            username: "ada".into(),
            firstname: "Ada".into(),
            lastname: "Lovelace".into(),
            email: None,
        }
    }

    fn stored(id: i64, idnumber: Option<&str>, username: &str) -> KnownPerson {
        KnownPerson {
            id,
            idnumber: idnumber.map(str::to_owned),
            username: Some(username.to_owned()),
            firstname: "Ada".into(),
            lastname: "Lovelace".into(),
            email: Some("ada@example.org".into()),
            source_timemodified: Some(100),
        }
    }

    #[test]
    fn a_known_person_is_stale_unchanged_or_updated_by_time_and_values() {
        let me = stored(1, Some("u1"), "ada");
        assert_eq!(fetch_user(&sent(), 99, Some(&me), None), FetchUser::Stale);
        assert_eq!(
            fetch_user(&sent(), 100, Some(&me), None),
            FetchUser::Unchanged {
                id: 1,
                watermark: false
            }
        );
        assert_eq!(
            fetch_user(&sent(), 101, Some(&me), None),
            FetchUser::Unchanged {
                id: 1,
                watermark: true
            }
        );
        let renamed = PersonUpsert {
            lastname: "King".into(),
            email: Some("ada@king.org".into()),
            ..sent()
        };
        let update = fetch_user(&renamed, 101, Some(&me), None);
        assert_eq!(
            update,
            FetchUser::Update {
                id: 1,
                email: Some("ada@king.org".into()),
                moved: None
            }
        );
        assert!(!update.asks_username_holder(&renamed, Some(&me)));
    }

    #[test]
    fn a_new_username_is_taken_from_whoever_held_it() {
        let me = stored(1, Some("u1"), "ada.old");
        let first = fetch_user(&sent(), 101, Some(&me), None);
        assert!(first.asks_username_holder(&sent(), Some(&me)));
        let holder = stored(2, Some("u2"), "ada");
        assert_eq!(
            fetch_user(&sent(), 101, Some(&me), Some(&holder)),
            FetchUser::Update {
                id: 1,
                email: Some("ada@example.org".into()),
                moved: Some(UsernameMove {
                    from_id: 2,
                    note: r#"username "ada" moved from person #2 (u2) to "u1""#.into()
                })
            }
        );
    }

    #[test]
    fn a_person_from_sso_is_completed_and_anyone_else_gives_up_the_username() {
        let none = fetch_user(&sent(), 5, None, None);
        assert_eq!(none, FetchUser::Create { moved: None });
        assert!(none.asks_username_holder(&sent(), None));
        let from_sso = stored(3, None, "ada");
        assert_eq!(
            fetch_user(&sent(), 5, None, Some(&from_sso)),
            FetchUser::Complete {
                id: 3,
                email: Some("ada@example.org".into()),
                note: r#"completed person #3 (arrived by SSO as "ada")"#.into()
            }
        );
        let other = stored(4, Some("u9"), "ada");
        assert_eq!(
            fetch_user(&sent(), 5, None, Some(&other)),
            FetchUser::Create {
                moved: Some(UsernameMove {
                    from_id: 4,
                    note: r#"username "ada" moved from person #4 (u9) to "u1""#.into()
                })
            }
        );
    }
}
