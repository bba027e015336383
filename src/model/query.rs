//! Query strings the console sends to `/api` and puts in its own links: percent-encoding and a
//! small builder, so filters become URLs in one tested place.

/// Percent-encodes `text` for a URL query component (RFC 3986 unreserved characters stay).
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte));
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Builds `?a=1&b=two` from pairs; empty values are left out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(&'static str, String)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value` unless `value` is empty after trimming.
    pub fn text(mut self, key: &'static str, value: &str) -> Self {
        let value = value.trim();
        if !value.is_empty() {
            self.pairs.push((key, value.to_owned()));
        }
        self
    }

    /// Adds `key=value` when there is a value.
    pub fn opt<T: ToString>(mut self, key: &'static str, value: Option<T>) -> Self {
        if let Some(value) = value {
            self.pairs.push((key, value.to_string()));
        }
        self
    }

    /// `""` when empty, else `?k=v&…` with every part encoded.
    pub fn finish(&self) -> String {
        if self.pairs.is_empty() {
            return String::new();
        }
        let joined = self
            .pairs
            .iter()
            .map(|(key, value)| format!("{}={}", encode_component(key), encode_component(value)))
            .collect::<Vec<_>>()
            .join("&");
        format!("?{joined}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_characters_stay_and_the_rest_is_encoded() {
        assert_eq!(encode_component("abc-_.~XYZ09"), "abc-_.~XYZ09");
        assert_eq!(
            encode_component("/auth/mnet/jump.php?hostid=1&x=é"),
            "%2Fauth%2Fmnet%2Fjump.php%3Fhostid%3D1%26x%3D%C3%A9"
        );
        assert_eq!(encode_component("a b+c"), "a%20b%2Bc");
    }

    #[test]
    fn empty_values_are_left_out() {
        assert_eq!(Query::new().finish(), "");
        let q = Query::new()
            .text("q", "  Doe ")
            .text("role", "")
            .opt("peer", Some(3))
            .opt::<i64>("before", None)
            .opt("login", Some(true));
        assert_eq!(q.finish(), "?q=Doe&peer=3&login=true");
    }
}
