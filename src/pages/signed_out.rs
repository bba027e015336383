//! `/signed-out`: where someone who came from their Moodle by single sign-on lands after
//! signing out. They have no SchoolBridge password, so a sign-in form would be a dead end; this
//! page says they are signed out and links back to the Moodle they came from (whose Network
//! servers block brings them here again). People with a local account can still sign in.

use leptos::prelude::*;

use crate::i18n::strings;
use crate::session::use_session;
use crate::ui::Page;

/// `/signed-out`.
#[component]
pub fn SignedOutPage() -> impl IntoView {
    let s = strings();
    let came_from = use_session().left_from();
    view! {
        <Page testid="signed-out-page" heading_id="signed-out-heading" heading=s.signed_out_heading class="page page--narrow">
            {match came_from {
                Some(peer) => view! {
                    <p class="lead">{(s.signed_out_from)(&peer.name)}</p>
                    <p>
                        <a class="button button--primary" href=peer.wwwroot.clone() rel="external" data-testid="back-to-moodle">
                            {(s.back_to)(&peer.name)}
                        </a>
                    </p>
                }
                .into_any(),
                None => view! { <p class="lead">{s.signed_out_text}</p> }.into_any(),
            }}
            <p class="hint">
                {s.signed_out_local}" "<a href="/signin" data-testid="sign-in-again">{s.sign_in}</a>
            </p>
        </Page>
    }
}
