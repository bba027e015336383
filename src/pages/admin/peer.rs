//! `/peers/{id}`: one peer — what to do next right after it was added (here and in Moodle),
//! service switches, "Verify now" with the server's plain-language diagnosis, the key (review,
//! and a changed key shown loudly until accepted), name and TLS settings, delete (soft, with
//! confirmation) and restore.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use schoolbridge_api::{PeerDetail, PeerSettings, ReviewResult};

use crate::api;
use crate::i18n::{admin, strings};
use crate::model::certificate::{BrowserReading, PEER_WARNING_DAYS};
use crate::model::peers::{Health, Side, service_rows, with_switch};
use crate::model::time;
use crate::ui::{
    self, Badge, Busy, CertificateCard, Checkbox, ConfirmButton, ErrorSlot, Notice, Page, Section,
    TableFrame, TextField, Tone,
};

/// `/peers/{id}`.
#[component]
pub fn PeerPage(id: i64) -> impl IntoView {
    let a = admin();
    let loaded = ui::load(move || api::admin::peer(id));
    // Just added (`/peers/new` sends people here with `?added=1`): say what comes next.
    let added = use_query_map().with_untracked(|q| q.get("added").is_some());
    view! {
        <Page testid="peer-page" heading_id="peer-heading" heading=a.title_peer back=Some(("/peers".to_owned(), a.nav_peers))
            named_once=ui::has_loaded(loaded)>
            {ui::loaded(loaded, move |detail| {
                let current = RwSignal::new(detail);
                view! { <PeerView current added /> }
            })}
        </Page>
    }
}

#[component]
fn PeerView(current: RwSignal<PeerDetail>, added: bool) -> impl IntoView {
    view! {
        <PeerHeading current />
        {added.then(|| view! { <NextSteps /> })}
        <VerifySection current />
        <ServicesSection current />
        <SsoSection current />
        <KeySection current />
        <SettingsSection current />
        <DeleteSection current />
    }
}

/// Reloads the peer after an action whose answer is not the peer itself.
fn refresh(current: RwSignal<PeerDetail>) {
    let id = current.with_untracked(|d| d.peer.id);
    ui::Action::new().run(api::admin::peer(id), move |detail| current.set(detail));
}

/// What to do after adding a peer: in Moodle (add SchoolBridge, tick the services), and here.
#[component]
fn NextSteps() -> impl IntoView {
    let a = admin();
    // SchoolBridge's own address, for the Moodle side.
    let ours = ui::load(api::admin::first_run);
    view! {
        <Notice tone=Tone::Good testid="peer-next-steps">
            <h2 class="notice__heading">{a.peer_added_heading}</h2>
            <ol>
                <li data-testid="next-in-moodle">
                    {move || ours.get().and_then(Result::ok).map(|f| (a.peer_added_in_moodle)(&f.wwwroot))}
                </li>
                <li data-testid="next-here">{a.peer_added_here}</li>
            </ol>
        </Notice>
    }
}

#[component]
fn PeerHeading(current: RwSignal<PeerDetail>) -> impl IntoView {
    let a = admin();
    let peer = move || current.with(|d| d.peer.clone());
    view! {
        <div class="page__head">
            <h1 id="peer-heading" data-testid="peer-name">{move || peer().name}</h1>
            {move || peer().deleted.then(|| view! { <Badge tone=Tone::Bad text=a.health_deleted /> })}
            {move || {
                current
                    .with(|d| d.pending_certificate.is_some())
                    .then(|| view! { <Badge tone=Tone::Warn text=a.key_change_pending /> })
            }}
        </div>
        <dl class="facts">
            <dt>{a.col_wwwroot}</dt>
            <dd>
                <a href=move || peer().wwwroot rel="external noopener" data-testid="peer-wwwroot">
                    {move || peer().wwwroot}
                </a>
            </dd>
            <dt>{a.col_application}</dt>
            <dd>{move || peer().application}</dd>
            <dt>{a.col_last_contact}</dt>
            <dd data-testid="peer-last-contact">
                {move || peer().last_contact_at.map(time::date_time).unwrap_or_else(|| a.never.to_owned())}
            </dd>
            {move || {
                // Only an error newer than the last success is news.
                let p = peer();
                let failing = matches!(Health::of(&p), Health::Failing { .. });
                p.last_error.clone().filter(|_| failing).map(|error| view! {
                    <dt>{a.last_error}</dt>
                    <dd class="text-bad" data-testid="peer-last-error">
                        {error}
                        {p.last_error_at.map(|at| format!(" ({})", time::date_time(at)))}
                    </dd>
                })
            }}
        </dl>
        <p>
            <a href=move || format!("/test-client?peer={}", peer().id) data-testid="open-test-client">
                {a.open_in_test_client}
            </a>
        </p>
    }
}

