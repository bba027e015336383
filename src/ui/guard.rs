//! [`Protected`]: a page shows only to people it is for. Signed-out people are sent to sign in by
//! the shell; people without the role see why.

use leptos::prelude::*;

use super::feedback::{Loading, Notice, Tone};
use crate::i18n::strings;
use crate::model::roles::Need;
use crate::session::{Access, SessionState, use_session};

/// Renders `children` when the session meets `need`; otherwise the page's `title` as its heading
/// and why it does not show (every page has one `<h1>`, whatever it says).
#[component]
pub fn Protected(need: Need, title: &'static str, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let access = Memo::new(move |_| session.access(need));
    let closed = move |why: AnyView| {
        view! {
            <section class="page" aria-labelledby="closed-heading">
                <h1 id="closed-heading">{title}</h1>
                {why}
            </section>
        }
        .into_any()
    };
    // Closed, with a one-line reason.
    let closed_because = move |tone: Tone, testid: &'static str, why: &'static str| {
        closed(view! { <Notice tone testid><p>{why}</p></Notice> }.into_any())
    };
    move || {
        let s = strings();
        match access.get() {
            Access::Granted => children().into_any(),
            Access::Loading => view! { <Loading /> }.into_any(),
            Access::SignedOut => closed_because(Tone::Info, "signed-out", s.error_signed_out),
            Access::Unreachable => {
                let detail = session.with(|state| match state {
                    SessionState::Unreachable(error) => error.to_string(),
                    _ => String::new(),
                });
                closed(
                    view! {
                        <Notice tone=Tone::Bad testid="unreachable">
                            <p title=detail>{s.error_network}</p>
                            <button type="button" class="button" on:click=move |_| session.reload()>
                                {s.try_again}
                            </button>
                        </Notice>
                    }
                    .into_any(),
                )
            }
            Access::Forbidden => closed_because(Tone::Warn, "forbidden", s.error_forbidden),
        }
    }
}
