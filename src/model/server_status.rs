//! What the console says about the server's health: a plain decision, tested natively, that
//! the footer's status line in [`crate::app`] only renders.

use crate::api::ApiError;
use crate::i18n::Strings;

/// The server's state as the console understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerStatus {
    /// The health check has not answered yet.
    Checking,
    /// `/healthz` answered "ok".
    Ok,
    /// `/healthz` answered, but not "ok"; the answer is kept for the tooltip.
    Unexpected(String),
    /// `/healthz` could not be reached or failed; the reason is kept for the tooltip.
    Unreachable(String),
}

/// How the status should look: the words always say it too, colour is only a help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Pending,
    Good,
    Bad,
}

impl Tone {
    /// The CSS class modifier in `style/main.css`.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Pending => "status status--pending",
            Tone::Good => "status status--good",
            Tone::Bad => "status status--bad",
        }
    }
}

impl ServerStatus {
    /// Reads the outcome of [`crate::api::health`]; `None` while it is still running.
    pub fn from_check(check: Option<&Result<String, ApiError>>) -> Self {
        match check {
            None => ServerStatus::Checking,
            Some(Ok(body)) if body.eq_ignore_ascii_case("ok") => ServerStatus::Ok,
            Some(Ok(body)) => ServerStatus::Unexpected(body.clone()),
            Some(Err(error)) => ServerStatus::Unreachable(error.to_string()),
        }
    }

    /// The status line a person reads, e.g. "Server: ok".
    pub fn label(&self, strings: &Strings) -> String {
        let state = match self {
            ServerStatus::Checking => strings.server_checking,
            ServerStatus::Ok => strings.server_ok,
            ServerStatus::Unexpected(_) => strings.server_unexpected,
            ServerStatus::Unreachable(_) => strings.server_unreachable,
        };
        (strings.server_status)(state)
    }

    /// Technical detail for the tooltip, when there is any.
    pub fn detail(&self) -> Option<String> {
        match self {
            ServerStatus::Checking | ServerStatus::Ok => None,
            ServerStatus::Unexpected(detail) | ServerStatus::Unreachable(detail) => {
                Some(detail.clone())
            }
        }
    }

    pub fn tone(&self) -> Tone {
        match self {
            ServerStatus::Checking => Tone::Pending,
            ServerStatus::Ok => Tone::Good,
            ServerStatus::Unexpected(_) | ServerStatus::Unreachable(_) => Tone::Bad,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::ENGLISH;

    #[test]
    fn no_answer_yet_is_checking() {
        let status = ServerStatus::from_check(None);
        assert_eq!(status, ServerStatus::Checking);
        assert_eq!(status.label(&ENGLISH), "Server: checking…");
        assert_eq!(status.tone(), Tone::Pending);
        assert_eq!(status.detail(), None);
    }

    #[test]
    fn ok_answer_is_ok() {
        let status = ServerStatus::from_check(Some(&Ok("ok".to_owned())));
        assert_eq!(status, ServerStatus::Ok);
        assert_eq!(status.label(&ENGLISH), "Server: ok");
        assert_eq!(status.tone(), Tone::Good);
    }

    #[test]
    fn other_answer_is_unexpected_and_kept_for_the_tooltip() {
        let status = ServerStatus::from_check(Some(&Ok("starting".to_owned())));
        assert_eq!(status.label(&ENGLISH), "Server: unexpected answer");
        assert_eq!(status.detail().as_deref(), Some("starting"));
        assert_eq!(status.tone(), Tone::Bad);
    }

    #[test]
    fn failed_check_is_unreachable_with_the_reason() {
        let error = ApiError::from_answer(503, "/healthz", "");
        let status = ServerStatus::from_check(Some(&Err(error)));
        assert_eq!(status.label(&ENGLISH), "Server: unreachable");
        assert_eq!(
            status.detail().as_deref(),
            Some("The server answered /healthz with HTTP 503.")
        );
        assert_eq!(status.tone(), Tone::Bad);
    }

    #[test]
    fn tones_map_to_distinct_classes() {
        assert_ne!(Tone::Good.class(), Tone::Bad.class());
        assert_ne!(Tone::Good.class(), Tone::Pending.class());
    }
}
