//! The SIS pages (issue 7): sections and their rosters, gradebooks with manual items, grades and a
//! spreadsheet upload, enrolment statuses and their history, manual records, and a student's
//! schedule, progress report as of a date and transcript. Routes are [`SisRoutes`]; navigation
//! entries are [`NAV`]. Who sees what: `docs/design/010-sis-console.md`.

mod enrolment;
mod gradebook;
mod records;
mod section;
mod sections;
mod student;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route};
use leptos_router::path;
use schoolbridge_api::sis::{RecordSource, StatusKind};

use crate::api::ApiError;
use crate::i18n::sis;
use crate::model::roles::Need;
use crate::model::sis_markup::Markup;
use crate::nav::NavEntry;
use crate::ui::Protected;

/// The area's navigation entries, in menu order.
pub const NAV: &[NavEntry] = &[
    NavEntry {
        path: "/sis/sections",
        label: || sis().nav_sections,
        testid: "nav-sections",
        need: Need::Teacher,
    },
    NavEntry {
        path: "/sis/students",
        label: || sis().nav_students,
        testid: "nav-students",
        need: Need::StaffReader,
    },
    NavEntry {
        path: "/sis/records",
        label: || sis().nav_records,
        testid: "nav-records",
        need: Need::StaffReader,
    },
    NavEntry {
        path: "/sis/me",
        label: || sis().nav_my_records,
        testid: "nav-my-records",
        need: Need::Student,
    },
];

/// The area's routes; static segments come before parameters.
#[component(transparent)]
pub fn SisRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
        <Route
            path=path!("/sis/sections")
            view=|| view! { <Protected need=Need::Teacher><sections::SectionsPage /></Protected> }
        />
        <Route
            path=path!("/sis/sections/:id")
            view=|| view! { <Protected need=Need::Teacher><section::SectionPage /></Protected> }
        />
        <Route
            path=path!("/sis/sections/:id/gradebook")
            view=|| view! { <Protected need=Need::Teacher><gradebook::GradebookPage /></Protected> }
        />
        <Route
            path=path!("/sis/students")
            view=|| view! { <Protected need=Need::StaffReader><student::StudentsPage /></Protected> }
        />
        <Route
            path=path!("/sis/students/:id")
            view=|| view! { <Protected need=Need::SignedIn><student::StudentPage /></Protected> }
        />
        <Route
            path=path!("/sis/students/:id/progress")
            view=|| view! { <Protected need=Need::SignedIn><student::ProgressPage /></Protected> }
        />
        <Route
            path=path!("/sis/students/:id/transcript")
            view=|| view! { <Protected need=Need::SignedIn><student::TranscriptPage /></Protected> }
        />
        <Route
            path=path!("/sis/me")
            view=|| view! { <Protected need=Need::SignedIn><student::MyRecordsPage /></Protected> }
        />
        <Route
            path=path!("/sis/records")
            view=|| view! { <Protected need=Need::StaffReader><records::RecordsPage /></Protected> }
        />
        </ParentRoute>
    }
    .into_inner()
}

/// "Not found" for a bad id in the address.
fn not_found() -> ApiError {
    ApiError::Refused {
        status: 404,
        code: "not_found".into(),
        message: sis().not_found.into(),
    }
}

/// Read-only markup built with [`Markup`] (tables and reports: `model::sis_markup` says why).
fn markup_view(html: String, testid: &'static str) -> impl IntoView {
    view! { <div class="markup" data-testid=testid inner_html=html></div> }
}

/// Where a record came from, as a badge.
fn source_badge(m: &mut Markup, source: RecordSource) {
    let t = sis();
    match source {
        RecordSource::Moodle => m.badge("info", t.source_moodle),
        RecordSource::Manual => m.badge("good", t.source_manual),
    };
}

/// History tables (status, teacher, grade) share these cells: a date and time that does not
/// wrap, the "arrived late" flag, and the source badge in a cell of its own.
fn date_cell(m: &mut Markup, at_ms: i64) {
    m.el(
        "td",
        &[("class", Some("nowrap"))],
        &crate::model::time::date_time(at_ms),
    );
}

/// " arrived late" after a change that came in after a later one (it did not become current).
fn late_badge(m: &mut Markup, stale: bool) {
    if stale {
        m.text(" ").badge("warn", sis().arrived_late);
    }
}

/// The source badge in its own cell.
fn source_cell(m: &mut Markup, source: RecordSource) {
    m.open("td", &[]);
    source_badge(m, source);
    m.close("td");
}

/// An enrolment status: its label, coloured by what it means (the words say it too).
fn status_badge(m: &mut Markup, kind: StatusKind, label: &str) {
    let tone = match kind {
        StatusKind::Active => "good",
        StatusKind::Withdrawn => "warn",
        StatusKind::Completed => "info",
    };
    m.badge(tone, label);
}

/// The `data-action` and `data-id` of the markup button a click landed on, if any.
fn clicked_action(event: &leptos::ev::MouseEvent) -> Option<(String, i64)> {
    use wasm_bindgen::JsCast as _;
    let button = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-action]")
        .ok()??;
    Some((
        button.get_attribute("data-action")?,
        button.get_attribute("data-id")?.parse().ok()?,
    ))
}

/// The `Loaded` states of a page section, said once.
fn loading_or_error<T>(state: &Option<Result<T, ApiError>>) -> Option<AnyView> {
    use crate::ui::{ErrorNotice, Loading};
    match state {
        None => Some(view! { <Loading /> }.into_any()),
        Some(Err(error)) => Some(view! { <ErrorNotice error=error.clone() /> }.into_any()),
        Some(Ok(_)) => None,
    }
}
