//! The console's pages, one per file, and [`PAGES`]: the one table of pages (path, title, who may
//! see it, whether it is in the navigation, and what it shows). The shell routes by it, the
//! navigation and the home page list its menu entries, the role check wraps every page that is
//! not public, and the browser tab shows its title — so a new page is one file and one line
//! here. How to write a page: `docs/console.md`.

pub mod admin;
mod home;
mod not_found;
mod setup;
mod sign_in;
mod signed_out;
pub mod sis;

use leptos::prelude::*;

use crate::i18n::{self, strings};
use crate::model::roles::Need;
use crate::model::route::{self, Captured};
use schoolbridge_api::roles::Right;

pub use not_found::NotFoundPage;

/// One page of the console.
pub struct Page {
    /// Its path; `:id` stands for a record's id (`model::route`). More specific paths come
    /// first: `/peers/new` before `/peers/:id`.
    pub path: &'static str,
    /// Its title (the browser tab, and the navigation's words for it).
    pub title: fn() -> &'static str,
    /// Who may open it.
    pub need: Need,
    /// Its `data-testid` in the navigation, when it is listed there (in table order).
    pub menu: Option<&'static str>,
    /// What it shows.
    pub view: PageView,
}

/// How a page is drawn: without or with the record id from its path.
#[derive(Clone, Copy)]
pub enum PageView {
    /// A page without a parameter.
    Plain(fn() -> AnyView),
    /// A page about one record (`:id`).
    Record(fn(i64) -> AnyView),
}

impl PageView {
    /// The page's view for what its path captured.
    pub fn render(self, captured: Captured) -> AnyView {
        match (self, captured.id) {
            (PageView::Plain(view), _) => view(),
            (PageView::Record(view), Some(id)) => view(id),
            // A record page's pattern always captures an id; this is only the type's other case.
            (PageView::Record(_), None) => view! { <NotFoundPage /> }.into_any(),
        }
    }
}

/// Every page, in navigation order.
pub const PAGES: &[Page] = &[
    Page {
        path: "/",
        title: || strings().nav_home,
        need: Need::SignedIn,
        menu: Some("nav-home"),
        view: PageView::Plain(|| view! { <home::HomePage /> }.into_any()),
    },
    Page {
        path: "/signin",
        title: || strings().sign_in_heading,
        need: Need::Public,
        menu: None,
        view: PageView::Plain(|| view! { <sign_in::SignInPage /> }.into_any()),
    },
    Page {
        path: "/setup",
        title: || strings().setup_heading,
        need: Need::Public,
        menu: None,
        view: PageView::Plain(|| view! { <setup::SetupPage /> }.into_any()),
    },
    Page {
        path: "/signed-out",
        title: || strings().signed_out_heading,
        need: Need::Public,
        menu: None,
        view: PageView::Plain(|| view! { <signed_out::SignedOutPage /> }.into_any()),
    },
    Page {
        path: "/peers",
        title: || i18n::admin().nav_peers,
        need: Need::May(Right::ManageNetwork),
        menu: Some("nav-peers"),
        view: PageView::Plain(|| view! { <admin::peers::PeersPage /> }.into_any()),
    },
    Page {
        path: "/peers/new",
        title: || i18n::admin().add_peer_heading,
        need: Need::May(Right::ManageNetwork),
        menu: None,
        view: PageView::Plain(|| view! { <admin::add_peer::AddPeerPage /> }.into_any()),
    },
    Page {
        path: "/peers/:id",
        title: || i18n::admin().title_peer,
        need: Need::May(Right::ManageNetwork),
        menu: None,
        view: PageView::Record(|id| view! { <admin::peer::PeerPage id /> }.into_any()),
    },
    Page {
        path: "/test-client",
        title: || i18n::admin().nav_test_client,
        need: Need::May(Right::ManageNetwork),
        menu: Some("nav-test-client"),
        view: PageView::Plain(|| view! { <admin::test_client::TestClientPage /> }.into_any()),
    },
    Page {
        path: "/site-key",
        title: || i18n::admin().nav_site_key,
        need: Need::May(Right::ManageNetwork),
        menu: Some("nav-site-key"),
        view: PageView::Plain(|| view! { <admin::site_key::SiteKeyPage /> }.into_any()),
    },
    Page {
        path: "/people",
        title: || i18n::admin().nav_people,
        need: Need::May(Right::ReadPeople),
        menu: Some("nav-people"),
        view: PageView::Plain(|| view! { <admin::people::PeoplePage /> }.into_any()),
    },
    Page {
        path: "/activity",
        title: || i18n::admin().nav_activity,
        need: Need::May(Right::ManageNetwork),
        menu: Some("nav-activity"),
        view: PageView::Plain(|| view! { <admin::activity::ActivityPage /> }.into_any()),
    },
    Page {
        path: "/activity/:id",
        title: || i18n::admin().title_activity_entry,
        need: Need::May(Right::ManageNetwork),
        menu: None,
        view: PageView::Record(|id| view! { <admin::activity_entry::EntryPage id /> }.into_any()),
    },
    Page {
        path: "/sis/sections",
        title: || i18n::sis().nav_sections,
        need: Need::May(Right::ReadSections),
        menu: Some("nav-sections"),
        view: PageView::Plain(|| view! { <sis::sections::SectionsPage /> }.into_any()),
    },
    Page {
        path: "/sis/sections/:id",
        title: || i18n::sis().title_section,
        need: Need::May(Right::ReadSections),
        menu: None,
        view: PageView::Record(|id| view! { <sis::section::SectionPage id /> }.into_any()),
    },
    Page {
        path: "/sis/sections/:id/progress",
        title: || i18n::school().section_progress_heading,
        need: Need::May(Right::ReadSections),
        menu: None,
        view: PageView::Record(|id| {
            view! { <sis::section_progress::SectionProgressPage id /> }.into_any()
        }),
    },
    Page {
        path: "/sis/sections/:id/gradebook",
        title: || i18n::sis().gradebook_heading,
        need: Need::May(Right::ReadSections),
        menu: None,
        view: PageView::Record(|id| view! { <sis::gradebook::GradebookPage id /> }.into_any()),
    },
    Page {
        path: "/sis/students",
        title: || i18n::sis().nav_students,
        need: Need::May(Right::ReadAllStudents),
        menu: Some("nav-students"),
        view: PageView::Plain(|| view! { <sis::students::StudentsPage /> }.into_any()),
    },
    // A student's own records are open to them too; the server decides whose they may read.
    Page {
        path: "/sis/students/:id",
        title: || i18n::sis().title_student,
        need: Need::SignedIn,
        menu: None,
        view: PageView::Record(|id| view! { <sis::student::StudentPage id /> }.into_any()),
    },
    Page {
        path: "/sis/students/:id/progress",
        title: || i18n::sis().progress_heading,
        need: Need::SignedIn,
        menu: None,
        view: PageView::Record(|id| view! { <sis::progress::ProgressPage id /> }.into_any()),
    },
    Page {
        path: "/sis/students/:id/transcript",
        title: || i18n::sis().transcript_heading,
        need: Need::SignedIn,
        menu: None,
        view: PageView::Record(|id| view! { <sis::transcript::TranscriptPage id /> }.into_any()),
    },
    Page {
        path: "/sis/records",
        title: || i18n::sis().nav_records,
        need: Need::May(Right::ManageRecords),
        menu: Some("nav-records"),
        view: PageView::Plain(|| view! { <sis::records::RecordsPage /> }.into_any()),
    },
    Page {
        path: "/sis/settings",
        title: || i18n::school().nav_settings,
        need: Need::May(Right::ManageRecords),
        menu: Some("nav-school-settings"),
        view: PageView::Plain(|| view! { <sis::settings::SettingsPage /> }.into_any()),
    },
    Page {
        path: "/sis/me",
        title: || i18n::sis().nav_my_records,
        need: Need::May(Right::ReadOwnRecords),
        menu: Some("nav-my-records"),
        view: PageView::Plain(|| view! { <sis::my_records::MyRecordsPage /> }.into_any()),
    },
];

