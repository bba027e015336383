//! `/sis/me`: the signed-in student's own records (their student page).

use leptos::prelude::*;

use super::student::StudentView;
use crate::session::use_session;

/// `/sis/me`.
#[component]
pub fn MyRecordsPage() -> impl IntoView {
    let me = use_session().with(|s| s.info().map(|i| i.person.id));
    me.map(|id| view! { <StudentView id /> })
}
