//! `/sis/sections/{id}/gradebook`: assessments as columns (chapter, points, honours and
//! extra-credit flags, and whether the item came from Moodle or was made here), students as rows,
//! the current grade in each cell with its source. Choosing a cell shows its whole history
//! (every value, when, from where) and, for manual items, the form to enter or correct a grade;
//! grades that came from Moodle are read-only. Below: a manual grade item, and grade items from a
//! spreadsheet with a preview before anything is saved.

use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::prelude::*;
use schoolbridge_api::sis::{BatchLine, GradeEvent, LineResult, RecordSource, StatusKind};

use super::{date_cell, late_part, source_cell, status_part};
use crate::api;
use crate::i18n::sis;
use crate::model::sis::SisProblem;
use crate::model::sis_grades::{
    BatchCounts, CellMode, GradeForm, Grid, ItemField, assessment_request, cell_mode, cell_text,
    chapter_number, current_grade_since, grade_request, outcome_code, parse_points, points,
};
use crate::ui::{
    self, Cell, Checkbox, DataTable, Empty, ErrorSlot, Notice, Part, Row, Table, TextField, Tone,
};

type Book = ui::Loaded<Grid>;

/// `/sis/sections/{id}/gradebook`.
#[component]
pub fn GradebookPage(id: i64) -> impl IntoView {
    let t = sis();
    let again = ui::Reload::new();
    let book = ui::load_each(
        move || again.track(),
        move |()| async move {
            // Performance marks for the gradebook benchmark (BENCHMARKS.md §4).
            ui::mark("schoolbridge:gradebook-request");
            let answer = api::sis::gradebook(id).await.map(Grid::new);
            ui::mark("schoolbridge:gradebook-data");
            answer
        },
    );
    // The open cell: (assessment id, person id).
    let selected = RwSignal::new(None::<(i64, i64)>);
    let reload = move || again.now();
    view! {
        <section class="page page--wide" data-testid="gradebook-page" aria-labelledby="gradebook-heading">
            <p class="breadcrumb"><a href=format!("/sis/sections/{id}")>{t.back_to_section}</a></p>
            <h1 id="gradebook-heading">{t.gradebook_heading}</h1>
            {ui::loaded(book, move |grid| view! { <GridView grid selected /> })}
            {move || selected.get().map(|(assessment, person)| view! { <CellPanel assessment person book selected reload /> })}
            <div class="columns">
                <NewItem section_id=id reload />
                <CsvUpload section_id=id reload />
            </div>
        </section>
    }
}

