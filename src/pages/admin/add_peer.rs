//! `/peers/new`: add a peer as Moodle does — enter its address, SchoolBridge fetches its
//! certificate by keyswap (`POST /api/peers/preview`), the browser parses the certificate itself
//! and shows subject, validity, SHA-256 fingerprint and the certificate as text (what Moodle's
//! own pages show), and the administrator confirms (`POST /api/peers` with the fingerprint the
//! browser computed) or cancels. The peer's page then says what to do next, here and in Moodle.
//! When the address does not lead to a Moodle, the server says why: no such host, nothing
//! listening, or something that is not a Moodle with Networking on.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use mnet::keys::PeerCertificate;
use schoolbridge_api::{ConfirmPeerRequest, PeerPreview, PeerPreviewRequest};

use crate::api;
use crate::i18n::{admin, strings};
use crate::model::certificate::{BrowserReading, PEER_WARNING_DAYS};
use crate::model::peers::check_address;
use crate::ui::{self, CertificateCard, Checkbox, ErrorSlot, Notice, Page, TextField, Tone};

/// `/peers/new`.
#[component]
pub fn AddPeerPage() -> impl IntoView {
    let a = admin();
    let preview = RwSignal::new(None::<PeerPreview>);
    let tls_verify = RwSignal::new(true);
    view! {
        <Page testid="add-peer-page" heading_id="add-peer-heading" heading=a.add_peer_heading back=Some(("/peers".to_owned(), a.nav_peers))>
            {move || match preview.get() {
                None => view! { <AddressForm preview tls_verify /> }.into_any(),
                Some(found) => view! { <ReviewCertificate found preview tls_verify /> }.into_any(),
            }}
        </Page>
    }
}

/// Step 1: the address.
#[component]
fn AddressForm(
    preview: RwSignal<Option<PeerPreview>>,
    tls_verify: RwSignal<bool>,
) -> impl IntoView {
    let a = admin();
    let url = RwSignal::new(String::new());
    let application = RwSignal::new("moodle".to_owned());
    let problem = RwSignal::new(None::<String>);
    let action = ui::Action::new();
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let checked = check_address(&url.get_untracked())
            .map_err(|found| Some(a.address_problem(found).to_owned()));
        let Some(address) = ui::checked(problem, checked) else {
            return;
        };
        let request = PeerPreviewRequest {
            url: address,
            application: Some(application.get_untracked()),
            tls_verify: Some(tls_verify.get_untracked()),
        };
        action.run(api::admin::preview_peer(request), move |found| {
            preview.set(Some(found))
        });
    };
    view! {
        <p class="lead">{a.add_peer_intro}</p>
        <form class="form" on:submit=submit novalidate=true data-testid="add-peer-form">
            <TextField
                id="peer-url"
                label=a.field_peer_url
                value=url
                testid="peer-url"
                kind="url"
                hint=a.field_peer_url_hint
                required=true
                problem=problem
            />
            <div class="field">
                <label for="peer-application">{a.field_application}</label>
                <select
                    id="peer-application"
                    data-testid="peer-application"
                    prop:value=move || application.get()
                    on:change:target=move |event| application.set(event.target().value())
                >
                    <option value="moodle">"Moodle"</option>
                    <option value="mahara">"Mahara"</option>
                </select>
            </div>
            <Checkbox id="peer-tls" label=a.field_tls_verify checked=tls_verify testid="peer-tls" hint=a.field_tls_verify_hint />
            <ErrorSlot error=action.failure testid="preview-error" />
            <div class="form__actions">
                <button type="submit" class="button button--primary" data-testid="fetch-certificate" disabled=move || action.is_busy()>
                    {move || if action.is_busy() { a.fetching_certificate } else { a.fetch_certificate }}
                </button>
                <a class="button button--quiet" href="/peers">{strings().cancel}</a>
            </div>
        </form>
    }
}

/// Step 2: the certificate, read in the browser, and the decision.
#[component]
fn ReviewCertificate(
    found: PeerPreview,
    preview: RwSignal<Option<PeerPreview>>,
    tls_verify: RwSignal<bool>,
) -> impl IntoView {
    let s = strings();
    let a = admin();
    let navigate = use_navigate();
    let reading = BrowserReading::of(&found.certificate);
    let fingerprint = reading.confirmable_fingerprint().map(str::to_owned);
    // Moodle's own check (§6.3), repeated in the browser: does the certificate name this address?
    let names_address = PeerCertificate::from_pem(&found.certificate.pem).map(|cert| {
        cert.check_credentials(&found.wwwroot)
            .map_err(|e| e.to_string())
    });
    let name = RwSignal::new(found.name.clone());
    let action = ui::Action::new();
    let can_confirm = fingerprint.is_some();
    let confirm = {
        let found = found.clone();
        move |_| {
            let Some(fingerprint) = fingerprint.clone() else {
                return;
            };
            let request = ConfirmPeerRequest {
                wwwroot: found.wwwroot.clone(),
                application: found.application.clone(),
                name: name.get_untracked().trim().to_owned(),
                fingerprint,
                tls_verify: tls_verify.get_untracked(),
            };
            let navigate = navigate.clone();
            // The peer's page says what to do next (`?added`).
            action.run(api::admin::confirm_peer(request), move |detail| {
                navigate(
                    &format!("/peers/{}?added=1", detail.peer.id),
                    NavigateOptions::default(),
                )
            });
        }
    };
    view! {
        <div data-testid="peer-preview">
            <h2>{a.review_certificate_heading}</h2>
            <p class="lead">{a.review_certificate_intro}</p>
            <dl class="facts">
                <dt>{a.col_wwwroot}</dt>
                <dd data-testid="preview-wwwroot">{found.wwwroot.clone()}</dd>
                <dt>{a.col_application}</dt>
                <dd>{found.application.clone()}</dd>
            </dl>
            {found.restores_deleted.then(|| view! {
                <Notice tone=Tone::Info testid="preview-restores"><p>{a.preview_restores_deleted}</p></Notice>
            })}
            {match names_address {
                Ok(Ok(())) => view! { <p class="check check--good" data-testid="preview-names-address">{a.cert_names_address}</p> }.into_any(),
                Ok(Err(why)) => view! {
                    <Notice tone=Tone::Warn testid="preview-names-address"><p>{(a.cert_does_not_name_address)(&why)}</p></Notice>
                }
                .into_any(),
                Err(_) => ().into_any(),
            }}
            <CertificateCard info=found.certificate.clone() warn_days=PEER_WARNING_DAYS testid="preview-certificate" now=ui::now() />
            <TextField id="peer-name" label=a.field_peer_name value=name testid="peer-name" />
            <ErrorSlot error=action.failure testid="confirm-error" />
            {(!can_confirm).then(|| view! {
                <Notice tone=Tone::Bad testid="cannot-confirm"><p>{a.cannot_confirm}</p></Notice>
            })}
            <div class="form__actions">
                <button
                    type="button"
                    class="button button--primary"
                    data-testid="confirm-peer"
                    disabled=move || action.is_busy() || !can_confirm
                    on:click=confirm
                >
                    {a.confirm_peer}
                </button>
                <button
                    type="button"
                    class="button button--quiet"
                    data-testid="cancel-peer"
                    on:click=move |_| preview.set(None)
                >
                    {s.cancel}
                </button>
            </div>
        </div>
    }
}
