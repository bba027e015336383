//! `/sis/sections/{id}/gradebook`: assessments as columns (chapter, points, honours and
//! extra-credit flags, and whether the item came from Moodle or was made here), students as rows,
//! the current grade in each cell with its source. Choosing a cell shows its whole history
//! (every value, when, from where) and, for manual items, the form to enter or correct a grade;
//! grades that came from Moodle are read-only. Below: a manual grade item, and grade items from a
//! spreadsheet with a preview before anything is saved.

use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use schoolbridge_api::sis::{BatchLine, GradeEvent, LineResult, RecordSource, StatusKind};

use super::{
    date_cell, late_badge, loading_or_error, markup_view, not_found, source_cell, status_badge,
};
use crate::api::{self, ApiError};
use crate::i18n::sis;
use crate::model::sis::route_id;
use crate::model::sis_grades::{
    BatchCounts, CellMode, Grid, ItemField, assessment_request, cell_mode, cell_text,
    current_grade_since, grade_request, outcome_code, points,
};
use crate::model::sis_markup::Markup;
use crate::ui::{self, Checkbox, ErrorSlot, Notice, TextField, Tone};

type Book = Option<Result<Grid, ApiError>>;

/// `/sis/sections/{id}/gradebook`.
#[component]
pub fn GradebookPage() -> impl IntoView {
    let t = sis();
    let params = use_params_map();
    let id = Memo::new(move |_| route_id(params.with(|p| p.get("id"))));
    let book = RwSignal::new(None as Book);
    let generation = RwSignal::new(0_u32);
    // The open cell: (assessment id, person id).
    let selected = RwSignal::new(None::<(i64, i64)>);
    Effect::new(move |_| {
        generation.track();
        let Some(id) = id.get() else {
            book.set(Some(Err(not_found())));
            return;
        };
        spawn_local(async move {
            // Performance marks for the gradebook benchmark (BENCHMARKS.md §4).
            ui::mark("schoolbridge:gradebook-request");
            let answer = api::sis::gradebook(id).await.map(Grid::new);
            ui::mark("schoolbridge:gradebook-data");
            book.set(Some(answer));
        });
    });
    let reload = move || generation.update(|g| *g += 1);
    view! {
        <section class="page page--wide" data-testid="gradebook-page" aria-labelledby="gradebook-heading">
            {move || id.get().map(|id| view! {
                <p class="breadcrumb"><a href=format!("/sis/sections/{id}")>{t.back_to_section}</a></p>
            })}
            <h1 id="gradebook-heading">{t.gradebook_heading}</h1>
            {move || book.with(|state| loading_or_error(state).unwrap_or_else(|| {
                let Some(Ok(grid)) = state.clone() else { return ().into_any() };
                view! { <GridView grid selected /> }.into_any()
            }))}
            {move || selected.get().map(|(assessment, person)| view! { <CellPanel assessment person book selected reload /> })}
            {move || id.get().map(|id| view! {
                <div class="columns">
                    <NewItem section_id=id reload />
                    <CsvUpload section_id=id reload />
                </div>
            })}
        </section>
    }
}

/// The grid: one table of markup whose cells are buttons (`data-cell="row:column"`); one click
/// handler on it finds the cell. Building it as text keeps 2,400 cells fast and the wasm small.
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
    view! {
        {subtitle}
        <p class="legend" data-testid="gradebook-legend">
            <span class="cell cell--moodle legend__sample">{t.from_moodle}</span>
            <span class="cell cell--manual legend__sample">{t.entered_here}</span>
            {t.gradebook_hint}
        </p>
        <div class="table-wrap gradebook-wrap" on:click=on_click inner_html=grid_markup(&grid)></div>
    }
    .into_any()
}

