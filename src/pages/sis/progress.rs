//! `/sis/students/{id}/progress?date=YYYY-MM-DD`: a printable progress report as of any chosen
//! day (its end, UTC), rebuilt from history, with a CSV download of the same report. Each
//! section's items with their grade then, and a total that extra credit never takes above the
//! points possible.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use schoolbridge_api::sis::ReportSection;

use super::{source_cell, status_part};
use crate::api;
use crate::i18n::sis;
use crate::model::sis::{as_of_end_of_day, progress_csv, progress_path, report_day};
use crate::model::sis_grades::{chapter, percent, points};
use crate::model::time;
use crate::ui::{self, Cell, DataTable, Empty, Part, Row, Table, TextField};

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

/// `/sis/students/{id}/progress`.
#[component]
pub fn ProgressPage(id: i64) -> impl IntoView {
    let t = sis();
    let query = use_query_map();
    let day = Memo::new(move |_| query.with(|q| report_day(q.get_str("date"), ui::now())));
    let report = ui::load_each(
        move || day.get(),
        move |day| {
            // `report_day` is always a date; the fallback only satisfies the type.
            let as_of = as_of_end_of_day(&day).unwrap_or_else(ui::now);
            api::sis::progress(id, as_of)
        },
    );
    let chosen = RwSignal::new(day.get_untracked());
    let navigate = use_navigate();
    let show = move |event: SubmitEvent| {
        event.prevent_default();
        navigate(
            &progress_path(id, &chosen.get_untracked()),
            Default::default(),
        );
    };
    view! {
        <section class="page report" data-testid="progress-page" aria-labelledby="progress-heading">
            <p class="breadcrumb"><a href=format!("/sis/students/{id}")>{t.back_to_student}</a></p>
            <h1 id="progress-heading">{t.progress_heading}</h1>
            <form class="form form--inline" on:submit=show data-testid="as-of-form">
                <TextField id="as-of" label=t.field_as_of value=chosen testid="as-of" kind="date" hint=t.as_of_hint />
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="as-of-submit">{t.show_report}</button>
                </div>
            </form>
            {ui::loaded(report, move |r| {
                let csv = progress_csv(r.person.id, &day.get_untracked());
                view! {
                    <p class="report__who" data-testid="progress-who" data-as-of=r.as_of.to_string()>
                        {(t.report_for)(&r.person.full_name(), &time::date(r.as_of))}
                    </p>
                    <ReportActions csv />
                    {if r.sections.is_empty() {
                        view! { <Empty text=t.progress_empty testid="progress-empty" /> }.into_any()
                    } else {
                        r.sections.into_iter().map(|s| view! { <ProgressSection s /> }).collect_view().into_any()
                    }}
                }
            })}
        </section>
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
                    .map(|g| time::date(g.effective_at))
                    .unwrap_or_default(),
            ))
            .cell(grade.map_or_else(Cell::empty, |g| source_cell(g.source))),
        );
    }
    table.foot(
        Row::new("progress-total")
            .text(t.total)
            .cell(Cell::empty())
            .cell(Cell::num(points(s.totals.possible)))
            .cell(Cell::num(points(s.totals.earned)))
            .cell(Cell::num(percent(s.totals.percent)).span(2)),
    );
    view! {
        <section class="section report__section" aria-labelledby=heading.clone() data-testid="progress-section"
            data-section=s.section.name.clone() data-status=s.status.clone()>
            <h2 id=heading.clone()>{s.section.name.clone()}</h2>
            <p>
                {ui::table::parts_view(vec![status_part(s.status_kind, &s.status_label)])}
                {format!(" {}", (t.since)(&time::date(s.status_since)))}
                {s.section.teacher.as_ref().map(|p| format!(" · {}", p.full_name()))}
            </p>
            <DataTable table />
        </section>
    }
}
