//! Where to go after signing in. `?next=` comes from a URL anyone can craft, so it is only ever a
//! local path: never another site (`//evil.example`, `https://…`, `/\evil.example`, or a path with
//! a tab or newline that browsers strip into `//`). Server pages (`/auth/mnet/jump.php?…` after a
//! signed-out jump) need a full page load; console routes do not.

/// The console's home.
pub const HOME: &str = "/";
/// The sign-in page.
pub const SIGN_IN: &str = "/signin";
/// The first-administrator page.
pub const SET_UP: &str = "/setup";
/// Where someone who came from their Moodle lands after signing out.
pub const SIGNED_OUT: &str = "/signed-out";

/// Longest `next` accepted; longer ones are not links a person followed.
const MAX_LEN: usize = 2048;

/// Path prefixes the server answers itself (not the console's SPA fallback).
const SERVER_PREFIXES: &[&str] = &["/auth/", "/api/", "/mnet/"];

/// The local path to go to after signing in; [`HOME`] whenever `raw` is missing or unsafe.
pub fn sanitise(raw: Option<&str>) -> String {
    let Some(raw) = raw else {
        return HOME.to_owned();
    };
    let path_part = raw.split(['?', '#']).next().unwrap_or_default();
    let safe = raw.len() <= MAX_LEN
        && raw.starts_with('/')
        && !raw.starts_with("//")
        && !path_part.contains('\\')
        && !raw.chars().any(|c| c.is_control() || c.is_whitespace())
        && !is_sign_in_page(path_part);
    if safe {
        raw.to_owned()
    } else {
        HOME.to_owned()
    }
}

fn is_sign_in_page(path: &str) -> bool {
    path == SIGN_IN || path == SET_UP || path == SIGNED_OUT
}

/// How to get to a (sanitised) local path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A console route: navigate inside the app.
    Console(String),
    /// A page the server renders (SSO jump, API download): load it in full.
    ServerPage(String),
}

/// Whether `path` is a console route or a server page. The server's SPA fallback treats a path
/// whose last segment contains a dot as a static file, so such paths are never console routes.
pub fn destination(path: &str) -> Destination {
    let path_part = path.split(['?', '#']).next().unwrap_or_default();
    let is_server = SERVER_PREFIXES.iter().any(|p| path_part.starts_with(p))
        || path_part == "/healthz"
        || path_part
            .rsplit('/')
            .next()
            .is_some_and(|seg| seg.contains('.'));
    if is_server {
        Destination::ServerPage(path.to_owned())
    } else {
        Destination::Console(path.to_owned())
    }
}

/// The sign-in URL that brings a signed-out person back to `here` (path and query).
pub fn sign_in_url(here: &str) -> String {
    let next = sanitise(Some(here));
    if next == HOME {
        SIGN_IN.to_owned()
    } else {
        format!("{SIGN_IN}?next={}", super::query::encode_component(&next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_kept() {
        for ok in [
            "/",
            "/peers/3",
            "/people?q=Doe&login=false",
            "/auth/mnet/jump.php?hostid=2&wantsurl=%2Fcourse%2F",
            "/activity#top",
        ] {
            assert_eq!(sanitise(Some(ok)), ok);
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_home() {
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            " /peers",
            "javascript:alert(1)",
            "peers",
            "",
            "/signin",
            "/signin?next=/peers",
            "/setup?token=abc",
        ] {
            assert_eq!(sanitise(Some(bad)), HOME, "{bad:?}");
        }
        assert_eq!(sanitise(None), HOME);
        assert_eq!(sanitise(Some(&format!("/{}", "a".repeat(3000)))), HOME);
    }

    #[test]
    fn a_backslash_in_the_query_is_harmless() {
        assert_eq!(sanitise(Some("/people?q=a\\b")), "/people?q=a\\b");
    }

    #[test]
    fn server_pages_need_a_full_load() {
        assert_eq!(
            destination("/auth/mnet/jump.php?hostid=1"),
            Destination::ServerPage("/auth/mnet/jump.php?hostid=1".into())
        );
        assert_eq!(
            destination("/api/sis/students/4/transcript.csv"),
            Destination::ServerPage("/api/sis/students/4/transcript.csv".into())
        );
        assert_eq!(
            destination("/peers/2?tab=keys"),
            Destination::Console("/peers/2?tab=keys".into())
        );
        assert_eq!(destination("/"), Destination::Console("/".into()));
    }

    #[test]
    fn sign_in_links_carry_the_way_back() {
        assert_eq!(sign_in_url("/"), "/signin");
        assert_eq!(sign_in_url("/peers/3"), "/signin?next=%2Fpeers%2F3");
        assert_eq!(sign_in_url("//evil.example"), "/signin");
    }
}
