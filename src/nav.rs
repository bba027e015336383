//! The navigation: the pages of `pages::PAGES` that have a menu entry, in table order, filtered
//! by what the signed-in person's roles allow. The sidebar and the home page show these.

use crate::pages::{PAGES, Page};
use schoolbridge_api::roles::RoleSet;

/// The menu entries `roles` may use, in menu order.
pub fn visible(roles: &RoleSet) -> Vec<&'static Page> {
    PAGES
        .iter()
        .filter(|page| page.menu.is_some() && page.need.allows(roles))
        .collect()
}

/// Whether the entry at `entry_path` is the current page (its path, or a page below it).
pub fn is_current(entry_path: &str, current_path: &str) -> bool {
    current_path == entry_path
        || (entry_path != "/"
            && current_path
                .strip_prefix(entry_path)
                .is_some_and(|rest| rest.starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(roles: &[&str]) -> Vec<&'static str> {
        visible(&RoleSet::from_names(roles))
            .iter()
            .map(|p| p.path)
            .collect()
    }

    #[test]
    fn each_role_sees_its_own_places() {
        assert_eq!(
            paths(&["admin"]),
            [
                "/",
                "/peers",
                "/test-client",
                "/site-key",
                "/people",
                "/activity",
                "/sis/sections",
                "/sis/students",
                "/sis/records",
                "/sis/settings"
            ]
        );
        assert_eq!(
            paths(&["counsellor"]),
            [
                "/",
                "/people",
                "/sis/sections",
                "/sis/students",
                "/sis/records",
                "/sis/settings"
            ]
        );
        assert_eq!(paths(&["teacher"]), ["/", "/sis/sections"]);
        assert_eq!(paths(&["student"]), ["/", "/sis/me"]);
        assert_eq!(paths(&[]), ["/"]);
        for page in visible(&RoleSet::from_names(&["admin", "student"])) {
            assert!(page.menu.is_some_and(|t| t.starts_with("nav-")));
            assert!(!(page.title)().is_empty());
        }
    }

    #[test]
    fn sub_pages_keep_their_entry_current() {
        assert!(is_current("/peers", "/peers"));
        assert!(is_current("/peers", "/peers/3"));
        assert!(!is_current("/peers", "/peersx"));
        assert!(!is_current("/", "/peers"));
        assert!(is_current("/", "/"));
    }
}
