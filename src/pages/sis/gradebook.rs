//! `/sis/sections/{id}/gradebook`: assessments as columns (chapter, points, honours and
//! extra-credit flags, and whether the item came from Moodle or was made here), students as rows,
//! the current grade in each cell with its source. Choosing a cell shows its whole history
//! (every value, when, from where) and, for manual items, the form to enter or correct a grade;
//! grades that came from Moodle are read-only. Below: a manual grade item, and grade items from a
//! spreadsheet with a preview before anything is saved.

use std::collections::HashMap;

use leptos::ev::{KeyboardEvent, MouseEvent, SubmitEvent};
use leptos::prelude::*;
use schoolbridge_api::sis::{
    BatchLine, GradeEvent, GradeRequest, LineResult, RecordSource, StatusKind,
};

use super::gradebook_import::{GradeImportForm, RescaleQuestion};
use super::{date_cell, late_part, source_cell, status_part};
use crate::api;
use crate::i18n::{gradebook, sis};
use crate::model::sis::SisProblem;
use crate::model::sis_grades::{
    BatchCounts, CellMode, GradeForm, Grid, ItemField, assessment_request, cell_mode, cell_text,
    chapter_number, current_grade_since, grade_request, outcome_code, parse_points, percent,
    points,
};
use crate::model::sis_grid_entry::{
    Entry, Move, SaveState, entry, given_by, next_cell, row_totals, takes_entry,
};
use crate::model::time::date_time;
use crate::ui::{
    self, Cell, Checkbox, CsvForm, CsvSteps, DataTable, DoneSlot, Empty, ErrorSlot, Notice, Page,
    Part, Row, SavedSlot, Section, SubmitButton, Table, TextField, Tone,
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
        <Page testid="gradebook-page" heading_id="gradebook-heading" heading=t.gradebook_heading class="page page--wide" back=Some((format!("/sis/sections/{id}"), t.back_to_section))>
            {ui::loaded(book, move |grid| view! { <GridView grid selected reload /> })}
            {move || selected.get().map(|(assessment, person)| view! { <CellPanel assessment person book selected reload /> })}
            <div class="columns">
                <NewItem section_id=id reload />
                <CsvUpload section_id=id reload />
            </div>
            <GradeImportForm section_id=id reload />
        </Page>
    }
}

