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
//!   [`ItemKindText`] → `ItemKind`;
//! * [`IntCode`] → `Option<i32>` (fault codes).

use schoolbridge_api::sis::{ItemKind, Provenance, RecordSource, Role, StatusKind};

/// Declares a row struct that derives `sqlx::FromRow` and turns, field by field, into a type of
/// `schoolbridge_api` (which knows nothing of sqlx): the field list, with each column's
/// `#[sqlx(…)]` reading, is written once. Fields of the API type that no column holds (filled
/// in later, e.g. names the HTTP edge resolves) follow `default` and start empty. Each field
/// turns with `Into`, so a `#[sqlx(flatten)]` record (e.g. [`ProvenanceRecord`]) becomes its API
/// type too.
macro_rules! api_row {
    ($(#[$m:meta])* $rec:ident => $target:ident {
        $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)?
    } default { $($d:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(sqlx::FromRow)]
        pub struct $rec {
            $($(#[$fm])* $f: $t,)*
        }

        impl From<$rec> for $target {
            fn from(r: $rec) -> $target {
                $target { $($f: r.$f.into(),)* $($d: Default::default(),)* }
            }
        }
    };
    ($(#[$m:meta])* $rec:ident => $target:ident {
        $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)?
    }) => {
        api_row! { $(#[$m])* $rec => $target { $($(#[$fm])* $f: $t),* } default {} }
    };
}
pub(crate) use api_row;

api_row! {
    /// The six provenance columns every history table has (status history, teacher history,
    /// grade events), read into a row with `#[sqlx(flatten)]`; `bind_meta!` writes them.
    ProvenanceRecord => Provenance {
        effective_at: i64,
        recorded_at: i64,
        #[sqlx(try_from = "SourceText")]
        source: RecordSource,
        peer_id: Option<i64>,
        eventid: Option<String>,
        actor_id: Option<i64>,
    }
}

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

/// Declares a text column's wrapper and its reading into an enumeration: `parse` always
/// succeeds (an unknown word reads as its default), or with `unknown "…"` returns an `Option`,
/// `None` refusing the row with "unknown … {text:?}".
macro_rules! text_column {
    ($(#[$m:meta])* $name:ident => $target:ty, $parse:path) => {
        $(#[$m])*
        #[derive(sqlx::Type)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl From<$name> for $target {
            fn from(s: $name) -> $target {
                $parse(&s.0)
            }
        }
    };
    ($(#[$m:meta])* $name:ident => $target:ty, $parse:path, unknown $what:literal) => {
        $(#[$m])*
        #[derive(sqlx::Type)]
        #[sqlx(transparent)]
        pub struct $name(String);

        impl TryFrom<$name> for $target {
            type Error = String;
            fn try_from(s: $name) -> Result<$target, String> {
                $parse(&s.0).ok_or_else(|| format!(concat!("unknown ", $what, " {:?}"), s.0))
            }
        }
    };
}

text_column!(
    /// A `source` column: `moodle` or `manual` (anything else reads as manual).
    SourceText => RecordSource, RecordSource::parse
);
text_column!(
    /// A grade item's `kind` column (migration 0008).
    ItemKindText => ItemKind, ItemKind::parse
);
text_column!(
    /// A status code's `kind` column.
    KindText => StatusKind, StatusKind::parse, unknown "status kind"
);
text_column!(
    /// An enrolment's `role` column.
    RoleText => Role, Role::parse, unknown "role"
);
