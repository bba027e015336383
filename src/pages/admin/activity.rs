//! `/activity`: the MNet audit log with filters (peer, method, outcome, dates) and paging. One
//! entry, with its signature checked in the browser, is `activity_entry`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use schoolbridge_api::{AuditSummary, PeerSummary};

use crate::api::{self, ApiError};
use crate::i18n::admin;
use crate::model::audit::{AuditFilter, DateProblem, older_cursor};
use crate::model::peers::peer_choices;
use crate::model::time;
use crate::ui::{
    self, Badge, Empty, Notice, Page, SelectField, SubmitButton, TableFrame, TextField, Tone,
};

/// The colour of an outcome badge (the words say it too).
pub fn outcome_tone(outcome: &str) -> Tone {
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
    let problem = RwSignal::new(None::<DateProblem>);
    // The query of the page shown, or why the dates cannot be read (nothing is fetched then).
    let query = Memo::new(move |_| {
        let before = cursors.with(|c| c.last().copied().flatten());
        filter.with(|f| f.query(before))
    });
    Effect::new(move |_| problem.set(query.get().err()));
    let entries = ui::load_each(
        move || query.get(),
        |query| async move {
            match query {
                Ok(query) => api::admin::audit(query).await.map(Some),
                Err(_) => Ok(None),
            }
        },
    );
    let peers = ui::load(api::admin::peers);
    let peer_name = move |id: Option<i64>, wwwroot: Option<String>| {
        let known = |all: &Option<Result<Vec<PeerSummary>, ApiError>>| {
            let all = all.as_ref()?.as_ref().ok()?;
            Some(all.iter().find(|p| Some(p.id) == id)?.name.clone())
        };
        peers
            .with(known)
            .or(wwwroot)
            .unwrap_or_else(|| a.unknown.to_owned())
    };
    view! {
        <Page testid="activity" heading_id="activity-heading" heading=a.activity_heading>
            <p class="lead">{a.activity_intro}</p>
            <FilterForm filter cursors peers />
            {move || problem.get().map(|found| view! {
                <Notice tone=Tone::Warn testid="activity-date-problem"><p>{a.date_problem(found)}</p></Notice>
            })}
            {ui::loaded(entries, move |list| match list {
                None => ().into_any(),
                Some(list) if list.is_empty() => view! { <Empty text=a.activity_empty testid="activity-empty" /> }.into_any(),
                Some(list) => view! { <AuditTable list peer_name cursors /> }.into_any(),
            })}
        </Page>
    }
}

#[component]
fn AuditTable(
    list: Vec<AuditSummary>,
    peer_name: impl Fn(Option<i64>, Option<String>) -> String + Copy + Send + Sync + 'static,
    cursors: RwSignal<Vec<Option<i64>>>,
) -> impl IntoView {
    let a = admin();
    let older = older_cursor(&list.iter().map(|e| e.id).collect::<Vec<_>>());
    view! {
        <TableFrame testid="audit-table" class="table table--compact" caption=a.activity_heading
            headings=vec![a.col_time_utc, a.col_direction, a.col_peer, a.col_method, a.col_outcome, a.col_duration, a.col_protection]>
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
        </TableFrame>
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
}

#[component]
fn FilterForm(
    filter: RwSignal<AuditFilter>,
    cursors: RwSignal<Vec<Option<i64>>>,
    peers: ui::Loaded<Vec<PeerSummary>>,
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
            <SelectField id="audit-peer" label=a.col_peer value=peer first=a.any
                options=Signal::derive(move || peer_choices(ui::loaded_or_default(peers))) />
            <TextField id="audit-method" label=a.col_method value=method testid="audit-method" kind="search" />
            <SelectField id="audit-outcome" label=a.col_outcome value=outcome first=a.any
                options=["ok", "fault", "error"].map(|o| (o.to_owned(), a.outcome(o))).to_vec() />
            <TextField id="audit-from" label=a.field_from value=from_date testid="audit-from" kind="date" />
            <TextField id="audit-until" label=a.field_until value=until_date testid="audit-until" kind="date" />
            <SubmitButton testid="audit-apply">{a.apply_filters}</SubmitButton>
        </form>
    }
}
