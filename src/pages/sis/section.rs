//! `/sis/sections/{id}`: a section — where it comes from, its roster (every enrolment with its
//! role and current status, and on demand its status history), its teacher history, and the link
//! to its gradebook. Counsellors and administrators also change statuses, enrol people, and set
//! the teacher of a section made in the SIS.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use schoolbridge_api::sis::{RecordSource, Role, SectionPage as Page, SetTeacherRequest};

use super::enrolment::EnrolmentPanel;
use super::records::PersonPicker;
use super::{
    clicked_action, date_cell, late_badge, loading_or_error, markup_view, not_found, source_badge,
    source_cell, status_badge,
};
use crate::api::{self, ApiError};
use crate::i18n::sis;
use crate::model::sis::{SisProblem, new_enrolment, roster_counts, route_id};
use crate::model::sis_markup::Markup;
use crate::model::time;
use crate::ui::{ErrorSlot, Notice, TextField, Tone};

/// The enrolment whose history is open: id, "who in what", current status code.
type Open = Option<(i64, String, String)>;

/// `/sis/sections/{id}`.
#[component]
pub fn SectionPage() -> impl IntoView {
    let t = sis();
    let params = use_params_map();
    let id = Memo::new(move |_| route_id(params.with(|p| p.get("id"))));
    let page = RwSignal::new(None::<Result<Page, ApiError>>);
    let generation = RwSignal::new(0_u32);
    let open = RwSignal::new(None as Open);
    Effect::new(move |_| {
        generation.track();
        let Some(id) = id.get() else {
            page.set(Some(Err(not_found())));
            return;
        };
        spawn_local(async move { page.set(Some(api::sis::section(id).await)) });
    });
    let reload = move || generation.update(|g| *g += 1);
    // (section, may manage, made in the SIS): changes only when the section does.
    let manage = Memo::new(move |_| {
        page.with(|p| match p {
            Some(Ok(p)) => Some((
                p.roster.section.id,
                p.can_manage,
                p.roster.section.source == RecordSource::Manual,
            )),
            _ => None,
        })
    });
    view! {
        <section class="page" data-testid="section-page" aria-labelledby="section-heading">
            <p class="breadcrumb"><a href="/sis/sections">{t.nav_sections}</a></p>
            {move || page.with(|state| loading_or_error(state).unwrap_or_else(|| {
                let Some(Ok(p)) = state.clone() else { return ().into_any() };
                view! { <SectionView page=p open /> }.into_any()
            }))}
            // The forms live outside the reloaded view, so their notices survive a reload.
            {move || manage.get().filter(|m| m.1).map(|(section_id, _, manual)| view! {
                <EnrolForm section_id reload />
                {manual.then(|| view! { <TeacherForm section_id reload /> })}
            })}
            {move || open.get().map(|(eid, title, current)| {
                let can_manage = page.with_untracked(|p| matches!(p, Some(Ok(p)) if p.can_manage));
                view! { <EnrolmentPanel id=eid title current can_manage changed=reload /> }
            })}
        </section>
    }
}

#[component]
fn SectionView(page: Page, open: RwSignal<Open>) -> impl IntoView {
    let t = sis();
    let section = page.roster.section.clone();
    let section_id = section.id;
    // What each roster button opens: (enrolment, "who in what", current status).
    let rows: Vec<(i64, String, String)> = page
        .roster
        .enrolments
        .iter()
        .map(|e| {
            (
                e.id,
                (t.who_in)(&e.person.full_name(), &section.name),
                e.status.clone(),
            )
        })
        .collect();
    let on_click = move |event: leptos::ev::MouseEvent| {
        if let Some((_, id)) = clicked_action(&event)
            && let Some(row) = rows.iter().find(|r| r.0 == id)
        {
            open.set(Some(row.clone()));
            focus_panel(id);
        }
    };
    view! {
        <div class="page__head">
            <h1 id="section-heading" data-testid="section-name">{section.name.clone()}</h1>
            <a class="button" href=format!("/sis/sections/{section_id}/gradebook") data-testid="open-gradebook">{t.open_gradebook}</a>
        </div>
        <div on:click=on_click>{markup_view(section_markup(&page), "section-markup")}</div>
    }
}

