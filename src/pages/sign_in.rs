//! `/signin?next=…`: a local account's name and password. `next` is sanitised (local paths
//! only, `model::next_path`); a server page such as `/auth/mnet/jump.php?…` is then loaded in
//! full, a console page is routed to.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api;
use crate::i18n::strings;
use crate::model::forms::{self, Field, Problems};
use crate::model::next_path::{self, Destination};
use crate::session::use_session;
use crate::ui::{self, ErrorSlot, Notice, Page, SubmitButton, TextField, Tone};

/// `/signin`.
#[component]
pub fn SignInPage() -> impl IntoView {
    let s = strings();
    let session = use_session();
    let query = use_query_map();
    let next = Memo::new(move |_| next_path::sanitise(query.with(|q| q.get("next")).as_deref()));
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::default());
    let action = ui::Action::new();
    let setup = ui::load(api::session::setup_status);
    let navigate = use_navigate();

    let problem = move |field: Field| ui::field_problem(problems, field);

    // A failed attempt empties the password field (the error says why).
    Effect::new(move |_| {
        if action.failure.with(Option::is_some) {
            password.set(String::new());
        }
    });

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        if action.busy.get_untracked() {
            return;
        }
        let Some(request) = ui::checked(
            problems,
            forms::sign_in(&username.get_untracked(), &password.get_untracked()),
        ) else {
            return;
        };
        let navigate = navigate.clone();
        action.run(api::session::sign_in(request), move |info| {
            session.signed_in(info);
            match next_path::destination(&next.get_untracked()) {
                Destination::Console(path) => navigate(
                    &path,
                    NavigateOptions {
                        replace: true,
                        ..NavigateOptions::default()
                    },
                ),
                Destination::ServerPage(path) => ui::load_page(&path),
            }
        });
    };

    // The console benchmark measures navigation start → this mark (BENCHMARKS.md §4).
    Effect::new(move |_| ui::mark("schoolbridge:signin-interactive"));

    view! {
        <Page testid="sign-in" heading_id="sign-in-heading" heading=s.sign_in_heading class="page page--narrow">
            {move || {
                setup
                    .get()
                    .and_then(Result::ok)
                    .filter(|status| status.needs_admin)
                    .map(|_| {
                        view! {
                            <Notice tone=Tone::Info testid="needs-admin">
                                <p>{s.sign_in_needs_admin}</p>
                            </Notice>
                        }
                    })
            }}
            {move || {
                (next.get() != next_path::HOME)
                    .then(|| view! { <p class="lead" data-testid="sign-in-next">{s.sign_in_to_continue}</p> })
            }}
            <form class="form" on:submit=submit novalidate=true data-testid="sign-in-form">
                <TextField
                    id="username"
                    label=s.field_username
                    value=username
                    testid="sign-in-username"
                    autocomplete="username"
                    required=true
                    problem=problem(Field::Username)
                />
                <TextField
                    id="password"
                    label=s.field_password
                    value=password
                    testid="sign-in-password"
                    kind="password"
                    autocomplete="current-password"
                    required=true
                    problem=problem(Field::Password)
                />
                <ErrorSlot error=action.failure testid="sign-in-error" />
                <SubmitButton testid="sign-in-submit" primary=true busy=action.busy>
                    {move || if action.is_busy() { s.signing_in } else { s.sign_in }}
                </SubmitButton>
            </form>
            <p class="hint">{s.sign_in_sso_hint}</p>
        </Page>
    }
}
