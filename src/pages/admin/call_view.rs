//! One test-client exchange: the reply's signature **checked in the browser** with `mnet`
//! against the peer's certificate, the decoded result or fault, and the request and reply
//! envelopes.

use leptos::prelude::*;
use schoolbridge_api::CallResponse;

use crate::i18n::admin;
use crate::model::certificate::short_fingerprint;
use crate::model::envelope::{Decoded, SignatureCheck, check_signature};

/// What the browser concluded about a reply's signature.
pub fn reply_check(response: &CallResponse) -> Option<SignatureCheck> {
    response
        .reply_envelope
        .as_deref()
        .map(|envelope| check_signature(envelope, Some(&response.peer_certificate)))
}

/// A signature check, worded.
#[component]
pub fn SignatureVerdict(check: Option<SignatureCheck>, testid: &'static str) -> impl IntoView {
    let a = admin();
    let (class, outcome, text) = match &check {
        None => ("check check--info", "none", a.sig_no_envelope.to_owned()),
        Some(SignatureCheck::Valid {
            signer_fingerprint, ..
        }) => (
            "check check--good",
            "valid",
            (a.sig_valid)(&short_fingerprint(signer_fingerprint)),
        ),
        Some(SignatureCheck::Invalid { signer_fingerprint }) => (
            "check check--bad",
            "invalid",
            (a.sig_invalid)(&short_fingerprint(signer_fingerprint)),
        ),
        Some(SignatureCheck::NoCertificate) => (
            "check check--warn",
            "no-certificate",
            a.sig_no_certificate.to_owned(),
        ),
        Some(SignatureCheck::BadCertificate(why)) => (
            "check check--bad",
            "bad-certificate",
            (a.sig_bad_certificate)(why),
        ),
        Some(SignatureCheck::NotSigned) => (
            "check check--warn",
            "not-signed",
            a.sig_not_signed.to_owned(),
        ),
        Some(SignatureCheck::Unreadable(why)) => {
            ("check check--bad", "unreadable", (a.sig_unreadable)(why))
        }
    };
    view! {
        <p class=class data-testid=testid data-outcome=outcome role="status">
            {text}
        </p>
    }
}

/// Decoded XML-RPC, for people.
#[component]
pub fn DecodedView(decoded: Decoded, testid: &'static str) -> impl IntoView {
    let a = admin();
    match decoded {
        Decoded::Call { method, params } => view! {
            <div data-testid=testid data-kind="call">
                <p>{a.decoded_method}" "<code>{method}</code></p>
                {if params.is_empty() {
                    view! { <p>{a.decoded_no_params}</p> }.into_any()
                } else {
                    view! {
                        <ol class="params">
                            {params.into_iter().map(|p| view! { <li><pre>{p}</pre></li> }).collect_view()}
                        </ol>
                    }
                    .into_any()
                }}
            </div>
        }
        .into_any(),
        Decoded::Value(text) => view! {
            <div data-testid=testid data-kind="value"><pre>{text}</pre></div>
        }
        .into_any(),
        Decoded::Fault { code, text } => view! {
            <div data-testid=testid data-kind="fault" class="text-bad">
                <p>{(a.fault_line)(code, &text)}</p>
            </div>
        }
        .into_any(),
        Decoded::Unreadable(why) => view! {
            <div data-testid=testid data-kind="unreadable"><p>{(a.not_xmlrpc)(&why)}</p></div>
        }
        .into_any(),
    }
}

/// A raw document in a disclosure.
#[component]
pub fn RawDocument(
    summary: &'static str,
    text: Option<String>,
    testid: &'static str,
) -> impl IntoView {
    text.map(|text| {
        view! {
            <details class="raw" data-testid=testid>
                <summary>{summary}</summary>
                <pre>{text}</pre>
            </details>
        }
    })
}

/// The whole exchange.
#[component]
pub fn CallOutcome(response: CallResponse) -> impl IntoView {
    let a = admin();
    let check = reply_check(&response);
    let content = match &check {
        Some(SignatureCheck::Valid { content, .. }) => Some(content.clone()),
        _ => None,
    };
    let outcome_view = match (&content, response.fault_code, &response.error, &response.result) {
        // The browser's reading of the verified reply comes first.
        (Some(decoded), _, _, _) => view! { <DecodedView decoded=decoded.clone() testid="call-decoded" /> }.into_any(),
        (None, Some(code), error, _) => view! {
            <p class="text-bad" data-testid="call-fault">{(a.fault_line)(code, error.as_deref().unwrap_or_default())}</p>
        }
        .into_any(),
        (None, None, Some(error), _) => view! { <p class="text-bad" data-testid="call-error">{error.clone()}</p> }.into_any(),
        (None, None, None, Some(result)) => view! {
            <p class="hint">{a.server_reading}</p>
            <pre data-testid="call-server-result">{result.clone()}</pre>
        }
        .into_any(),
        (None, None, None, None) => view! { <p>{a.call_no_result}</p> }.into_any(),
    };
    view! {
        <div class="exchange" data-testid="call-result">
            <p class="hint">{(a.call_took)(response.millis)}</p>
            <SignatureVerdict check testid="call-signature" />
            {outcome_view}
            <RawDocument summary=a.raw_request_xmlrpc text=Some(response.request_xmlrpc.clone()) testid="raw-request" />
            <RawDocument summary=a.raw_request_envelope text=response.request_envelope.clone() testid="raw-request-envelope" />
            <RawDocument summary=a.raw_reply_envelope text=response.reply_envelope.clone() testid="raw-reply-envelope" />
        </div>
    }
}