/// The grid: every cell is a button (`data-cell="row:column"`), and one click handler on the
/// table finds the cell, so 2,400 cells need no handler each. On an item made here, typing a
/// number into a cell edits it in place (keyboard grid entry: `model::sis_grid_entry`); each
/// row ends with the student's totals.
#[component]
fn GridView(
    grid: Grid,
    selected: RwSignal<Option<(i64, i64)>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = sis();
    let g = gradebook();
    Effect::new(move |_| {
        ui::mark("schoolbridge:gradebook-rendered");
        // Two frames later the grid has been laid out and painted (the benchmark reads both).
        request_animation_frame(|| {
            request_animation_frame(|| ui::mark("schoolbridge:gradebook-painted"));
        });
    });
    let subtitle =
        view! { <p class="lead" data-testid="gradebook-section">{grid.section.name.clone()}</p> };
    let questions = grid
        .rescales
        .iter()
        .filter_map(|q| {
            let item = grid.columns.iter().find(|a| a.id == q.assessment_id)?;
            Some(view! {
                <RescaleQuestion assessment_id=q.assessment_id item=item.name.clone() old_max=q.old_max
                    new_max=item.pointval reload />
            })
        })
        .collect_view();
    if grid.columns.is_empty() || grid.rows.is_empty() {
        let text = if grid.columns.is_empty() {
            t.no_items
        } else {
            t.no_students
        };
        return view! { {subtitle} <p class="empty" data-testid="gradebook-empty">{text}</p> }
            .into_any();
    }
    let entry = GridEntry::new();
    let ids: Vec<i64> = grid.columns.iter().map(|a| a.id).collect();
    let people: Vec<i64> = grid.rows.iter().map(|s| s.person.id).collect();
    let on_click = move |event: MouseEvent| {
        let Some((r, c)) = cell_of(event.target()) else {
            return;
        };
        if let (Some(person), Some(item)) = (people.get(r), ids.get(c)) {
            selected.set(Some((*item, *person)));
        }
    };
    let stored = StoredValue::new(grid.clone());
    // Typing a number (or F2) on a cell that takes grades here starts editing it in place.
    let on_keydown = move |event: KeyboardEvent| {
        let Some((r, c)) = cell_of(event.target()) else {
            return;
        };
        if !stored.with_value(|grid| takes_entry(grid, r, c)) {
            return;
        }
        let key = event.key();
        let typed = match key.as_str() {
            "F2" => String::new(),
            k if k.len() == 1
                && k.chars()
                    .all(|ch| ch.is_ascii_digit() || ch == '.' || ch == ',') =>
            {
                k.to_owned()
            }
            _ => return,
        };
        event.prevent_default();
        entry.start((r, c), typed);
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
            let rescale = grid.rescale_from(item.id).map(|old| {
                view! {
                    <span class="mark mark--warn" data-testid="rescale-mark">
                        {(g.rescale_mark)(&points(old), &points(item.pointval))}
                    </span>
                }
            });
            view! {
                <th scope="col" data-testid="gradebook-column" data-assessment-id=item.id.to_string()
                    data-origin=item.origin.as_str() data-linked=item.idnumber.is_some().to_string()>
                    <span class="gradebook__name">{item.name.clone()}</span>
                    <span class="gradebook__meta">{(t.chapter_points)(chapter_number(item.chapter), &points(item.pointval))}</span>
                    {(!flags.is_empty()).then(|| view! { <span class="gradebook__meta">{flags}</span> })}
                    <span class=mark>{t.item_origin(item)}</span>
                    {rescale}
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
                    let title = match grid.cell(r, c) {
                        Some(cell) => g.given_by(&given_by(&cell.grade), &date_time(cell.grade.provenance.effective_at)),
                        None => t.no_grade.to_owned(),
                    };
                    let class = match source {
                        Some(RecordSource::Moodle) => "cell cell--moodle",
                        Some(RecordSource::Manual) => "cell cell--manual",
                        None => "cell",
                    };
                    if !takes_entry(&grid, r, c) {
                        return view! {
                            <td>
                                <button type="button" class=class title=title data-cell=format!("{r}:{c}")
                                    data-source=source.map(RecordSource::as_str)>
                                    {text}
                                </button>
                            </td>
                        }
                        .into_any();
                    }
                    let label = (g.cell_input_label)(&student.person.full_name(), &grid.columns[c].name);
                    let maximum = points(grid.columns[c].pointval);
                    view! {
                        <td>
                            <EntryCell r c entry text source title label maximum stored />
                        </td>
                    }
                    .into_any()
                })
                .collect_view();
            let totals = Memo::new(move |_| {
                let saved = entry.saved_in_row(r);
                stored.with_value(|grid| row_totals(grid, r, |c| saved.get(&c).copied()))
            });
            view! {
                <tr data-testid="gradebook-row" data-person-id=student.person.id.to_string()>
                    <th scope="row">{student.person.full_name()}{badge}</th>
                    {cells}
                    {move || {
                        let totals = totals.get();
                        let letter = stored.with_value(|grid| {
                            totals.percent.and_then(|p| grid.counting.letter(p)).map(str::to_owned)
                        });
                        let text = match (totals.percent, &letter) {
                            (Some(_), Some(letter)) => (g.total_with_letter)(
                                &points(totals.earned),
                                &points(totals.possible),
                                &percent(totals.percent),
                                letter,
                            ),
                            (Some(_), None) => (g.total_of)(&points(totals.earned), &points(totals.possible), &percent(totals.percent)),
                            (None, _) => g.no_total.to_owned(),
                        };
                        view! {
                            <td class="gradebook__total" data-testid="row-total" data-earned=points(totals.earned)
                                data-possible=points(totals.possible)
                                data-percent=totals.percent.map(points).unwrap_or_default()
                                data-letter=letter.unwrap_or_default()>
                                {text}
                            </td>
                        }
                    }}
                </tr>
            }
        })
        .collect_view();
    view! {
        {subtitle}
        {questions}
        <p class="legend" data-testid="gradebook-legend">
            <span class="cell cell--moodle legend__sample">{t.from_moodle}</span>
            <span class="cell cell--manual legend__sample">{t.entered_here}</span>
            {t.gradebook_hint}
            {g.grid_hint}
        </p>
        <p class="visually-hidden" aria-live="polite" data-testid="grid-announce">{move || entry.announce.get()}</p>
        <div class="table-wrap gradebook-wrap" on:click=on_click on:keydown=on_keydown>
            <table class="table gradebook" data-testid="gradebook" data-columns=grid.columns.len().to_string()
                data-rows=grid.rows.len().to_string()>
                <caption class="visually-hidden">{t.gradebook_heading}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t.col_student}</th>
                        {columns}
                        <th scope="col" data-testid="gradebook-total-column">{g.col_total}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The (row, column) of the cell button an event came from.
