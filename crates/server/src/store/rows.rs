//! How stored values become Rust values when a row struct derives `sqlx::FromRow`.
//!
//! Rows are read through sqlx's `Any` driver, which hands a column over as the engine stored it:
//! both engines keep booleans and enumerations in plain integer and text columns (see
//! `docs/design/007-storage.md`), and `Any` will not decode an integer as a `bool`. So a row
//! struct reads such a column as one of the wrappers here and converts it with
//! `#[sqlx(try_from = "…")]` (`docs/design/025-sis-domain-and-rows.md`):
//!
//! * [`IntFlag`] → `bool` (non-zero is true, as `super::flag` writes it);
//! * [`SourceText`] → `RecordSource`; [`KindText`] → `StatusKind`; [`RoleText`] → `Role`;
//! * [`IntCode`] → `Option<i32>` (fault codes).

use schoolbridge_api::sis::{RecordSource, Role, StatusKind};

/// Declares a row struct that derives `sqlx::FromRow` and turns, field by field, into a type of
/// `schoolbridge_api` (which knows nothing of sqlx): the field list, with each column's
/// `#[sqlx(…)]` reading, is written once.
macro_rules! api_row {
    ($(#[$m:meta])* $rec:ident => $target:ident {
        $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(sqlx::FromRow)]
        pub struct $rec {
            $($(#[$fm])* $f: $t,)*
        }

        impl From<$rec> for $target {
            fn from(r: $rec) -> $target {
                $target { $($f: r.$f,)* }
            }
        }
    };
}
pub(crate) use api_row;

/// An integer column holding a boolean.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct IntFlag(i64);

impl From<IntFlag> for bool {
    fn from(f: IntFlag) -> bool {
        f.0 != 0
    }
}

/// A nullable integer column holding an `i32` code.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct IntCode(Option<i64>);

impl From<IntCode> for Option<i32> {
    fn from(c: IntCode) -> Option<i32> {
        // Written from an i32 (`fault_code.map(i64::from)`), so the value fits.
        c.0.map(|v| v as i32)
    }
}

/// A `source` column: `moodle` or `manual` (anything else reads as manual).
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct SourceText(String);

impl From<SourceText> for RecordSource {
    fn from(s: SourceText) -> RecordSource {
        RecordSource::parse(&s.0)
    }
}

/// A status code's `kind` column.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct KindText(String);

impl TryFrom<KindText> for StatusKind {
    type Error = String;
    fn try_from(k: KindText) -> Result<StatusKind, String> {
        StatusKind::parse(&k.0).ok_or_else(|| format!("unknown status kind {:?}", k.0))
    }
}

/// An enrolment's `role` column.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub struct RoleText(String);

impl TryFrom<RoleText> for Role {
    type Error = String;
    fn try_from(r: RoleText) -> Result<Role, String> {
        Role::parse(&r.0).ok_or_else(|| format!("unknown role {:?}", r.0))
    }
}
