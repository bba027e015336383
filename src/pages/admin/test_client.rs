//! `/test-client?peer=…`: Moodle's MNet test client. Pick a peer; its services come from
//! `system/listServices`, a service's methods from `system/listMethods`, a method's parameters
//! from `system/methodSignature` — each read from the peer's reply **after** the browser has
//! verified the reply's signature. Any method can then be called with typed parameters, and
//! the request, the reply and the browser's signature check are shown.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use schoolbridge_api::{CallRequest, CallResponse, PeerSummary, TypedParam};

use super::call_view::{CallOutcome, SignatureVerdict, reply_check};
use crate::api::{self, ApiError};
use crate::i18n::{admin, strings};
use crate::model::envelope::verified_value;
use crate::model::test_client::{
    ParamKind, RemoteService, methods_from, services_from, signature_from, typed_params,
};
use crate::ui::{
    self, Busy, Empty, ErrorNotice, Loading, Notice, Page, Section, SubmitButton, TableFrame,
    TextField, Tone,
};

/// One parameter row of the call form.
#[derive(Debug, Clone, Copy)]
struct ParamRow {
    key: u32,
    kind: RwSignal<ParamKind>,
    value: RwSignal<String>,
    name: RwSignal<String>,
}

impl ParamRow {
    fn new(key: u32, kind: ParamKind, name: &str) -> Self {
        ParamRow {
            key,
            kind: RwSignal::new(kind),
            value: RwSignal::new(String::new()),
            name: RwSignal::new(name.to_owned()),
        }
    }
}

/// A system call's answer, read from the verified reply.
type Listing<T> = Result<(CallResponse, Option<T>), ApiError>;

async fn call(peer: i64, method: &str, params: Vec<TypedParam>) -> Result<CallResponse, ApiError> {
    api::admin::call(
        peer,
        CallRequest {
            method: method.to_owned(),
            params,
        },
    )
    .await
}

fn string_param(value: &str) -> TypedParam {
    TypedParam {
        kind: ParamKind::String.as_str().to_owned(),
        value: value.to_owned(),
    }
}

/// Calls a `system/*` method and reads the verified answer with `read`.
async fn listing<T>(
    peer: i64,
    method: &str,
    params: Vec<TypedParam>,
    read: impl Fn(&mnet::xmlrpc::Value) -> T,
) -> Listing<T> {
    let response = call(peer, method, params).await?;
    let value = response
        .reply_envelope
        .as_deref()
        .and_then(|envelope| verified_value(envelope, &response.peer_certificate));
    let read = value.as_ref().map(read);
    Ok((response, read))
}

/// `/test-client`.
#[component]
pub fn TestClientPage() -> impl IntoView {
    let a = admin();
    let peers = ui::load(api::admin::peers);
    let initial = use_query_map()
        .with_untracked(|q| q.get("peer"))
        .and_then(|p| p.parse::<i64>().ok());
    let selected = RwSignal::new(initial);
    view! {
        <Page testid="test-client" heading_id="test-client-heading" heading=a.test_client_heading>
            <p class="lead">{a.test_client_intro}</p>
            {ui::loaded(peers, move |list| {
                let live: Vec<PeerSummary> = list.into_iter().filter(|p| !p.deleted).collect();
                if live.is_empty() {
                    view! { <Empty text=a.test_client_no_peers testid="tc-no-peers" /> }.into_any()
                } else {
                    view! { <PeerPicker peers=live selected /> }.into_any()
                }
            })}
            {move || selected.get().map(|peer| view! { <Workbench peer /> })}
        </Page>
    }
}

