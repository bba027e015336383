//! Labelled form fields: every input has a `<label>`, its problem is tied to it with
//! `aria-describedby` and `aria-invalid`, and tests find it by `data-testid`; the problem a form's
//! field shows ([`field_problem`], [`problem_at`]), the problems a form's check found
//! ([`checked`]), emptying a form's fields ([`clear`]), a new account's fields
//! ([`AccountNameFields`], [`NewPasswordField`]), drop-down lists ([`SelectField`]) and send
//! button ([`SubmitButton`]).

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

/// The message a form shows under `field` when its check found `(field, message)`.
pub fn problem_at<F>(problem: RwSignal<Option<(F, String)>>, field: F) -> Signal<Option<String>>
where
    F: Copy + PartialEq + Send + Sync + 'static,
{
    Signal::derive(move || problem.get().filter(|p| p.0 == field).map(|p| p.1))
}

/// Empties a form's text `fields` (after the server took what they said).
pub fn clear(fields: &[RwSignal<String>]) {
    for field in fields {
        field.set(String::new());
    }
}

/// A form's check: shows what it found in `shown` (`P::default()`, nothing, when the form passed:
/// `Problems` or `None`) and returns the request when it passed.
pub fn checked<T, P>(shown: RwSignal<P>, checked: Result<T, P>) -> Option<T>
where
    P: Default + Send + Sync + 'static,
{
    match checked {
        Ok(request) => {
            shown.set(P::default());
            Some(request)
        }
        Err(found) => {
            shown.set(found);
            None
        }
    }
}

/// A labelled text input bound to a signal.
#[component]
pub fn TextField(
    /// The element id (also ties the label and the problem text).
    #[prop(into)]
    id: String,
    /// The label.
    label: &'static str,
    /// The value.
    value: RwSignal<String>,
    /// `data-testid` of the input.
    #[prop(into)]
    testid: String,
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
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
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

/// A new account's sign-in name, given name and family name (ids and `data-testid`s
/// `{prefix}-username`, `-firstname`, `-lastname`), each with its problem among `problems`.
/// `own`: people type their own account here, so the browser may fill the fields in.
#[component]
pub fn AccountNameFields(
    prefix: &'static str,
    own: bool,
    username: RwSignal<String>,
    firstname: RwSignal<String>,
    lastname: RwSignal<String>,
    problems: RwSignal<Problems>,
) -> impl IntoView {
    let s = strings();
    let fill = |hint: &'static str| if own { hint } else { "off" };
    let id = |name: &str| format!("{prefix}-{name}");
    view! {
        <TextField id=id("username") label=s.field_username value=username testid=id("username")
            autocomplete=fill("username") required=true problem=field_problem(problems, Field::Username) />
        <TextField id=id("firstname") label=s.field_firstname value=firstname testid=id("firstname")
            autocomplete=fill("given-name") required=true problem=field_problem(problems, Field::Firstname) />
        <TextField id=id("lastname") label=s.field_lastname value=lastname testid=id("lastname")
            autocomplete=fill("family-name") required=true problem=field_problem(problems, Field::Lastname) />
    }
}

/// A new password (id and `data-testid` `{prefix}-password`), with the rule it must meet and
/// its problem among `problems`.
#[component]
pub fn NewPasswordField(
    prefix: &'static str,
    password: RwSignal<String>,
    problems: RwSignal<Problems>,
) -> impl IntoView {
    let s = strings();
    let id = format!("{prefix}-password");
    view! {
        <TextField id=id.clone() label=s.field_new_password value=password testid=id kind="password"
            autocomplete="new-password" required=true hint=s.password_hint problem=field_problem(problems, Field::Password) />
    }
}

/// A labelled drop-down list writing the chosen option's value into `value`: a first option
/// (`first`, value "") and `options` (value, words).
#[component]
pub fn SelectField(
    /// The element id, also its `data-testid`.
    id: &'static str,
    /// The label.
    label: &'static str,
    /// The chosen option's value.
    value: RwSignal<String>,
    /// The first option's words ("Any", "Choose…").
    first: &'static str,
    /// The other options: (value, words).
    #[prop(into)]
    options: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <select id=id data-testid=id on:change:target=move |e| value.set(e.target().value())>
                <option value="">{first}</option>
                {move || options.get().into_iter().map(|(v, words)| view! { <option value=v>{words}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// A form's send button, alone in the form's action row; disabled while `busy` runs (when the form
/// sends a request). Its children are its words.
#[component]
pub fn SubmitButton(
    /// `data-testid` of the button.
    #[prop(into)]
    testid: String,
    /// The page's main action (styled so).
    #[prop(optional)]
    primary: bool,
    /// The form's request is running.
    #[prop(optional)]
    busy: Option<RwSignal<bool>>,
    children: Children,
) -> impl IntoView {
    let class = if primary {
        "button button--primary"
    } else {
        "button"
    };
    view! {
        <div class="form__actions">
            <button type="submit" class=class data-testid=testid disabled=move || busy.is_some_and(|b| b.get())>
                {children()}
            </button>
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
