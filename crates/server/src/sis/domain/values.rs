//! The values every rule shares: why a change is refused ([`Refusal`]) and the checks of text
//! typed in the console.

/// Why a change cannot be applied. A refused change leaves nothing behind (see `store::sis::savepoint`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No section with this idnumber from this peer.
    #[error("unknown section {0:?}")]
    UnknownSection(String),
    /// No person with this idnumber from this peer.
    #[error("unknown person {0:?}")]
    UnknownPerson(String),
    /// No assessment with this idnumber from this peer.
    #[error("unknown assessment {0:?}")]
    UnknownAssessment(String),
    /// A record named by its row id does not exist.
    #[error("{0} {1} not found")]
    NotFound(&'static str, i64),
    /// A value cannot be used.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The record is owned by Moodle and cannot be changed here.
    #[error("read-only: {0}")]
    ReadOnly(String),
    /// The change conflicts with the stored state (a duplicate, or a date before the current state).
    #[error("conflict: {0}")]
    Conflict(String),
}

impl Refusal {
    /// An invalid value.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Refusal::Invalid {
            field,
            reason: reason.into(),
        }
    }
}

/// Checks a console text field: trimmed, not empty, at most `max` characters.
pub fn clean_text(field: &'static str, value: &str, max: usize) -> Result<String, Refusal> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Refusal::invalid(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(Refusal::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// Like [`clean_text`], but empty means `None`.
pub fn clean_optional(
    field: &'static str,
    value: Option<&str>,
    max: usize,
) -> Result<Option<String>, Refusal> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => clean_text(field, v, max).map(Some),
    }
}
