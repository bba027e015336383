//! The console's only door to the server (STYLE.md §8): every HTTP request the console makes is
//! a function in this module or its children, typed with `schoolbridge-api`, so components stay
//! testable without a network and the contract with `crates/server` is visible in one place.
//!
//! * Every request that changes something carries `X-CSRF-Token` (the session's token, kept here
//!   once [`session::current`] or [`session::sign_in`] has returned it).
//! * Every error becomes an [`ApiError`]: the server's `ErrorBody` (code + message) when it sent
//!   one; `401 unauthenticated` becomes [`ApiError::SignedOut`] and also tells the listener set
//!   with [`on_signed_out`] (the session context), so any page that finds the session gone sends
//!   the person to sign in.
//!
//! Area modules (`admin`, and `sis` for the SIS pages) call [`get`], [`send`] and [`send_empty`].

pub mod admin;
pub mod school;
pub mod session;
pub mod sis;

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use schoolbridge_api::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call to the server failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No session (never signed in, timed out, signed out elsewhere, login rights withdrawn).
    #[error("you are signed out")]
    SignedOut,
    /// The server refused, with its stable code and a sentence for people.
    #[error("{message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// `ErrorBody::code`, e.g. `peer_unreachable`, `forbidden`, `csrf`.
        code: String,
        /// `ErrorBody::message`.
        message: String,
    },
    /// The request never got an answer (server down, network gone).
    #[error("could not reach the server: {0}")]
    Network(String),
    /// The answer arrived but could not be read.
    #[error("could not read the server's answer to {path}: {reason}")]
    Body {
        /// The API path.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl ApiError {
    /// Reads an error answer: the `ErrorBody` when there is one, a made-up one otherwise.
    pub fn from_answer(status: u16, path: &str, body: &str) -> Self {
        let parsed = serde_json::from_str::<ErrorBody>(body).ok();
        if status == 401
            && parsed
                .as_ref()
                .is_none_or(|error| error.code == "unauthenticated")
        {
            return ApiError::SignedOut;
        }
        match parsed {
            Some(ErrorBody { code, message }) => ApiError::Refused {
                status,
                code,
                message,
            },
            None => ApiError::Refused {
                status,
                code: format!("http_{status}"),
                message: format!("The server answered {path} with HTTP {status}."),
            },
        }
    }

    /// The server's stable code, when it refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

thread_local! {
    /// The session's CSRF token. The console runs on the browser's one thread; a thread-local is
    /// the one piece of state this module keeps, so that callers never pass the token around.
    static CSRF_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Told when the server says the session is gone.
    static SIGNED_OUT_LISTENER: RefCell<Option<Rc<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Remembers (or forgets) the token sent back in `X-CSRF-Token`.
pub fn set_csrf_token(token: Option<String>) {
    CSRF_TOKEN.with(|slot| *slot.borrow_mut() = token);
}

/// Sets the function called whenever an answer says the session is gone.
pub fn on_signed_out(listener: impl Fn() + 'static) {
    SIGNED_OUT_LISTENER.with(|slot| *slot.borrow_mut() = Some(Rc::new(listener)));
}

fn signed_out() {
    set_csrf_token(None);
    let listener = SIGNED_OUT_LISTENER.with(|slot| slot.borrow().clone());
    if let Some(listener) = listener {
        listener();
    }
}

fn builder(method: Method, path: &str) -> RequestBuilder {
    let request = RequestBuilder::new(path)
        .method(method.clone())
        .header("Accept", "application/json");
    if matches!(method, Method::GET | Method::HEAD) {
        return request;
    }
    match CSRF_TOKEN.with(|slot| slot.borrow().clone()) {
        Some(token) => request.header("X-CSRF-Token", &token),
        None => request,
    }
}

async fn dispatch(
    request: Result<Request, gloo_net::Error>,
    path: &str,
) -> Result<Response, ApiError> {
    let request = request.map_err(|error| ApiError::Network(error.to_string()))?;
    let response = request
        .send()
        .await
        .map_err(|error| ApiError::Network(error.to_string()))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    let error = ApiError::from_answer(status, path, &body);
    if error == ApiError::SignedOut {
        signed_out();
    }
    Err(error)
}

/// Sends one request and reads the whole answer as text. Every call goes through this one
/// non-generic async path; only the small JSON steps around it are generic, so each answer type
/// adds a parse, not another copy of the request machinery (BENCHMARKS.md §4: wasm size).
async fn exchange(method: Method, path: &str, json: Option<String>) -> Result<String, ApiError> {
    let request = builder(method, path);
    let request = match json {
        Some(json) => request
            .header("Content-Type", "application/json")
            .body(json),
        None => request.build(),
    };
    let response = dispatch(request, path).await?;
    response.text().await.map_err(|error| ApiError::Body {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

fn parse<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|error| ApiError::Body {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

fn to_json<B: Serialize>(body: Option<&B>) -> Result<Option<String>, ApiError> {
    body.map(serde_json::to_string)
        .transpose()
        .map_err(|error| ApiError::Network(error.to_string()))
}

/// `GET path`, answer read as `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    let text = exchange(Method::GET, path, None).await?;
    parse(path, &text)
}

/// A change (`POST`, `PUT`, `DELETE`) with an optional JSON body, answer read as `T`.
pub async fn send<B: Serialize, T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<T, ApiError> {
    let text = exchange(method, path, to_json(body)?).await?;
    parse(path, &text)
}

/// A change whose answer has no body worth reading (`201`/`204`).
pub async fn send_empty<B: Serialize>(
    method: Method,
    path: &str,
    body: Option<&B>,
) -> Result<(), ApiError> {
    exchange(method, path, to_json(body)?).await?;
    Ok(())
}

/// `GET path`, answer as trimmed text (for `/healthz`).
pub async fn get_text(path: &str) -> Result<String, ApiError> {
    Ok(exchange(Method::GET, path, None).await?.trim().to_owned())
}

/// No body, for [`send`] and [`send_empty`] calls that need none.
pub const NO_BODY: Option<&()> = None;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read() {
        let error = ApiError::from_answer(
            502,
            "/api/peers/preview",
            r#"{"code":"peer_unreachable","message":"No answer from the peer."}"#,
        );
        assert_eq!(error.code(), Some("peer_unreachable"));
        assert_eq!(error.to_string(), "No answer from the peer.");
    }

    #[test]
    fn only_an_unauthenticated_401_means_signed_out() {
        assert_eq!(
            ApiError::from_answer(
                401,
                "/api/peers",
                r#"{"code":"unauthenticated","message":"Please sign in."}"#
            ),
            ApiError::SignedOut
        );
        assert_eq!(
            ApiError::from_answer(401, "/api/x", "<html>"),
            ApiError::SignedOut
        );
        // A wrong password is a 401 too, but the person is still on the sign-in page.
        let wrong = ApiError::from_answer(
            401,
            "/api/session",
            r#"{"code":"bad_credentials","message":"The name or the password is not right."}"#,
        );
        assert_eq!(wrong.code(), Some("bad_credentials"));
    }

    #[test]
    fn answers_without_a_body_still_say_something() {
        let error = ApiError::from_answer(500, "/api/site-key", "");
        assert_eq!(error.code(), Some("http_500"));
        assert!(error.to_string().contains("/api/site-key"));
    }
}
