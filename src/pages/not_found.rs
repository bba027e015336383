//! The router's fallback.

use leptos::prelude::*;

use crate::i18n::strings;
use crate::ui::Page;

/// No console page lives at this address.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let s = strings();
    view! {
        <Page testid="not-found" heading_id="not-found-heading" heading=s.not_found_heading>
            <p>{s.not_found_text}</p>
            <p>
                <a href="/">{s.nav_home}</a>
            </p>
        </Page>
    }
}
