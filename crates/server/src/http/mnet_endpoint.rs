//! `POST /mnet/xmlrpc/server.php` (and Mahara's path): a thin shell around
//! `mnet_host::receive` — the status is always 200 and the type `text/xml; charset=utf-8`, as
//! Moodle's server sends (`mnet-protocol.md` §1.3); the request's Content-Type is ignored.

use crate::mnet_host::receive;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use mnet::fault::MnetFault;

const XML: &str = "text/xml; charset=utf-8";

/// POST: the MNet endpoint.
pub async fn post(State(state): State<AppState>, body: Bytes) -> impl IntoResponse {
    // The pipeline runs on the cryptography threads (`crypto_pool`), off the serving runtime.
    let pool = state.crypto.clone();
    let reply = pool
        .spawn(async move { receive::handle(&state, &body).await })
        .await
        .unwrap_or_else(|_| {
            tracing::error!("the MNet pipeline failed");
            MnetFault::Unknown.to_xml().into_bytes()
        });
    ([(header::CONTENT_TYPE, XML)], reply)
}

/// GET: not a call. Moodle 4.5 shows an HTML 404 page here (§14); we answer with the fault an
/// XML-RPC client can read.
pub async fn get() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, XML)],
        MnetFault::ForbiddenTransport.to_xml(),
    )
}
