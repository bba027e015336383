//! `/sis/students/{id}/transcript`: the official transcript (issue 20) — the header (school name
//! and address, the student's full name and number, the date printed in the school's time zone),
//! the sections grouped by term with each one's final grade (letter and percent), credits
//! attempted and earned, each term's and the cumulative GPA, withdrawals with their code, date
//! and the line the counsellor wrote for the transcript (never a staff note), and a signature
//! line; printable on A4 and US Letter (`style/main.css`, "Official transcript") and as CSV.

use leptos::prelude::*;
use schoolbridge_api::rules::transcript_shows_grade;
use schoolbridge_api::sis::{Transcript, TranscriptEntry, TranscriptTerm};

use super::progress::ReportActions;
use super::{shown_idnumber, status_part};
use crate::api;
use crate::i18n::{school, sis};
use crate::model::school::{by_term, gpa_text, grade_text};
use crate::model::sis_grades::{percent, points};
use crate::model::time;
use crate::ui::{self, Cell, DataTable, Empty, Page, Part, Row, Section, Table};

/// `/sis/students/{id}/transcript`.
#[component]
pub fn TranscriptPage(id: i64) -> impl IntoView {
    let t = sis();
    let transcript = ui::load(move || api::sis::transcript(id));
    view! {
        // A heading while it loads, or when it may not be read (the header's once loaded).
        <Page testid="transcript-page" heading_id="transcript-heading" heading=t.transcript_heading class="page report transcript"
            back=Some((format!("/sis/students/{id}"), t.back_to_student)) named_once=ui::has_loaded(transcript)>
            {ui::loaded(transcript, move |tr| {
                let csv = format!("/api/sis/students/{}/transcript.csv", tr.person.id);
                let empty = tr.entries.is_empty();
                view! {
                    <TranscriptHeader tr=tr.clone() />
                    <ReportActions csv />
                    {if empty {
                        view! { <Empty text=t.transcript_empty testid="transcript-empty" /> }.into_any()
                    } else {
                        view! { <TranscriptBody tr /> }.into_any()
                    }}
                    <Signature />
                }
            })}
        </Page>
    }
}

/// The official header: the school, the student and the date printed.
#[component]
fn TranscriptHeader(tr: Transcript) -> impl IntoView {
    let (t, w) = (sis(), school());
    let name = if tr.school.name.is_empty() {
        w.no_school_name.to_owned()
    } else {
        tr.school.name.clone()
    };
    let address: Vec<String> = tr.school.address.lines().map(str::to_owned).collect();
    let number = shown_idnumber(tr.person.idnumber.as_deref())
        .unwrap_or("—")
        .to_owned();
    view! {
        <header class="transcript__header" data-testid="transcript-header">
            <div class="transcript__school">
                <p class="transcript__school-name" data-testid="transcript-school">{name}</p>
                <address data-testid="transcript-address">
                    {address.into_iter().map(|line| view! { <span class="transcript__line">{line}</span> }).collect_view()}
                </address>
            </div>
            <h1 id="transcript-heading">{w.transcript_official}</h1>
            <dl class="transcript__facts">
                <div><dt>{w.student_name}</dt><dd data-testid="transcript-student">{tr.person.full_name()}</dd></div>
                <div><dt>{w.student_number}</dt><dd data-testid="transcript-number">{number}</dd></div>
                <div><dt>{w.printed_on}</dt><dd data-testid="transcript-printed">{tr.printed_on.clone()}</dd></div>
            </dl>
            <p class="visually-hidden">{t.transcript_heading}</p>
        </header>
    }
}

