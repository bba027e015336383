//! `/sis/students/{id}/transcript`: every section the student was enrolled in, withdrawals
//! with their code, date and the line the counsellor wrote for the transcript (never a staff
//! note), printable and as CSV. A withdrawn class shows its withdrawal instead of points.

use leptos::prelude::*;
use schoolbridge_api::rules::transcript_shows_grade;
use schoolbridge_api::sis::Transcript;

use super::progress::ReportActions;
use super::status_part;
use crate::api;
use crate::i18n::sis;
use crate::model::sis_grades::{percent, points};
use crate::model::time;
use crate::ui::{self, Cell, DataTable, Empty, Part, Row, Table};

/// `/sis/students/{id}/transcript`.
#[component]
pub fn TranscriptPage(id: i64) -> impl IntoView {
    let t = sis();
    let transcript = ui::load(move || api::sis::transcript(id));
    view! {
        <section class="page report" data-testid="transcript-page" aria-labelledby="transcript-heading">
            <p class="breadcrumb"><a href=format!("/sis/students/{id}")>{t.back_to_student}</a></p>
            <h1 id="transcript-heading">{t.transcript_heading}</h1>
            {ui::loaded(transcript, move |tr| {
                let csv = format!("/api/sis/students/{}/transcript.csv", tr.person.id);
                view! {
                    <p class="report__who" data-testid="transcript-who">
                        {(t.transcript_for)(&tr.person.full_name(), &time::date(ui::now()))}
                    </p>
                    <ReportActions csv />
                    {if tr.entries.is_empty() {
                        view! { <Empty text=t.transcript_empty testid="transcript-empty" /> }.into_any()
                    } else {
                        view! { <DataTable table=transcript_table(&tr) /> }.into_any()
                    }}
                }
            })}
        </section>
    }
}

/// The transcript's lines.
fn transcript_table(tr: &Transcript) -> Table {
    let t = sis();
    let mut table = Table::new(
        "transcript",
        vec![
            t.col_section,
            t.col_course,
            t.field_term,
            t.col_status,
            t.col_withdrawal,
            t.col_points,
            t.col_percent,
        ],
    );
    for e in &tr.entries {
        let mut withdrawal = Cell::empty().testid("transcript-withdrawal");
        if let Some(w) = &e.withdrawal {
            withdrawal =
                withdrawal.and(Part::Text((t.withdrawn_on)(&w.label, &time::date(w.since))));
            if let Some(line) = &w.transcript_note {
                withdrawal = withdrawal
                    .and(Part::Break)
                    .and(Part::Quote(line.clone(), "transcript-note"));
            }
        }
        let (earned, share) = if transcript_shows_grade(e.enrolment.status_kind) {
            (
                (t.earned_of)(&points(e.totals.earned), &points(e.totals.possible)),
                percent(e.totals.percent),
            )
        } else {
            (
                t.withdrawn_no_points.to_owned(),
                t.withdrawn_no_points.to_owned(),
            )
        };
        table.row(
            Row::new("transcript-row")
                .data("data-section", &e.section.name)
                .data("data-status", &e.enrolment.status)
                .data("data-withdrawn", e.withdrawal.is_some())
                .text(&e.section.name)
                // Moodle-driven sections have no SIS course (the Moodle course is the section).
                .text(
                    e.section
                        .course
                        .as_ref()
                        .map_or(t.no_course, |c| c.name.as_str()),
                )
                .text(t.container_name(&e.section.container_name, &e.section.container_kind))
                .cell(Cell::empty().and(status_part(
                    e.enrolment.status_kind,
                    &e.enrolment.status_label,
                )))
                .cell(withdrawal)
                .cell(Cell::num(earned).testid("transcript-points"))
                .cell(Cell::num(share)),
        );
    }
    table
}