#[component]
fn PeerPicker(peers: Vec<PeerSummary>, selected: RwSignal<Option<i64>>) -> impl IntoView {
    let a = admin();
    view! {
        <div class="field">
            <label for="tc-peer">{a.field_peer}</label>
            <select
                id="tc-peer"
                data-testid="tc-peer"
                prop:value=move || selected.get().map(|id| id.to_string()).unwrap_or_default()
                on:change:target=move |event| selected.set(event.target().value().parse().ok())
            >
                <option value="">{a.choose_peer}</option>
                {peers.into_iter().map(|p| view! {
                    <option value=p.id.to_string()>{format!("{} ({})", p.name, p.wwwroot)}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Everything for one peer; rebuilt when another peer is picked.
#[component]
fn Workbench(peer: i64) -> impl IntoView {
    let a = admin();
    let services = ui::load(move || listing(peer, "system/listServices", vec![], services_from));
    let methods = RwSignal::new(None::<(String, Option<Listing<Vec<String>>>)>);
    let listing_methods = ui::Action::new();
    let reading_signature = ui::Action::new();
    let method = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<ParamRow>::new());
    let next_key = StoredValue::new(0_u32);
    let new_row = move |kind: ParamKind, name: &str| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        ParamRow::new(key, kind, name)
    };
    // A listing's failure is part of what it shows, so these requests never "fail".
    let list_methods = move |service: Option<String>| {
        let label = service.clone().unwrap_or_else(|| a.all_services.to_owned());
        methods.set(Some((label.clone(), None)));
        let params = service.iter().map(|s| string_param(s)).collect();
        let request =
            async move { Ok(listing(peer, "system/listMethods", params, methods_from).await) };
        listing_methods.run(request, move |found| {
            methods.set(Some((label, Some(found))))
        });
    };
    let signature_busy = reading_signature.busy;
    let signature_note = RwSignal::new(None::<String>);
    let use_method = move |path: String| {
        method.set(path.clone());
        rows.set(Vec::new());
        signature_note.set(None);
        let request = async move {
            Ok(listing(
                peer,
                "system/methodSignature",
                vec![string_param(&path)],
                signature_from,
            )
            .await)
        };
        reading_signature.run(request, move |found| match found {
            Ok((_, Some(Some((params, _))))) => {
                rows.set(
                    params
                        .iter()
                        .map(|p| new_row(ParamKind::from_signature(&p.type_name), &p.name))
                        .collect(),
                );
                signature_note.set(Some((a.signature_loaded)(params.len())));
            }
            _ => signature_note.set(Some(a.signature_unavailable.to_owned())),
        });
    };

    view! {
        <Section heading_id="tc-services-heading" heading=a.services_heading testid="tc-services">
            {ui::loaded(services, move |(response, found)| view! {
                    <SignatureVerdict check=reply_check(&response) testid="tc-services-signature" />
                    {match found {
                        None => view! { <CallOutcome response /> }.into_any(),
                        Some(list) if list.is_empty() => view! { <Empty text=a.no_services /> }.into_any(),
                        Some(list) => view! { <ServiceTable services=list on_methods=list_methods /> }.into_any(),
                    }}
            })}
            <button type="button" class="button button--quiet" data-testid="tc-all-methods" on:click=move |_| list_methods(None)>
                {a.list_all_methods}
            </button>
        </Section>
        {move || methods.get().map(|(label, outcome)| view! {
            <Section heading_id="tc-methods-heading" heading={(a.methods_of)(&label)} testid="tc-methods">
                {match outcome {
                    None => view! { <Loading /> }.into_any(),
                    Some(Err(error)) => view! { <ErrorNotice error /> }.into_any(),
                    Some(Ok((response, None))) => view! { <CallOutcome response /> }.into_any(),
                    Some(Ok((_, Some(list)))) if list.is_empty() => view! { <Empty text=a.no_methods /> }.into_any(),
                    Some(Ok((response, Some(list)))) => view! {
                        <SignatureVerdict check=reply_check(&response) testid="tc-methods-signature" />
                        <ul class="method-list">
                            {list.into_iter().map(|path| {
                                let chosen = path.clone();
                                let attr = path.clone();
                                view! {
                                    <li>
                                        <button type="button" class="link-button" data-testid="tc-method" data-method=attr
                                            on:click=move |_| use_method(chosen.clone())>
                                            <code>{path}</code>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                }}
            </Section>
        })}
        <CallForm peer method rows new_row signature_busy signature_note />
    }
}

#[component]
fn ServiceTable(
    services: Vec<RemoteService>,
    on_methods: impl Fn(Option<String>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let a = admin();
    view! {
        <TableFrame testid="tc-service-table" caption=a.peer_services_caption actions=Some(a.col_actions)
            headings=vec![a.col_service, a.col_apiversion, a.col_peer_publishes, a.col_peer_subscribes]>
            <tbody>
                {services.into_iter().map(|svc| {
                    let name = svc.name.clone();
                    view! {
                        <tr data-testid="tc-service" data-service=svc.name.clone()>
                            <th scope="row"><code>{svc.name.clone()}</code></th>
                            <td>{svc.apiversion.clone()}</td>
                            <td>{a.yes_no(svc.publish)}</td>
                            <td>{a.yes_no(svc.subscribe)}</td>
                            <td>
                                <button type="button" class="button button--quiet" data-testid=format!("tc-methods-{}", svc.name)
                                    on:click=move |_| on_methods(Some(name.clone()))>
                                    {(a.list_methods_of)(&svc.name)}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </TableFrame>
    }
}

#[component]
fn CallForm(
    peer: i64,
    method: RwSignal<String>,
    rows: RwSignal<Vec<ParamRow>>,
    new_row: impl Fn(ParamKind, &str) -> ParamRow + Copy + Send + Sync + 'static,
    signature_busy: RwSignal<bool>,
    signature_note: RwSignal<Option<String>>,
) -> impl IntoView {
    let s = strings();
    let a = admin();
    let outcome = RwSignal::new(None::<Result<CallResponse, ApiError>>);
    let problem = RwSignal::new(None::<String>);
    let calling = ui::Action::new();
    let busy = calling.busy;
    let submit = move |event: SubmitEvent| {
        event.prevent_default();
        let path = method.get_untracked().trim().to_owned();
        if path.is_empty() {
            problem.set(Some(a.method_required.to_owned()));
            return;
        }
        let values: Vec<(ParamKind, String)> = rows
            .get_untracked()
            .iter()
            .map(|row| (row.kind.get_untracked(), row.value.get_untracked()))
            .collect();
        let typed = typed_params(&values).map_err(|(index, found)| {
            Some((a.param_problem)(index + 1, a.param_problem_text(found)))
        });
        let Some(params) = ui::checked(problem, typed) else {
            return;
        };
        outcome.set(None);
        // The call's failure is shown as its outcome, so the request itself never "fails".
        let request = async move { Ok(call(peer, &path, params).await) };
        calling.run(request, move |result| outcome.set(Some(result)));
    };
    view! {
        <Section heading_id="tc-call-heading" heading=a.call_heading>
            <form class="form" on:submit=submit novalidate=true data-testid="tc-call-form">
                <TextField id="tc-method-name" label=a.field_method value=method testid="tc-method-name" hint=a.field_method_hint />
                <Busy when=signature_busy />
                {move || signature_note.get().map(|note| view! { <p class="hint" data-testid="tc-signature-note">{note}</p> })}
                <fieldset class="params-fieldset">
                    <legend>{a.parameters}</legend>
                    <For
                        each=move || rows.get()
                        key=|row| row.key
                        children=move |row| {
                            let index = move || rows.with(|all| all.iter().position(|r| r.key == row.key).unwrap_or(0) + 1);
                            let kind_id = format!("tc-param-kind-{}", row.key);
                            let value_id = format!("tc-param-value-{}", row.key);
                            view! {
                                <div class="param-row" data-testid="tc-param">
                                    <div class="field">
                                        <label for=kind_id.clone()>{move || (a.param_type_label)(index())}</label>
                                        <select
                                            id=kind_id
                                            data-testid="tc-param-kind"
                                            prop:value=move || row.kind.get().as_str()
                                            on:change:target=move |event| {
                                                if let Some(kind) = ParamKind::parse(&event.target().value()) {
                                                    row.kind.set(kind);
                                                }
                                            }
                                        >
                                            {ParamKind::ALL.into_iter().map(|kind| view! {
                                                <option value=kind.as_str()>{a.param_kind_name(kind)}</option>
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field field--grow">
                                        <label for=value_id.clone()>
                                            {move || {
                                                let name = row.name.get();
                                                if name.is_empty() { (a.param_value_label)(index()) } else { format!("{} ({name})", (a.param_value_label)(index())) }
                                            }}
                                        </label>
                                        <input id=value_id type="text" data-testid="tc-param-value" bind:value=row.value />
                                    </div>
                                    <button type="button" class="button button--quiet" data-testid="tc-param-remove"
                                        aria-label=move || (a.remove_param)(index())
                                        on:click=move |_| rows.update(|all| all.retain(|r| r.key != row.key))>
                                        {s.remove}
                                    </button>
                                </div>
                            }
                        }
                    />
                    <button type="button" class="button button--quiet" data-testid="tc-add-param"
                        on:click=move |_| rows.update(|all| all.push(new_row(ParamKind::String, "")))>
                        {a.add_param}
                    </button>
                </fieldset>
                {move || problem.get().map(|text| view! {
                    <Notice tone=Tone::Warn testid="tc-problem"><p>{text}</p></Notice>
                })}
                <SubmitButton testid="tc-call" primary=true busy>
                    {move || if busy.get() { a.calling } else { a.call_method }}
                </SubmitButton>
            </form>
            <Busy when=busy />
            {move || outcome.get().map(|result| match result {
                Ok(response) => view! { <CallOutcome response /> }.into_any(),
                Err(error) => view! { <ErrorNotice error testid="tc-call-error" /> }.into_any(),
            })}
        </Section>
    }
}
