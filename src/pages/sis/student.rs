//! `/sis/students/{id}`: a student's schedule and every enrolment with its status history; links
//! to the progress report and the transcript. Counsellors and administrators also change a
//! status here (each enrolment's button names its section). A student reads their own page
//! (`/sis/me` shows it too); the server lets nobody else but staff read it, and leaves out what
//! only staff may read (`docs/who-sees-what.md`).

use leptos::prelude::*;
use schoolbridge_api::sis::StudentPage as Page;

use super::enrolment::{EnrolmentPanel, change_parts};
use super::{shown_idnumber, source_cell, status_part};
use crate::api;
use crate::i18n::sis;
use crate::model::sis::progress_path;
use crate::model::time;
use crate::session::use_session;
use crate::ui::{self, Cell, DataTable, Empty, Page, Row, Section, Table};
use schoolbridge_api::roles::Right;

/// The enrolment whose history and status form are open: id, "who in what", current status.
type Open = Option<(i64, String, String)>;

/// `/sis/students/{id}`.
#[component]
pub fn StudentPage(id: i64) -> impl IntoView {
    view! { <StudentView id /> }
}

/// A student's records (also `/sis/me`).
#[component]
pub fn StudentView(id: i64) -> impl IntoView {
    let t = sis();
    let staff = use_session().with(|s| s.may(Right::ReadAllStudents));
    let again = ui::Reload::new();
    let page = ui::load_each(move || again.track(), move |()| api::sis::student(id));
    let open = RwSignal::new(None as Open);
    let today = time::date(ui::now());
    view! {
        <Page testid="student-page" heading_id="student-heading" heading=t.title_student back=staff.then(|| ("/sis/students".to_owned(), t.nav_students))
            named_once=ui::has_loaded(page)>
            {ui::loaded(page, move |p| {
                let today = today.clone();
                let (schedule_view, histories_view) = (schedule(&p, staff), histories(&p, staff, open));
                view! {
                    <h1 id="student-heading" data-testid="student-name">{p.person.full_name()}</h1>
                    {shown_idnumber(p.person.idnumber.as_deref()).map(|idn| view! { <p class="lead">{(t.id_number)(idn)}</p> })}
                    <div class="report-actions">
                        <a class="button" href=progress_path(id, &today) data-testid="open-progress">{t.progress_heading}</a>
                        <a class="button" href=format!("/sis/students/{id}/transcript") data-testid="open-transcript">{t.transcript_heading}</a>
                    </div>
                    <Section heading_id="schedule-heading" heading=t.schedule_heading>
                        {schedule_view}
                    </Section>
                    <Section heading_id="history-heading" heading=t.enrolment_history_heading>
                        {histories_view}
                    </Section>
                }
            })}
            {move || open.get().map(|(eid, title, current)| view! {
                <EnrolmentPanel id=eid title current can_manage=true changed=move || again.now() />
            })}
        </Page>
    }
}

/// The sections the student attends now; staff get links to them.
fn schedule(page: &Page, staff: bool) -> AnyView {
    let t = sis();
    if page.schedule.is_empty() {
        return view! { <Empty text=t.schedule_empty testid="schedule-empty" /> }.into_any();
    }
    let mut table = Table::new(
        "schedule",
        vec![
            t.col_section,
            t.col_teacher,
            t.field_term,
            t.col_role,
            t.col_since,
            t.col_source,
        ],
    );
    for e in &page.schedule {
        let section = &e.section;
        let name = if staff {
            Cell::link(
                format!("/sis/sections/{}", section.id),
                &section.name,
                "schedule-section",
            )
        } else {
            Cell::text(&section.name)
        };
        table.row(
            Row::new("schedule-row")
                .data("data-section-id", section.id)
                .cell(name)
                .text(
                    section
                        .teacher
                        .as_ref()
                        .map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name()),
                )
                .text(t.container_name(&section.container_name, &section.container_kind))
                .text(t.role_name(e.enrolment.role))
                .cell(Cell::date(time::date(e.enrolment.status_effective_at)))
                .cell(source_cell(section.source)),
        );
    }
    view! { <DataTable table /> }.into_any()
}

/// Every enrolment with its changes; staff get a button per enrolment that opens the status form.
fn histories(page: &Page, staff: bool, open: RwSignal<Open>) -> AnyView {
    let t = sis();
    if page.enrolments.is_empty() {
        return view! { <p class="empty">{t.enrolment_history_empty}</p> }.into_any();
    }
    let name = page.person.full_name();
    page.enrolments
        .iter()
        .map(|r| {
            let e = &r.enrolment;
            let changes = r
                .history
                .iter()
                .map(|h| view! {
                    <li data-testid="history-change" data-status=h.status.clone()>
                        {ui::table::parts_view(change_parts(h))}
                    </li>
                })
                .collect_view();
            let change = staff.then(|| {
                let row = (e.id, (t.who_in)(&name, &r.section.name), e.status.clone());
                view! {
                    <button type="button" class="link-button" data-testid="change-status"
                        on:click=move |_| open.set(Some(row.clone()))>
                        {(t.change_status_in)(&r.section.name)}
                    </button>
                }
            });
            view! {
                <article class="record" data-testid="enrolment-record" data-enrolment-id=e.id.to_string()
                    data-status=e.status.clone() data-section=r.section.name.clone()>
                    <h3>
                        {format!("{} · {} ", r.section.name, t.role_name(e.role))}
                        {ui::table::parts_view(vec![status_part(e.status_kind, &e.status_label)])}
                    </h3>
                    <ol class="changes">{changes}</ol>
                    {change}
                </article>
            }
        })
        .collect_view()
        .into_any()
}
