//! Matching a console path against a page's path pattern (`crate::pages::PAGES`): static
//! segments match themselves, `:id` matches a positive whole number (the only kind of parameter
//! console paths have). A path whose id is not a number matches no page, so the shell shows
//! "not found" instead of a page asking the server for record "abc".

/// What a pattern captured from a path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Captured {
    /// The `:id` segment, when the pattern has one.
    pub id: Option<i64>,
}

/// Whether `path` (without query or fragment) fits `pattern`, and what it captured.
pub fn capture(pattern: &str, path: &str) -> Option<Captured> {
    let mut wanted = segments(pattern);
    let mut found = segments(path);
    let mut captured = Captured::default();
    loop {
        match (wanted.next(), found.next()) {
            (None, None) => return Some(captured),
            (Some(":id"), Some(value)) => {
                captured.id = Some(value.parse().ok().filter(|id: &i64| *id > 0)?);
            }
            (Some(w), Some(f)) if w == f => {}
            _ => return None,
        }
    }
}

/// The non-empty segments of a path: `/peers/3/` and `/peers/3` are the same page.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

/// The first of `patterns` that `path` fits: its index and what it captured.
pub fn find<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
    path: &str,
) -> Option<(usize, Captured)> {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    patterns
        .into_iter()
        .enumerate()
        .find_map(|(index, pattern)| capture(pattern, path).map(|c| (index, c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_segments_and_ids_match() {
        assert_eq!(capture("/", "/"), Some(Captured::default()));
        assert_eq!(capture("/peers", "/peers/"), Some(Captured::default()));
        assert_eq!(
            capture("/peers/:id", "/peers/12"),
            Some(Captured { id: Some(12) })
        );
        assert_eq!(
            capture("/sis/students/:id/progress", "/sis/students/7/progress"),
            Some(Captured { id: Some(7) })
        );
        assert_eq!(capture("/peers/:id", "/peers/abc"), None);
        assert_eq!(capture("/peers/:id", "/peers/0"), None);
        assert_eq!(capture("/peers/:id", "/peers/-3"), None);
        assert_eq!(capture("/peers", "/peers/3"), None);
        assert_eq!(capture("/peers/:id", "/peers"), None);
        assert_eq!(capture("/", "/peers"), None);
    }

    #[test]
    fn the_first_pattern_that_fits_wins_and_queries_are_ignored() {
        let patterns = ["/peers/new", "/peers/:id", "/peers"];
        assert_eq!(find(patterns, "/peers/new").map(|m| m.0), Some(0));
        assert_eq!(
            find(patterns, "/peers/4?x=1#top"),
            Some((1, Captured { id: Some(4) }))
        );
        assert_eq!(find(patterns, "/peers?deleted=1").map(|m| m.0), Some(2));
        assert_eq!(find(patterns, "/nowhere"), None);
    }
}
