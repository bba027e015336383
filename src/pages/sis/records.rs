//! `/sis/records`: records for classes with no Moodle presence (scenario 5) — a course, a term,
//! and a section with its teacher (enrolments are made on the section's page) — and, for
//! administrators, the enrolment status codes (the five built in and their own).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use schoolbridge_api::sis::{ContainerRow, CourseRow, NewStatusCodeRequest, StatusKind};

use super::person_picker::PersonPicker;
use crate::api;
use crate::i18n::sis;
use crate::model::sis::{SisProblem, new_course, new_section, new_term};
use crate::session::use_session;
use crate::ui::{self, DoneSlot, ErrorSlot, Page, Section, SelectField, SubmitButton, TextField};
use schoolbridge_api::roles::Right;

/// `/sis/records`.
#[component]
pub fn RecordsPage() -> impl IntoView {
    let t = sis();
    let admin = use_session().with(|s| s.may(Right::DefineStatusCodes));
    // The new section's choices, loaded again after a new course or term.
    let again = ui::Reload::new();
    let containers = ui::load_each(move || again.track(), |()| api::sis::containers());
    let courses = ui::load_each(move || again.track(), |()| api::sis::courses());
    let reload = move || again.now();
    view! {
        <Page testid="records" heading_id="records-heading" heading=t.records_heading>
            <p class="lead">{t.records_intro}</p>
            <NewSection containers courses />
            <div class="columns">
                <NewCourse reload />
                <NewTerm reload />
            </div>
            {admin.then(|| view! { <StatusCodes /> })}
        </Page>
    }
}

/// What a records form says after a submit: a problem in the form, the server's refusal (its
/// `action`'s failure), or what was done.
#[derive(Debug, Clone, Copy)]
struct FormOutcome {
    problem: RwSignal<Option<SisProblem>>,
    done: RwSignal<Option<String>>,
    action: ui::Action,
}

impl FormOutcome {
    fn new() -> Self {
        FormOutcome {
            problem: RwSignal::new(None),
            done: RwSignal::new(None),
            action: ui::Action::new(),
        }
    }

    /// A submit begins: the last outcome cleared; the request if the form has no problem, else
    /// the problem shown.
    fn checked<R>(self, request: Result<R, SisProblem>) -> Option<R> {
        self.done.set(None);
        ui::checked(self.problem, request.map_err(Some))
    }

    /// The server made it: say so (`what`), empty the form's `fields` and load again.
    fn made(self, what: String, fields: &[RwSignal<String>], reload: impl Fn()) {
        self.done.set(Some(what));
        ui::clear(fields);
        reload();
    }
}

/// A form's outcome line: a problem in the form, the server's refusal, or what was done.
#[component]
fn Outcome(outcome: FormOutcome, testid: &'static str) -> impl IntoView {
    let t = sis();
    let FormOutcome {
        problem,
        done,
        action,
    } = outcome;
    view! {
        {move || problem.get().map(|p| view! { <p class="field__problem" role="alert" data-testid=format!("{testid}-problem")>{t.problem(p)}</p> })}
        <ErrorSlot error=action.failure testid=testid />
        <DoneSlot done testid />
    }
}

#[component]
fn NewCourse(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let outcome = FormOutcome::new();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(request) =
            outcome.checked(new_course(&name.get_untracked(), &code.get_untracked()))
        else {
            return;
        };
        let created = request.name.clone();
        outcome
            .action
            .run(api::sis::create_course(request), move |_| {
                outcome.made((t.course_created)(&created), &[name, code], reload)
            });
    };
    view! {
        <Section heading_id="new-course-heading" heading=t.new_course_heading>
            <form class="form" on:submit=submit data-testid="new-course-form" novalidate=true>
                <TextField id="course-name" label=t.field_name value=name testid="course-name" required=true />
                <TextField id="course-code" label=t.field_code value=code testid="course-code" />
                <SubmitButton testid="course-submit">{t.create_course}</SubmitButton>
            </form>
            <Outcome outcome testid="course-result" />
        </Section>
    }
}

#[component]
fn NewTerm(reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let t = sis();
    let name = RwSignal::new(String::new());
    let starts = RwSignal::new(String::new());
    let ends = RwSignal::new(String::new());
    let outcome = FormOutcome::new();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(request) = outcome.checked(new_term(
            &name.get_untracked(),
            &starts.get_untracked(),
            &ends.get_untracked(),
        )) else {
            return;
        };
        let created = request.name.clone();
        outcome
            .action
            .run(api::sis::create_term(request), move |_| {
                outcome.made((t.term_created)(&created), &[name, starts, ends], reload)
            });
    };
    view! {
        <Section heading_id="new-term-heading" heading=t.new_term_heading>
            <form class="form" on:submit=submit data-testid="new-term-form" novalidate=true>
                <TextField id="term-name" label=t.field_name value=name testid="term-name" required=true />
                <TextField id="term-starts" label=t.field_starts value=starts testid="term-starts" kind="date" />
                <TextField id="term-ends" label=t.field_ends value=ends testid="term-ends" kind="date" />
                <SubmitButton testid="term-submit">{t.create_term}</SubmitButton>
            </form>
            <Outcome outcome testid="term-result" />
        </Section>
    }
}