/// The page at `path` (query and fragment ignored) and what its path captured.
pub fn find(path: &str) -> Option<(&'static Page, Captured)> {
    route::find(PAGES.iter().map(|p| p.path), path).map(|(index, c)| (&PAGES[index], c))
}

/// The page whose path pattern is `pattern` (as [`find`] reported it).
pub fn by_pattern(pattern: &str) -> Option<&'static Page> {
    PAGES.iter().find(|page| page.path == pattern)
}

/// Whether anyone may open `path` without signing in.
pub fn is_public(path: &str) -> bool {
    find(path).is_some_and(|(page, _)| page.need == Need::Public)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_own_path_and_a_title() {
        for (i, page) in PAGES.iter().enumerate() {
            assert!(page.path.starts_with('/'), "{}", page.path);
            assert!(!(page.title)().is_empty(), "{}", page.path);
            // The server answers these itself; a console page there would never be reached.
            for server in ["/api/", "/auth/", "/mnet/", "/healthz"] {
                assert!(!page.path.starts_with(server), "{}", page.path);
            }
            // No earlier page shadows this one.
            let example = page.path.replace(":id", "7");
            assert_eq!(
                find(&example).map(|(p, _)| p.path),
                Some(page.path),
                "page {i} is shadowed"
            );
            if let Some(testid) = page.menu {
                assert!(testid.starts_with("nav-"), "{testid}");
            }
        }
    }

    #[test]
    fn pages_are_found_by_path_and_id() {
        let (page, captured) = find("/sis/students/12/progress?date=2026-10-01").unwrap();
        assert_eq!(
            (page.path, captured.id),
            ("/sis/students/:id/progress", Some(12))
        );
        assert_eq!(find("/peers/new").map(|(p, _)| p.path), Some("/peers/new"));
        assert!(find("/peers/abc").is_none());
        assert!(find("/nowhere").is_none());
        let (found, _) = find("/peers/3").unwrap();
        assert_eq!(by_pattern(found.path).map(|p| p.path), Some("/peers/:id"));
        assert!(
            is_public("/signin?next=/peers") && is_public("/setup") && is_public("/signed-out")
        );
        assert!(!is_public("/peers") && !is_public("/") && !is_public("/nowhere"));
    }
}
