//! `/`: a greeting, the places this person's roles open, and for an administrator of a fresh
//! install what is left to set up (add a Moodle, tick the services on both sides, choose who may
//! sign in), each step ticked off from what the server has stored (`model::first_run`).

use leptos::prelude::*;
use schoolbridge_api::FirstRun;

use crate::api;
use crate::i18n::{admin, strings};
use crate::model::first_run::{Step, anything_left, steps};
use crate::nav;
use crate::session::{SessionState, use_session};
use crate::ui::{self, Page};
use schoolbridge_api::roles::Right;

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let s = strings();
    let session = use_session();
    let firstname = session.with(|state| {
        state
            .info()
            .map(|info| info.person.firstname.clone())
            .unwrap_or_default()
    });
    let roles = session.with(SessionState::roles);
    let entries: Vec<_> = nav::visible(&roles)
        .into_iter()
        .filter(|page| page.path != "/")
        .collect();
    let places = if entries.is_empty() {
        view! { <p class="lead" data-testid="home-nothing-yet">{s.home_nothing_yet}</p> }.into_any()
    } else {
        view! {
            <ul class="cards" data-testid="home-places">
                {entries
                    .into_iter()
                    .map(|page| view! { <li class="card"><a href=page.path>{(page.title)()}</a></li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <Page testid="home" heading_id="home-heading" heading={(s.home_heading)(&firstname)}>
            <p class="lead">{s.home_intro}</p>
            {roles.may(Right::ManageNetwork).then(|| view! { <FirstRunSteps /> })}
            {places}
        </Page>
    }
}

/// The checklist, while anything is left to do.
#[component]
fn FirstRunSteps() -> impl IntoView {
    let state = ui::load(api::admin::first_run);
    move || {
        state
            .get()
            .and_then(Result::ok)
            .filter(anything_left)
            .map(|found| view! { <Checklist found /> })
    }
}

#[component]
fn Checklist(found: FirstRun) -> impl IntoView {
    let a = admin();
    let items = steps(&found)
        .into_iter()
        .map(|(step, done, href)| {
            let (title, how) = match step {
                Step::AddMoodle => (a.step_peer, a.step_peer_how.to_owned()),
                Step::Services => (a.step_services, (a.step_services_how)(&found.wwwroot)),
                Step::SignIn => (a.step_sign_in, a.step_sign_in_how.to_owned()),
            };
            let state = if done { a.step_done } else { a.step_to_do };
            view! {
                <li class=if done { "checklist__step checklist__step--done" } else { "checklist__step" }
                    data-testid="first-run-step" data-step=step.code() data-done=done.to_string()>
                    <span class="checklist__state">{state}</span>
                    " "
                    <a href=href>{title}</a>
                    <p class="field__hint">{how}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="section checklist" data-testid="first-run" aria-labelledby="first-run-heading">
            <h2 id="first-run-heading">{a.first_run_heading}</h2>
            <p>{a.first_run_intro}</p>
            <ol>{items}</ol>
        </section>
    }
}
