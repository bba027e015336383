//! `/activity/{id}`: one MNet audit entry with its decoded call and **"Verify signature"**, which
//! re-checks the stored signed envelope in the browser with `mnet` and the signer's certificate —
//! no trust in the server needed.

use leptos::prelude::*;
use schoolbridge_api::AuditDetail;

use super::activity::outcome_tone;
use super::call_view::{DecodedView, RawDocument, SignatureVerdict};
use crate::api;
use crate::i18n::admin;
use crate::model::certificate::short_fingerprint;
use crate::model::envelope::{Envelope, SignatureCheck, check_signature, inspect};
use crate::model::time;
use crate::ui::{self, Badge, Notice, Page, Section, Tone};

/// `/activity/{id}`.
#[component]
pub fn EntryPage(id: i64) -> impl IntoView {
    let a = admin();
    let entry = ui::load(move || api::admin::audit_entry(id));
    view! {
        <Page testid="audit-entry" heading_id="entry-heading" heading=a.title_activity_entry back=Some(("/activity".to_owned(), a.nav_activity))
            named_once=ui::has_loaded(entry)>
            {ui::loaded(entry, |detail| view! { <EntryView detail /> })}
        </Page>
    }
}

#[component]
fn EntryView(detail: AuditDetail) -> impl IntoView {
    let a = admin();
    let e = detail.entry.clone();
    let envelope = inspect(detail.envelope.as_deref(), detail.envelope_note.as_deref());
    let check = RwSignal::new(None::<SignatureCheck>);
    let verify = {
        let text = detail.envelope.clone().unwrap_or_default();
        let signer = detail.signer_certificate.clone();
        move |_| check.set(Some(check_signature(&text, signer.as_deref())))
    };
    let envelope_view = match envelope {
        Envelope::Missing(note) => view! {
            <Notice tone=Tone::Info testid="no-envelope">
                <p>{a.no_envelope}</p>
                {note.map(|note| view! { <p data-testid="envelope-note">{(a.envelope_note)(&note)}</p> })}
            </Notice>
        }
        .into_any(),
        Envelope::Signed { claimed_wwwroot, timestamp, digest_matches, unverified } => view! {
            <dl class="facts">
                <dt>{a.claimed_sender}</dt>
                <dd>{claimed_wwwroot}</dd>
                <dt>{a.claimed_time}</dt>
                <dd>{timestamp.map(time::date_time).unwrap_or_else(|| a.unknown.to_owned())}</dd>
                <dt>{a.digest}</dt>
                <dd>{a.digest_text(digest_matches)}</dd>
                <dt>{a.signer_certificate}</dt>
                <dd data-testid="signer-fingerprint">
                    {detail.signer_certificate.as_deref()
                        .and_then(|pem| mnet::keys::PeerCertificate::from_pem(pem).ok())
                        .map(|c| short_fingerprint(&c.fingerprint_sha256()))
                        .unwrap_or_else(|| a.none_held.to_owned())}
                </dd>
            </dl>
            <div class="verify-box">
                <button type="button" class="button button--primary" data-testid="verify-signature" on:click=verify>
                    {a.verify_signature}
                </button>
                <p class="hint">{a.verify_signature_hint}</p>
                {move || check.get().map(|result| view! { <SignatureVerdict check=Some(result) testid="signature-check" /> })}
            </div>
            <h2>{a.decoded_heading}</h2>
            {move || match check.get() {
                Some(SignatureCheck::Valid { content, .. }) => view! {
                    <p class="check check--good">{a.decoded_verified}</p>
                    <DecodedView decoded=content testid="entry-decoded" />
                }
                .into_any(),
                _ => view! {
                    <p class="check check--warn" data-testid="entry-unverified">{a.decoded_unverified}</p>
                    <DecodedView decoded=unverified.clone() testid="entry-decoded" />
                }
                .into_any(),
            }}
        }
        .into_any(),
        Envelope::Encrypted { claimed_wwwroot } => view! {
            <Notice tone=Tone::Warn testid="envelope-encrypted">
                <p>{(a.envelope_encrypted)(&claimed_wwwroot)}</p>
                {detail.envelope_note.clone().map(|note| view! { <p data-testid="envelope-note">{(a.envelope_note)(&note)}</p> })}
            </Notice>
        }
        .into_any(),
        Envelope::Plain(decoded) => view! {
            <Notice tone=Tone::Info testid="envelope-unsigned"><p>{a.envelope_unsigned}</p></Notice>
            <h2>{a.decoded_heading}</h2>
            <DecodedView decoded testid="entry-decoded" />
        }
        .into_any(),
        Envelope::Other(_) => view! {
            <Notice tone=Tone::Info testid="envelope-other"><p>{a.envelope_other}</p></Notice>
        }
        .into_any(),
    };
    view! {
        <h1 id="entry-heading">{(a.entry_heading)(e.id)}</h1>
        <dl class="facts" data-testid="entry-facts">
            <dt>{a.col_time}</dt>
            <dd>{time::date_time_ms(e.at_ms)}</dd>
            <dt>{a.col_direction}</dt>
            <dd>{a.direction(&e.direction)}</dd>
            <dt>{a.col_peer}</dt>
            <dd>{e.peer_wwwroot.clone().unwrap_or_else(|| a.unknown.to_owned())}</dd>
            <dt>{a.col_method}</dt>
            <dd data-testid="entry-method"><code>{e.method.clone().unwrap_or_else(|| "—".to_owned())}</code></dd>
            <dt>{a.col_outcome}</dt>
            <dd data-testid="entry-outcome">
                <Badge tone=outcome_tone(&e.outcome) text=a.outcome(&e.outcome) />
                {e.fault_code.map(|code| format!(" {code}"))}
            </dd>
            {e.detail.clone().map(|text| view! { <dt>{a.detail}</dt><dd>{text}</dd> })}
            <dt>{a.col_duration}</dt>
            <dd>{time::duration_us(e.duration_us)}</dd>
            <dt>{a.col_protection}</dt>
            <dd>{a.protection(e.signed, e.encrypted)}</dd>
        </dl>
        <Section heading_id="envelope-heading" heading=a.envelope_heading>
            {envelope_view}
            <RawDocument summary=a.raw_envelope text=detail.envelope.clone() testid="raw-envelope" />
        </Section>
    }
}
