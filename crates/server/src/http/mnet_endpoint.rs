//! `POST /mnet/xmlrpc/server.php` (and Mahara's path): a thin shell around
//! `mnet_host::receive` — the status is always 200 and the type `text/xml; charset=utf-8`, as
//! Moodle's server sends (`mnet-protocol.md` §1.3); the request's Content-Type is ignored.

use crate::http::client_info::{ClientInfo, address_key, counted_address};
use crate::mnet_host::receive;
use crate::state::AppState;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use mnet::fault::MnetFault;

const XML: &str = "text/xml; charset=utf-8";

/// POST: the MNet endpoint. An address whose requests keep failing MNet's checks is answered
/// 429 before anything of its request is read (`mnet_host::sender_limits`).
pub async fn post(
    State(state): State<AppState>,
    client: Option<Extension<ClientInfo>>,
    body: Bytes,
) -> Response {
    let counted = counted_address(client.as_deref()).map(address_key);
    if let Some(key) = &counted {
        let wait = state.mnet_failures.wait(key, state.clock.now());
        if wait > 0 {
            state.metrics.mnet_throttled("address");
            let text = format!(
                "Too many requests from this address failed MNet's checks (mnet_failures_per_minute); try again in {wait} s."
            );
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::CONTENT_TYPE, XML.to_owned()),
                    (header::RETRY_AFTER, wait.to_string()),
                ],
                MnetFault::Other(7000, text).to_xml(),
            )
                .into_response();
        }
    }
    // The pipeline runs on the cryptography threads (`crypto_pool`), off the serving runtime.
    let pool = state.crypto.clone();
    let app = state.clone();
    let handled = pool
        .spawn(async move { receive::handle(&app, &body).await })
        .await;
    let reply = match handled {
        Ok(h) => {
            if h.failed_checks
                && let Some(key) = &counted
            {
                state.mnet_failures.take(key, state.clock.now());
            }
            h.reply
        }
        Err(_) => {
            tracing::error!("the MNet pipeline failed");
            MnetFault::Unknown.to_xml().into_bytes()
        }
    };
    ([(header::CONTENT_TYPE, XML)], reply).into_response()
}

/// GET: not a call. Moodle 4.5 shows an HTML 404 page here (§14); we answer with the fault an
/// XML-RPC client can read.
pub async fn get() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, XML)],
        MnetFault::ForbiddenTransport.to_xml(),
    )
}
