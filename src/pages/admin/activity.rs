//! `/activity`: the MNet audit log with filters (peer, method, outcome, dates) and paging, and
//! `/activity/{id}`: one entry with its decoded call and **"Verify signature"**, which re-checks
//! the stored signed envelope in the browser with `mnet` and the signer's certificate — no trust
//! in the server needed.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use schoolbridge_api::{AuditDetail, AuditSummary, PeerSummary};

use super::call_view::{DecodedView, RawDocument, SignatureVerdict};
use crate::api::{self, ApiError};
use crate::i18n::admin;
use crate::model::audit::{AuditFilter, DateProblem, older_cursor};
use crate::model::certificate::short_fingerprint;
use crate::model::envelope::{Envelope, SignatureCheck, check_signature, inspect};
use crate::model::time;
use crate::ui::{Badge, Empty, ErrorNotice, Loading, Notice, TextField, Tone};

fn outcome_tone(outcome: &str) -> Tone {
    match outcome {
        "ok" => Tone::Good,
        "fault" => Tone::Warn,
        _ => Tone::Bad,
    }
}

/// `/activity`.
#[component]
pub fn ActivityPage() -> impl IntoView {
    let a = admin();
    let filter = RwSignal::new(AuditFilter::default());
    // Cursors of the pages seen, newest first; the last one is the page shown.
    let cursors = RwSignal::new(vec![None::<i64>]);
    let entries = RwSignal::new(None::<Result<Vec<AuditSummary>, ApiError>>);
    let problem = RwSignal::new(None::<DateProblem>);
    Effect::new(move |_| {
        let before = cursors.with(|c| c.last().copied().flatten());
        match filter.with(|f| f.query(before)) {
            Err(found) => problem.set(Some(found)),
            Ok(query) => {
                problem.set(None);
                entries.set(None);
                spawn_local(async move { entries.set(Some(api::admin::audit(query).await)) });
            }
        }
    });
    let peers = RwSignal::new(Vec::<PeerSummary>::new());
    spawn_local(async move {
        if let Ok(found) = api::admin::peers().await {
            peers.set(found);
        }
    });
    let peer_name = move |id: Option<i64>, wwwroot: Option<String>| {
        id.and_then(|id| peers.with(|all| all.iter().find(|p| p.id == id).map(|p| p.name.clone())))
            .or(wwwroot)
            .unwrap_or_else(|| a.unknown.to_owned())
    };
    view! {
        <section class="page" data-testid="activity" aria-labelledby="activity-heading">
            <h1 id="activity-heading">{a.activity_heading}</h1>
            <p class="lead">{a.activity_intro}</p>
            <FilterForm filter cursors peers />
            {move || problem.get().map(|found| view! {
                <Notice tone=Tone::Warn testid="activity-date-problem"><p>{a.date_problem(found)}</p></Notice>
            })}
            {move || match entries.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <Empty text=a.activity_empty testid="activity-empty" /> }.into_any(),
                Some(Ok(list)) => {
                    let older = older_cursor(&list.iter().map(|e| e.id).collect::<Vec<_>>());
                    view! {
                        <div class="table-wrap">
                            <table class="table table--compact" data-testid="audit-table">
                                <caption class="visually-hidden">{a.activity_heading}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{a.col_time_utc}</th>
                                        <th scope="col">{a.col_direction}</th>
                                        <th scope="col">{a.col_peer}</th>
                                        <th scope="col">{a.col_method}</th>
                                        <th scope="col">{a.col_outcome}</th>
                                        <th scope="col">{a.col_duration}</th>
                                        <th scope="col">{a.col_protection}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|entry| {
                                        let peer = peer_name(entry.peer_id, entry.peer_wwwroot.clone());
                                        view! {
                                            <tr data-testid="audit-row" data-audit-id=entry.id.to_string() data-outcome=entry.outcome.clone()
                                                data-method=entry.method.clone().unwrap_or_default() data-direction=entry.direction.clone()>
                                                <td class="nowrap">
                                                    <a href=format!("/activity/{}", entry.id) data-testid="audit-link">
                                                        {time::date_time_seconds(entry.at_ms)}
                                                    </a>
                                                </td>
                                                <td>{a.direction(&entry.direction)}</td>
                                                <td>{peer}</td>
                                                <td><code>{entry.method.clone().unwrap_or_else(|| "—".to_owned())}</code></td>
                                                <td>
                                                    <Badge tone=outcome_tone(&entry.outcome) text=a.outcome(&entry.outcome) />
                                                    {entry.fault_code.map(|code| format!(" {code}"))}
                                                </td>
                                                <td class="nowrap">{time::duration_us(entry.duration_us)}</td>
                                                <td>{a.protection(entry.signed, entry.encrypted)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav class="pager" aria-label=a.pages_label>
                            <button type="button" class="button button--quiet" data-testid="audit-newer"
                                disabled=move || cursors.with(|c| c.len() <= 1)
                                on:click=move |_| cursors.update(|c| { c.pop(); })>
                                {a.newer_entries}
                            </button>
                            <button type="button" class="button button--quiet" data-testid="audit-older"
                                disabled=older.is_none()
                                on:click=move |_| cursors.update(|c| c.push(older))>
                                {a.older_entries}
                            </button>
                        </nav>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn FilterForm(
    filter: RwSignal<AuditFilter>,
    cursors: RwSignal<Vec<Option<i64>>>,
    peers: RwSignal<Vec<PeerSummary>>,
) -> impl IntoView {
    let a = admin();
    let peer = RwSignal::new(String::new());
    let method = RwSignal::new(String::new());
    let outcome = RwSignal::new(String::new());
    let from_date = RwSignal::new(String::new());
    let until_date = RwSignal::new(String::new());
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        cursors.set(vec![None]);
        filter.set(AuditFilter {
            peer: peer.get_untracked().parse().ok(),
            method: method.get_untracked(),
            outcome: outcome.get_untracked(),
            from_date: from_date.get_untracked(),
            until_date: until_date.get_untracked(),
        });
    };
    view! {
        <form class="form form--inline" on:submit=submit data-testid="audit-filters" aria-label=a.filters_label>
            <div class="field">
                <label for="audit-peer">{a.col_peer}</label>
                <select id="audit-peer" data-testid="audit-peer" on:change:target=move |e| peer.set(e.target().value())>
                    <option value="">{a.any}</option>
                    {move || peers.get().into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
                </select>
            </div>
            <TextField id="audit-method" label=a.col_method value=method testid="audit-method" kind="search" />
            <div class="field">
                <label for="audit-outcome">{a.col_outcome}</label>
                <select id="audit-outcome" data-testid="audit-outcome" on:change:target=move |e| outcome.set(e.target().value())>
                    <option value="">{a.any}</option>
                    {["ok", "fault", "error"].into_iter().map(|o| view! { <option value=o>{a.outcome(o)}</option> }).collect_view()}
                </select>
            </div>
            <TextField id="audit-from" label=a.field_from value=from_date testid="audit-from" kind="date" />
            <TextField id="audit-until" label=a.field_until value=until_date testid="audit-until" kind="date" />
            <div class="form__actions">
                <button type="submit" class="button" data-testid="audit-apply">{a.apply_filters}</button>
            </div>
        </form>
    }
}

/// `/activity/{id}`.
#[component]
pub fn EntryPage() -> impl IntoView {
    let a = admin();
    let params = use_params_map();
    let entry = RwSignal::new(None::<Result<AuditDetail, ApiError>>);
    Effect::new(move |_| {
        let id = params
            .with(|p| p.get("id"))
            .and_then(|raw| raw.parse::<i64>().ok());
        entry.set(None);
        match id {
            Some(id) => {
                spawn_local(async move { entry.set(Some(api::admin::audit_entry(id).await)) })
            }
            None => entry.set(Some(Err(ApiError::Refused {
                status: 404,
                code: "not_found".into(),
                message: a.entry_not_found.into(),
            }))),
        }
    });
    view! {
        <section class="page" data-testid="audit-entry" aria-labelledby="entry-heading">
            <p class="breadcrumb"><a href="/activity">{a.nav_activity}</a></p>
            {move || match entry.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                Some(Ok(detail)) => view! { <EntryView detail /> }.into_any(),
            }}
        </section>
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
        <section class="section" aria-labelledby="envelope-heading">
            <h2 id="envelope-heading">{a.envelope_heading}</h2>
            {envelope_view}
            <RawDocument summary=a.raw_envelope text=detail.envelope.clone() testid="raw-envelope" />
        </section>
    }
}
