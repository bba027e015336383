//! The gradebook's grade import from a spreadsheet and its rescale question (issue 20,
//! `docs/console.md`): a grades file is previewed line by line (a new grade, a change from X to
//! Y, unchanged, or the line's error); nothing is saved until the teacher confirms, and confirming
//! is offered only when no line has an error. A linked item whose maximum Moodle changed asks
//! whether to keep the points or rescale them.

use leptos::prelude::*;
use schoolbridge_api::sis_gradebook::{
    GradeImport, ImportCounts, ImportLine, ImportOutcome, RescaleChoice,
};

use crate::api;
use crate::i18n::gradebook;
use crate::model::sis_grades::points;
use crate::ui::{
    self, Cell, CsvForm, CsvSteps, DataTable, ErrorSlot, Notice, Row, Section, Table, Tone,
};

/// The grades-from-a-spreadsheet form, its preview and its confirmation.
#[component]
pub fn GradeImportForm(
    section_id: i64,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = gradebook();
    let steps = CsvSteps::<Vec<ImportLine>>::new();
    let CsvSteps {
        preview,
        saved: done,
        action,
        ..
    } = steps;
    let busy = action.busy;
    let send = move |apply: bool| {
        steps.send(
            apply,
            |csv, dry_run| api::sis::import_grades(section_id, csv, dry_run),
            |answer: GradeImport| (answer.applied, answer.lines),
            reload,
        );
    };
    view! {
        <Section heading_id="import-heading" heading=t.import_heading testid="grade-import">
            <p>{t.import_intro} " "
                <a href="/api/sis/grade-import-template.csv" rel="external" download="grade-import-template.csv"
                    data-testid="import-template">{t.import_template}</a>
            </p>
            <CsvForm name="import" file_label=t.field_import_file text_label=t.field_import_text
                preview_label=t.import_preview steps on_preview=move || send(false) />
            <ErrorSlot error=action.failure testid="import-error" />
            {move || preview.get().map(|lines| {
                let counts = ImportCounts::of(&lines);
                view! {
                    <div data-testid="import-preview-result" data-new=counts.new.to_string()
                        data-changed=counts.changed.to_string() data-unchanged=counts.unchanged.to_string()
                        data-errors=counts.errors.to_string()>
                        <p role="status">{(t.import_would)(counts.new, counts.changed, counts.unchanged, counts.errors)}</p>
                        <DataTable table=import_table(&lines) />
                        {(counts.errors > 0).then(|| view! {
                            <Notice tone=Tone::Bad testid="import-blocked"><p>{(t.import_blocked)(counts.errors)}</p></Notice>
                        })}
                        <button type="button" class="button button--primary" data-testid="import-apply"
                            disabled=move || busy.get() || !counts.can_apply() on:click=move |_| send(true)>
                            {(t.import_apply)(counts.new + counts.changed)}
                        </button>
                    </div>
                }
            })}
            {move || done.get().map(|lines| ImportCounts::of(&lines)).map(|counts| view! {
                <Notice tone=Tone::Good testid="import-done">
                    <p>{(t.import_done)(counts.new, counts.changed)}</p>
                </Notice>
            })}
        </Section>
    }
}

/// Every line of a grades preview with its outcome or error.
fn import_table(lines: &[ImportLine]) -> Table {
    let t = gradebook();
    let mut table = Table::new(
        "import-lines",
        vec![
            t.col_line,
            t.col_student,
            t.col_item,
            t.col_points,
            t.col_outcome,
        ],
    )
    .compact();
    for l in lines {
        let to = l.points.map(points).unwrap_or_default();
        let (tone, text) = match &l.outcome {
            ImportOutcome::New => (Tone::Good, t.outcome_new.to_owned()),
            ImportOutcome::Change { from: Some(from) } => {
                (Tone::Info, (t.outcome_change)(&points(*from), &to))
            }
            ImportOutcome::Change { from: None } => {
                (Tone::Info, (t.outcome_change_from_excused)(&to))
            }
            ImportOutcome::Unchanged => (Tone::Info, t.outcome_unchanged.to_owned()),
            ImportOutcome::Error { problem, .. } => (Tone::Bad, t.problem(*problem).to_owned()),
        };
        let student = l.person.as_ref().map_or_else(
            || l.student.clone(),
            |p| format!("{} ({})", p.full_name(), l.student),
        );
        let mut row = Row::new("import-line")
            .data("data-line", l.line)
            .data("data-outcome", l.outcome.code());
        if let ImportOutcome::Error { problem, .. } = &l.outcome {
            row = row.data("data-problem", problem.as_str());
        }
        table.row(
            row.text(l.line.to_string())
                .text(student)
                .text(l.item.clone())
                .text(if l.points.is_some() {
                    to
                } else {
                    String::new()
                })
                .cell(Cell::badge(tone, text)),
        );
    }
    table
}

/// A linked item's open rescale question: keep the points, or rescale them to Moodle's maximum.
#[component]
pub fn RescaleQuestion(
    assessment_id: i64,
    item: String,
    old_max: f64,
    new_max: f64,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = gradebook();
    let action = ui::Action::new();
    let busy = action.busy;
    let (old, new) = (points(old_max), points(new_max));
    let answer = move |choice: RescaleChoice| {
        action.run(api::sis::answer_rescale(assessment_id, choice), move |_| {
            reload()
        });
    };
    let heading = format!("rescale-heading-{assessment_id}");
    let labelled_by = heading.clone();
    view! {
        <section class="section panel" data-testid="rescale-question" data-assessment-id=assessment_id.to_string()
            aria-labelledby=labelled_by>
            <h2 id=heading>{(t.rescale_heading)(&item)}</h2>
            <p>{(t.rescale_text)(&old, &new)}</p>
            <div class="form__actions">
                <button type="button" class="button" data-testid="rescale-keep" disabled=move || busy.get()
                    on:click=move |_| answer(RescaleChoice::KeepPoints)>{(t.keep_points)(&old)}</button>
                <button type="button" class="button button--primary" data-testid="rescale-apply" disabled=move || busy.get()
                    on:click=move |_| answer(RescaleChoice::Rescale)>{(t.rescale_to)(&new)}</button>
            </div>
            <ErrorSlot error=action.failure testid="rescale-error" />
        </section>
    }
}
