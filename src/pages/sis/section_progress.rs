//! `/sis/sections/{id}/progress?date=YYYY-MM-DD`: every student of a section as of a day (its
//! end in the school's time zone): SchoolBridge's total (points and percent), Moodle's course
//! total beside it when the section has one, and the grade so far (letter and percent) from the
//! total the school's setting picks; printable and as CSV. Counsellors and administrators set a
//! student's honours track here (it decides which items count for them).

use leptos::prelude::*;
use schoolbridge_api::roles::Right;
use schoolbridge_api::sis::{SectionProgress, SectionProgressRow};

use super::progress::{AsOfForm, ReportActions, report_day_in_address};
use super::{shown_idnumber, status_part};
use crate::api;
use crate::i18n::{school, sis};
use crate::model::school::{grade_text, section_progress_csv, section_progress_path};
use crate::model::sis_grades::{percent, points};
use crate::session::use_session;
use crate::ui::{self, Cell, DataTable, Empty, ErrorSlot, Page, Row, Section, Table};

/// `/sis/sections/{id}/progress`.
#[component]
pub fn SectionProgressPage(id: i64) -> impl IntoView {
    let (t, w) = (sis(), school());
    let day = report_day_in_address();
    let again = ui::Reload::new();
    let report = ui::load_each(
        move || {
            again.track();
            day.get()
        },
        move |day| async move { api::sis::section_progress(id, &day).await },
    );
    let manager = use_session().with(|s| s.may(Right::ManageRecords));
    view! {
        <Page testid="section-progress-page" heading_id="section-progress-heading" heading=w.section_progress_heading class="page report" back=Some((format!("/sis/sections/{id}"), t.title_section))>
            <AsOfForm day path=move |day: &str| section_progress_path(id, day) />
            {ui::loaded(report, move |r| {
                let csv = section_progress_csv(id, &r.as_of_day);
                view! {
                    <p class="report__who" data-testid="section-progress-who" data-as-of=r.as_of.to_string()>
                        {(w.section_report_for)(&r.section.name, &r.as_of_day, &r.time_zone)}
                    </p>
                    <p class="lead" data-testid="section-progress-counts">{(w.counts_for_transcript)(r.counts)}</p>
                    <ReportActions csv />
                    {if r.students.is_empty() {
                        view! { <Empty text=w.no_students testid="section-progress-empty" /> }.into_any()
                    } else {
                        view! { <DataTable table=students_table(&r) /> }.into_any()
                    }}
                    {manager.then(|| view! { <HonoursForm students=r.students.clone() reload=move || again.now() /> })}
                }
            })}
        </Page>
    }
}

/// One line per student.
fn students_table(r: &SectionProgress) -> Table {
    let (t, w) = (sis(), school());
    let mut columns = vec![
        t.col_student,
        w.student_number,
        t.col_status,
        w.col_honours,
        w.col_ours,
        t.col_percent,
    ];
    if r.has_moodle_total {
        columns.push(w.col_moodle_total);
    }
    columns.push(w.col_grade);
    let mut table = Table::new("section-progress", columns);
    for s in &r.students {
        let mut row = Row::new("section-progress-row")
            .data("data-student", s.person.full_name())
            .data(
                "data-letter",
                s.grade.as_ref().map(|g| g.letter.as_str()).unwrap_or(""),
            )
            .text(s.person.full_name())
            .text(shown_idnumber(s.person.idnumber.as_deref()).unwrap_or(""))
            .cell(Cell::empty().and(status_part(s.status_kind, &s.status_label)))
            .text(if s.honors { t.honours } else { "" })
            .cell(Cell::num((t.earned_of)(
                &points(s.totals.earned),
                &points(s.totals.possible),
            )))
            .cell(Cell::num(percent(s.totals.percent)).testid("section-progress-percent"));
        if r.has_moodle_total {
            row = row.cell(Cell::num(
                s.moodle_total
                    .map(|m| percent(m.percent))
                    .unwrap_or_else(|| percent(None)),
            ));
        }
        row = row.cell(
            Cell::num(s.grade.as_ref().map_or_else(|| percent(None), grade_text))
                .testid("section-progress-grade"),
        );
        table.row(row);
    }
    table
}

/// A counsellor's form: a student's honours track in this section.
#[component]
fn HonoursForm(
    students: Vec<SectionProgressRow>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let w = school();
    let action = ui::Action::new();
    let saved = RwSignal::new(false);
    view! {
        <Section heading_id="honours-heading" heading=w.honours_track testid="honours-form">
            <ul class="plain-list">
                {students.into_iter().map(|s| {
                    let id = format!("honours-{}", s.enrolment_id);
                    let enrolment = s.enrolment_id;
                    let on = s.honors;
                    let change = move |_| {
                        saved.set(false);
                        action.run(api::school::set_honors(enrolment, !on), move |()| {
                            saved.set(true);
                            reload();
                        });
                    };
                    view! {
                        <li class="field field--check">
                            <input id=id.clone() type="checkbox" checked=on data-testid="honours-toggle"
                                data-student=s.person.full_name() on:change=change />
                            <label for=id>{format!("{} — {}", s.person.full_name(), w.honours_track)}</label>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ErrorSlot error=action.failure testid="honours-result" />
            {move || saved.get().then(|| view! { <p role="status" data-testid="honours-saved">{w.honours_saved}</p> })}
        </Section>
    }
}
