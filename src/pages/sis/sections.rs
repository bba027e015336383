//! `/sis/sections`: the sections this person may see (every section for counsellors and
//! administrators, their own for a teacher), grouped by container — Moodle's sections are in
//! "ongoing" — and filtered by term, teacher and course. The filter lives in the address.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};
use schoolbridge_api::sis::{ContainerRow, CourseRow, SectionSummary};

use super::source_cell;
use crate::api;
use crate::i18n::sis;
use crate::model::sis::{ContainerGroup, SectionFilter, chosen_id, group_sections, teachers_of};
use crate::session::use_session;
use crate::ui::{self, Cell, DataTable, Empty, Row, Table};
use schoolbridge_api::roles::Right;

/// `/sis/sections`.
#[component]
pub fn SectionsPage() -> impl IntoView {
    let t = sis();
    let staff = use_session().with(|s| s.may(Right::ReadAllStudents));
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
    // The filters' choices; a list that cannot be read leaves its filter with "Any" only.
    let containers = ui::load(api::sis::containers);
    let courses = ui::load(api::sis::courses);
    view! {
        <section class="page" data-testid="sections" aria-labelledby="sections-heading">
            <div class="page__head">
                <h1 id="sections-heading">{t.sections_heading}</h1>
                {staff.then(|| view! {
                    <a class="button" href="/sis/records" data-testid="new-records">{t.new_records}</a>
                })}
            </div>
            <p class="lead">{if staff { t.sections_intro_staff } else { t.sections_intro_teacher }}</p>
            {ui::loaded(sections, move |list| view! {
                <Filters list=list.clone() filter containers courses />
                <Groups list filter />
            })}
        </section>
    }
}

#[component]
fn Filters(
    list: Vec<SectionSummary>,
    filter: Memo<SectionFilter>,
    containers: ui::Loaded<Vec<ContainerRow>>,
    courses: ui::Loaded<Vec<CourseRow>>,
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
    let (go_container, go_teacher) = (go.clone(), go.clone());
    let containers = Signal::derive(move || {
        ui::loaded_or_default(containers)
            .into_iter()
            .map(|c| (c.id, t.container_name(&c.name, &c.kind)))
            .collect()
    });
    let teachers: Vec<(i64, String)> = teachers.iter().map(|p| (p.id, p.full_name())).collect();
    let courses = Signal::derive(move || {
        ui::loaded_or_default(courses)
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect()
    });
    view! {
        <form class="form form--inline" role="search" aria-label=t.filter_label data-testid="sections-filter"
            on:submit=|e| e.prevent_default()>
            <FilterSelect name="container" label=t.field_term choices=containers
                chosen=Signal::derive(move || filter.get().container)
                pick=move |container| go_container(SectionFilter { container, ..filter.get_untracked() }) />
            <FilterSelect name="teacher" label=t.field_teacher choices=Signal::derive(move || teachers.clone())
                chosen=Signal::derive(move || filter.get().teacher)
                pick=move |teacher| go_teacher(SectionFilter { teacher, ..filter.get_untracked() }) />
            <FilterSelect name="course" label=t.field_course choices=courses
                chosen=Signal::derive(move || filter.get().course)
                pick=move |course| go(SectionFilter { course, ..filter.get_untracked() }) />
        </form>
    }
}

/// One filter: "Any" or one of `choices` (id, name), showing `chosen`; `pick` gets the new
/// choice. Its id and `data-testid` are `filter-{name}`.
#[component]
fn FilterSelect(
    name: &'static str,
    label: &'static str,
    choices: Signal<Vec<(i64, String)>>,
    chosen: Signal<Option<i64>>,
    pick: impl Fn(Option<i64>) + 'static,
) -> impl IntoView {
    let t = sis();
    let id = format!("filter-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id.clone() data-testid=id on:change:target=move |e| pick(chosen_id(&e.target().value()))>
                <option value="">{t.any}</option>
                {move || {
                    // Drawn again when the choice changes, so the new option is the selected one.
                    let on = chosen.get();
                    choices.get().into_iter().map(|(id, name)| {
                        view! { <option value=id.to_string() selected=on == Some(id)>{name}</option> }
                    }).collect_view()
                }}
            </select>
        </div>
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
        groups
            .into_iter()
            .map(|group| view! { <Group group /> })
            .collect_view()
            .into_any()
    }
}

/// One container's sections.
#[component]
fn Group(group: ContainerGroup) -> impl IntoView {
    let t = sis();
    let heading = format!("container-{}", group.id);
    let mut table = Table::new(
        "sections-table",
        vec![
            t.col_section,
            t.col_course,
            t.col_teacher,
            t.col_source,
            t.col_active_students,
        ],
    );
    for s in &group.sections {
        table.row(
            Row::new("section-row")
                .data("data-id", s.id)
                .data("data-source", s.source.as_str())
                .cell(Cell::link(
                    format!("/sis/sections/{}", s.id),
                    &s.name,
                    "section-link",
                ))
                .text(s.course.as_ref().map_or(t.no_course, |c| c.name.as_str()))
                .text(
                    s.teacher
                        .as_ref()
                        .map_or_else(|| t.no_teacher.to_owned(), |p| p.full_name()),
                )
                .cell(source_cell(s.source))
                .cell(Cell::num(s.active_students.to_string())),
        );
    }
    view! {
        <section class="section" aria-labelledby=heading.clone() data-testid="section-group" data-container=group.id.to_string()>
            <h2 id=heading.clone()>{t.container_name(&group.name, &group.kind)}</h2>
            <DataTable table />
        </section>
    }
}