/// The gradebook table (markup).
fn grid_markup(grid: &Grid) -> String {
    let t = sis();
    let mut m = Markup::new();
    let (columns, rows) = (grid.columns.len().to_string(), grid.rows.len().to_string());
    m.open(
        "table",
        &[
            ("class", Some("table gradebook")),
            ("data-testid", Some("gradebook")),
            ("data-columns", Some(&columns)),
            ("data-rows", Some(&rows)),
        ],
    )
    .el(
        "caption",
        &[("class", Some("visually-hidden"))],
        t.gradebook_heading,
    )
    .open("thead", &[])
    .open("tr", &[])
    .el("th", &[("scope", Some("col"))], t.col_student);
    for item in &grid.columns {
        let id = item.id.to_string();
        let flags = t.item_flags(item);
        m.open(
            "th",
            &[
                ("scope", Some("col")),
                ("data-testid", Some("gradebook-column")),
                ("data-assessment-id", Some(&id)),
                ("data-origin", Some(item.origin.as_str())),
                (
                    "data-linked",
                    Some(if item.idnumber.is_some() {
                        "true"
                    } else {
                        "false"
                    }),
                ),
            ],
        )
        .el("span", &[("class", Some("gradebook__name"))], &item.name)
        .el(
            "span",
            &[("class", Some("gradebook__meta"))],
            &(t.chapter_points)(item.chapter, &points(item.pointval)),
        );
        if !flags.is_empty() {
            m.el("span", &[("class", Some("gradebook__meta"))], &flags);
        }
        let mark = if item.origin == RecordSource::Moodle {
            "mark mark--moodle"
        } else {
            "mark mark--manual"
        };
        m.el("span", &[("class", Some(mark))], t.item_origin(item))
            .close("th");
    }
    m.close("tr").close("thead").open("tbody", &[]);
    for (r, student) in grid.rows.iter().enumerate() {
        let person = student.person.id.to_string();
        m.open(
            "tr",
            &[
                ("data-testid", Some("gradebook-row")),
                ("data-person-id", Some(&person)),
            ],
        )
        .open("th", &[("scope", Some("row"))])
        .text(&student.person.full_name());
        if student.status_kind != StatusKind::Active {
            m.text(" ");
            status_badge(&mut m, student.status_kind, &student.status_label);
        }
        m.close("th");
        for c in 0..grid.columns.len() {
            let (text, source) = cell_text(grid.cell(r, c), t.excepted_short);
            let (class, title) = match source {
                Some(RecordSource::Moodle) => ("cell cell--moodle", t.from_moodle),
                Some(RecordSource::Manual) => ("cell cell--manual", t.entered_here),
                None => ("cell", t.no_grade),
            };
            let at = format!("{r}:{c}");
            m.open("td", &[]).el(
                "button",
                &[
                    ("type", Some("button")),
                    ("class", Some(class)),
                    ("title", Some(title)),
                    ("data-cell", Some(&at)),
                    ("data-source", source.map(RecordSource::as_str)),
                ],
                &text,
            );
            m.close("td");
        }
        m.close("tr");
    }
    m.close("tbody").close("table");
    m.finish()
}

