//! Single sign-on inputs both ends read the same way (`docs/mnet-protocol.md` §8): the
//! `hostwwwroot` of a jump, the keys of `user_authorise` and the usernames of
//! `keepalive_server`. Pure functions; the identity provider's and the service provider's
//! handlers (SchoolBridge's and `moodle-sim`'s) do the I/O.

use crate::xmlrpc::Value;

/// The keys of a stock Moodle 4.5's `user_authorise` answer, in its order (§8.3, capture 25):
/// no `idnumber`, which is why a service provider finds people arriving by SSO by (peer,
/// username). `moodle-sim` answers these; SchoolBridge's identity provider these and, for a
/// person who has one, `idnumber`.
pub const USER_AUTHORISE_KEYS: [&str; 8] = [
    "auth",
    "username",
    "firstname",
    "lastname",
    "email",
    "wwwroot",
    "session.gc_maxlifetime",
    "myhosts",
];

/// The `hostwwwroot` of `auth/mnet/jump.php` as a peer's wwwroot (§8.1, Moodle's
/// `auth/mnet/jump.php`): trimmed, without trailing `/`, and with `http://` in front unless it
/// already starts with "http" (in any case).
pub fn jump_hostwwwroot(raw: &str) -> String {
    let w = raw.trim().trim_end_matches('/');
    let has_scheme = w.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("http"));
    if has_scheme {
        w.to_owned()
    } else {
        format!("http://{w}")
    }
}

/// The usernames `keepalive_server(usernames)` names (§8.4): its first parameter as a list (an
/// `<array>`, or a `<struct>` of them, §2.3) of texts; none when it is not a list.
pub fn keepalive_usernames(params: &[Value]) -> Vec<String> {
    params
        .first()
        .and_then(Value::list_lenient)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Value::to_text_lenient)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmlrpc::Struct;

    #[test]
    fn a_jump_hostwwwroot_is_trimmed_and_given_a_scheme_as_moodle_does() {
        assert_eq!(
            jump_hostwwwroot(" sis.example.org/ "),
            "http://sis.example.org"
        );
        assert_eq!(
            jump_hostwwwroot("https://sis.example.org//"),
            "https://sis.example.org"
        );
        assert_eq!(
            jump_hostwwwroot("HTTP://Sis.example.org"),
            "HTTP://Sis.example.org"
        );
        assert_eq!(jump_hostwwwroot("htt"), "http://htt");
    }

    #[test]
    fn keepalive_usernames_come_from_an_array_or_a_struct() {
        let array = Value::Array(vec![Value::from("ana"), Value::Int(7)]);
        assert_eq!(keepalive_usernames(&[array]), ["ana", "7"]);
        let by_key = Value::Struct(Struct::new().with("3", "bo").with("9", "cy"));
        assert_eq!(keepalive_usernames(&[by_key]), ["bo", "cy"]);
        assert!(keepalive_usernames(&[Value::from("ana")]).is_empty());
        assert!(keepalive_usernames(&[]).is_empty());
    }
}
