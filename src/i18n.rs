//! Every word of the console that a person reads, in one place, so that a translation is one
//! new [`Strings`] value. Components never hold literal text; they ask [`strings`].
//!
//! Texts with a value inside are functions, because word order differs between languages.

/// The console's texts in one language.
pub struct Strings {
    /// The product's name, shown in the header.
    pub site_name: &'static str,
    /// One line under the name saying what the product is.
    pub tagline: &'static str,
    /// The keyboard "skip to main content" link.
    pub skip_to_content: &'static str,
    /// The home page's heading.
    pub home_heading: &'static str,
    /// The home page's introduction.
    pub home_intro: &'static str,
    /// The server status line: "Server: {state}".
    pub server_status: fn(state: &str) -> String,
    /// The state while the console is still asking the server.
    pub server_checking: &'static str,
    /// The state when the server answered its health check.
    pub server_ok: &'static str,
    /// The state when the server answered something other than "ok".
    pub server_unexpected: &'static str,
    /// The state when the server could not be reached.
    pub server_unreachable: &'static str,
    /// The footer: "SchoolBridge {version}".
    pub footer_version: fn(version: &str) -> String,
    /// The footer's second line.
    pub footer_note: &'static str,
}

/// British/American-neutral English, the default.
pub const ENGLISH: Strings = Strings {
    site_name: "SchoolBridge",
    tagline: "Student information for Moodle",
    skip_to_content: "Skip to main content",
    home_heading: "Welcome to SchoolBridge",
    home_intro: "SchoolBridge keeps your school's students, classes and enrolments, \
                 and shares them with the Moodle sites connected to it. \
                 More of the console will appear here soon.",
    server_status: |state| format!("Server: {state}"),
    server_checking: "checking…",
    server_ok: "ok",
    server_unexpected: "unexpected answer",
    server_unreachable: "unreachable",
    footer_version: |version| format!("SchoolBridge {version}"),
    footer_note: "Connects to Moodle with MNet.",
};

/// The texts to show. One language for now; choosing one (from the browser or a setting)
/// happens here when a second exists.
pub fn strings() -> &'static Strings {
    &ENGLISH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_put_the_value_in() {
        let s = strings();
        assert_eq!((s.server_status)(s.server_ok), "Server: ok");
        assert_eq!((s.footer_version)("1.2.3"), "SchoolBridge 1.2.3");
    }

    #[test]
    fn no_text_is_empty() {
        let s = strings();
        for text in [
            s.site_name,
            s.tagline,
            s.skip_to_content,
            s.home_heading,
            s.home_intro,
            s.server_checking,
            s.server_ok,
            s.server_unexpected,
            s.server_unreachable,
            s.footer_note,
        ] {
            assert!(!text.trim().is_empty());
        }
    }
}
