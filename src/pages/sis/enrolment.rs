//! One enrolment's status history (every change: when it took effect, what it became, from
//! Moodle or by whom here, the note, and whether it arrived late), and for counsellors and
//! administrators the form that changes the status with a code and a note. Used on the section
//! page and on the student page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use schoolbridge_api::sis::{StatusChange, StatusCodeRow};

use super::{date_cell, late_badge, loading_or_error, markup_view, source_cell, status_badge};
use crate::api::{self, ApiError};
use crate::i18n::sis;
use crate::model::sis::{current_since, status_change};
use crate::model::sis_markup::Markup;
use crate::ui::{ErrorSlot, Notice, TextField, Tone};

/// The history of enrolment `id` (of `who` in `section`), with the status form when `can_manage`.
/// `changed` runs after a status change was saved (the caller reloads what it shows).
#[component]
pub fn EnrolmentPanel(
    id: i64,
    /// "Jane Doe in Chemistry", for the heading.
    #[prop(into)]
    title: String,
    /// The current status code.
    #[prop(into)]
    current: String,
    can_manage: bool,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let history = RwSignal::new(None::<Result<Vec<StatusChange>, ApiError>>);
    spawn_local(async move { history.set(Some(api::sis::enrolment_history(id).await)) });
    let heading = format!("enrolment-{id}-heading");
    view! {
        <section class="section panel" data-testid="enrolment-panel" data-enrolment-id=id.to_string() aria-labelledby=heading.clone()>
            <h2 id=heading.clone() tabindex="-1">{(t.history_of)(&title)}</h2>
            {move || history.with(|state| loading_or_error(state).unwrap_or_else(|| {
                let rows = state.as_ref().and_then(|r| r.as_ref().ok()).map(|r| history_markup(r)).unwrap_or_default();
                markup_view(rows, "status-history-wrap").into_any()
            }))}
            {can_manage.then(|| view! { <StatusForm id current history changed /> })}
        </section>
    }
}

/// A status history as a table (markup).
fn history_markup(rows: &[StatusChange]) -> String {
    let t = sis();
    let mut m = Markup::new();
    m.table(
        "table table--compact",
        "status-history",
        &[
            t.col_effective,
            t.col_status,
            t.col_source,
            t.col_note,
            t.col_recorded,
        ],
    );
    for h in rows {
        m.open(
            "tr",
            &[
                ("data-testid", Some("status-history-row")),
                ("data-status", Some(&h.status)),
                ("data-stale", Some(if h.stale { "true" } else { "false" })),
            ],
        );
        date_cell(&mut m, h.effective_at);
        m.open("td", &[]);
        status_badge(&mut m, h.kind, &h.label);
        late_badge(&mut m, h.stale);
        m.close("td");
        source_cell(&mut m, h.source);
        m.el(
            "td",
            &[("data-testid", Some("status-note"))],
            h.note.as_deref().unwrap_or(""),
        );
        date_cell(&mut m, h.recorded_at);
        m.close("tr");
    }
    m.end_table();
    m.finish()
}

#[component]
fn StatusForm(
    id: i64,
    current: String,
    history: RwSignal<Option<Result<Vec<StatusChange>, ApiError>>>,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let codes = RwSignal::new(Vec::<StatusCodeRow>::new());
    spawn_local(async move {
        if let Ok(found) = api::sis::status_codes().await {
            codes.set(found);
        }
    });
    let code = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let current = StoredValue::new(current);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saved.set(false);
        let since = history.with_untracked(|h| {
            h.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|rows| current_since(rows))
        });
        let request = match status_change(
            &current.get_value(),
            since,
            &code.get_untracked(),
            &note.get_untracked(),
            &date.get_untracked(),
        ) {
            Ok(r) => r,
            Err(p) => {
                problem.set(Some(t.problem(p).to_owned()));
                return;
            }
        };
        problem.set(None);
        failure.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::sis::change_status(id, request.clone()).await {
                Ok(rows) => {
                    current.set_value(request.code);
                    history.set(Some(Ok(rows)));
                    note.set(String::new());
                    date.set(String::new());
                    saved.set(true);
                    changed();
                }
                Err(error) => failure.set(Some(error)),
            }
            busy.set(false);
        });
    };
    let code_id = format!("status-code-{id}");
    let note_id = format!("status-note-{id}");
    view! {
        <form class="form" on:submit=submit data-testid="status-form" novalidate=true>
            <h3>{t.change_status}</h3>
            <p class="field__hint">{t.change_status_hint}</p>
            <div class="field">
                <label for=code_id.clone()>{t.field_status}</label>
                <select id=code_id data-testid="status-code" aria-invalid=move || problem.with(Option::is_some).then_some("true")
                    on:change:target=move |e| code.set(e.target().value())>
                    <option value="">{t.choose_status}</option>
                    {move || codes.get().into_iter().map(|c| view! {
                        <option value=c.code.clone()>{t.status_option(&c.label, c.kind, c.builtin)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for=note_id.clone()>{t.field_note}</label>
                <textarea id=note_id data-testid="status-note-input" rows="2" bind:value=note></textarea>
            </div>
            <TextField id="status-date" label=t.field_effective_date value=date testid="status-date" kind="date" hint=t.effective_date_hint />
            {move || problem.get().map(|text| view! { <p class="field__problem" role="alert" data-testid="status-problem">{text}</p> })}
            <ErrorSlot error=failure testid="status-error" />
            {move || saved.get().then(|| view! { <Notice tone=Tone::Good testid="status-saved"><p>{t.status_saved}</p></Notice> })}
            <div class="form__actions">
                <button type="submit" class="button button--primary" data-testid="status-submit" disabled=move || busy.get()>{t.save_status}</button>
            </div>
        </form>
    }
}