fn cell_of(target: Option<web_sys::EventTarget>) -> Option<(usize, usize)> {
    use wasm_bindgen::JsCast as _;
    let cell = target
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
        .and_then(|element| element.closest("[data-cell]").ok().flatten())
        .and_then(|button| button.get_attribute("data-cell"))?;
    let mut parts = cell.split(':').map(|n| n.parse::<usize>().ok());
    match (parts.next(), parts.next()) {
        (Some(Some(r)), Some(Some(c))) => Some((r, c)),
        _ => None,
    }
}

/// Focuses an element once the next frame has rendered it.
fn focus_soon(selector: String) {
    request_animation_frame(move || ui::focus(document().query_selector(&selector).ok().flatten()));
}

/// The grid's entry state: the cell being edited and its text, every cell's save, and the
/// sentence the live region reads out.
#[derive(Clone, Copy)]
struct GridEntry {
    editing: RwSignal<Option<(usize, usize)>>,
    draft: RwSignal<String>,
    saves: RwSignal<HashMap<(usize, usize), SaveState>>,
    announce: RwSignal<String>,
}

impl GridEntry {
    fn new() -> Self {
        GridEntry {
            editing: RwSignal::new(None),
            draft: RwSignal::new(String::new()),
            saves: RwSignal::new(HashMap::new()),
            announce: RwSignal::new(String::new()),
        }
    }

    fn start(self, at: (usize, usize), typed: String) {
        self.draft.set(typed);
        self.editing.set(Some(at));
        focus_soon("#cell-input".to_owned());
    }

    fn cancel(self, at: (usize, usize)) {
        self.editing.set(None);
        self.saves.update(|m| {
            if matches!(m.get(&at), Some(SaveState::Confirm { .. })) {
                m.remove(&at);
            }
        });
        focus_soon(format!("[data-cell='{}:{}']", at.0, at.1));
    }

    fn set_state(self, at: (usize, usize), state: Option<SaveState>) {
        let _ = self.saves.try_update(|m| match state {
            Some(s) => m.insert(at, s),
            None => m.remove(&at),
        });
    }

    /// Points saved in this visit in row `r`, by column.
    fn saved_in_row(self, r: usize) -> HashMap<usize, f64> {
        self.saves.with(|m| {
            m.iter()
                .filter_map(|((row, c), s)| match s {
                    SaveState::Saved { points, .. } if *row == r => Some((*c, *points)),
                    _ => None,
                })
                .collect()
        })
    }

    /// Sends one grade; the cell and the live region follow its answer.
    fn send(
        self,
        grid: StoredValue<Grid>,
        at: (usize, usize),
        typed: String,
        points_given: f64,
        above_maximum: bool,
    ) {
        let g = gradebook();
        let Some((item, person)) = grid.with_value(|grid| {
            Some((
                grid.columns.get(at.1)?.clone(),
                grid.rows.get(at.0)?.person.clone(),
            ))
        }) else {
            return;
        };
        let text = points(points_given);
        self.set_state(at, Some(SaveState::Saving { text: text.clone() }));
        let request = GradeRequest {
            assessment_id: item.id,
            person_id: person.id,
            points: Some(points_given),
            excepted: false,
            note: None,
            effective_at: None,
            above_maximum,
        };
        ui::spawn(async move {
            let (student, name) = (person.full_name(), item.name.clone());
            match api::sis::record_grade(request).await {
                Ok(_) => {
                    self.set_state(
                        at,
                        Some(SaveState::Saved {
                            text: text.clone(),
                            points: points_given,
                        }),
                    );
                    let _ = self
                        .announce
                        .try_set((g.announce_saved)(&text, &student, &name));
                }
                Err(error) => {
                    let reason = error.to_string();
                    let _ = self
                        .announce
                        .try_set((g.announce_failed)(&student, &name, &reason));
                    self.set_state(
                        at,
                        Some(SaveState::Failed {
                            typed,
                            reason,
                            above_maximum,
                        }),
                    );
                }
            }
        });
    }

