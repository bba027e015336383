//! A two-step button for what cannot be undone lightly: the first press asks, in place, with the
//! consequence spelled out; only "Yes" acts. Focus moves to the question so keyboard and
//! screen-reader users hear it.

use leptos::html;
use leptos::prelude::*;

use crate::i18n::strings;

/// A button that asks before it acts.
#[component]
pub fn ConfirmButton(
    /// The button's label.
    label: &'static str,
    /// The question (what will happen; it may change, e.g. with a chosen peer).
    #[prop(into)]
    question: Signal<String>,
    /// The "yes" button's label.
    confirm_label: &'static str,
    /// `data-testid` of the first button; the "yes" and "no" buttons get `-yes` and `-no`.
    testid: &'static str,
    /// Danger styling.
    #[prop(optional)]
    danger: bool,
    /// Disabled (e.g. while working).
    #[prop(optional, into)]
    disabled: Signal<bool>,
    /// What to do on "yes".
    on_confirm: impl Fn() + 'static,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    // Kept in a local arena slot so the (non-`Send`) action can live inside `<Show>`.
    let on_confirm = StoredValue::new_local(on_confirm);
    let question_ref = NodeRef::<html::P>::new();
    Effect::new(move |_| {
        if asking.get()
            && let Some(element) = question_ref.get()
        {
            let _ = element.focus();
        }
    });
    let class = if danger {
        "button button--danger"
    } else {
        "button"
    };
    let yes_id = format!("{testid}-yes");
    let no_id = format!("{testid}-no");
    view! {
        <div class="confirm">
            <Show
                when=move || asking.get()
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class=class
                            data-testid=testid
                            disabled=move || disabled.get()
                            on:click=move |_| asking.set(true)
                        >
                            {label}
                        </button>
                    }
                }
            >
                <div class="confirm__ask" role="alertdialog" aria-label=label>
                    <p tabindex="-1" node_ref=question_ref>{move || question.get()}</p>
                    <button
                        type="button"
                        class=class
                        data-testid=yes_id.clone()
                        disabled=move || disabled.get()
                        on:click=move |_| {
                            asking.set(false);
                            on_confirm.with_value(|act| act());
                        }
                    >
                        {confirm_label}
                    </button>
                    <button
                        type="button"
                        class="button button--quiet"
                        data-testid=no_id.clone()
                        on:click=move |_| asking.set(false)
                    >
                        {strings().cancel}
                    </button>
                </div>
            </Show>
        </div>
    }
}
