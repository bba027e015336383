//! Every word of the console that a person reads, in one place, so that a translation is one new
//! value per area: [`Strings`] for the shell, sign-in and set-up, `admin::AdminStrings` for
//! network administration (and `sis::SisStrings` for the SIS pages). Components never hold
//! literal text; they ask [`strings`] or the area's function.
//!
//! Texts with a value inside are functions, because word order differs between languages.
//! Server messages (`ErrorBody::message`, diagnoses) arrive already worded by the server.

pub mod admin;
pub mod gradebook;
pub mod school;
pub mod sis;

pub use admin::admin;
pub use gradebook::gradebook;
pub use school::school;
pub use sis::sis;

use crate::model::forms::Problem;

/// The shell's texts in one language.
pub struct Strings {
    // The shell.
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_home: &'static str,
    pub signed_in_as: fn(name: &str) -> String,
    pub sign_out: &'static str,
    /// "You have logged in from " … peer … "" (Moodle's wording, split around the link).
    pub arrived_from_before: &'static str,
    pub arrived_from_after: &'static str,
    pub network_servers: &'static str,
    pub footer_version: fn(version: &str) -> String,
    pub footer_note: &'static str,
    pub server_status: fn(state: &str) -> String,
    pub server_checking: &'static str,
    pub server_ok: &'static str,
    pub server_unexpected: &'static str,
    pub server_unreachable: &'static str,
    // Common words and states.
    pub loading: &'static str,
    pub cancel: &'static str,
    pub save: &'static str,
    pub remove: &'static str,
    pub try_again: &'static str,
    pub error_signed_out: &'static str,
    pub error_forbidden: &'static str,
    pub error_csrf: &'static str,
    pub error_network: &'static str,
    pub error_body: &'static str,
    pub not_found_heading: &'static str,
    pub not_found_text: &'static str,
    // Home.
    pub home_heading: fn(firstname: &str) -> String,
    pub home_intro: &'static str,
    pub home_nothing_yet: &'static str,
    // Sign-in and set-up.
    pub sign_in_heading: &'static str,
    pub sign_in: &'static str,
    pub signing_in: &'static str,
    pub sign_in_to_continue: &'static str,
    pub sign_in_needs_admin: &'static str,
    pub sign_in_sso_hint: &'static str,
    pub setup_heading: &'static str,
    pub setup_intro: &'static str,
    pub setup_no_token: &'static str,
    pub setup_already_done: &'static str,
    pub setup_submit: &'static str,
    // Signed out (someone who came from their Moodle).
    pub signed_out_heading: &'static str,
    pub signed_out_from: fn(peer: &str) -> String,
    pub back_to: fn(peer: &str) -> String,
    pub signed_out_text: &'static str,
    pub signed_out_local: &'static str,
    // Fields and their problems.
    pub field_username: &'static str,
    pub field_password: &'static str,
    pub field_new_password: &'static str,
    pub field_confirm_password: &'static str,
    pub field_firstname: &'static str,
    pub field_lastname: &'static str,
    pub field_email: &'static str,
    pub password_hint: &'static str,
    pub problem_required: &'static str,
    pub problem_bad_username: &'static str,
    pub problem_short_password: &'static str,
    pub problem_passwords_differ: &'static str,
    pub problem_bad_email: &'static str,
    // Certificates.
    pub cert_common_name: &'static str,
    pub cert_organization: &'static str,
    pub cert_unit: &'static str,
    pub cert_alt_name: &'static str,
    pub cert_issuer: &'static str,
    pub cert_serial: &'static str,
    pub cert_algorithm: &'static str,
    pub cert_valid_from: &'static str,
    pub cert_valid_until: &'static str,
    pub cert_fingerprint: &'static str,
    pub cert_pem: &'static str,
    pub cert_browser_agrees: &'static str,
    pub cert_browser_disagrees: &'static str,
    pub cert_server_said: &'static str,
    pub cert_unreadable: fn(reason: &str) -> String,
    pub expires_in_days: fn(days: i64) -> String,
    pub expired_days_ago: fn(days: i64) -> String,
}

impl Strings {
    /// What to say about a form field's problem.
    pub fn problem(&self, problem: Problem) -> &'static str {
        match problem {
            Problem::Required => self.problem_required,
            Problem::BadUsername => self.problem_bad_username,
            Problem::ShortPassword => self.problem_short_password,
            Problem::PasswordsDiffer => self.problem_passwords_differ,
            Problem::BadEmail => self.problem_bad_email,
        }
    }
}

