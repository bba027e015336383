//! `/sis/records`: records for classes with no Moodle presence (scenario 5) — a course, a term,
//! and a section with its teacher (enrolments are made on the section's page) — and, for
//! administrators, the enrolment status codes (the five built in and their own). Also
//! [`PersonPicker`], the people search these forms share.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use schoolbridge_api::PersonSummary;
use schoolbridge_api::sis::{
    ContainerRow, CourseRow, NewStatusCodeRequest, StatusCodeRow, StatusKind,
};

use crate::api::{self, ApiError};
use crate::i18n::sis;
use crate::model::people::{PeopleFilter, full_name};
use crate::model::roles::Need;
use crate::model::sis::{SisProblem, new_course, new_section, new_term};
use crate::session::use_session;
use crate::ui::{Badge, ErrorSlot, Notice, TextField, Tone};

/// `/sis/records`.
#[component]
pub fn RecordsPage() -> impl IntoView {
    let t = sis();
    let admin = use_session().with(|s| Need::Admin.allows(&s.roles()));
    let containers = RwSignal::new(Vec::<ContainerRow>::new());
    let courses = RwSignal::new(Vec::<CourseRow>::new());
    let generation = RwSignal::new(0_u32);
    Effect::new(move |_| {
        generation.track();
        spawn_local(async move {
            if let Ok(found) = api::sis::containers().await {
                containers.set(found);
            }
            if let Ok(found) = api::sis::courses().await {
                courses.set(found);
            }
        });
    });
    let reload = move || generation.update(|g| *g += 1);
    view! {
        <section class="page" data-testid="records" aria-labelledby="records-heading">
            <h1 id="records-heading">{t.records_heading}</h1>
            <p class="lead">{t.records_intro}</p>
            <NewSection containers courses />
            <div class="columns">
                <NewCourse reload />
                <NewTerm reload />
            </div>
            {admin.then(|| view! { <StatusCodes /> })}
        </section>
    }
}

/// A form's outcome line: a problem in the form, the server's refusal, or what was done.
#[component]
fn Outcome(
    problem: RwSignal<Option<SisProblem>>,
    failure: RwSignal<Option<ApiError>>,
    done: RwSignal<Option<String>>,
    testid: &'static str,
) -> impl IntoView {
    let t = sis();
    view! {
        {move || problem.get().map(|p| view! { <p class="field__problem" role="alert" data-testid=format!("{testid}-problem")>{t.problem(p)}</p> })}
        <ErrorSlot error=failure testid=testid />
        {move || done.get().map(|text| view! { <Notice tone=Tone::Good testid=testid><p>{text}</p></Notice> })}
    }
}

