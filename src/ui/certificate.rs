//! A certificate as the browser read it (see `model::certificate`): subject, issuer, validity
//! with an expiry warning, the SHA-256 fingerprint (with a loud warning if the browser's
//! fingerprint is not the server's), and the certificate as text — what Moodle's own Networking
//! pages show as its "Public key", beside "Valid until", so the two can be compared.

use leptos::prelude::*;
use schoolbridge_api::CertificateInfo;

use super::feedback::{Badge, Notice, Tone};
use crate::i18n::strings;
use crate::model::certificate::{BrowserReading, Expiry, fingerprint_lines};
use crate::model::time;

/// Subject, validity and fingerprint of `info`, parsed in the browser.
#[component]
pub fn CertificateCard(
    info: CertificateInfo,
    /// Warn this many days before expiry.
    warn_days: i64,
    /// `data-testid` prefix: `{testid}`, `{testid}-fingerprint`, `{testid}-expiry`,
    /// `{testid}-browser-check`.
    testid: &'static str,
    /// The clock to judge expiry by.
    now: i64,
) -> impl IntoView {
    let s = strings();
    let reading = BrowserReading::of(&info);
    let check = match reading.clone() {
        BrowserReading::Agrees(_) => view! {
            <p class="check check--good" data-testid=format!("{testid}-browser-check") data-outcome="match">
                {s.cert_browser_agrees}
            </p>
        }
        .into_any(),
        BrowserReading::Disagrees {
            server_fingerprint, ..
        } => view! {
            <Notice tone=Tone::Bad>
                <p data-testid=format!("{testid}-browser-check") data-outcome="mismatch">
                    <strong>{s.cert_browser_disagrees}</strong>
                </p>
                <p>{s.cert_server_said}" "<code class="fingerprint">{server_fingerprint}</code></p>
            </Notice>
        }
        .into_any(),
        BrowserReading::Unreadable(reason) => view! {
            <Notice tone=Tone::Bad>
                <p data-testid=format!("{testid}-browser-check") data-outcome="unreadable">
                    {(s.cert_unreadable)(&reason)}
                </p>
            </Notice>
        }
        .into_any(),
    };
    let Some(facts) = reading.facts().cloned() else {
        return view! { <div class="certificate" data-testid=testid>{check}</div> }.into_any();
    };
    let expiry = Expiry::assess(facts.not_after, now, warn_days);
    let (expiry_tone, expiry_text) = match expiry {
        Expiry::Expired { days_ago } => (Tone::Bad, (s.expired_days_ago)(days_ago)),
        Expiry::Soon { days_left } => (Tone::Warn, (s.expires_in_days)(days_left)),
        Expiry::Valid { days_left } => (Tone::Good, (s.expires_in_days)(days_left)),
    };
    let row = |label: &'static str, value: Option<String>| {
        value.map(|value| {
            view! {
                <dt>{label}</dt>
                <dd>{value}</dd>
            }
        })
    };
    let lines = fingerprint_lines(&facts.fingerprint);
    view! {
        <div class="certificate" data-testid=testid>
            <dl class="facts">
                {row(s.cert_common_name, facts.common_name.clone())}
                {row(s.cert_organization, facts.organization.clone())}
                {row(s.cert_unit, facts.organizational_unit.clone())}
                {row(s.cert_alt_name, facts.subject_alt_name.clone())}
                {row(s.cert_issuer, Some(facts.issuer.clone()))}
                {row(s.cert_serial, Some(facts.serial.clone()))}
                {row(s.cert_algorithm, Some(format!("{} · {} bits", facts.algorithm, facts.key_bits)))}
                {row(s.cert_valid_from, Some(time::date_time(facts.not_before)))}
                <dt>{s.cert_valid_until}</dt>
                <dd data-testid=format!("{testid}-expiry") data-warns=expiry.warns().to_string()>
                    {time::date_time(facts.not_after)}
                    " "
                    <Badge tone=expiry_tone text=expiry_text />
                </dd>
                <dt>{s.cert_fingerprint}</dt>
                <dd>
                    <code
                        class="fingerprint"
                        data-testid=format!("{testid}-fingerprint")
                        data-value=facts.fingerprint.clone()
                    >
                        {lines
                            .into_iter()
                            .map(|line| view! { <span class="fingerprint__line">{line}</span> })
                            .collect_view()}
                    </code>
                </dd>
            </dl>
            // Moodle's own pages show this text and the expiry date, not a fingerprint.
            <details class="raw" data-testid=format!("{testid}-pem-box")>
                <summary>{s.cert_pem}</summary>
                <pre data-testid=format!("{testid}-pem")>{info.pem.clone()}</pre>
            </details>
            {check}
        </div>
    }
    .into_any()
}
