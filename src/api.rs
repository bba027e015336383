//! The console's only door to the server: every HTTP request the console makes is a function
//! here (STYLE.md §8), so that components stay testable without a network and the internal
//! contract with `crates/server` is visible in one file.

use gloo_net::http::Request;

/// Why a call to the server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an answer (server down, network gone, request blocked).
    #[error("could not reach the server: {0}")]
    Network(String),
    /// The server answered with an HTTP error status.
    #[error("the server answered {path} with HTTP {status}")]
    Status { path: &'static str, status: u16 },
    /// The answer arrived but its body could not be read.
    #[error("could not read the server's answer to {path}: {reason}")]
    Body { path: &'static str, reason: String },
}

/// `GET /healthz`: the server's liveness answer, trimmed (`"ok"` when all is well).
pub async fn health() -> Result<String, ApiError> {
    get_text("/healthz").await
}

async fn get_text(path: &'static str) -> Result<String, ApiError> {
    let response = Request::get(path)
        .send()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    if !response.ok() {
        return Err(ApiError::Status {
            path,
            status: response.status(),
        });
    }
    let body = response.text().await.map_err(|error| ApiError::Body {
        path,
        reason: error.to_string(),
    })?;
    Ok(body.trim().to_owned())
}
