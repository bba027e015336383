//! `/peers`: every peer with its address, application, key fingerprint and expiry (warned ahead),
//! last contact and health.

use leptos::prelude::*;
use schoolbridge_api::PeerSummary;

use crate::api;
use crate::i18n::{admin, strings};
use crate::model::certificate::{Expiry, PEER_WARNING_DAYS, short_fingerprint};
use crate::model::peers::Health;
use crate::model::time;
use crate::ui::{self, Badge, Checkbox, Empty, TableFrame, Tone};

/// `/peers`.
#[component]
pub fn PeersPage() -> impl IntoView {
    let a = admin();
    let peers = ui::load(api::admin::peers);
    let show_deleted = RwSignal::new(false);
    view! {
        <section class="page" data-testid="peers" aria-labelledby="peers-heading">
            <div class="page__head">
                <h1 id="peers-heading">{a.peers_heading}</h1>
                <a class="button button--primary" href="/peers/new" data-testid="add-peer">
                    {a.add_peer}
                </a>
            </div>
            <p class="lead">{a.peers_intro}</p>
            <Checkbox id="show-deleted" label=a.show_deleted checked=show_deleted testid="show-deleted" />
            {ui::loaded(peers, move |list| {
                let shown: Vec<PeerSummary> = list
                    .into_iter()
                    .filter(|p| show_deleted.get() || !p.deleted)
                    .collect();
                if shown.is_empty() {
                    view! { <Empty text=a.peers_empty testid="peers-empty" /> }.into_any()
                } else {
                    view! { <PeerTable peers=shown /> }.into_any()
                }
            })}
        </section>
    }
}

#[component]
fn PeerTable(peers: Vec<PeerSummary>) -> impl IntoView {
    let a = admin();
    let now = ui::now();
    view! {
        <TableFrame testid="peer-table" caption=a.peers_heading
            headings=vec![a.col_name, a.col_wwwroot, a.col_application, a.col_fingerprint, a.col_key_expiry, a.col_last_contact, a.col_health]>
            <tbody>
                {peers.into_iter().map(|peer| view! { <PeerRow peer now /> }).collect_view()}
            </tbody>
        </TableFrame>
    }
}

#[component]
fn PeerRow(peer: PeerSummary, now: i64) -> impl IntoView {
    let s = strings();
    let a = admin();
    let expiry = Expiry::assess(peer.certificate_expires, now, PEER_WARNING_DAYS);
    let expiry_badge = match expiry {
        Expiry::Expired { days_ago } => Some((Tone::Bad, (s.expired_days_ago)(days_ago))),
        Expiry::Soon { days_left } => Some((Tone::Warn, (s.expires_in_days)(days_left))),
        Expiry::Valid { .. } => None,
    };
    let health = Health::of(&peer);
    let health_view = match &health {
        Health::Deleted => view! { <Badge tone=Tone::Bad text=a.health_deleted /> }.into_any(),
        Health::Failing { error, at } => view! {
            <Badge tone=Tone::Bad text=a.health_failing />
            <span class="cell-detail">
                {error.clone()}
                {at.map(|at| format!(" ({})", time::date_time(at)))}
            </span>
        }
        .into_any(),
        Health::Healthy { .. } => view! { <Badge tone=Tone::Good text=a.health_ok /> }.into_any(),
        Health::NeverContacted => {
            view! { <Badge tone=Tone::Info text=a.health_never /> }.into_any()
        }
    };
    view! {
        <tr class=health.warns().then_some("row--warn") data-testid="peer-row" data-peer-id=peer.id.to_string() data-health=health.code()>
            <th scope="row">
                <a href=format!("/peers/{}", peer.id) data-testid="peer-link">{peer.name.clone()}</a>
                {peer.key_change_pending.then(|| view! { " " <Badge tone=Tone::Warn text=a.key_change_pending /> })}
            </th>
            <td class="cell-url">{peer.wwwroot.clone()}</td>
            <td>{peer.application.clone()}</td>
            <td class="nowrap">
                <code class="fingerprint" title=peer.fingerprint.clone()>{short_fingerprint(&peer.fingerprint)}</code>
            </td>
            <td class="nowrap" data-testid="peer-expiry" data-warns=expiry.warns().to_string()>
                {time::date(peer.certificate_expires)}
                {expiry_badge.map(|(tone, text)| view! { " " <Badge tone text /> })}
            </td>
            <td>{peer.last_contact_at.map(time::date_time).unwrap_or_else(|| a.never.to_owned())}</td>
            <td data-testid="peer-health">{health_view}</td>
        </tr>
    }
}
