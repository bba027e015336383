//! The faults of `schooltool_sis` (`docs/schooltool-sis.md` "Faults", codes 8101–8199) as one
//! typed error, and how each becomes the XML-RPC fault the sender receives. Fault strings name the
//! field and never carry the value of a password field (those are never read).

use crate::store::sis::Refusal;
use mnet::fault::MnetFault;
use mnet::services::SisFaultCode;

/// Why a `schooltool/sis/*` call was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SisFault {
    /// 8101.
    #[error("The required field {0} is missing or empty.")]
    MissingField(&'static str),
    /// 8102.
    #[error("The field {field} cannot be used: {reason}.")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// 8103.
    #[error("Unknown section {0:?}: send it with new_section first.")]
    UnknownSection(String),
    /// 8104.
    #[error("Unknown person {0:?}: send them with fetch_user first.")]
    UnknownPerson(String),
    /// 8105.
    #[error("Unknown assessment {0:?}: send it with new_assessment first.")]
    UnknownAssessment(String),
    /// 8106.
    #[error("{0}")]
    BadParameters(&'static str),
    /// 8107.
    #[error(
        "The eventid {eventid:?} was already used for {method}; give each change its own eventid."
    )]
    EventIdReused {
        /// The eventid.
        eventid: String,
        /// The method it was first used with.
        method: String,
    },
    /// 8199.
    #[error(
        "SchoolBridge could not store the change right now; retry later with the same eventid."
    )]
    StorageUnavailable,
}

impl SisFault {
    /// An unusable value.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        SisFault::InvalidField {
            field,
            reason: reason.into(),
        }
    }

    /// The stable code.
    pub fn code(&self) -> SisFaultCode {
        match self {
            SisFault::MissingField(_) => SisFaultCode::MissingField,
            SisFault::InvalidField { .. } => SisFaultCode::InvalidField,
            SisFault::UnknownSection(_) => SisFaultCode::UnknownSection,
            SisFault::UnknownPerson(_) => SisFaultCode::UnknownPerson,
            SisFault::UnknownAssessment(_) => SisFaultCode::UnknownAssessment,
            SisFault::BadParameters(_) => SisFaultCode::BadParameters,
            SisFault::EventIdReused { .. } => SisFaultCode::EventIdReused,
            SisFault::StorageUnavailable => SisFaultCode::StorageUnavailable,
        }
    }
}

impl From<SisFault> for MnetFault {
    fn from(f: SisFault) -> Self {
        MnetFault::Other(f.code().code(), f.to_string())
    }
}

impl From<mnet::sis::FieldError> for SisFault {
    fn from(e: mnet::sis::FieldError) -> Self {
        match e {
            mnet::sis::FieldError::Missing(f) => SisFault::MissingField(f),
            mnet::sis::FieldError::Invalid { field, reason } => {
                SisFault::InvalidField { field, reason }
            }
            mnet::sis::FieldError::NotOneStruct(m) => SisFault::BadParameters(m),
        }
    }
}

impl From<Refusal> for SisFault {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::UnknownSection(s) => SisFault::UnknownSection(s),
            Refusal::UnknownPerson(s) => SisFault::UnknownPerson(s),
            Refusal::UnknownAssessment(s) => SisFault::UnknownAssessment(s),
            Refusal::Invalid { field, reason } => SisFault::InvalidField { field, reason },
            // The service's own steps refuse only for the reasons above; anything else is a
            // value the stored state cannot take.
            other => SisFault::invalid("change", other.to_string()),
        }
    }
}