    /// Enter, Shift+Enter, Tab or Shift+Tab in the cell being edited.
    fn commit(self, grid: StoredValue<Grid>, to: Move) {
        let g = gradebook();
        let Some(at) = self.editing.get_untracked() else {
            return;
        };
        let typed = self.draft.get_untracked();
        let confirmed = self.saves.with_untracked(|m| match m.get(&at) {
            Some(SaveState::Confirm { typed }) => Some(typed.clone()),
            _ => None,
        });
        let Some(item) = grid.with_value(|grid| grid.columns.get(at.1).cloned()) else {
            return;
        };
        match entry(&item, &typed, confirmed.as_deref()) {
            Entry::Skip => {
                if matches!(
                    self.saves.with_untracked(|m| m.get(&at).cloned()),
                    Some(SaveState::Confirm { .. })
                ) {
                    self.set_state(at, None);
                }
            }
            Entry::Invalid(problem) => {
                let reason = sis().problem(problem).to_owned();
                self.announce.set((g.failed)(&reason));
                self.set_state(
                    at,
                    Some(SaveState::Failed {
                        typed,
                        reason,
                        above_maximum: false,
                    }),
                );
                return;
            }
            Entry::ConfirmAbove(p) => {
                self.announce
                    .set((g.announce_confirm)(&points(p), &points(item.pointval)));
                self.set_state(at, Some(SaveState::Confirm { typed }));
                return;
            }
            Entry::Save {
                points,
                above_maximum,
            } => self.send(grid, at, typed, points, above_maximum),
        }
        match grid
            .with_value(|grid| next_cell(grid, at, to).filter(|&(r, c)| takes_entry(grid, r, c)))
        {
            Some(next) => self.start(next, String::new()),
            None => {
                self.editing.set(None);
                focus_soon(format!("[data-cell='{}:{}']", at.0, at.1));
            }
        }
    }
}