/// British/American-neutral English, the default.
pub const ENGLISH: Strings = Strings {
    site_name: "SchoolBridge",
    tagline: "Student information for Moodle",
    skip_to_content: "Skip to main content",
    nav_label: "Console",
    nav_home: "Home",
    signed_in_as: |name| format!("Signed in as {name}"),
    sign_out: "Sign out",
    arrived_from_before: "You have logged in from ",
    arrived_from_after: "",
    network_servers: "Network servers",
    footer_version: |version| format!("SchoolBridge {version}"),
    footer_note: "Connects to Moodle with MNet.",
    server_status: |state| format!("Server: {state}"),
    server_checking: "checking…",
    server_ok: "ok",
    server_unexpected: "unexpected answer",
    server_unreachable: "unreachable",
    loading: "Loading…",
    cancel: "Cancel",
    save: "Save",
    remove: "Remove",
    try_again: "Try again",
    error_signed_out: "You are signed out. Sign in to continue.",
    error_forbidden: "You do not have permission to see this page.",
    error_csrf: "This page is out of date. Reload it and try again.",
    error_network: "The server could not be reached. Check the connection and try again.",
    error_body: "The server's answer could not be read. Reload the page; if it keeps \
                 happening, the console and the server may be different versions.",
    not_found_heading: "Page not found",
    not_found_text: "There is no console page at this address.",
    home_heading: |firstname| {
        if firstname.is_empty() {
            "Welcome to SchoolBridge".to_owned()
        } else {
            format!("Welcome, {firstname}")
        }
    },
    home_intro: "SchoolBridge keeps your school's students, classes and enrolments, and \
                 shares them with the Moodle sites connected to it.",
    home_nothing_yet: "There is nothing for your role here yet. Your Moodle site is linked \
                       under Network servers.",
    sign_in_heading: "Sign in",
    sign_in: "Sign in",
    signing_in: "Signing in…",
    sign_in_to_continue: "Sign in to continue to the page you asked for.",
    sign_in_needs_admin: "No administrator exists yet. Open the set-up link that the server \
                          printed when it started, or run `schoolbridge user add`.",
    sign_in_sso_hint: "Coming from Moodle? Use the SchoolBridge link in Moodle's Network \
                       servers block; you will not need a password here.",
    setup_heading: "Set up SchoolBridge",
    setup_intro: "Create the first administrator. This link works once.",
    setup_no_token: "This page needs the set-up link the server printed (it ends in \
                     ?token=…). Copy the whole link from the server's output.",
    setup_already_done: "SchoolBridge already has an administrator. Sign in instead.",
    setup_submit: "Create administrator",
    signed_out_heading: "You have signed out",
    signed_out_from: |peer| {
        format!(
            "You have signed out of SchoolBridge. You came from {peer}: to come back, follow \
             SchoolBridge in its Network servers block."
        )
    },
    back_to: |peer| format!("Back to {peer}"),
    signed_out_text: "You have signed out of SchoolBridge.",
    signed_out_local: "Have a SchoolBridge account of your own?",
    field_username: "Sign-in name",
    field_password: "Password",
    field_new_password: "Password",
    field_confirm_password: "Password again",
    field_firstname: "Given name",
    field_lastname: "Family name",
    field_email: "E-mail (optional)",
    password_hint: "At least 10 characters.",
    problem_required: "This is needed.",
    problem_bad_username: "Use only the letters a–z, digits and . _ - @ (at most 100 characters): Moodle accepts no other characters in usernames.",
    problem_short_password: "Use at least 10 characters.",
    problem_passwords_differ: "The two passwords are not the same.",
    problem_bad_email: "This does not look like an e-mail address.",
    cert_common_name: "Common name",
    cert_organization: "Organisation",
    cert_unit: "Unit",
    cert_alt_name: "Subject alt name",
    cert_issuer: "Issuer",
    cert_serial: "Serial",
    cert_algorithm: "Algorithm",
    cert_valid_from: "Valid from",
    cert_valid_until: "Valid until",
    cert_fingerprint: "SHA-256 fingerprint",
    cert_pem: "The certificate as text (Moodle's “Public key”)",
    cert_browser_agrees: "Read in your browser: the fingerprint your browser computed is the \
                          one the server reported.",
    cert_browser_disagrees: "Warning: the fingerprint your browser computed from this \
                             certificate is not the one the server reported. Do not trust \
                             this certificate.",
    cert_server_said: "The server reported:",
    cert_unreadable: |reason| format!("Your browser could not read this certificate: {reason}"),
    expires_in_days: |days| match days {
        0 => "expires today".to_owned(),
        1 => "expires tomorrow".to_owned(),
        n => format!("expires in {n} days"),
    },
    expired_days_ago: |days| match days {
        0 => "expired today".to_owned(),
        1 => "expired yesterday".to_owned(),
        n => format!("expired {n} days ago"),
    },
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
        assert_eq!((s.home_heading)("Edna"), "Welcome, Edna");
        assert_eq!((s.expires_in_days)(12), "expires in 12 days");
        assert_eq!((s.expired_days_ago)(1), "expired yesterday");
        assert_eq!(
            format!(
                "{}{}{}",
                s.arrived_from_before, "Springfield Moodle", s.arrived_from_after
            ),
            "You have logged in from Springfield Moodle"
        );
    }

    #[test]
    fn every_problem_has_words() {
        for problem in [
            Problem::Required,
            Problem::BadUsername,
            Problem::ShortPassword,
            Problem::PasswordsDiffer,
            Problem::BadEmail,
        ] {
            assert!(!strings().problem(problem).trim().is_empty());
        }
    }
}
