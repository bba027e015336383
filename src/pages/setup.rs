//! `/setup?token=…`: the first administrator, with the one-time link `schoolbridge serve` prints
//! on an empty database. After creating the account the console signs in with it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use schoolbridge_api::LoginRequest;

use crate::api;
use crate::i18n::strings;
use crate::model::forms::{Field, Problems, SetupForm};
use crate::session::use_session;
use crate::ui::{
    self, AccountNameFields, ErrorSlot, NewPasswordField, Notice, Page, SubmitButton, TextField,
    Tone,
};

/// `/setup`.
#[component]
pub fn SetupPage() -> impl IntoView {
    let s = strings();
    let status = ui::load(api::session::setup_status);
    view! {
        <Page testid="setup" heading_id="setup-heading" heading=s.setup_heading class="page page--narrow">
            {ui::loaded(status, move |status| if status.needs_admin {
                view! { <FirstAdminForm /> }.into_any()
            } else {
                view! {
                    <Notice tone=Tone::Info testid="setup-done">
                        <p>{s.setup_already_done}</p>
                        <p><a href="/signin">{s.sign_in}</a></p>
                    </Notice>
                }
                .into_any()
            })}
        </Page>
    }
}

#[component]
fn FirstAdminForm() -> impl IntoView {
    let s = strings();
    let session = use_session();
    let navigate = use_navigate();
    let token = use_query_map()
        .with_untracked(|q| q.get("token"))
        .unwrap_or_default();
    let has_token = !token.trim().is_empty();
    let username = RwSignal::new(String::new());
    let firstname = RwSignal::new(String::new());
    let lastname = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::default());
    let action = ui::Action::new();
    let problem = move |field: Field| ui::field_problem(problems, field);

    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let form = SetupForm {
            token: token.clone(),
            username: username.get_untracked(),
            firstname: firstname.get_untracked(),
            lastname: lastname.get_untracked(),
            password: password.get_untracked(),
            confirm: confirm.get_untracked(),
        };
        let Some(request) = ui::checked(problems, form.validate()) else {
            return;
        };
        let navigate = navigate.clone();
        let login = LoginRequest {
            username: request.username.clone(),
            password: request.password.clone(),
        };
        let work = async move {
            api::session::set_up(request).await?;
            api::session::sign_in(login).await
        };
        action.run(work, move |info| {
            session.signed_in(info);
            navigate("/", NavigateOptions::default());
        });
    };

    view! {
        <p class="lead">{s.setup_intro}</p>
        {(!has_token).then(|| view! {
            <Notice tone=Tone::Warn testid="setup-no-token">
                <p>{s.setup_no_token}</p>
            </Notice>
        })}
        <form class="form" on:submit=submit novalidate=true data-testid="setup-form">
            <AccountNameFields prefix="setup" own=true username firstname lastname problems />
            <NewPasswordField prefix="setup" password problems />
            <TextField id="setup-confirm" label=s.field_confirm_password value=confirm testid="setup-confirm" kind="password" autocomplete="new-password" required=true problem=problem(Field::Confirm) />
            {move || problems.with(|p| p.of(Field::Token)).map(|_| view! { <p class="field__problem">{s.setup_no_token}</p> })}
            <ErrorSlot error=action.failure testid="setup-error" />
            <SubmitButton testid="setup-submit" primary=true busy=action.busy>{s.setup_submit}</SubmitButton>
        </form>
    }
}
