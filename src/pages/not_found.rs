//! The router's fallback.

use leptos::prelude::*;

use crate::i18n::strings;

/// No console page lives at this address.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let s = strings();
    view! {
        <section class="page" data-testid="not-found" aria-labelledby="not-found-heading">
            <h1 id="not-found-heading">{s.not_found_heading}</h1>
            <p>{s.not_found_text}</p>
            <p>
                <a href="/">{s.nav_home}</a>
            </p>
        </section>
    }
}
