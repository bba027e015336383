//! `/sis/sections/{id}`: a section — where it comes from, its roster (every enrolment with its
//! role and current status, and on demand its status history), its teacher history, and the link
//! to its gradebook. Counsellors and administrators also change statuses, enrol people, and set
//! the teacher of a section made in the SIS.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use schoolbridge_api::sis::{RecordSource, Role, SectionPage as Page, SetTeacherRequest};

use super::enrolment::EnrolmentPanel;
use super::person_picker::PersonPicker;
use super::{date_cell, late_part, shown_idnumber, source_cell, source_part, status_part};
use crate::api;
use crate::i18n::sis;
use crate::model::sis::{SisProblem, new_enrolment, roster_counts};
use crate::model::time;
use crate::ui::{
    self, Cell, DataTable, DoneSlot, Empty, ErrorSlot, Page, Part, Row, Section, SubmitButton,
    Table, TextField,
};

/// The enrolment whose history is open: id, "who in what", current status code.
type Open = Option<(i64, String, String)>;

/// `/sis/sections/{id}`.
#[component]
pub fn SectionPage(id: i64) -> impl IntoView {
    let t = sis();
    let again = ui::Reload::new();
    let page = ui::load_each(move || again.track(), move |()| api::sis::section(id));
    let open = RwSignal::new(None as Open);
    let reload = move || again.now();
    // (may manage, made in the SIS): changes only when the section does.
    let manage = Memo::new(move |_| {
        page.with(|p| match p {
            Some(Ok(p)) => Some((
                p.can_manage,
                p.roster.section.source == RecordSource::Manual,
            )),
            _ => None,
        })
    });
    view! {
        <Page testid="section-page" heading_id="section-heading" heading=t.title_section back=Some(("/sis/sections".to_owned(), t.nav_sections))
            named_once=ui::has_loaded(page)>
            {ui::loaded(page, move |p| view! { <SectionView page=p open /> })}
            // The forms live outside the reloaded view, so their notices survive a reload.
            {move || manage.get().filter(|m| m.0).map(|(_, manual)| view! {
                <EnrolForm section_id=id reload />
                {manual.then(|| view! { <TeacherForm section_id=id reload /> })}
            })}
            {move || open.get().map(|(eid, title, current)| {
                let can_manage = page.with_untracked(|p| matches!(p, Some(Ok(p)) if p.can_manage));
                view! { <EnrolmentPanel id=eid title current can_manage changed=reload /> }
            })}
        </Page>
    }
}

#[component]
fn SectionView(page: Page, open: RwSignal<Open>) -> impl IntoView {
    let t = sis();
    let section = &page.roster.section;
    let counts = roster_counts(&page.roster.enrolments);
    let idnumber = shown_idnumber(section.idnumber.as_deref()).map(|idn| {
        view! {
            <dt>{t.field_idnumber}</dt>
            <dd><code>{idn.to_owned()}</code></dd>
        }
    });
    let (roster_view, teachers_view) = (roster(&page, open), teacher_history(&page));
    view! {
        <div class="page__head">
            <h1 id="section-heading" data-testid="section-name">{section.name.clone()}</h1>
            <a class="button" href=format!("/sis/sections/{}/gradebook", section.id) data-testid="open-gradebook">{t.open_gradebook}</a>
            <a class="button button--quiet" href=format!("/sis/sections/{}/progress", section.id) data-testid="open-section-progress">{crate::i18n::school().open_section_progress}</a>
        </div>
        <dl class="facts">
            <dt>{t.field_term}</dt>
            <dd>{t.container_name(&section.container_name, &section.container_kind)}</dd>
            <dt>{t.field_course}</dt>
            <dd>{section.course.as_ref().map_or(t.none, |c| c.name.as_str()).to_owned()}</dd>
            <dt>{t.field_teacher}</dt>
            <dd data-testid="section-teacher">
                {section.teacher.as_ref().map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name())}
            </dd>
            <dt>{t.col_source}</dt>
            <dd data-testid="section-source" data-source=section.source.as_str()>
                {crate::ui::table::parts_view(vec![source_part(section.source)])}
            </dd>
            {idnumber}
            <dt>{t.col_students}</dt>
            <dd data-testid="roster-counts">{(t.roster_counts)(counts.active, counts.inactive, counts.withdrawn, counts.completed)}</dd>
        </dl>
        <Section heading_id="roster-heading" heading=t.roster_heading>
            {roster_view}
        </Section>
        <Section heading_id="teachers-heading" heading=t.teacher_history_heading>
            {teachers_view}
        </Section>
    }
}

