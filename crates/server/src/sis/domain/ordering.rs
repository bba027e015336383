//! `timemodified` order (`docs/product.md` §2, `docs/design/004-sis-service-semantics.md`):
//! changes may arrive out of order (retries, batches, a full sync), and the sender's
//! `timemodified` — not arrival — says which is newer. A record keeps a watermark, the newest
//! `timemodified` applied to it; a change older than that is recorded in history, when the
//! history does not already say it, and leaves the current state alone.

/// How a change stands against the newest change applied to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// As new as the newest applied, or newer (or the first): it may change the current state.
    Current,
    /// Older than the newest applied, which was at `newest`: history only.
    Late {
        /// The watermark the change is older than.
        newest: i64,
    },
}

/// Where a change at `at` stands against a record whose newest applied change was at `newest`
/// (`None`: none yet). A change at exactly the watermark is current (it may repeat it).
pub fn arrival(at: i64, newest: Option<i64>) -> Arrival {
    match newest {
        Some(newest) if at < newest => Arrival::Late { newest },
        _ => Arrival::Current,
    }
}

/// Whether a change at `at` is older than the watermark `newest`.
pub fn is_late(at: i64, newest: Option<i64>) -> bool {
    matches!(arrival(at, newest), Arrival::Late { .. })
}

/// After a late row was written into a history, whether the current state must be restated at
/// the watermark: only when no row follows the late one (`later_rows`), so that the history read
/// as of any date still ends in the current state — which a newer change confirmed without a
/// row of its own.
pub fn restate_after_late_row(later_rows: bool) -> bool {
    !later_rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_change_is_late_and_an_equal_or_newer_one_is_current() {
        assert_eq!(arrival(100, None), Arrival::Current);
        assert_eq!(arrival(100, Some(100)), Arrival::Current);
        assert_eq!(arrival(101, Some(100)), Arrival::Current);
        assert_eq!(arrival(99, Some(100)), Arrival::Late { newest: 100 });
        assert!(is_late(99, Some(100)));
        assert!(!is_late(100, Some(100)));
    }

    #[test]
    fn the_current_state_is_restated_only_when_the_late_row_ends_the_history() {
        assert!(restate_after_late_row(false));
        assert!(!restate_after_late_row(true));
    }
}