#[component]
fn VerifySection(current: RwSignal<PeerDetail>) -> impl IntoView {
    let a = admin();
    let result = RwSignal::new(None);
    let action = ui::Action::new();
    let busy = action.busy;
    let deleted = move || current.with(|d| d.peer.deleted);
    let verify = move |_| {
        let id = current.with_untracked(|d| d.peer.id);
        result.set(None);
        action.run(api::admin::verify_peer(id), move |v| {
            result.set(Some(v));
            refresh(current);
        });
    };
    view! {
        <Section heading_id="verify-heading" heading=a.verify_heading>
            <p>{a.verify_intro}</p>
            <button type="button" class="button" data-testid="verify-peer" disabled=move || busy.get() || deleted() on:click=verify>
                {move || if busy.get() { a.verifying } else { a.verify_now }}
            </button>
            <Busy when=busy />
            <ErrorSlot error=action.failure testid="verify-error" />
            {move || result.get().map(|v| match v {
                v if v.ok => view! {
                    <div class="notice notice--good" role="status" data-testid="verify-result" data-ok="true">
                        <p>{(a.verify_ok)(v.millis)}</p>
                        {(!v.services.is_empty()).then(|| view! {
                            <p>{a.verify_peer_offers}</p>
                            <ul class="inline-list">
                                {v.services.iter().map(|svc| view! {
                                    <li><code>{svc.service.clone()}</code>
                                    {format!(" ({})", a.peer_side(svc.publish, svc.subscribe))}</li>
                                }).collect_view()}
                            </ul>
                        })}
                    </div>
                }
                .into_any(),
                v => view! {
                    <div class="notice notice--bad" role="alert" data-testid="verify-result" data-ok="false">
                        <p><strong>{(a.verify_failed)(v.millis)}</strong></p>
                        <p data-testid="verify-diagnosis">{v.diagnosis.unwrap_or_else(|| a.verify_no_diagnosis.to_owned())}</p>
                    </div>
                }
                .into_any(),
            })}
        </Section>
    }
}

#[component]
fn ServicesSection(current: RwSignal<PeerDetail>) -> impl IntoView {
    let a = admin();
    let action = ui::Action::new();
    let saving = action.busy;
    let saved = RwSignal::new(false);
    let names: Vec<String> = current.with_untracked(|d| {
        service_rows(&d.services)
            .into_iter()
            .map(|row| row.service)
            .collect()
    });
    let flip = move |service: String, side: Side, on: bool| {
        let (id, services) =
            current.with_untracked(|d| (d.peer.id, with_switch(&d.services, &service, side, on)));
        saved.set(false);
        action.run(api::admin::set_services(id, services), move |detail| {
            current.set(detail);
            saved.set(true);
        });
    };
    // After a refusal, put the switch back to what the server holds.
    Effect::new(move |_| {
        if action.failure.with(Option::is_some) {
            current.update(|_| {});
        }
    });
    let switch = move |service: String, side: Side| {
        let state = {
            let service = service.clone();
            move || {
                current.with(|d| {
                    service_rows(&d.services)
                        .into_iter()
                        .find(|row| row.service == service)
                        .is_some_and(|row| match side {
                            Side::Publish => row.publish,
                            Side::Subscribe => row.subscribe,
                        })
                })
            }
        };
        let (side_name, label) = match side {
            Side::Publish => ("publish", (a.publish_label)(&service)),
            Side::Subscribe => ("subscribe", (a.subscribe_label)(&service)),
        };
        let testid = format!("service-{service}-{side_name}");
        view! {
            <td>
                <input
                    type="checkbox"
                    role="switch"
                    id=testid.clone()
                    data-testid=testid
                    aria-label=label
                    prop:checked=state
                    disabled=move || saving.get()
                    on:change:target=move |event| flip(service.clone(), side, event.target().checked())
                />
            </td>
        }
    };
    view! {
        <Section heading_id="services-heading" heading=a.services_heading>
            <p>{a.services_intro}</p>
            <TableFrame testid="services" headings=vec![a.col_service, a.col_publish, a.col_subscribe]>
                <tbody>
                    {names.into_iter().map(|service| {
                        let row_name = service.clone();
                        let shown = service.clone();
                        let described = a.service_description(&service);
                        let publish = switch(service.clone(), Side::Publish);
                        let subscribe = switch(service, Side::Subscribe);
                        view! {
                        <tr data-testid="service-row" data-service=row_name>
                            <th scope="row">
                                <code>{shown}</code>
                                <span class="cell-detail">{described}</span>
                            </th>
                            {publish}
                            {subscribe}
                        </tr>
                    }}).collect_view()}
                </tbody>
            </TableFrame>
            <p class="status-line" role="status" aria-live="polite" data-testid="services-status">
                {move || if saving.get() { a.saving } else if saved.get() { a.saved } else { "" }}
            </p>
            <ErrorSlot error=action.failure testid="services-error" />
        </Section>
    }
}

