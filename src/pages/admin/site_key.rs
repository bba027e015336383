//! `/site-key`: SchoolBridge's own certificate (read in the browser), its fingerprint and
//! expiry, the archived keys that still open old messages, and "Rotate now".

use leptos::prelude::*;
use schoolbridge_api::SiteKeyInfo;

use crate::api;
use crate::i18n::admin;
use crate::model::certificate::{SITE_WARNING_DAYS, short_fingerprint};
use crate::model::time;
use crate::ui::{
    self, Busy, CertificateCard, ConfirmButton, Empty, ErrorSlot, Page, SavedSlot, Section,
    TableFrame,
};

/// `/site-key`.
#[component]
pub fn SiteKeyPage() -> impl IntoView {
    let a = admin();
    let info = ui::load(api::admin::site_key);
    let rotated = RwSignal::new(false);
    view! {
        <Page testid="site-key" heading_id="site-key-heading" heading=a.site_key_heading>
            <p class="lead">{a.site_key_intro}</p>
            {ui::loaded(info, move |key| view! { <SiteKeyView key info rotated /> })}
        </Page>
    }
}

#[component]
fn SiteKeyView(
    key: SiteKeyInfo,
    info: ui::Loaded<SiteKeyInfo>,
    rotated: RwSignal<bool>,
) -> impl IntoView {
    let a = admin();
    let action = ui::Action::new();
    let busy = action.busy;
    let rotate = move || {
        action.run(api::admin::rotate_site_key(), move |new_key| {
            info.set(Some(Ok(new_key)));
            rotated.set(true);
        });
    };
    let archived = key.archived.clone();
    view! {
        <SavedSlot saved=rotated text=a.rotated_notice testid="rotated" />
        <dl class="facts">
            <dt>{a.our_wwwroot}</dt>
            <dd data-testid="site-wwwroot">{key.wwwroot.clone()}</dd>
            <dt>{a.key_lifetime}</dt>
            <dd>{(a.days)(i64::from(key.lifetime_days))}</dd>
        </dl>
        <h2>{a.current_key}</h2>
        <CertificateCard info=key.current.clone() warn_days=SITE_WARNING_DAYS testid="site-certificate" now=ui::now() />
        <Section heading_id="rotate-heading" heading=a.rotate_heading>
            <p>{a.rotate_intro}</p>
            <ConfirmButton
                label=a.rotate_now
                question=a.rotate_question
                confirm_label=a.rotate_yes
                testid="rotate-key"
                danger=true
                disabled=busy
                on_confirm=rotate
            />
            <Busy when=busy />
            <ErrorSlot error=action.failure testid="rotate-error" />
        </Section>
        <Section heading_id="archived-heading" heading=a.archived_heading>
            <p>{a.archived_intro}</p>
            {if archived.is_empty() {
                view! { <Empty text=a.archived_empty testid="archived-empty" /> }.into_any()
            } else {
                view! {
                    <TableFrame testid="archived-keys" headings=vec![a.col_fingerprint, a.col_valid_until, a.col_retired]>
                        <tbody>
                            {archived.into_iter().map(|old| view! {
                                <tr data-testid="archived-key">
                                    <td><code class="fingerprint" title=old.certificate.fingerprint.clone()>{short_fingerprint(&old.certificate.fingerprint)}</code></td>
                                    <td>{time::date_time(old.certificate.not_after)}</td>
                                    <td>{old.retired_at.map(time::date_time).unwrap_or_else(|| a.unknown.to_owned())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </TableFrame>
                }
                .into_any()
            }}
        </Section>
    }
}
