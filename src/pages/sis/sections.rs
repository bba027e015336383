//! `/sis/sections`: the sections this person may see (every section for counsellors and
//! administrators, their own for a teacher), grouped by container — Moodle's sections are in
//! "ongoing" — and filtered by term, teacher and course. The filter lives in the address.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use schoolbridge_api::sis::{ContainerRow, CourseRow, SectionSummary};

use super::{loading_or_error, markup_view, source_badge};
use crate::api;
use crate::i18n::sis;
use crate::model::roles::Need;
use crate::model::sis::{ContainerGroup, SectionFilter, chosen_id, group_sections, teachers_of};
use crate::model::sis_markup::Markup;
use crate::session::use_session;
use crate::ui::{self, Empty};

/// `/sis/sections`.
#[component]
pub fn SectionsPage() -> impl IntoView {
    let t = sis();
    let staff = use_session().with(|s| Need::StaffReader.allows(&s.roles()));
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            SectionFilter::from_query(
                q.get_str("container"),
                q.get_str("teacher"),
                q.get_str("course"),
            )
        })
    });
    let sections = ui::load(api::sis::sections);
    let containers = RwSignal::new(Vec::<ContainerRow>::new());
    let courses = RwSignal::new(Vec::<CourseRow>::new());
    leptos::task::spawn_local(async move {
        if let Ok(found) = api::sis::containers().await {
            containers.set(found);
        }
        if let Ok(found) = api::sis::courses().await {
            courses.set(found);
        }
    });
    view! {
        <section class="page" data-testid="sections" aria-labelledby="sections-heading">
            <div class="page__head">
                <h1 id="sections-heading">{t.sections_heading}</h1>
                {staff.then(|| view! {
                    <a class="button" href="/sis/records" data-testid="new-records">{t.new_records}</a>
                })}
            </div>
            <p class="lead">{if staff { t.sections_intro_staff } else { t.sections_intro_teacher }}</p>
            {move || sections.with(|state| {
                loading_or_error(state).unwrap_or_else(|| {
                    let list = state.as_ref().and_then(|r| r.as_ref().ok()).cloned().unwrap_or_default();
                    view! { <Filters list=list.clone() filter containers courses /> <Groups list filter /> }.into_any()
                })
            })}
        </section>
    }
}

#[component]
fn Filters(
    list: Vec<SectionSummary>,
    filter: Memo<SectionFilter>,
    containers: RwSignal<Vec<ContainerRow>>,
    courses: RwSignal<Vec<CourseRow>>,
) -> impl IntoView {
    let t = sis();
    let navigate = use_navigate();
    let teachers = teachers_of(&list);
    let go = move |f: SectionFilter| {
        navigate(
            &f.path(),
            NavigateOptions {
                replace: true,
                ..NavigateOptions::default()
            },
        );
    };
    let go_container = go.clone();
    let go_teacher = go.clone();
    let selected = |id: i64, chosen: Option<i64>| chosen == Some(id);
    view! {
        <form class="form form--inline" role="search" aria-label=t.filter_label data-testid="sections-filter"
            on:submit=|e| e.prevent_default()>
            <div class="field">
                <label for="filter-container">{t.field_term}</label>
                <select id="filter-container" data-testid="filter-container"
                    on:change:target=move |e| go_container(SectionFilter { container: chosen_id(&e.target().value()), ..filter.get_untracked() })>
                    <option value="">{t.any}</option>
                    {move || containers.get().into_iter().map(|c| {
                        let on = selected(c.id, filter.get().container);
                        view! { <option value=c.id.to_string() selected=on>{t.container_name(&c.name, &c.kind)}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-teacher">{t.field_teacher}</label>
                <select id="filter-teacher" data-testid="filter-teacher"
                    on:change:target=move |e| go_teacher(SectionFilter { teacher: chosen_id(&e.target().value()), ..filter.get_untracked() })>
                    <option value="">{t.any}</option>
                    {teachers.into_iter().map(|p| {
                        let on = move || selected(p.id, filter.get().teacher);
                        view! { <option value=p.id.to_string() selected=on>{p.full_name()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-course">{t.field_course}</label>
                <select id="filter-course" data-testid="filter-course"
                    on:change:target=move |e| go(SectionFilter { course: chosen_id(&e.target().value()), ..filter.get_untracked() })>
                    <option value="">{t.any}</option>
                    {move || courses.get().into_iter().map(|c| {
                        let on = selected(c.id, filter.get().course);
                        view! { <option value=c.id.to_string() selected=on>{c.name}</option> }
                    }).collect_view()}
                </select>
            </div>
        </form>
    }
}

#[component]
fn Groups(list: Vec<SectionSummary>, filter: Memo<SectionFilter>) -> impl IntoView {
    let t = sis();
    move || {
        let groups = group_sections(&list, &filter.get());
        if groups.is_empty() {
            let text = if list.is_empty() {
                t.sections_none
            } else {
                t.sections_none_match
            };
            return view! { <Empty text testid="sections-empty" /> }.into_any();
        }
        let html: String = groups.iter().map(group_markup).collect();
        markup_view(html, "section-groups").into_any()
    }
}

/// One container's table, as markup (`model::sis_markup`).
fn group_markup(group: &ContainerGroup) -> String {
    let t = sis();
    let mut m = Markup::new();
    let heading = format!("container-{}", group.id);
    let container = group.id.to_string();
    m.open(
        "section",
        &[
            ("class", Some("section")),
            ("aria-labelledby", Some(&heading)),
            ("data-testid", Some("section-group")),
            ("data-container", Some(&container)),
        ],
    );
    let kind = group.kind.as_str();
    m.el(
        "h2",
        &[("id", Some(&heading))],
        &t.container_name(&group.name, kind),
    );
    m.table(
        "table",
        "sections-table",
        &[
            t.col_section,
            t.col_course,
            t.col_teacher,
            t.col_source,
            t.col_active_students,
        ],
    );
    for s in &group.sections {
        let id = s.id.to_string();
        let href = format!("/sis/sections/{id}");
        m.open(
            "tr",
            &[
                ("data-testid", Some("section-row")),
                ("data-id", Some(&id)),
                ("data-source", Some(s.source.as_str())),
            ],
        )
        .open("th", &[("scope", Some("row"))])
        .el(
            "a",
            &[("href", Some(&href)), ("data-testid", Some("section-link"))],
            &s.name,
        )
        .close("th")
        .el(
            "td",
            &[],
            s.course.as_ref().map_or(t.no_course, |c| c.name.as_str()),
        )
        .el(
            "td",
            &[],
            &s.teacher
                .as_ref()
                .map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name()),
        )
        .open("td", &[]);
        source_badge(&mut m, s.source);
        m.close("td")
            .el(
                "td",
                &[("class", Some("num"))],
                &s.active_students.to_string(),
            )
            .close("tr");
    }
    m.end_table().close("section");
    m.finish()
}
