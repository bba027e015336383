//! [`PersonPicker`]: finds a person by name, username or id number and lets one be chosen, for
//! the forms that enrol someone or name a section's teacher. [`PersonSearch`]: that search, which
//! the Students page uses too.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use schoolbridge_api::PersonSummary;

use super::shown_idnumber;
use crate::api;
use crate::i18n::sis;
use crate::model::people::{PeopleFilter, full_name};
use crate::ui::{self, Badge, SubmitButton, Tone};

/// A search for people by name, username or id number: the text typed, what the last search
/// found (`None` while it runs, or before the first), and its request.
#[derive(Debug, Clone, Copy)]
pub struct PersonSearch {
    pub text: RwSignal<String>,
    pub found: RwSignal<Option<Vec<PersonSummary>>>,
    pub action: ui::Action,
}

impl Default for PersonSearch {
    fn default() -> Self {
        Self::new()
    }
}

impl PersonSearch {
    /// Nothing typed, nothing found yet.
    pub fn new() -> Self {
        PersonSearch {
            text: RwSignal::new(String::new()),
            found: RwSignal::new(None),
            action: ui::Action::new(),
        }
    }

    /// The search form's submit: searches for the text typed.
    pub fn submit(self, event: SubmitEvent) {
        event.prevent_default();
        let query = PeopleFilter {
            text: self.text.get_untracked(),
            ..PeopleFilter::default()
        }
        .query();
        let found = self.found;
        found.set(None);
        self.action
            .run(api::admin::people(query), move |list| found.set(Some(list)));
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
    let people = PersonSearch::new();
    let search = move |event: SubmitEvent| people.submit(event);
    let input_id = format!("{prefix}-search");
    let search_testid = format!("{prefix}-search");
    let submit_testid = format!("{prefix}-search-submit");
    let choose_testid = format!("{prefix}-choose");
    let results_id = format!("{prefix}-results");
    view! {
        <form class="form form--inline picker" role="search" on:submit=search>
            <div class="field field--grow">
                <label for=input_id.clone()>{label.unwrap_or(t.find_person)}</label>
                <input id=input_id type="search" data-testid=search_testid autocomplete="off" bind:value=people.text aria-controls=results_id.clone() />
            </div>
            <SubmitButton testid=submit_testid>{t.search}</SubmitButton>
        </form>
        <div id=results_id aria-live="polite">
            <ui::ErrorSlot error=people.action.failure />
            {move || people.found.get().map(|list| match list {
                list if list.is_empty() => view! { <p class="empty">{t.nobody_found}</p> }.into_any(),
                list => {
                    let choose_testid = choose_testid.clone();
                    view! {
                        <ul class="picker__results">
                            {list.into_iter().take(10).map(|p| {
                                let name = full_name(&p);
                                let detail = shown_idnumber(p.idnumber.as_deref()).map(str::to_owned).or(p.username.clone()).unwrap_or_default();
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