/// The terms, each with its sections and its credits and GPA, then the cumulative figures.
#[component]
fn TranscriptBody(tr: Transcript) -> impl IntoView {
    let w = school();
    let groups: Vec<(TranscriptTerm, Vec<TranscriptEntry>)> = by_term(&tr)
        .into_iter()
        .map(|(term, entries)| (term.clone(), entries.into_iter().cloned().collect()))
        .collect();
    let cumulative = tr.cumulative;
    view! {
        {groups.into_iter().map(|(term, entries)| {
            let heading = format!("term-{}", term.term_id.unwrap_or(0));
            let labelled_by = heading.clone();
            let days = match (&term.first_day, &term.last_day) {
                (Some(a), Some(b)) => format!(" ({a} – {b})"),
                _ => String::new(),
            };
            let summary = (w.term_summary)(
                &points(term.summary.credits_attempted),
                &points(term.summary.credits_earned),
                &gpa_text(term.summary.gpa),
            );
            view! {
                <section class="section report__section transcript__term" aria-labelledby=labelled_by
                    data-testid="transcript-term" data-term=term.name.clone()>
                    <h2 id=heading>{format!("{}{days}", term.name)}</h2>
                    <DataTable table=term_table(&entries).scrolls((school().term_table)(&term.name)) />
                    <p class="transcript__summary" data-testid="transcript-term-summary">{summary}</p>
                </section>
            }
        }).collect_view()}
        <Section heading_id="cumulative-heading" heading=w.cumulative_heading class="section transcript__cumulative" testid="transcript-cumulative">
            <p data-testid="transcript-gpa" data-gpa=gpa_text(cumulative.gpa)>
                {(w.term_summary)(
                    &points(cumulative.credits_attempted),
                    &points(cumulative.credits_earned),
                    &gpa_text(cumulative.gpa),
                )}
            </p>
        </Section>
    }
}

/// A signature line for the registrar, with a date.
#[component]
fn Signature() -> impl IntoView {
    let w = school();
    view! {
        <div class="transcript__signature" data-testid="transcript-signature">
            <p><span class="transcript__sign-line"></span>{w.signature}</p>
            <p><span class="transcript__sign-line transcript__sign-line--short"></span>{w.signature_date}</p>
        </div>
    }
}

/// One term's lines.
fn term_table(entries: &[TranscriptEntry]) -> Table {
    let (t, w) = (sis(), school());
    let mut table = Table::new(
        "transcript",
        vec![
            t.col_section,
            t.col_course,
            t.col_status,
            t.col_withdrawal,
            t.col_points,
            w.col_grade,
            w.col_credits,
            w.col_attempted,
            w.col_earned,
        ],
    );
    for e in entries {
        let mut withdrawal = Cell::empty().testid("transcript-withdrawal");
        if let Some(wd) = &e.withdrawal {
            withdrawal = withdrawal
                .and(Part::Text((t.withdrawn_on)(
                    &wd.label,
                    &time::date(wd.since),
                )))
                .and(Part::Break)
                .and(Part::Hint(wd.code.clone()));
            if let Some(line) = &wd.transcript_note {
                withdrawal = withdrawal
                    .and(Part::Break)
                    .and(Part::Quote(line.clone(), "transcript-note"));
            }
        }
        let earned = if transcript_shows_grade(e.enrolment.status_kind) {
            (t.earned_of)(&points(e.totals.earned), &points(e.totals.possible))
        } else {
            t.withdrawn_no_points.to_owned()
        };
        let grade = e
            .final_grade
            .as_ref()
            .map_or_else(|| percent(None), grade_text);
        table.row(
            Row::new("transcript-row")
                .data("data-section", &e.section.name)
                .data("data-status", &e.enrolment.status)
                .data("data-withdrawn", e.withdrawal.is_some())
                .data(
                    "data-letter",
                    e.final_grade
                        .as_ref()
                        .map(|g| g.letter.as_str())
                        .unwrap_or(""),
                )
                .text(&e.section.name)
                // Moodle-driven sections have no SIS course (the Moodle course is the section).
                .text(
                    e.section
                        .course
                        .as_ref()
                        .map_or(t.no_course, |c| c.name.as_str()),
                )
                .cell(Cell::empty().and(status_part(
                    e.enrolment.status_kind,
                    &e.enrolment.status_label,
                )))
                .cell(withdrawal)
                .cell(Cell::num(earned).testid("transcript-points"))
                .cell(Cell::num(grade).testid("transcript-grade"))
                .cell(Cell::num(points(e.credits)))
                .cell(Cell::num(points(e.credits_attempted)))
                .cell(Cell::num(points(e.credits_earned))),
        );
    }
    table
}