/// A cell of an item made here: its button, or the text box while it is being edited, with its
/// save state in words beside it.
#[component]
fn EntryCell(
    r: usize,
    c: usize,
    entry: GridEntry,
    text: String,
    source: Option<RecordSource>,
    title: String,
    label: String,
    maximum: String,
    stored: StoredValue<Grid>,
) -> impl IntoView {
    let g = gradebook();
    let at = (r, c);
    let editing = Memo::new(move |_| entry.editing.with(|e| *e == Some(at)));
    let save = Memo::new(move |_| entry.saves.with(|m| m.get(&at).cloned()));
    let label = StoredValue::new(label);
    let on_keydown = move |event: KeyboardEvent| {
        let to = match event.key().as_str() {
            "Enter" if event.shift_key() => Move::Up,
            "Enter" => Move::Down,
            "Tab" if event.shift_key() => Move::Left,
            "Tab" => Move::Right,
            "Escape" => {
                event.prevent_default();
                return entry.cancel(at);
            }
            _ => return,
        };
        event.prevent_default();
        entry.commit(stored, to);
    };
    let retry = move |_| {
        if let Some(SaveState::Failed {
            typed,
            above_maximum,
            ..
        }) = save.get_untracked()
            && let Ok(Some(p)) = parse_points(&typed)
        {
            entry.send(stored, at, typed, p, above_maximum);
        }
    };
    let text = StoredValue::new(text);
    let shown = move || match save.get() {
        Some(SaveState::Saving { text } | SaveState::Saved { text, .. }) => text,
        _ => text.get_value(),
    };
    let shown_source = move || match save.get() {
        Some(SaveState::Saved { .. } | SaveState::Saving { .. }) => Some("manual"),
        _ => source.map(RecordSource::as_str),
    };
    let class = move || match shown_source() {
        Some("moodle") => "cell cell--moodle",
        Some(_) => "cell cell--manual",
        None => "cell",
    };
    let state_line = move || {
        save.get().map(|state| {
            let code = state.code();
            let (words, can_retry) = match &state {
                SaveState::Saving { .. } => (g.saving.to_owned(), false),
                SaveState::Saved { .. } => (g.saved.to_owned(), false),
                SaveState::Failed { reason, .. } => ((g.failed)(reason), true),
                SaveState::Confirm { typed } => ((g.confirm_above)(typed, &maximum), false),
            };
            view! {
                <span class="cell__state" data-testid="cell-state" data-state=code>
                    {words}
                    {can_retry.then(|| view! {
                        " " <button type="button" class="button button--quiet" data-testid="cell-retry" on:click=retry>{g.retry}</button>
                    })}
                </span>
            }
        })
    };
    let title = StoredValue::new(title);
    view! {
        {move || if editing.get() {
            view! {
                <input id="cell-input" type="text" inputmode="decimal" class="cell-input" data-testid="cell-input"
                    data-cell-input=format!("{r}:{c}") aria-label=label.get_value() autocomplete="off"
                    prop:value=move || entry.draft.get()
                    on:input=move |e| entry.draft.set(event_target_value(&e))
                    on:keydown=on_keydown />
            }.into_any()
        } else {
            view! {
                <button type="button" class=class title=title.get_value() data-cell=format!("{r}:{c}")
                    data-source=shown_source>
                    {shown}
                </button>
            }.into_any()
        }}
        {state_line}
    }
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
    Effect::new(move |_| ui::focus_id("cell-heading"));
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
            gradebook().col_given_by,
            t.col_note,
            t.col_recorded,
        ],
    )
    .compact();
    for g in rows {
        let value = g.points.map(points);
        let mut row =
            Row::new("grade-history-row").data("data-source", g.provenance.source.as_str());
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
                .cell(date_cell(g.provenance.effective_at))
                .cell(source_cell(g.provenance.source))
                .text(gradebook().given_by(&given_by(g), &date_time(g.provenance.recorded_at)))
                .text(g.note.clone().unwrap_or_default())
                .cell(date_cell(g.provenance.recorded_at)),
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
        let checked = item
            .with_value(|item| grade_request(item, person, &form, since))
            .map_err(|p| match p {
                SisProblem::AboveMaximum => {
                    let typed = parse_points(&form.points)
                        .ok()
                        .flatten()
                        .map(points)
                        .unwrap_or_default();
                    Some((t.above_maximum)(&typed, &points(maximum)))
                }
                p => Some(t.problem(p).to_owned()),
            });
        let Some(request) = ui::checked(problem, checked) else {
            return;
        };
        action.run(api::sis::record_grade(request), move |rows| {
            history.set(Some(Ok(rows)));
            ui::clear(&[value, note, date]);
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
            <SubmitButton testid="grade-submit" primary=true busy=action.busy>{t.save_grade}</SubmitButton>
        </form>
        <ErrorSlot error=action.failure testid="grade-error" />
        <SavedSlot saved text=t.grade_saved testid="grade-saved" />
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
    let problem_of = move |field: ItemField| ui::problem_at(problem, field);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        done.set(None);
        let checked = assessment_request(
            &name.get_untracked(),
            &max.get_untracked(),
            &chapter.get_untracked(),
            (
                extra.get_untracked(),
                honours.get_untracked(),
                regular.get_untracked(),
            ),
        )
        .map_err(|(field, p)| Some((field, t.problem(p).to_owned())));
        let Some(request) = ui::checked(problem, checked) else {
            return;
        };
        let created = request.name.clone();
        action.run(
            api::sis::create_assessment(section_id, request),
            move |_| {
                done.set(Some((t.item_created)(&created)));
                ui::clear(&[name, max, chapter]);
                reload();
            },
        );
    };
    view! {
        <Section heading_id="new-item-heading" heading=t.new_item_heading>
            <p>{t.new_item_intro}</p>
            <form class="form" on:submit=submit data-testid="new-item-form" novalidate=true>
                <TextField id="item-name" label=t.field_name value=name testid="item-name" required=true problem=problem_of(ItemField::Name) />
                <TextField id="item-points" label=t.field_max_points value=max testid="item-points" required=true problem=problem_of(ItemField::Points) />
                <TextField id="item-chapter" label=t.field_chapter value=chapter testid="item-chapter" problem=problem_of(ItemField::Chapter) />
                <Checkbox id="item-extra" label=t.field_extra_credit checked=extra testid="item-extra" />
                <Checkbox id="item-honours" label=t.field_honours_required checked=honours testid="item-honours" />
                <Checkbox id="item-regular" label=t.field_nonhonours_required checked=regular testid="item-regular" />
                <SubmitButton testid="item-submit" primary=true>{t.add_item}</SubmitButton>
            </form>
            <ErrorSlot error=action.failure testid="item-error" />
            <DoneSlot done testid="item-created" />
        </Section>
    }
}

#[component]
fn CsvUpload(section_id: i64, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let steps = CsvSteps::<Vec<BatchLine>>::new();
    let CsvSteps {
        preview,
        saved,
        action,
        ..
    } = steps;
    let busy = action.busy;
    let send = move |save: bool| {
        steps.send(
            save,
            |csv, dry_run| api::sis::upload_assessments(section_id, csv, dry_run),
            move |lines| (save, lines),
            reload,
        );
    };
    view! {
        <Section heading_id="csv-heading" heading=t.csv_heading testid="csv-upload">
            <p>{t.csv_intro} " "
                <a href="/api/sis/grade-items-template.csv" rel="external" download="grade-items-template.csv" data-testid="csv-template">{t.csv_template}</a>
            </p>
            <CsvForm name="csv" file_label=t.field_csv_file text_label=t.field_csv_text preview_label=t.csv_preview
                steps on_preview=move || send(false) />
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
        </Section>
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