/// Which single sign-on the peer speaks, as SchoolBridge learned it from the peer
/// (`crates/server/src/sso/routes.rs`): Moodle's own `auth_mnet` or our `auth_schoolbridge`.
#[component]
fn SsoSection(current: RwSignal<PeerDetail>) -> impl IntoView {
    let a = admin();
    move || {
        current.with(|d| {
            d.sso.clone().map(|sso| {
                let name = d.peer.name.clone();
                let way_in = sso
                    .idp_methods
                    .as_deref()
                    .filter(|_| sso.lands_here)
                    .map(|p| a.sso_plugin(p))
                    .unwrap_or_else(|| a.sso_not_offered.to_owned());
                let way_out = sso
                    .land_page
                    .as_deref()
                    .filter(|_| sso.takes_jump)
                    .map(|p| (a.sso_land_page)(p))
                    .unwrap_or_else(|| a.sso_not_offered.to_owned());
                let learned = match sso.learned_at {
                    Some(at) => (a.sso_learned)(&time::date_time(at)),
                    None => a.sso_not_learned.to_owned(),
                };
                view! {
                    <section class="section" aria-labelledby="sso-heading" data-testid="peer-sso"
                        data-idp=sso.idp_methods.clone().unwrap_or_default()
                        data-land=sso.land_page.clone().unwrap_or_default()>
                        <h2 id="sso-heading">{a.sso_heading}</h2>
                        <dl class="facts">
                            <dt>{(a.sso_in)(&name)}</dt>
                            <dd data-testid="peer-sso-in">{way_in}</dd>
                            <dt>{(a.sso_out)(&name)}</dt>
                            <dd data-testid="peer-sso-out">{way_out}</dd>
                        </dl>
                        <p class="status-line">{learned}</p>
                    </section>
                }
            })
        })
    }
}

#[component]
fn KeySection(current: RwSignal<PeerDetail>) -> impl IntoView {
    let a = admin();
    let review = RwSignal::new(None::<ReviewResult>);
    let reviewing = ui::Action::new();
    let accepting = ui::Action::new();
    let busy = Signal::derive(move || reviewing.is_busy() || accepting.is_busy());
    let fingerprint = Memo::new(move |_| current.with(|d| d.certificate.fingerprint.clone()));
    let pending = Memo::new(move |_| current.with(|d| d.pending_certificate.clone()));
    let run_review = move |_| {
        let id = current.with_untracked(|d| d.peer.id);
        review.set(None);
        reviewing.run(api::admin::review_key(id), move |outcome| {
            let changed = outcome.key_changed;
            review.set(Some(outcome));
            if changed {
                refresh(current);
            }
        });
    };
    let accept = move |fingerprint: String| {
        let id = current.with_untracked(|d| d.peer.id);
        accepting.run(api::admin::accept_key(id, fingerprint), move |detail| {
            current.set(detail);
            review.set(None);
        });
    };
    view! {
        <Section heading_id="key-heading" heading=a.key_heading>
            {move || {
                // Keyed on the fingerprint: a new key is a new card. (Read the memo: `track()`
                // alone does not bring it up to date, and a stale memo stops notifying.)
                let _key = fingerprint.get();
                let info = current.with_untracked(|d| d.certificate.clone());
                view! { <CertificateCard info warn_days=PEER_WARNING_DAYS testid="peer-certificate" now=ui::now() /> }
            }}
            {move || pending.get().map(|info| {
                let confirmable = BrowserReading::of(&info).confirmable_fingerprint().map(str::to_owned);
                let can_accept = confirmable.is_some();
                view! {
                    <div class="notice notice--bad notice--loud" role="alert" data-testid="key-changed">
                        <h3>{a.key_changed_heading}</h3>
                        <p>{a.key_changed_text}</p>
                        <CertificateCard info warn_days=PEER_WARNING_DAYS testid="pending-certificate" now=ui::now() />
                        <ConfirmButton
                            label=a.accept_key
                            question=a.accept_key_question
                            confirm_label=a.accept_key_yes
                            testid="accept-key"
                            danger=true
                            disabled=Signal::derive(move || busy.get() || !can_accept)
                            on_confirm=move || {
                                if let Some(fingerprint) = confirmable.clone() {
                                    accept(fingerprint);
                                }
                            }
                        />
                        <ErrorSlot error=accepting.failure />
                    </div>
                }
            })}
            <p>{a.review_intro}</p>
            <button type="button" class="button" data-testid="review-key" disabled=move || busy.get() on:click=run_review>
                {a.review_key}
            </button>
            <ErrorSlot error=reviewing.failure testid="review-error" />
            {move || review.get().map(|outcome| match outcome {
                r if !r.key_changed => view! {
                    <p class="check check--good" data-testid="review-result" data-changed="false">{a.review_unchanged}</p>
                }
                .into_any(),
                _ => view! {
                    <p class="check check--bad" data-testid="review-result" data-changed="true">{a.review_changed}</p>
                }
                .into_any(),
            })}
        </Section>
    }
}