/// Courses as a list's choices: (id, name).
fn course_choices(courses: Vec<CourseRow>) -> Vec<(String, String)> {
    courses
        .into_iter()
        .map(|c| (c.id.to_string(), c.name))
        .collect()
}

#[component]
fn NewSection(
    containers: ui::Loaded<Vec<ContainerRow>>,
    courses: ui::Loaded<Vec<CourseRow>>,
) -> impl IntoView {
    let t = sis();
    let navigate = use_navigate();
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let container = RwSignal::new(String::new());
    let course = RwSignal::new(String::new());
    let teacher = RwSignal::new(None::<(i64, String)>);
    let outcome = FormOutcome::new();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let Some(request) = outcome.checked(new_section(
            &name.get_untracked(),
            &code.get_untracked(),
            &container.get_untracked(),
            &course.get_untracked(),
            teacher.get_untracked().map(|p| p.0),
        )) else {
            return;
        };
        let navigate = navigate.clone();
        // On to the new section, where people are enrolled.
        outcome
            .action
            .run(api::sis::create_section(request), move |created| {
                navigate(&format!("/sis/sections/{}", created.id), Default::default())
            });
    };
    view! {
        <Section heading_id="new-section-heading" heading=t.new_section_heading>
            <p>{t.new_section_intro}</p>
            <PersonPicker prefix="section-teacher" chosen=teacher label=t.field_teacher />
            <form class="form" on:submit=submit data-testid="new-section-form" novalidate=true>
                <TextField id="section-name" label=t.field_name value=name testid="section-name-input" required=true hint=t.section_name_hint />
                <TextField id="section-code" label=t.field_code value=code testid="section-code" />
                <div class="field">
                    <label for="section-container">{t.field_term}</label>
                    <select id="section-container" data-testid="section-container" on:change:target=move |e| container.set(e.target().value())>
                        {move || ui::loaded_or_default(containers).into_iter().map(|c| view! {
                            <option value=if c.kind == "ongoing" { String::new() } else { c.id.to_string() }>{t.container_name(&c.name, &c.kind)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <SelectField id="section-course" label=t.field_course value=course first=t.none
                    options=Signal::derive(move || course_choices(ui::loaded_or_default(courses))) />
                <p class="field__hint" data-testid="section-teacher-chosen">
                    {move || teacher.get().map(|p| (t.teacher_will_be)(&p.1)).unwrap_or_else(|| t.no_teacher_chosen.to_owned())}
                </p>
                <SubmitButton testid="section-submit" primary=true>{t.create_section}</SubmitButton>
            </form>
            <Outcome outcome testid="section-result" />
        </Section>
    }
}

#[component]
fn StatusCodes() -> impl IntoView {
    let t = sis();
    let again = ui::Reload::new();
    let codes = ui::load_each(move || again.track(), |()| api::sis::status_codes());
    let code = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let kind = RwSignal::new("withdrawn".to_owned());
    let outcome = FormOutcome::new();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let (c, l) = (
            code.get_untracked().trim().to_owned(),
            label.get_untracked().trim().to_owned(),
        );
        let filled = if c.is_empty() || l.is_empty() {
            Err(SisProblem::Required)
        } else {
            Ok(())
        };
        if outcome.checked(filled).is_none() {
            return;
        }
        let kind = StatusKind::parse(&kind.get_untracked()).unwrap_or(StatusKind::Withdrawn);
        let request = NewStatusCodeRequest {
            code: c,
            label: l.clone(),
            kind,
        };
        outcome
            .action
            .run(api::sis::define_status_code(request), move |()| {
                outcome.made((t.code_created)(&l), &[code, label], || again.now())
            });
    };
    view! {
        <Section heading_id="codes-heading" heading=t.codes_heading testid="status-codes">
            <p>{t.codes_intro}</p>
            <ul class="inline-list" data-testid="status-code-list">
                {move || ui::loaded_or_default(codes).into_iter().map(|c| view! {
                    <li data-code=c.code.clone()>{t.status_option(&c.label, c.kind, c.builtin)} " " <code>{c.code.clone()}</code></li>
                }).collect_view()}
            </ul>
            <form class="form form--inline" on:submit=submit data-testid="new-code-form" novalidate=true>
                <TextField id="code-code" label=t.field_code value=code testid="code-code" />
                <TextField id="code-label" label=t.field_label value=label testid="code-label" />
                <div class="field">
                    <label for="code-kind">{t.field_kind}</label>
                    <select id="code-kind" data-testid="code-kind" on:change:target=move |e| kind.set(e.target().value())>
                        {[StatusKind::Withdrawn, StatusKind::Completed, StatusKind::Inactive, StatusKind::Active].into_iter().map(|k| view! {
                            <option value=k.as_str()>{t.kind_name(k)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <SubmitButton testid="code-submit">{t.define_code}</SubmitButton>
            </form>
            <Outcome outcome testid="code-result" />
        </Section>
    }
}