/// The grid: every cell is a button (`data-cell="row:column"`), and one click handler on the
/// table finds the cell, so 2,400 cells need no handler each.
#[component]
fn GridView(grid: Grid, selected: RwSignal<Option<(i64, i64)>>) -> impl IntoView {
    let t = sis();
    Effect::new(move |_| {
        ui::mark("schoolbridge:gradebook-rendered");
        // Two frames later the grid has been laid out and painted (the benchmark reads both).
        request_animation_frame(|| {
            request_animation_frame(|| ui::mark("schoolbridge:gradebook-painted"));
        });
    });
    let subtitle =
        view! { <p class="lead" data-testid="gradebook-section">{grid.section.name.clone()}</p> };
    if grid.columns.is_empty() || grid.rows.is_empty() {
        let text = if grid.columns.is_empty() {
            t.no_items
        } else {
            t.no_students
        };
        return view! { {subtitle} <p class="empty" data-testid="gradebook-empty">{text}</p> }
            .into_any();
    }
    let ids: Vec<i64> = grid.columns.iter().map(|a| a.id).collect();
    let people: Vec<i64> = grid.rows.iter().map(|s| s.person.id).collect();
    let on_click = move |event: MouseEvent| {
        use wasm_bindgen::JsCast as _;
        let Some(cell) = event
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("[data-cell]").ok().flatten())
            .and_then(|button| button.get_attribute("data-cell"))
        else {
            return;
        };
        let mut parts = cell.split(':').map(|n| n.parse::<usize>().ok());
        if let (Some(Some(r)), Some(Some(c))) = (parts.next(), parts.next())
            && let (Some(person), Some(item)) = (people.get(r), ids.get(c))
        {
            selected.set(Some((*item, *person)));
        }
    };
    let columns = grid
        .columns
        .iter()
        .map(|item| {
            let flags = t.item_flags(item);
            let mark = if item.origin == RecordSource::Moodle {
                "mark mark--moodle"
            } else {
                "mark mark--manual"
            };
            view! {
                <th scope="col" data-testid="gradebook-column" data-assessment-id=item.id.to_string()
                    data-origin=item.origin.as_str() data-linked=item.idnumber.is_some().to_string()>
                    <span class="gradebook__name">{item.name.clone()}</span>
                    <span class="gradebook__meta">{(t.chapter_points)(chapter_number(item.chapter), &points(item.pointval))}</span>
                    {(!flags.is_empty()).then(|| view! { <span class="gradebook__meta">{flags}</span> })}
                    <span class=mark>{t.item_origin(item)}</span>
                </th>
            }
        })
        .collect_view();
    let rows = grid
        .rows
        .iter()
        .enumerate()
        .map(|(r, student)| {
            let badge = (student.status_kind != StatusKind::Active).then(|| {
                ui::table::parts_view(vec![
                    Part::Text(" ".into()),
                    status_part(student.status_kind, &student.status_label),
                ])
            });
            let cells = (0..grid.columns.len())
                .map(|c| {
                    let (text, source) = cell_text(grid.cell(r, c), t.excepted_short);
                    let (class, title) = match source {
                        Some(RecordSource::Moodle) => ("cell cell--moodle", t.from_moodle),
                        Some(RecordSource::Manual) => ("cell cell--manual", t.entered_here),
                        None => ("cell", t.no_grade),
                    };
                    view! {
                        <td>
                            <button type="button" class=class title=title data-cell=format!("{r}:{c}")
                                data-source=source.map(RecordSource::as_str)>
                                {text}
                            </button>
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-testid="gradebook-row" data-person-id=student.person.id.to_string()>
                    <th scope="row">{student.person.full_name()}{badge}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        {subtitle}
        <p class="legend" data-testid="gradebook-legend">
            <span class="cell cell--moodle legend__sample">{t.from_moodle}</span>
            <span class="cell cell--manual legend__sample">{t.entered_here}</span>
            {t.gradebook_hint}
        </p>
        <div class="table-wrap gradebook-wrap" on:click=on_click>
            <table class="table gradebook" data-testid="gradebook" data-columns=grid.columns.len().to_string()
                data-rows=grid.rows.len().to_string()>
                <caption class="visually-hidden">{t.gradebook_heading}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.col_student}</th>
                        {columns}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The open cell: who and what, its history, and the grade form when the cell takes one.
#[component]
fn CellPanel(
    assessment: i64,
    person: i64,
    book: Book,
    selected: RwSignal<Option<(i64, i64)>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let history = ui::load(move || api::sis::grade_history(assessment, person));
    // Names and the mode follow the book (a saved grade turns "enter" into "correct").
    let facts = Memo::new(move |_| {
        book.with(|b| {
            let grid = b.as_ref()?.as_ref().ok()?;
            let (r, c) = grid.position(person, assessment)?;
            let item = &grid.columns[c];
            Some((
                grid.rows[r].person.full_name(),
                item.clone(),
                cell_mode(item, grid.cell(r, c), true),
            ))
        })
    });
    Effect::new(move |_| {
        if let Some(panel) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("cell-heading"))
        {
            use wasm_bindgen::JsCast as _;
            if let Ok(panel) = panel.dyn_into::<web_sys::HtmlElement>() {
                let _ = panel.focus();
            }
        }
    });
    view! {
        <section class="section panel" data-testid="cell-panel" data-assessment-id=assessment.to_string()
            data-person-id=person.to_string() aria-labelledby="cell-heading">
            <div class="page__head">
                <h2 id="cell-heading" tabindex="-1">
                    {move || facts.get().map(|(who, item, _)| (t.cell_heading)(&who, &item.name))}
                </h2>
                <button type="button" class="button button--quiet" data-testid="close-cell" on:click=move |_| selected.set(None)>
                    {t.close}
                </button>
            </div>
            {move || facts.get().map(|(_, _, mode)| view! {
                <p class="field__hint" data-testid="cell-mode" data-mode=mode_code(mode)>{t.cell_mode(mode)}</p>
            })}
            {ui::loaded(history, |rows| grade_history(&rows))}
            {move || facts.get().filter(|f| f.2.takes_input()).map(|(_, item, mode)| view! {
                <GradeEditor item person mode history reload />
            })}
        </section>
    }
}

fn mode_code(mode: CellMode) -> &'static str {
    match mode {
        CellMode::Enter => "enter",
        CellMode::Correct => "correct",
        CellMode::FromMoodle => "from-moodle",
        CellMode::MoodleItem => "moodle-item",
        CellMode::ReadOnly => "read-only",
    }
}

/// A cell's history.
fn grade_history(rows: &[GradeEvent]) -> AnyView {
    let t = sis();
    if rows.is_empty() {
        return view! { <Empty text=t.no_grade_yet testid="grade-history-empty" /> }.into_any();
    }
    let mut table = Table::new(
        "grade-history",
        vec![
            t.col_value,
            t.col_attempt,
            t.col_given,
            t.col_source,
            t.col_note,
            t.col_recorded,
        ],
    )
    .compact();
    for g in rows {
        let value = g.points.map(points);
        let mut row = Row::new("grade-history-row").data("data-source", g.source.as_str());
        if let Some(value) = &value {
            row = row.data("data-points", value);
        }
        let shown = if g.excepted {
            t.excepted.to_owned()
        } else {
            value.unwrap_or_default()
        };
        table.row(
            row.cell(Cell::text(shown).and_some(late_part(g.stale)))
                .text(g.attempt.to_string())
                .cell(date_cell(g.effective_at))
                .cell(source_cell(g.source))
                .text(g.note.clone().unwrap_or_default())
                .cell(date_cell(g.recorded_at)),
        );
    }
    view! { <DataTable table /> }.into_any()
}

#[component]
fn GradeEditor(
    item: schoolbridge_api::sis::AssessmentRow,
    person: i64,
    mode: CellMode,
    history: ui::Loaded<Vec<GradeEvent>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let value = RwSignal::new(String::new());
    let excepted = RwSignal::new(false);
    let above_maximum = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let action = ui::Action::new();
    let saved = RwSignal::new(false);
    let maximum = item.pointval;
    // "Give points above the maximum" is offered only when the points typed are above it.
    let over = Signal::derive(move || {
        value.with(|v| parse_points(v).ok().flatten().is_some_and(|p| p > maximum))
    });
    let item = StoredValue::new(item);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saved.set(false);
        let since = ui::read_loaded_untracked(history, |rows| current_grade_since(rows));
        let form = GradeForm {
            points: value.get_untracked(),
            excepted: excepted.get_untracked(),
            note: note.get_untracked(),
            date: date.get_untracked(),
            above_maximum: above_maximum.get_untracked(),
        };
        let request = match item.with_value(|item| grade_request(item, person, &form, since)) {
            Ok(r) => r,
            Err(SisProblem::AboveMaximum) => {
                let typed = parse_points(&form.points)
                    .ok()
                    .flatten()
                    .map(points)
                    .unwrap_or_default();
                return problem.set(Some((t.above_maximum)(&typed, &points(maximum))));
            }
            Err(p) => return problem.set(Some(t.problem(p).to_owned())),
        };
        problem.set(None);
        action.run(api::sis::record_grade(request), move |rows| {
            history.set(Some(Ok(rows)));
            for field in [value, note, date] {
                field.set(String::new());
            }
            above_maximum.set(false);
            saved.set(true);
            reload();
        });
    };
    view! {
        <form class="form form--inline" on:submit=submit data-testid="grade-form" novalidate=true>
            <TextField id="grade-points" label=if mode == CellMode::Correct { t.field_corrected_points } else { t.field_points }
                value testid="grade-points" problem=Signal::derive(move || problem.get()) />
            {move || over.get().then(|| view! {
                <Checkbox id="grade-above-maximum" label=t.field_above_maximum checked=above_maximum testid="grade-above-maximum" />
            })}
            <Checkbox id="grade-excepted" label=t.field_excepted checked=excepted testid="grade-excepted" />
            <TextField id="grade-note" label=t.field_note value=note testid="grade-note" />
            <TextField id="grade-date" label=t.field_given_on value=date testid="grade-date" kind="date" hint=t.effective_date_hint />
            <div class="form__actions">
                <button type="submit" class="button button--primary" data-testid="grade-submit" disabled=move || action.is_busy()>{t.save_grade}</button>
            </div>
        </form>
        <ErrorSlot error=action.failure testid="grade-error" />
        {move || saved.get().then(|| view! { <Notice tone=Tone::Good testid="grade-saved"><p>{t.grade_saved}</p></Notice> })}
    }
}

#[component]
fn NewItem(section_id: i64, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let name = RwSignal::new(String::new());
    let max = RwSignal::new(String::new());
    let chapter = RwSignal::new(String::new());
    let extra = RwSignal::new(false);
    let honours = RwSignal::new(false);
    let regular = RwSignal::new(true);
    let problem = RwSignal::new(None::<(ItemField, String)>);
    let action = ui::Action::new();
    let done = RwSignal::new(None::<String>);
    let problem_of = move |field: ItemField| {
        Signal::derive(move || problem.get().filter(|p| p.0 == field).map(|p| p.1))
    };
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        done.set(None);
        let request = match assessment_request(
            &name.get_untracked(),
            &max.get_untracked(),
            &chapter.get_untracked(),
            (
                extra.get_untracked(),
                honours.get_untracked(),
                regular.get_untracked(),
            ),
        ) {
            Ok(r) => r,
            Err((field, p)) => return problem.set(Some((field, t.problem(p).to_owned()))),
        };
        problem.set(None);
        let created = request.name.clone();
        action.run(
            api::sis::create_assessment(section_id, request),
            move |_| {
                done.set(Some((t.item_created)(&created)));
                for field in [name, max, chapter] {
                    field.set(String::new());
                }
                reload();
            },
        );
    };
    view! {
        <section class="section" aria-labelledby="new-item-heading">
            <h2 id="new-item-heading">{t.new_item_heading}</h2>
            <p>{t.new_item_intro}</p>
            <form class="form" on:submit=submit data-testid="new-item-form" novalidate=true>
                <TextField id="item-name" label=t.field_name value=name testid="item-name" required=true problem=problem_of(ItemField::Name) />
                <TextField id="item-points" label=t.field_max_points value=max testid="item-points" required=true problem=problem_of(ItemField::Points) />
                <TextField id="item-chapter" label=t.field_chapter value=chapter testid="item-chapter" problem=problem_of(ItemField::Chapter) />
                <Checkbox id="item-extra" label=t.field_extra_credit checked=extra testid="item-extra" />
                <Checkbox id="item-honours" label=t.field_honours_required checked=honours testid="item-honours" />
                <Checkbox id="item-regular" label=t.field_nonhonours_required checked=regular testid="item-regular" />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" data-testid="item-submit">{t.add_item}</button>
                </div>
            </form>
            <ErrorSlot error=action.failure testid="item-error" />
            {move || done.get().map(|text| view! { <Notice tone=Tone::Good testid="item-created"><p>{text}</p></Notice> })}
        </section>
    }
}

