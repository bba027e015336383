//! The Activity page's decisions: filters as a query string (dates as whole UTC days) and paging
//! backwards through the log with `before`.

use super::query::Query;
use super::time::{DAY, parse_date};

/// How many entries one page shows.
pub const PAGE_SIZE: i64 = 50;

/// The filters of `GET /api/audit`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this peer.
    pub peer: Option<i64>,
    /// Method path contains this.
    pub method: String,
    /// `ok`, `fault` or `error` (empty: any).
    pub outcome: String,
    /// From this day (`YYYY-MM-DD`, UTC), inclusive.
    pub from_date: String,
    /// Until this day (`YYYY-MM-DD`, UTC), inclusive.
    pub until_date: String,
}

/// A date filter that could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// "From" is not a date.
    BadFrom,
    /// "Until" is not a date.
    BadUntil,
    /// "Until" is before "From".
    Reversed,
}

impl AuditFilter {
    /// The query string for one page; `before` is the id the page starts below.
    pub fn query(&self, before: Option<i64>) -> Result<String, DateProblem> {
        let day = |text: &str, problem| match text.trim() {
            "" => Ok(None),
            text => parse_date(text).map(Some).ok_or(problem),
        };
        let from = day(&self.from_date, DateProblem::BadFrom)?;
        let until = day(&self.until_date, DateProblem::BadUntil)?;
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            return Err(DateProblem::Reversed);
        }
        Ok(Query::new()
            .opt("peer", self.peer)
            .text("method", &self.method)
            .text("outcome", &self.outcome)
            .opt("from_ms", from.map(|s| s * 1000))
            // Until the end of that day.
            .opt("until_ms", until.map(|s| (s + DAY) * 1000 - 1))
            .opt("before", before)
            .opt("limit", Some(PAGE_SIZE))
            .finish())
    }
}

/// Where the next (older) page starts: below the last id shown, if the page was full.
pub fn older_cursor(ids_shown: &[i64]) -> Option<i64> {
    if (ids_shown.len() as i64) < PAGE_SIZE {
        return None;
    }
    ids_shown.iter().min().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_days_become_a_query() {
        let filter = AuditFilter {
            peer: Some(1),
            method: " system/listServices ".into(),
            outcome: "ok".into(),
            from_date: "2026-11-25".into(),
            until_date: "2026-11-25".into(),
        };
        assert_eq!(
            filter.query(Some(99)).unwrap(),
            "?peer=1&method=system%2FlistServices&outcome=ok&from_ms=1795564800000\
             &until_ms=1795651199999&before=99&limit=50"
        );
        assert_eq!(AuditFilter::default().query(None).unwrap(), "?limit=50");
    }

    #[test]
    fn bad_dates_are_reported() {
        let reversed = AuditFilter {
            from_date: "2026-11-26".into(),
            until_date: "2026-11-25".into(),
            ..AuditFilter::default()
        };
        assert_eq!(reversed.query(None), Err(DateProblem::Reversed));
        let bad = AuditFilter {
            until_date: "tomorrow".into(),
            ..AuditFilter::default()
        };
        assert_eq!(bad.query(None), Err(DateProblem::BadUntil));
    }

    #[test]
    fn paging_goes_below_the_oldest_id_shown() {
        let full: Vec<i64> = (100..150).rev().collect();
        assert_eq!(older_cursor(&full), Some(100));
        assert_eq!(older_cursor(&full[..10]), None);
    }
}
