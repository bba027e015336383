//! One enrolment's status history (every change: when it took effect, what it became, from
//! Moodle or by whom here, the line for the transcript, and for staff the note; whether it
//! arrived late), and for counsellors and administrators the form that changes the status with a
//! code, a note for staff and an optional line for the transcript. Used on the section page and
//! on the student page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use schoolbridge_api::sis::StatusChange;

use super::{date_cell, late_part, source_cell, status_part};
use crate::api;
use crate::i18n::sis;
use crate::model::sis::{StatusField, StatusForm, current_since, status_change};
use crate::ui::{
    self, Cell, DataTable, ErrorSlot, Part, Row, SavedSlot, SubmitButton, Table, TextField,
};

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
    let history = ui::load(move || api::sis::enrolment_history(id));
    let heading = format!("enrolment-{id}-heading");
    view! {
        <section class="section panel" data-testid="enrolment-panel" data-enrolment-id=id.to_string() aria-labelledby=heading.clone()>
            <h2 id=heading.clone() tabindex="-1">{(t.history_of)(&title)}</h2>
            {ui::loaded(history, move |rows| view! { <DataTable table=history_table(&rows, can_manage) /> })}
            {can_manage.then(|| view! { <StatusEditor id current history changed /> })}
        </section>
    }
}

/// A status history as a table; the staff note's column only for staff (the server sends it to
/// nobody else).
fn history_table(rows: &[StatusChange], staff: bool) -> Table {
    let t = sis();
    let mut headings = vec![t.col_effective, t.col_status, t.col_source];
    if staff {
        headings.push(t.col_note);
    }
    headings.extend([t.col_transcript_note, t.col_recorded]);
    let mut table = Table::new("status-history", headings).compact();
    for h in rows {
        let mut row = Row::new("status-history-row")
            .data("data-status", &h.status)
            .data("data-stale", h.stale)
            .cell(date_cell(h.provenance.effective_at))
            .cell(
                Cell::empty()
                    .and(status_part(h.kind, &h.label))
                    .and_some(late_part(h.stale)),
            )
            .cell(source_cell(h.provenance.source));
        if staff {
            row = row.cell(Cell::text(h.note.clone().unwrap_or_default()).testid("status-note"));
        }
        table.row(
            row.cell(
                Cell::text(h.transcript_note.clone().unwrap_or_default())
                    .testid("status-transcript-note"),
            )
            .cell(date_cell(h.provenance.recorded_at)),
        );
    }
    table
}

#[component]
fn StatusEditor(
    id: i64,
    current: String,
    history: ui::Loaded<Vec<StatusChange>>,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let codes = ui::load(api::sis::status_codes);
    let code = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let line = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<(StatusField, String)>);
    let problem_of = move |field: StatusField| ui::problem_at(problem, field);
    let code_problem = problem_of(StatusField::Code);
    let action = ui::Action::new();
    let saved = RwSignal::new(false);
    let current = StoredValue::new(current);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saved.set(false);
        let since = ui::read_loaded_untracked(history, |rows| current_since(rows));
        let form = StatusForm {
            code: code.get_untracked(),
            note: note.get_untracked(),
            transcript_note: line.get_untracked(),
            date: date.get_untracked(),
        };
        let checked = status_change(&current.get_value(), since, &form)
            .map_err(|(field, p)| Some((field, t.problem(p).to_owned())));
        let Some(request) = ui::checked(problem, checked) else {
            return;
        };
        let new_code = request.code.clone();
        action.run(api::sis::change_status(id, request), move |rows| {
            current.set_value(new_code);
            history.set(Some(Ok(rows)));
            ui::clear(&[note, line, date]);
            saved.set(true);
            changed();
        });
    };
    let code_id = format!("status-code-{id}");
    let code_problem_id = format!("status-code-{id}-problem");
    let described = {
        let code_problem_id = code_problem_id.clone();
        move || {
            code_problem
                .with(Option::is_some)
                .then(|| code_problem_id.clone())
        }
    };
    let note_id = format!("status-note-{id}");
    let line_id = format!("status-line-{id}");
    view! {
        <form class="form" on:submit=submit data-testid="status-form" novalidate=true>
            <h3>{t.change_status}</h3>
            <p class="field__hint">{t.change_status_hint}</p>
            <div class="field">
                <label for=code_id.clone()>{t.field_status}</label>
                <select id=code_id data-testid="status-code"
                    aria-invalid=move || code_problem.with(Option::is_some).then_some("true")
                    aria-describedby=described
                    on:change:target=move |e| code.set(e.target().value())>
                    <option value="">{t.choose_status}</option>
                    {move || ui::loaded_or_default(codes).into_iter().map(|c| view! {
                        <option value=c.code.clone()>{t.status_option(&c.label, c.kind, c.builtin)}</option>
                    }).collect_view()}
                </select>
                {move || code_problem.get().map(|text| view! {
                    <p class="field__problem" id=code_problem_id.clone() role="alert" data-testid="status-problem">{text}</p>
                })}
            </div>
            <div class="field">
                <label for=note_id.clone()>{t.field_staff_note}</label>
                <textarea id=note_id.clone() data-testid="status-note-input" rows="2" aria-describedby=format!("{note_id}-hint") bind:value=note></textarea>
                <p class="field__hint" id=format!("{note_id}-hint")>{t.staff_note_hint}</p>
            </div>
            <div class="field">
                <label for=line_id.clone()>{t.field_transcript_note}</label>
                <textarea id=line_id.clone() data-testid="status-transcript-input" rows="2" aria-describedby=format!("{line_id}-hint") bind:value=line></textarea>
                <p class="field__hint" id=format!("{line_id}-hint")>{t.transcript_note_hint}</p>
            </div>
            <TextField id="status-date" label=t.field_effective_date value=date testid="status-date" kind="date"
                hint=t.effective_date_hint problem=problem_of(StatusField::Date) />
            <ErrorSlot error=action.failure testid="status-error" />
            <SavedSlot saved text=t.status_saved testid="status-saved" />
            <SubmitButton testid="status-submit" primary=true busy=action.busy>{t.save_status}</SubmitButton>
        </form>
    }
}

/// A history line as parts (the student page lists histories without a table).
pub fn change_parts(h: &StatusChange) -> Vec<Part> {
    let mut parts = vec![
        Part::Text(crate::model::time::date(h.provenance.effective_at)),
        Part::Text(" ".into()),
        status_part(h.kind, &h.label),
        Part::Text(" ".into()),
        super::source_part(h.provenance.source),
    ];
    if let Some(line) = &h.transcript_note {
        parts.extend([
            Part::Text(" ".into()),
            Part::Quote(line.clone(), "history-transcript-note"),
        ]);
    }
    if let Some(note) = &h.note {
        parts.extend([
            Part::Text(" ".into()),
            Part::Quote(note.clone(), "history-note"),
        ]);
    }
    if h.stale {
        parts.extend([
            Part::Text(" ".into()),
            Part::Hint(sis().arrived_late.to_owned()),
        ]);
    }
    parts
}