/// The open cell: who and what, its history, and the grade form when the cell takes one.
#[component]
fn CellPanel(
    assessment: i64,
    person: i64,
    book: RwSignal<Book>,
    selected: RwSignal<Option<(i64, i64)>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let history = RwSignal::new(None::<Result<Vec<GradeEvent>, ApiError>>);
    spawn_local(
        async move { history.set(Some(api::sis::grade_history(assessment, person).await)) },
    );
    // Names and the mode follow the book (a saved grade turns "enter" into "correct").
    let facts = Memo::new(move |_| {
        book.with(|b| {
            let grid = b.as_ref()?.as_ref().ok()?;
            let (r, c) = grid.position(person, assessment)?;
            let item = &grid.columns[c];
            Some((
                grid.rows[r].person.full_name(),
                item.name.clone(),
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
                    {move || facts.get().map(|(who, what, _)| (t.cell_heading)(&who, &what))}
                </h2>
                <button type="button" class="button button--quiet" data-testid="close-cell" on:click=move |_| selected.set(None)>
                    {t.close}
                </button>
            </div>
            {move || facts.get().map(|(_, _, mode)| view! {
                <p class="field__hint" data-testid="cell-mode" data-mode=mode_code(mode)>{t.cell_mode(mode)}</p>
            })}
            {move || history.with(|state| loading_or_error(state).unwrap_or_else(|| {
                let html = state.as_ref().and_then(|r| r.as_ref().ok()).map(|r| grade_history_markup(r)).unwrap_or_default();
                markup_view(html, "grade-history-wrap").into_any()
            }))}
            {move || facts.get().filter(|f| f.2.takes_input()).map(|(_, _, mode)| view! {
                <GradeForm assessment person mode history reload />
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

/// A cell's history (markup).
fn grade_history_markup(rows: &[GradeEvent]) -> String {
    let t = sis();
    let mut m = Markup::new();
    if rows.is_empty() {
        m.empty("grade-history-empty", t.no_grade_yet);
        return m.finish();
    }
    m.table(
        "table table--compact",
        "grade-history",
        &[
            t.col_value,
            t.col_attempt,
            t.col_given,
            t.col_source,
            t.col_note,
            t.col_recorded,
        ],
    );
    for g in rows {
        let value = g.points.map(points);
        m.open(
            "tr",
            &[
                ("data-testid", Some("grade-history-row")),
                ("data-points", value.as_deref()),
                ("data-source", Some(g.source.as_str())),
            ],
        )
        .open("td", &[])
        .text(if g.excepted {
            t.excepted
        } else {
            value.as_deref().unwrap_or("")
        });
        late_badge(&mut m, g.stale);
        m.close("td").el("td", &[], &g.attempt.to_string());
        date_cell(&mut m, g.effective_at);
        source_cell(&mut m, g.source);
        m.el("td", &[], g.note.as_deref().unwrap_or(""));
        date_cell(&mut m, g.recorded_at);
        m.close("tr");
    }
    m.end_table();
    m.finish()
}

#[component]
fn GradeForm(
    assessment: i64,
    person: i64,
    mode: CellMode,
    history: RwSignal<Option<Result<Vec<GradeEvent>, ApiError>>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let value = RwSignal::new(String::new());
    let excepted = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let saved = RwSignal::new(false);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        saved.set(false);
        let since = history.with_untracked(|h| {
            h.as_ref()
                .and_then(|r| r.as_ref().ok())
                .and_then(|rows| current_grade_since(rows))
        });
        let request = match grade_request(
            assessment,
            person,
            &value.get_untracked(),
            excepted.get_untracked(),
            &note.get_untracked(),
            &date.get_untracked(),
            since,
        ) {
            Ok(r) => r,
            Err(p) => return problem.set(Some(t.problem(p).to_owned())),
        };
        problem.set(None);
        failure.set(None);
        spawn_local(async move {
            match api::sis::record_grade(request).await {
                Ok(rows) => {
                    history.set(Some(Ok(rows)));
                    value.set(String::new());
                    note.set(String::new());
                    date.set(String::new());
                    saved.set(true);
                    reload();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <form class="form form--inline" on:submit=submit data-testid="grade-form" novalidate=true>
            <TextField id="grade-points" label=if mode == CellMode::Correct { t.field_corrected_points } else { t.field_points }
                value testid="grade-points" problem=Signal::derive(move || problem.get()) />
            <Checkbox id="grade-excepted" label=t.field_excepted checked=excepted testid="grade-excepted" />
            <TextField id="grade-note" label=t.field_note value=note testid="grade-note" />
            <TextField id="grade-date" label=t.field_given_on value=date testid="grade-date" kind="date" hint=t.effective_date_hint />
            <div class="form__actions">
                <button type="submit" class="button button--primary" data-testid="grade-submit">{t.save_grade}</button>
            </div>
        </form>
        <ErrorSlot error=failure testid="grade-error" />
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
    let failure = RwSignal::new(None::<ApiError>);
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
        failure.set(None);
        spawn_local(async move {
            let created = request.name.clone();
            match api::sis::create_assessment(section_id, request).await {
                Ok(_) => {
                    done.set(Some((t.item_created)(&created)));
                    for field in [name, max, chapter] {
                        field.set(String::new());
                    }
                    reload();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
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
            <ErrorSlot error=failure testid="item-error" />
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
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let send = move |save: bool| {
        let csv = text.get_untracked();
        failure.set(None);
        busy.set(true);
        spawn_local(async move {
            match api::sis::upload_assessments(section_id, csv, !save).await {
                Ok(lines) if save => {
                    preview.set(None);
                    saved.set(Some(lines));
                    text.set(String::new());
                    reload();
                }
                Ok(lines) => {
                    saved.set(None);
                    preview.set(Some(lines));
                }
                Err(error) => failure.set(Some(error)),
            }
            busy.set(false);
        });
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
        spawn_local(async move {
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
            <ErrorSlot error=failure testid="csv-error" />
            {move || preview.get().map(|lines| {
                let counts = BatchCounts::of(&lines);
                view! {
                    <div data-testid="csv-preview-result" data-created=counts.created.to_string()
                        data-matched=counts.matched.to_string() data-rejected=counts.rejected.to_string()>
                        <p role="status">{(t.csv_would)(counts.created, counts.matched, counts.rejected)}</p>
                        {markup_view(batch_markup(&lines), "csv-lines-wrap")}
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

/// The lines of a spreadsheet preview or upload (markup).
fn batch_markup(lines: &[BatchLine]) -> String {
    let t = sis();
    let mut m = Markup::new();
    m.table(
        "table table--compact",
        "csv-lines",
        &[t.col_line, t.col_name, t.col_outcome],
    );
    for l in lines {
        let (tone, text) = match &l.result {
            LineResult::Created { .. } => ("good", t.line_created.to_owned()),
            LineResult::MatchedByName { .. } => ("info", t.line_matched.to_owned()),
            LineResult::Rejected { reason } => ("bad", (t.line_rejected)(reason)),
        };
        let line = l.line.to_string();
        m.open(
            "tr",
            &[
                ("data-testid", Some("csv-line")),
                ("data-line", Some(&line)),
                ("data-outcome", Some(outcome_code(&l.result))),
            ],
        )
        .el("td", &[], &line)
        .el("td", &[], l.name.as_deref().unwrap_or(""))
        .open("td", &[])
        .badge(tone, &text)
        .close("td")
        .close("tr");
    }
    m.end_table();
    m.finish()
}
