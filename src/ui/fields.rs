//! Labelled form fields: every input has a `<label>`, its problem is tied to it with
//! `aria-describedby` and `aria-invalid`, and tests find it by `data-testid`; the problem a form's
//! field shows ([`field_problem`]).

use leptos::prelude::*;

use crate::i18n::strings;
use crate::model::forms::{Field, Problems};

/// The message a form shows under `field`: its problem among the form's `problems`, if any.
pub fn field_problem(problems: RwSignal<Problems>, field: Field) -> Signal<Option<String>> {
    let s = strings();
    Signal::derive(move || {
        problems
            .with(|p| p.of(field))
            .map(|p| s.problem(p).to_owned())
    })
}

/// A labelled text input bound to a signal.
#[component]
pub fn TextField(
    /// The element id (also ties the label and the problem text).
    id: &'static str,
    /// The label.
    label: &'static str,
    /// The value.
    value: RwSignal<String>,
    /// `data-testid` of the input.
    testid: &'static str,
    /// `text`, `password`, `url`, `email`, `date`, `search`.
    #[prop(default = "text")]
    kind: &'static str,
    /// The browser's autofill hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// A hint under the field.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The problem to show, if any.
    #[prop(optional, into)]
    problem: Signal<Option<String>>,
    /// Required for the form to be sent.
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    let problem_id = format!("{id}-problem");
    let hint_id = format!("{id}-hint");
    // The field follows the signal, but is written only when the two differ: a date field holds
    // "" while a part of it is being typed, and writing that "" back would wipe what was typed
    // so far (a leading 0 in the month wiped a filled date; `bind:value` writes it back).
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        let wanted = value.get();
        if let Some(field) = input.get()
            && field.value() != wanted
        {
            field.set_value(&wanted);
        }
    });
    let described = {
        let (problem_id, hint_id) = (problem_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if problem.with(Option::is_some) {
                ids.push(problem_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                autocomplete=autocomplete
                required=required
                data-testid=testid
                aria-invalid=move || problem.with(Option::is_some).then_some("true")
                aria-describedby=described
                node_ref=input
                on:input:target=move |event| value.set(event.target().value())
                // Some changes come without an input event (a field cleared by a script).
                on:change:target=move |event| value.set(event.target().value())
            />
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id>{hint}</p> })}
            {move || {
                problem
                    .get()
                    .map(|text| {
                        view! {
                            <p class="field__problem" id=problem_id.clone()>
                                {text}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// A labelled checkbox bound to a signal.
#[component]
pub fn Checkbox(
    id: &'static str,
    label: &'static str,
    checked: RwSignal<bool>,
    testid: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field field--check">
            <input
                id=id
                type="checkbox"
                data-testid=testid
                aria-describedby=hint.map(|_| hint_id.clone())
                bind:checked=checked
            />
            <label for=id>{label}</label>
            {hint.map(|hint| view! { <p class="field__hint" id=hint_id.clone()>{hint}</p> })}
        </div>
    }
}
