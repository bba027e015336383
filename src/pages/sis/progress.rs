//! `/sis/students/{id}/progress?date=YYYY-MM-DD`: a printable progress report as of any chosen
//! day (its end in the school's time zone), rebuilt from history, with a CSV download of the
//! same report. Each section's items with their grade then, SchoolBridge's total with its letter
//! (extra credit never takes it above the points possible unless the school allows it), and
//! Moodle's course total beside it when the section has one, marked when it is the one the
//! transcript counts.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use schoolbridge_api::school::TranscriptTotal;
use schoolbridge_api::sis::ReportSection;

use super::{source_cell, status_part};
use crate::api;
use crate::i18n::school;
use crate::i18n::sis;
use crate::model::school::grade_text;
use crate::model::sis::{progress_csv, progress_path, report_day};
use crate::model::sis_grades::{chapter, percent, points};
use crate::model::time;
use crate::ui::{
    self, Cell, DataTable, Empty, Page, Part, Row, SubmitButton, Table, TextField, Tone,
};

/// Print and CSV links of a printable report (not printed themselves).
#[component]
pub fn ReportActions(csv: String) -> impl IntoView {
    let t = sis();
    let print = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <div class="report-actions">
            <button type="button" class="button" data-testid="print" on:click=print>{t.print}</button>
            <a class="button button--quiet" href=csv rel="external" download="" data-testid="download-csv">{t.download_csv}</a>
        </div>
    }
}

/// The day a report is as of: the address's `?date=`, or today.
pub fn report_day_in_address() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| report_day(q.get_str("date"), ui::now())))
}

/// A report's "as of" form: a date, and "Show" goes to the report of that day (`path(day)`).
#[component]
pub fn AsOfForm(day: Memo<String>, path: impl Fn(&str) -> String + 'static) -> impl IntoView {
    let t = sis();
    let chosen = RwSignal::new(day.get_untracked());
    let navigate = use_navigate();
    let show = move |event: SubmitEvent| {
        event.prevent_default();
        navigate(&path(&chosen.get_untracked()), Default::default());
    };
    view! {
        <form class="form form--inline" on:submit=show data-testid="as-of-form">
            <TextField id="as-of" label=t.field_as_of value=chosen testid="as-of" kind="date" hint=t.as_of_hint />
            <SubmitButton testid="as-of-submit">{t.show_report}</SubmitButton>
        </form>
    }
}

/// `/sis/students/{id}/progress`.
#[component]
pub fn ProgressPage(id: i64) -> impl IntoView {
    let t = sis();
    let day = report_day_in_address();
    let report = ui::load_each(
        move || day.get(),
        move |day| async move { api::sis::progress(id, &day).await },
    );
    view! {
        <Page testid="progress-page" heading_id="progress-heading" heading=t.progress_heading class="page report" back=Some((format!("/sis/students/{id}"), t.back_to_student))>
            <AsOfForm day path=move |day: &str| progress_path(id, day) />
            {ui::loaded(report, move |r| {
                let csv = progress_csv(r.person.id, &day.get_untracked());
                view! {
                    <p class="report__who" data-testid="progress-who" data-as-of=r.as_of.to_string()>
                        {(school().report_as_of)(&r.person.full_name(), &r.as_of_day, &r.time_zone)}
                    </p>
                    <ReportActions csv />
                    {if r.sections.is_empty() {
                        view! { <Empty text=t.progress_empty testid="progress-empty" /> }.into_any()
                    } else {
                        r.sections.into_iter().map(|s| view! { <ProgressSection s /> }).collect_view().into_any()
                    }}
                }
            })}
        </Page>
    }
}

/// One section of the report.
#[component]
fn ProgressSection(s: ReportSection) -> impl IntoView {
    let t = sis();
    let heading = format!("progress-{}", s.enrolment_id);
    let mut table = Table::new(
        "progress-items",
        vec![
            t.col_item,
            t.col_chapter,
            t.col_points_possible,
            t.col_points_earned,
            t.col_given,
            t.col_source,
        ],
    )
    .compact();
    for i in &s.items {
        let grade = i.grade.as_ref();
        let value = grade.and_then(|g| g.points).map(points);
        let earned = match grade {
            None => t.not_graded.to_owned(),
            Some(g) if g.excepted => t.excepted.to_owned(),
            Some(_) => value.clone().unwrap_or_default(),
        };
        let mut row = Row::new("progress-item").data("data-name", &i.assessment.name);
        if let Some(value) = &value {
            row = row.data("data-points", value);
        }
        table.row(
            row.cell(
                Cell::text(&i.assessment.name).and_some(
                    i.assessment
                        .extra_credit
                        .then(|| Part::Hint(format!(" {}", t.extra_credit))),
                ),
            )
            .cell(Cell::num(chapter(i.assessment.chapter, t.no_chapter)))
            .cell(Cell::num(points(i.assessment.pointval)))
            .cell(Cell::num(earned).testid("progress-grade"))
            .cell(Cell::date(
                grade
                    .map(|g| time::date(g.provenance.effective_at))
                    .unwrap_or_default(),
            ))
            .cell(grade.map_or_else(Cell::empty, |g| source_cell(g.provenance.source))),
        );
    }
    let w = school();
    // A total row: its points and percent, and the letter and "counts" mark when it is the
    // total the transcript counts.
    let total_row = |testid, label, which, possible, earned, percent_of: Option<f64>| {
        let counted = s.grade.as_ref().filter(|g| g.counted == which);
        let letter = counted
            .map(|g| format!(" {}", g.letter))
            .unwrap_or_default();
        Row::new(testid)
            .cell(
                Cell::text(label)
                    .and_some(counted.map(|_| Part::Badge(Tone::Info, w.counts_mark.to_owned()))),
            )
            .cell(Cell::empty())
            .cell(Cell::num(points(possible)))
            .cell(Cell::num(points(earned)))
            .cell(Cell::num(format!("{}{letter}", percent(percent_of))).span(2))
    };
    table.foot(total_row(
        "progress-total",
        t.total,
        TranscriptTotal::Schoolbridge,
        s.totals.possible,
        s.totals.earned,
        s.totals.percent,
    ));
    if let Some(m) = &s.moodle_total {
        table.foot(total_row(
            "progress-moodle-total",
            w.moodle_total_row,
            TranscriptTotal::Moodle,
            m.possible,
            m.points,
            m.percent,
        ));
    }
    let grade = s.grade.as_ref().map(grade_text);
    view! {
        <section class="section report__section" aria-labelledby=heading.clone() data-testid="progress-section"
            data-section=s.section.name.clone() data-status=s.status.clone()>
            <h2 id=heading.clone()>{s.section.name.clone()}</h2>
            <p>
                {ui::table::parts_view(vec![status_part(s.status_kind, &s.status_label)])}
                {format!(" {}", (t.since)(&time::date(s.status_since)))}
                {s.section.teacher.as_ref().map(|p| format!(" · {}", p.full_name()))}
                {s.honors.then(|| format!(" · {}", w.honours_track))}
            </p>
            {grade.map(|g| view! { <p class="report__grade" data-testid="progress-grade-so-far">{format!("{}: {g}", w.col_grade)}</p> })}
            <DataTable table />
        </section>
    }
}