#[component]
fn SettingsSection(current: RwSignal<PeerDetail>) -> impl IntoView {
    let s = strings();
    let a = admin();
    let (name0, tls0) = current.with_untracked(|d| (d.peer.name.clone(), d.tls_verify));
    let name = RwSignal::new(name0);
    let tls_verify = RwSignal::new(tls0);
    let action = ui::Action::new();
    let saved = RwSignal::new(false);
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let id = current.with_untracked(|d| d.peer.id);
        let settings = PeerSettings {
            name: name.get_untracked().trim().to_owned(),
            tls_verify: tls_verify.get_untracked(),
        };
        saved.set(false);
        action.run(api::admin::update_peer(id, settings), move |detail| {
            current.set(detail);
            saved.set(true);
        });
    };
    view! {
        <Section heading_id="settings-heading" heading=a.settings_heading>
            <form class="form" on:submit=save data-testid="peer-settings">
                <TextField id="settings-name" label=a.field_peer_name value=name testid="settings-name" />
                <Checkbox id="settings-tls" label=a.field_tls_verify checked=tls_verify testid="settings-tls" hint=a.field_tls_verify_hint />
                <ErrorSlot error=action.failure testid="settings-error" />
                <div class="form__actions">
                    <button type="submit" class="button" data-testid="save-settings" disabled=move || action.is_busy()>{s.save}</button>
                    <span role="status" aria-live="polite" data-testid="settings-status">{move || saved.get().then_some(a.saved)}</span>
                </div>
            </form>
        </Section>
    }
}

#[component]
fn DeleteSection(current: RwSignal<PeerDetail>) -> impl IntoView {
    let a = admin();
    let action = ui::Action::new();
    let busy = action.busy;
    let change = move |delete: bool| {
        let id = current.with_untracked(|d| d.peer.id);
        let request = async move {
            if delete {
                api::admin::delete_peer(id).await
            } else {
                api::admin::restore_peer(id).await
            }
        };
        action.run(request, move |detail| current.set(detail));
    };
    let deleted = move || current.with(|d| d.peer.deleted);
    view! {
        <Section heading_id="delete-heading" heading=a.delete_heading class="section section--danger">
            <Show
                when=deleted
                fallback=move || view! {
                    <p>{a.delete_intro}</p>
                    <ConfirmButton
                        label=a.delete_peer
                        question=a.delete_question
                        confirm_label=a.delete_yes
                        testid="delete-peer"
                        danger=true
                        disabled=busy
                        on_confirm=move || change(true)
                    />
                }
            >
                <Notice tone=Tone::Warn testid="peer-deleted">
                    <p>{a.peer_is_deleted}</p>
                </Notice>
                <button type="button" class="button" data-testid="restore-peer" disabled=move || busy.get() on:click=move |_| change(false)>
                    {a.restore_peer}
                </button>
            </Show>
            <ErrorSlot error=action.failure testid="delete-error" />
        </Section>
    }
}
