//! The navigation: every area lists its entries as data (`pages::admin::NAV`, and the SIS pages'
//! `pages::sis::NAV`), and the shell shows the ones the signed-in person's roles allow. Adding an
//! area is one line in [`AREAS`].

use crate::model::roles::{Need, Roles};

/// One link in the navigation.
#[derive(Debug, Clone, Copy)]
pub struct NavEntry {
    /// The console route it opens.
    pub path: &'static str,
    /// Its label (a function into the area's strings, so a translation applies).
    pub label: fn() -> &'static str,
    /// `data-testid` of the link, `nav-…`.
    pub testid: &'static str,
    /// Who sees it.
    pub need: Need,
}

/// Every area's entries, in menu order.
const AREAS: &[&[NavEntry]] = &[crate::pages::admin::NAV, crate::pages::sis::NAV];

/// The entries `roles` may use, in menu order.
pub fn visible(roles: &Roles) -> Vec<NavEntry> {
    visible_in(AREAS, roles)
}

fn visible_in(areas: &[&[NavEntry]], roles: &Roles) -> Vec<NavEntry> {
    areas
        .iter()
        .flat_map(|entries| entries.iter())
        .filter(|entry| entry.need.allows(roles))
        .copied()
        .collect()
}

/// Whether `entry` is the current page (its path, or a page below it).
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

    #[test]
    fn admins_see_network_administration_and_counsellors_see_people() {
        let admin = visible(&Roles::from_names(&["admin"]));
        let paths: Vec<&str> = admin.iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "/peers",
                "/test-client",
                "/site-key",
                "/people",
                "/activity",
                "/sis/sections",
                "/sis/students",
                "/sis/records"
            ]
        );
        let counsellor = visible(&Roles::from_names(&["counsellor"]));
        let paths: Vec<&str> = counsellor.iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            ["/people", "/sis/sections", "/sis/students", "/sis/records"]
        );
        let teacher = visible(&Roles::from_names(&["teacher"]));
        let paths: Vec<&str> = teacher.iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/sis/sections"]);
        let student = visible(&Roles::from_names(&["student"]));
        let paths: Vec<&str> = student.iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/sis/me"]);
        assert!(visible(&Roles::default()).is_empty());
        for entry in admin {
            assert!(entry.testid.starts_with("nav-"));
            assert!(!(entry.label)().is_empty());
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
