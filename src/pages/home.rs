//! The home page: a greeting and the places this person's roles open.

use leptos::prelude::*;

use crate::i18n::strings;
use crate::model::roles::Need;
use crate::nav;
use crate::session::{SessionState, use_session};
use crate::ui::Protected;

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Protected need=Need::SignedIn>
            <Welcome />
        </Protected>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let s = strings();
    let session = use_session();
    let firstname = session.with(|state| {
        state
            .info()
            .map(|info| info.person.firstname.clone())
            .unwrap_or_default()
    });
    let entries = nav::visible(&session.with(SessionState::roles));
    let places = if entries.is_empty() {
        view! { <p class="lead" data-testid="home-nothing-yet">{s.home_nothing_yet}</p> }.into_any()
    } else {
        view! {
            <ul class="cards" data-testid="home-places">
                {entries
                    .into_iter()
                    .map(|entry| {
                        view! {
                            <li class="card">
                                <a href=entry.path>{(entry.label)()}</a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="page" data-testid="home" aria-labelledby="home-heading">
            <h1 id="home-heading">{(s.home_heading)(&firstname)}</h1>
            <p class="lead">{s.home_intro}</p>
            {places}
        </section>
    }
}
