//! The People page's decisions: the search as a query string, the selection for bulk changes,
//! and role editing.

use schoolbridge_api::roles::{Role, RoleSet};
use schoolbridge_api::{LoginRightsRequest, PersonSummary};

use super::query::Query;

/// How many people one page shows.
pub const PAGE_SIZE: i64 = 50;

/// The search and filters (`GET /api/people`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleFilter {
    /// Text in names, usernames, idnumbers, e-mail.
    pub text: String,
    /// Only people from this peer.
    pub peer: Option<i64>,
    /// Only people holding this role.
    pub role: Option<String>,
    /// Only people with (or without) login rights.
    pub login: Option<bool>,
    /// Where the page starts.
    pub offset: i64,
}

impl PeopleFilter {
    /// The query string for `/api/people`.
    pub fn query(&self) -> String {
        Query::new()
            .text("q", &self.text)
            .opt("peer", self.peer)
            .opt("role", self.role.as_deref().filter(|r| !r.is_empty()))
            .opt("login", self.login)
            .opt("limit", Some(PAGE_SIZE))
            .opt("offset", (self.offset > 0).then_some(self.offset))
            .finish()
    }

    /// The next page, when this one was full.
    pub fn next_page(&self, shown: usize) -> Option<Self> {
        (shown as i64 >= PAGE_SIZE).then(|| PeopleFilter {
            offset: self.offset + PAGE_SIZE,
            ..self.clone()
        })
    }

    /// The previous page, unless this is the first.
    pub fn previous_page(&self) -> Option<Self> {
        (self.offset > 0).then(|| PeopleFilter {
            offset: (self.offset - PAGE_SIZE).max(0),
            ..self.clone()
        })
    }
}

/// Grant or withdraw login rights for the people ticked.
pub fn for_selection(ids: &[i64], allowed: bool) -> LoginRightsRequest {
    let mut person_ids = ids.to_vec();
    person_ids.sort_unstable();
    person_ids.dedup();
    LoginRightsRequest {
        person_ids,
        peer_id: None,
        role: None,
        allowed,
    }
}

/// Grant or withdraw login rights for everyone from a peer (optionally holding a role).
pub fn for_peer(peer_id: i64, role: Option<&str>, allowed: bool) -> LoginRightsRequest {
    LoginRightsRequest {
        person_ids: Vec::new(),
        peer_id: Some(peer_id),
        role: role.filter(|r| !r.is_empty()).map(str::to_owned),
        allowed,
    }
}

/// Ticks or unticks `id` in a selection.
pub fn toggle(selection: &mut Vec<i64>, id: i64, on: bool) {
    selection.retain(|other| *other != id);
    if on {
        selection.push(id);
    }
}

/// Ticks or unticks `role` in a role list, keeping the roles' own order (`Role::ALL`); an
/// unknown name changes nothing.
pub fn with_role(roles: &[String], role: &str, on: bool) -> Vec<String> {
    let set = RoleSet::from_names(roles);
    match Role::from_name(role) {
        Some(role) => set.with(role, on),
        None => set,
    }
    .names()
}

/// "Jane Doe".
pub fn full_name(person: &PersonSummary) -> String {
    schoolbridge_api::full_name(&person.firstname, &person.lastname)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_a_query() {
        let filter = PeopleFilter {
            text: "Doe".into(),
            peer: Some(2),
            role: Some(String::new()),
            login: Some(false),
            offset: 0,
        };
        assert_eq!(filter.query(), "?q=Doe&peer=2&login=false&limit=50");
        let next = filter.next_page(50).unwrap();
        assert_eq!(next.offset, 50);
        assert!(next.query().ends_with("&offset=50"));
        assert_eq!(filter.next_page(12), None);
        assert_eq!(next.previous_page().unwrap().offset, 0);
        assert_eq!(filter.previous_page(), None);
    }

    #[test]
    fn bulk_requests() {
        let r = for_selection(&[3, 1, 3], true);
        assert_eq!(r.person_ids, vec![1, 3]);
        assert_eq!(r.peer_id, None);
        let r = for_peer(4, Some("student"), false);
        assert_eq!(
            (r.peer_id, r.role.as_deref(), r.allowed),
            (Some(4), Some("student"), false)
        );
        assert_eq!(for_peer(4, Some(""), true).role, None);
        let mut selection = vec![1, 2];
        toggle(&mut selection, 2, false);
        toggle(&mut selection, 5, true);
        toggle(&mut selection, 5, true);
        assert_eq!(selection, vec![1, 5]);
    }

    #[test]
    fn roles_keep_their_order() {
        let roles = vec!["teacher".to_owned()];
        assert_eq!(with_role(&roles, "admin", true), ["admin", "teacher"]);
        assert_eq!(with_role(&roles, "teacher", false), Vec::<String>::new());
        assert_eq!(with_role(&roles, "bogus", true), ["teacher"]);
    }
}