/// Every enrolment with its current status; a button opens its history (and, for staff, the
/// status form).
fn roster(page: &Page, open: RwSignal<Open>) -> AnyView {
    let t = sis();
    let section = &page.roster.section;
    if page.roster.enrolments.is_empty() {
        return view! { <Empty text=t.roster_empty testid="roster-empty" /> }.into_any();
    }
    let mut table = Table::new(
        "roster",
        vec![
            t.col_name,
            t.col_role,
            t.col_status,
            t.col_since,
            t.col_source,
            t.col_actions,
        ],
    );
    let label = if page.can_manage {
        t.history_and_status
    } else {
        t.history
    };
    for e in &page.roster.enrolments {
        let name = e.person.full_name();
        let name_cell = if page.can_manage && e.role == Role::Student {
            Cell::link(
                format!("/sis/students/{}", e.person.id),
                &name,
                "student-link",
            )
        } else {
            Cell::text(&name)
        };
        let row = (e.id, (t.who_in)(&name, &section.name), e.status.clone());
        let enrolment_id = e.id;
        let show = Callback::new(move |()| {
            open.set(Some(row.clone()));
            focus_panel(enrolment_id);
        });
        table.row(
            Row::new("roster-row")
                .data("data-enrolment-id", e.id)
                .data("data-person-id", e.person.id)
                .data("data-role", e.role.as_str())
                .data("data-status", &e.status)
                .data("data-kind", e.status_kind.as_str())
                .cell(name_cell)
                .text(t.role_name(e.role))
                .cell(Cell::empty().and(status_part(e.status_kind, &e.status_label)))
                .cell(Cell::date(time::date(e.status_effective_at)))
                .cell(source_cell(e.source))
                .cell(Cell::empty().and(Part::Button {
                    label: label.to_owned(),
                    aria_label: (t.show_history_of)(label, &name),
                    testid: "show-history",
                    on_press: show,
                })),
        );
    }
    view! { <DataTable table /> }.into_any()
}

/// Who taught the section when.
fn teacher_history(page: &Page) -> AnyView {
    let t = sis();
    if page.teacher_history.is_empty() {
        return view! { <Empty text=t.teacher_history_empty testid="teacher-history-empty" /> }
            .into_any();
    }
    let mut table = Table::new(
        "teacher-history",
        vec![t.col_effective, t.col_teacher, t.col_source, t.col_recorded],
    )
    .compact();
    for h in &page.teacher_history {
        table.row(
            Row::new("teacher-history-row")
                .cell(date_cell(h.effective_at))
                .cell(
                    Cell::text(
                        h.teacher
                            .as_ref()
                            .map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name()),
                    )
                    .and_some(late_part(h.stale)),
                )
                .cell(source_cell(h.source))
                .cell(date_cell(h.recorded_at)),
        );
    }
    view! { <DataTable table /> }.into_any()
}

/// Moves focus to the opened history's heading once it is on the page.
fn focus_panel(enrolment_id: i64) {
    leptos::prelude::request_animation_frame(move || {
        ui::focus_id(&format!("enrolment-{enrolment_id}-heading"));
    });
}

#[component]
fn EnrolForm(section_id: i64, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let person = RwSignal::new(None::<(i64, String)>);
    let role = RwSignal::new("student".to_owned());
    let date = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<SisProblem>);
    let action = ui::Action::new();
    let done = RwSignal::new(None::<String>);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        done.set(None);
        let chosen = person.get_untracked();
        let checked = new_enrolment(
            chosen.as_ref().map(|p| p.0),
            &role.get_untracked(),
            &date.get_untracked(),
        );
        let Some(request) = ui::checked(problem, checked.map_err(Some)) else {
            return;
        };
        action.run(api::sis::enrol(section_id, request), move |_| {
            done.set(chosen.map(|p| (t.enrolled)(&p.1)));
            person.set(None);
            reload();
        });
    };
    view! {
        <Section heading_id="enrol-heading" heading=t.enrol_heading>
            <p>{t.enrol_intro}</p>
            <PersonPicker prefix="enrol" chosen=person />
            <form class="form form--inline" on:submit=submit data-testid="enrol-form" novalidate=true>
                <div class="field">
                    <label for="enrol-role">{t.col_role}</label>
                    <select id="enrol-role" data-testid="enrol-role" on:change:target=move |e| role.set(e.target().value())>
                        <option value="student">{t.role_name(Role::Student)}</option>
                        <option value="teacher">{t.role_name(Role::Teacher)}</option>
                    </select>
                </div>
                <TextField id="enrol-date" label=t.field_effective_date value=date testid="enrol-date" kind="date" />
                <SubmitButton testid="enrol-submit" primary=true>{t.enrol}</SubmitButton>
            </form>
            {move || problem.get().map(|p| view! { <p class="field__problem" role="alert">{t.problem(p)}</p> })}
            <ErrorSlot error=action.failure testid="enrol-error" />
            <DoneSlot done testid="enrol-done" />
        </Section>
    }
}

#[component]
fn TeacherForm(section_id: i64, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let person = RwSignal::new(None::<(i64, String)>);
    let action = ui::Action::new();
    let set = move |_| {
        let Some((teacher, _)) = person.get_untracked() else {
            return;
        };
        let request = SetTeacherRequest {
            teacher_id: Some(teacher),
            effective_at: None,
        };
        action.run(api::sis::set_teacher(section_id, request), move |()| {
            person.set(None);
            reload();
        });
    };
    view! {
        <Section heading_id="set-teacher-heading" heading=t.set_teacher_heading>
            <PersonPicker prefix="teacher" chosen=person />
            <button type="button" class="button" data-testid="set-teacher" disabled=move || person.with(Option::is_none) on:click=set>
                {t.set_teacher}
            </button>
            <ErrorSlot error=action.failure testid="set-teacher-error" />
        </Section>
    }
}