#[component]
fn NewCourse(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let (problem, failure, done) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
    );
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        done.set(None);
        let request = match new_course(&name.get_untracked(), &code.get_untracked()) {
            Ok(r) => r,
            Err(p) => return problem.set(Some(p)),
        };
        problem.set(None);
        failure.set(None);
        spawn_local(async move {
            let created = request.name.clone();
            match api::sis::create_course(request).await {
                Ok(_) => {
                    done.set(Some((t.course_created)(&created)));
                    name.set(String::new());
                    code.set(String::new());
                    reload();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="new-course-heading">
            <h2 id="new-course-heading">{t.new_course_heading}</h2>
            <form class="form" on:submit=submit data-testid="new-course-form" novalidate=true>
                <TextField id="course-name" label=t.field_name value=name testid="course-name" required=true />
                <TextField id="course-code" label=t.field_code value=code testid="course-code" />
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="course-submit">{t.create_course}</button>
                </div>
            </form>
            <Outcome problem failure done testid="course-result" />
        </section>
    }
}

#[component]
fn NewTerm(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let name = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let (problem, failure, done) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
    );
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        done.set(None);
        let request = match new_term(
            &name.get_untracked(),
            &starts.get_untracked(),
            &ends.get_untracked(),
        ) {
            Ok(r) => r,
            Err(p) => return problem.set(Some(p)),
        };
        problem.set(None);
        failure.set(None);
        spawn_local(async move {
            let created = request.name.clone();
            match api::sis::create_term(request).await {
                Ok(_) => {
                    done.set(Some((t.term_created)(&created)));
                    for field in [name, starts, ends] {
                        field.set(String::new());
                    }
                    reload();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="new-term-heading">
            <h2 id="new-term-heading">{t.new_term_heading}</h2>
            <form class="form" on:submit=submit data-testid="new-term-form" novalidate=true>
                <TextField id="term-name" label=t.field_name value=name testid="term-name" required=true />
                <TextField id="term-starts" label=t.field_starts value=starts testid="term-starts" kind="date" />
                <TextField id="term-ends" label=t.field_ends value=ends testid="term-ends" kind="date" />
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="term-submit">{t.create_term}</button>
                </div>
            </form>
            <Outcome problem failure done testid="term-result" />
        </section>
    }
}

#[component]
fn NewSection(
    containers: RwSignal<Vec<ContainerRow>>,
    courses: RwSignal<Vec<CourseRow>>,
) -> impl IntoView {
    let t = sis();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let container = RwSignal::new(String::new());
    let course = RwSignal::new(String::new());
    let teacher = RwSignal::new(None::<(i64, String)>);
    let (problem, failure, done) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None::<String>),
    );
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let request = match new_section(
            &name.get_untracked(),
            &code.get_untracked(),
            &container.get_untracked(),
            &course.get_untracked(),
            teacher.get_untracked().map(|p| p.0),
        ) {
            Ok(r) => r,
            Err(p) => return problem.set(Some(p)),
        };
        problem.set(None);
        failure.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::sis::create_section(request).await {
                // On to the new section, where people are enrolled.
                Ok(created) => {
                    navigate(&format!("/sis/sections/{}", created.id), Default::default())
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="new-section-heading">
            <h2 id="new-section-heading">{t.new_section_heading}</h2>
            <p>{t.new_section_intro}</p>
            <PersonPicker prefix="section-teacher" chosen=teacher label=t.field_teacher />
            <form class="form" on:submit=submit data-testid="new-section-form" novalidate=true>
                <TextField id="section-name" label=t.field_name value=name testid="section-name-input" required=true hint=t.section_name_hint />
                <TextField id="section-code" label=t.field_code value=code testid="section-code" />
                <div class="field">
                    <label for="section-container">{t.field_term}</label>
                    <select id="section-container" data-testid="section-container" on:change:target=move |e| container.set(e.target().value())>
                        {move || containers.get().into_iter().map(|c| view! {
                            <option value=if c.kind == "ongoing" { String::new() } else { c.id.to_string() }>{t.container_name(&c.name, &c.kind)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="section-course">{t.field_course}</label>
                    <select id="section-course" data-testid="section-course" on:change:target=move |e| course.set(e.target().value())>
                        <option value="">{t.none}</option>
                        {move || courses.get().into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                    </select>
                </div>
                <p class="field__hint" data-testid="section-teacher-chosen">
                    {move || teacher.get().map(|p| (t.teacher_will_be)(&p.1)).unwrap_or_else(|| t.no_teacher_chosen.to_owned())}
                </p>
                <div class="form__actions">
                    <button type="submit" class="button button--primary" data-testid="section-submit">{t.create_section}</button>
                </div>
            </form>
            <Outcome problem failure done testid="section-result" />
        </section>
    }
}

/// Finds a person by name, username or id number and lets one be chosen into `chosen`.
#[component]
pub fn PersonPicker(
    /// Prefix of element ids and `data-testid`s (`{prefix}-search`, `{prefix}-choose`).
    prefix: &'static str,
    chosen: RwSignal<Option<(i64, String)>>,
    /// The label of the search field.
    #[prop(optional)]
    label: Option<&'static str>,
) -> impl IntoView {
    let t = sis();
    let text = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Result<Vec<PersonSummary>, ApiError>>);
    let search = move |event: SubmitEvent| {
        event.prevent_default();
        let query = PeopleFilter {
            text: text.get_untracked(),
            ..PeopleFilter::default()
        }
        .query();
        found.set(None);
        spawn_local(async move { found.set(Some(api::admin::people(query).await)) });
    };
    let input_id = format!("{prefix}-search");
    let search_testid = format!("{prefix}-search");
    let submit_testid = format!("{prefix}-search-submit");
    let choose_testid = format!("{prefix}-choose");
    let results_id = format!("{prefix}-results");
    view! {
        <form class="form form--inline picker" role="search" on:submit=search>
            <div class="field field--grow">
                <label for=input_id.clone()>{label.unwrap_or(t.find_person)}</label>
                <input id=input_id type="search" data-testid=search_testid autocomplete="off" bind:value=text aria-controls=results_id.clone() />
            </div>
            <div class="form__actions">
                <button type="submit" class="button" data-testid=submit_testid>{t.search}</button>
            </div>
        </form>
        <div id=results_id aria-live="polite">
            {move || found.get().map(|state| match state {
                Err(error) => view! { <crate::ui::ErrorNotice error /> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="empty">{t.nobody_found}</p> }.into_any(),
                Ok(list) => {
                    let choose_testid = choose_testid.clone();
                    view! {
                        <ul class="picker__results">
                            {list.into_iter().take(10).map(|p| {
                                let name = full_name(&p);
                                let detail = p.idnumber.clone().or(p.username.clone()).unwrap_or_default();
                                let pick = (p.id, name.clone());
                                view! {
                                    <li>
                                        <button type="button" class="link-button" data-testid=choose_testid.clone() data-person-id=p.id.to_string()
                                            aria-pressed=move || chosen.with(|c| c.as_ref().is_some_and(|c| c.0 == pick.0)).to_string()
                                            on:click={let pick = pick.clone(); move |_| chosen.set(Some(pick.clone()))}>
                                            {(t.choose_person)(&name)}
                                        </button>
                                        " " <span class="hint">{detail}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
            {move || chosen.get().map(|(_, name)| view! { <p data-testid=format!("{prefix}-chosen")><Badge tone=Tone::Good text=(t.chosen)(&name) /></p> })}
        </div>
    }
}

#[component]
fn StatusCodes() -> impl IntoView {
    let t = sis();
    let codes = RwSignal::new(Vec::<StatusCodeRow>::new());
    let load = move || {
        spawn_local(async move {
            if let Ok(found) = api::sis::status_codes().await {
                codes.set(found);
            }
        })
    };
    load();
    let code = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let kind = RwSignal::new("withdrawn".to_owned());
    let (problem, failure, done) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
    );
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        done.set(None);
        let (c, l) = (
            code.get_untracked().trim().to_owned(),
            label.get_untracked().trim().to_owned(),
        );
        if c.is_empty() || l.is_empty() {
            return problem.set(Some(SisProblem::Required));
        }
        let kind = StatusKind::parse(&kind.get_untracked()).unwrap_or(StatusKind::Withdrawn);
        problem.set(None);
        failure.set(None);
        spawn_local(async move {
            let request = NewStatusCodeRequest {
                code: c,
                label: l.clone(),
                kind,
            };
            match api::sis::define_status_code(request).await {
                Ok(()) => {
                    done.set(Some((t.code_created)(&l)));
                    code.set(String::new());
                    label.set(String::new());
                    load();
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <section class="section" aria-labelledby="codes-heading" data-testid="status-codes">
            <h2 id="codes-heading">{t.codes_heading}</h2>
            <p>{t.codes_intro}</p>
            <ul class="inline-list" data-testid="status-code-list">
                {move || codes.get().into_iter().map(|c| view! {
                    <li data-code=c.code.clone()>{t.status_option(&c.label, c.kind, c.builtin)} " " <code>{c.code.clone()}</code></li>
                }).collect_view()}
            </ul>
            <form class="form form--inline" on:submit=submit data-testid="new-code-form" novalidate=true>
                <TextField id="code-code" label=t.field_code value=code testid="code-code" />
                <TextField id="code-label" label=t.field_label value=label testid="code-label" />
                <div class="field">
                    <label for="code-kind">{t.field_kind}</label>
                    <select id="code-kind" data-testid="code-kind" on:change:target=move |e| kind.set(e.target().value())>
                        {[StatusKind::Withdrawn, StatusKind::Completed, StatusKind::Active].into_iter().map(|k| view! {
                            <option value=k.as_str()>{t.kind_name(k)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="code-submit">{t.define_code}</button>
                </div>
            </form>
            <Outcome problem failure done testid="code-result" />
        </section>
    }
}