/// The section's facts, roster and teacher history (markup).
fn section_markup(page: &Page) -> String {
    let t = sis();
    let section = &page.roster.section;
    let rows = &page.roster.enrolments;
    let counts = roster_counts(rows);
    let mut m = Markup::new();
    let kind = section.container_kind.as_str();
    m.open("dl", &[("class", Some("facts"))])
        .el("dt", &[], t.field_term)
        .el("dd", &[], &t.container_name(&section.container_name, kind))
        .el("dt", &[], t.field_course)
        .el(
            "dd",
            &[],
            section.course.as_ref().map_or(t.none, |c| c.name.as_str()),
        )
        .el("dt", &[], t.field_teacher)
        .el(
            "dd",
            &[("data-testid", Some("section-teacher"))],
            &section
                .teacher
                .as_ref()
                .map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name()),
        )
        .el("dt", &[], t.col_source)
        .open(
            "dd",
            &[
                ("data-testid", Some("section-source")),
                ("data-source", Some(section.source.as_str())),
            ],
        );
    source_badge(&mut m, section.source);
    m.close("dd");
    if let Some(idn) = &section.idnumber {
        m.el("dt", &[], t.field_idnumber)
            .open("dd", &[])
            .el("code", &[], idn)
            .close("dd");
    }
    m.el("dt", &[], t.col_students)
        .el(
            "dd",
            &[("data-testid", Some("roster-counts"))],
            &(t.roster_counts)(counts.active, counts.withdrawn, counts.completed),
        )
        .close("dl");

    m.section("roster-heading", t.roster_heading);
    if rows.is_empty() {
        m.empty("roster-empty", t.roster_empty);
    } else {
        m.table(
            "table",
            "roster",
            &[
                t.col_name,
                t.col_role,
                t.col_status,
                t.col_since,
                t.col_source,
                t.col_actions,
            ],
        );
        for e in rows {
            let name = e.person.full_name();
            let (eid, pid) = (e.id.to_string(), e.person.id.to_string());
            m.open(
                "tr",
                &[
                    ("data-testid", Some("roster-row")),
                    ("data-enrolment-id", Some(&eid)),
                    ("data-person-id", Some(&pid)),
                    ("data-role", Some(e.role.as_str())),
                    ("data-status", Some(&e.status)),
                    ("data-kind", Some(e.status_kind.as_str())),
                ],
            )
            .open("th", &[("scope", Some("row"))]);
            if page.can_manage && e.role == Role::Student {
                let href = format!("/sis/students/{pid}");
                m.el(
                    "a",
                    &[("href", Some(&href)), ("data-testid", Some("student-link"))],
                    &name,
                );
            } else {
                m.text(&name);
            }
            m.close("th")
                .el("td", &[], t.role_name(e.role))
                .open("td", &[]);
            status_badge(&mut m, e.status_kind, &e.status_label);
            m.close("td")
                .el(
                    "td",
                    &[("class", Some("nowrap"))],
                    &time::date(e.status_effective_at),
                )
                .open("td", &[]);
            source_badge(&mut m, e.source);
            m.close("td").open("td", &[]).el(
                "button",
                &[
                    ("type", Some("button")),
                    ("class", Some("link-button")),
                    ("data-testid", Some("show-history")),
                    ("data-action", Some("history")),
                    ("data-id", Some(&eid)),
                    ("aria-label", Some(&(t.show_history_of)(&name))),
                ],
                if page.can_manage {
                    t.history_and_status
                } else {
                    t.history
                },
            );
            m.close("td").close("tr");
        }
        m.end_table();
    }
    m.close("section");

    m.section("teachers-heading", t.teacher_history_heading);
    if page.teacher_history.is_empty() {
        m.empty("teacher-history-empty", t.teacher_history_empty);
    } else {
        m.table(
            "table table--compact",
            "teacher-history",
            &[t.col_effective, t.col_teacher, t.col_source, t.col_recorded],
        );
        for h in &page.teacher_history {
            m.open("tr", &[("data-testid", Some("teacher-history-row"))]);
            date_cell(&mut m, h.effective_at);
            m.open("td", &[]).text(
                &h.teacher
                    .as_ref()
                    .map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name()),
            );
            late_badge(&mut m, h.stale);
            m.close("td");
            source_cell(&mut m, h.source);
            date_cell(&mut m, h.recorded_at);
            m.close("tr");
        }
        m.end_table();
    }
    m.close("section");
    m.finish()
}

/// Moves focus to the opened history's heading once it is on the page.
fn focus_panel(enrolment_id: i64) {
    leptos::prelude::request_animation_frame(move || {
        use wasm_bindgen::JsCast as _;
        if let Some(heading) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&format!("enrolment-{enrolment_id}-heading")))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = heading.focus();
        }
    });
}

#[component]
fn EnrolForm(section_id: i64, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let person = RwSignal::new(None::<(i64, String)>);
    let role = RwSignal::new("student".to_owned());
    let date = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<SisProblem>);
    let failure = RwSignal::new(None::<ApiError>);
    let done = RwSignal::new(None::<String>);
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        done.set(None);
        let chosen = person.get_untracked();
        let request = match new_enrolment(
            chosen.as_ref().map(|p| p.0),
            &role.get_untracked(),
            &date.get_untracked(),
        ) {
            Ok(r) => r,
            Err(p) => {
                problem.set(Some(p));
                return;
            }
        };
        problem.set(None);
        failure.set(None);
        spawn_local(async move {
            match api::sis::enrol(section_id, request).await {
                Ok(_) => {
                    done.set(chosen.map(|p| (t.enrolled)(&p.1)));
                    person.set(None);
                    reload();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="enrol-heading">
            <h2 id="enrol-heading">{t.enrol_heading}</h2>
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
                <div class="form__actions">
                    <button type="submit" class="button button--primary" data-testid="enrol-submit">{t.enrol}</button>
                </div>
            </form>
            {move || problem.get().map(|p| view! { <p class="field__problem" role="alert">{t.problem(p)}</p> })}
            <ErrorSlot error=failure testid="enrol-error" />
            {move || done.get().map(|text| view! { <Notice tone=Tone::Good testid="enrol-done"><p>{text}</p></Notice> })}
        </section>
    }
}

#[component]
fn TeacherForm(section_id: i64, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let person = RwSignal::new(None::<(i64, String)>);
    let failure = RwSignal::new(None::<ApiError>);
    let set = move |_| {
        let Some((teacher, _)) = person.get_untracked() else {
            return;
        };
        failure.set(None);
        spawn_local(async move {
            let request = SetTeacherRequest {
                teacher_id: Some(teacher),
                effective_at: None,
            };
            match api::sis::set_teacher(section_id, request).await {
                Ok(()) => {
                    person.set(None);
                    reload();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="set-teacher-heading">
            <h2 id="set-teacher-heading">{t.set_teacher_heading}</h2>
            <PersonPicker prefix="teacher" chosen=person />
            <button type="button" class="button" data-testid="set-teacher" disabled=move || person.with(Option::is_none) on:click=set>
                {t.set_teacher}
            </button>
            <ErrorSlot error=failure testid="set-teacher-error" />
        </section>
    }
}
