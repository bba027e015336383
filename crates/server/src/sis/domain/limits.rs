//! Every limit on a school record, in one place: the contract's (`mnet::sis::limits`,
//! `docs/schooltool-sis.md`), which hold for records made in the console too, and the ones only
//! the console has (notes, status codes, CSV batches).

/// The contract's limits.
pub use mnet::sis::limits::{MAX_ID, MAX_NAME, MAX_POINTS};

/// Longest note on a status change or a grade (staff or transcript).
pub const MAX_NOTE: usize = 1024;

/// Longest status code.
pub const MAX_CODE: usize = 64;

/// Longest status code label.
pub const MAX_LABEL: usize = 255;

/// Most lines in one CSV batch of grade items.
pub const MAX_BATCH: usize = 2000;
