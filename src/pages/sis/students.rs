//! `/sis/students`: find a student by name, username or id number (counsellors and
//! administrators), and open their records.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use schoolbridge_api::PersonSummary;

use super::person_picker::PersonSearch;
use super::shown_idnumber;
use crate::i18n::sis;
use crate::model::people::full_name;
use crate::ui::{Empty, ErrorSlot, Loading, Page, SubmitButton, TextField};

/// `/sis/students`.
#[component]
pub fn StudentsPage() -> impl IntoView {
    let t = sis();
    let people = PersonSearch::new();
    let search = move |event: SubmitEvent| people.submit(event);
    view! {
        <Page testid="students" heading_id="students-heading" heading=t.students_heading>
            <p class="lead">{t.students_intro}</p>
            <form class="form form--inline" role="search" on:submit=search data-testid="student-search">
                <TextField id="student-q" label=t.find_person value=people.text testid="student-q" kind="search" />
                <SubmitButton testid="student-search-submit">{t.search}</SubmitButton>
            </form>
            {move || people.action.is_busy().then(|| view! { <Loading /> })}
            <ErrorSlot error=people.action.failure />
            {move || people.found.get().map(|list| if list.is_empty() {
                view! { <Empty text=t.nobody_found testid="students-empty" /> }.into_any()
            } else {
                view! { <Results list /> }.into_any()
            })}
        </Page>
    }
}

/// Search results: links to students' pages, with the school's id number (or username).
#[component]
fn Results(list: Vec<PersonSummary>) -> impl IntoView {
    view! {
        <ul class="link-list" data-testid="student-results">
            {list.into_iter().map(|p| {
                let detail = shown_idnumber(p.idnumber.as_deref())
                    .map(str::to_owned)
                    .or(p.username.clone())
                    .unwrap_or_default();
                view! {
                    <li>
                        <a href=format!("/sis/students/{}", p.id) data-testid="student-result" data-person-id=p.id.to_string()>
                            {full_name(&p)}
                        </a>
                        " "
                        <span class="hint">{detail}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