#[component]
fn CsvUpload(section_id: i64, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let text = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<Vec<BatchLine>>);
    let saved = RwSignal::new(None::<Vec<BatchLine>>);
    let action = ui::Action::new();
    let busy = action.busy;
    let send = move |save: bool| {
        let csv = text.get_untracked();
        action.run(
            api::sis::upload_assessments(section_id, csv, !save),
            move |lines| {
                if save {
                    preview.set(None);
                    saved.set(Some(lines));
                    text.set(String::new());
                    reload();
                } else {
                    saved.set(None);
                    preview.set(Some(lines));
                }
            },
        );
    };
    let read_file = move |event: leptos::ev::Event| {
        use wasm_bindgen::JsCast as _;
        let Some(file) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        ui::spawn(async move {
            if let Ok(value) = wasm_bindgen_futures::JsFuture::from(file.text()).await
                && let Some(content) = value.as_string()
            {
                preview.set(None);
                text.set(content);
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="csv-heading" data-testid="csv-upload">
            <h2 id="csv-heading">{t.csv_heading}</h2>
            <p>{t.csv_intro} " "
                <a href="/api/sis/grade-items-template.csv" rel="external" download="grade-items-template.csv" data-testid="csv-template">{t.csv_template}</a>
            </p>
            <form class="form" on:submit=move |e: SubmitEvent| { e.prevent_default(); send(false) } data-testid="csv-form">
                <div class="field">
                    <label for="csv-file">{t.field_csv_file}</label>
                    <input id="csv-file" type="file" accept=".csv,text/csv" data-testid="csv-file" on:change=read_file />
                </div>
                <div class="field">
                    <label for="csv-text">{t.field_csv_text}</label>
                    <textarea id="csv-text" rows="5" class="mono" data-testid="csv-text" bind:value=text
                        on:input=move |_| preview.set(None)></textarea>
                </div>
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="csv-preview" disabled=move || busy.get() || text.with(|t| t.trim().is_empty())>
                        {t.csv_preview}
                    </button>
                </div>
            </form>
            <ErrorSlot error=action.failure testid="csv-error" />
            {move || preview.get().map(|lines| {
                let counts = BatchCounts::of(&lines);
                view! {
                    <div data-testid="csv-preview-result" data-created=counts.created.to_string()
                        data-matched=counts.matched.to_string() data-rejected=counts.rejected.to_string()>
                        <p role="status">{(t.csv_would)(counts.created, counts.matched, counts.rejected)}</p>
                        <DataTable table=batch_table(&lines) />
                        <button type="button" class="button button--primary" data-testid="csv-save"
                            disabled=move || busy.get() || !counts.can_save() on:click=move |_| send(true)>
                            {(t.csv_save)(counts.created)}
                        </button>
                    </div>
                }
            })}
            {move || saved.get().map(|lines| {
                let counts = BatchCounts::of(&lines);
                view! {
                    <Notice tone=Tone::Good testid="csv-saved">
                        <p>{(t.csv_did)(counts.created, counts.matched, counts.rejected)}</p>
                    </Notice>
                }
            })}
        </section>
    }
}

/// The lines of a spreadsheet preview or upload.
fn batch_table(lines: &[BatchLine]) -> Table {
    let t = sis();
    let mut table = Table::new("csv-lines", vec![t.col_line, t.col_name, t.col_outcome]).compact();
    for l in lines {
        let (tone, text) = match &l.result {
            LineResult::Created { .. } => (Tone::Good, t.line_created.to_owned()),
            LineResult::MatchedByName { .. } => (Tone::Info, t.line_matched.to_owned()),
            LineResult::Rejected { reason } => (Tone::Bad, (t.line_rejected)(reason)),
        };
        table.row(
            Row::new("csv-line")
                .data("data-line", l.line)
                .data("data-outcome", outcome_code(&l.result))
                .text(l.line.to_string())
                .text(l.name.clone().unwrap_or_default())
                .cell(Cell::badge(tone, text)),
        );
    }
    table
}
