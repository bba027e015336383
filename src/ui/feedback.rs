//! Loading, empty, error and notice states.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::{Strings, strings};

/// The colour of a notice or badge; the words always say it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Neutral information.
    Info,
    /// Worked.
    Good,
    /// Needs attention.
    Warn,
    /// Failed or dangerous.
    Bad,
}

impl Tone {
    fn suffix(self) -> &'static str {
        match self {
            Tone::Info => "info",
            Tone::Good => "good",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
        }
    }
}

/// "Loading…", announced politely.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <p class="loading" role="status" aria-live="polite" data-testid="loading">
            {strings().loading}
        </p>
    }
}

/// An empty list's message.
#[component]
pub fn Empty(#[prop(into)] text: String, #[prop(optional)] testid: &'static str) -> impl IntoView {
    view! {
        <p class="empty" data-testid=if testid.is_empty() { "empty" } else { testid }>
            {text}
        </p>
    }
}

/// What to tell a person about an API error.
pub fn error_text(error: &ApiError, s: &Strings) -> String {
    match error {
        ApiError::SignedOut => s.error_signed_out.to_owned(),
        ApiError::Refused { code, .. } if code == "forbidden" => s.error_forbidden.to_owned(),
        ApiError::Refused { code, .. } if code == "csrf" => s.error_csrf.to_owned(),
        ApiError::Refused { message, .. } => message.clone(),
        ApiError::Network(_) => s.error_network.to_owned(),
        ApiError::Body { .. } => s.error_body.to_owned(),
    }
}

/// An API error, as an alert; the technical detail is in the tooltip.
#[component]
pub fn ErrorNotice(error: ApiError, #[prop(optional)] testid: &'static str) -> impl IntoView {
    let text = error_text(&error, strings());
    let code = error.code().map(str::to_owned);
    view! {
        <div
            class="notice notice--bad"
            role="alert"
            data-testid=if testid.is_empty() { "error" } else { testid }
            data-code=code
            title=error.to_string()
        >
            <p>{text}</p>
        </div>
    }
}

/// The error of the last action, when there is one (one component instead of a closure per
/// form keeps the wasm smaller).
#[component]
pub fn ErrorSlot(
    error: RwSignal<Option<ApiError>>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    move || {
        error
            .get()
            .map(|error| view! { <ErrorNotice error testid /> })
    }
}

/// What the last action did, once it is done, as a good notice (a component, like
/// [`ErrorSlot`], rather than a closure per form).
#[component]
pub fn DoneSlot(
    done: RwSignal<Option<String>>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    move || {
        done.get()
            .map(|text| view! { <Notice tone=Tone::Good testid><p>{text}</p></Notice> })
    }
}

/// `text` as a good notice while `saved` holds.
#[component]
pub fn SavedSlot(saved: RwSignal<bool>, text: &'static str, testid: &'static str) -> impl IntoView {
    move || {
        saved
            .get()
            .then(|| view! { <Notice tone=Tone::Good testid><p>{text}</p></Notice> })
    }
}

/// "Loading…" while `when` holds.
#[component]
pub fn Busy(when: RwSignal<bool>) -> impl IntoView {
    move || when.get().then(|| view! { <Loading /> })
}

/// A boxed message.
#[component]
pub fn Notice(
    tone: Tone,
    #[prop(optional)] testid: &'static str,
    children: Children,
) -> impl IntoView {
    let role = match tone {
        Tone::Bad | Tone::Warn => "alert",
        Tone::Info | Tone::Good => "status",
    };
    view! {
        <div
            class=format!("notice notice--{}", tone.suffix())
            role=role
            data-testid=(!testid.is_empty()).then_some(testid)
        >
            {children()}
        </div>
    }
}

/// A short label next to a name ("deleted", "key changed").
#[component]
pub fn Badge(tone: Tone, #[prop(into)] text: String) -> impl IntoView {
    view! { <span class=format!("badge badge--{}", tone.suffix())>{text}</span> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::ENGLISH;

    #[test]
    fn errors_are_worded_for_people() {
        assert_eq!(
            error_text(&ApiError::SignedOut, &ENGLISH),
            ENGLISH.error_signed_out
        );
        let refused = ApiError::Refused {
            status: 502,
            code: "peer_unreachable".into(),
            message: "The peer did not answer.".into(),
        };
        assert_eq!(error_text(&refused, &ENGLISH), "The peer did not answer.");
        let network = ApiError::Network("TypeError: Failed to fetch".into());
        assert_eq!(error_text(&network, &ENGLISH), ENGLISH.error_network);
    }
}
