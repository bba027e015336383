//! The sign-in throttle (issue 18), counted in the database so that every instance sharing it
//! counts together (`store::throttle`):
//! * **by name**: after `sign_in_name_failures` (5) failed sign-ins for a name, that name waits
//!   [`NAME_WAIT_SECS`] (a minute) from the last counted failure;
//! * **by address**: after `sign_in_address_failures` (30) failed sign-ins from one client
//!   address (an IPv6 client by its /64 network), that address waits [`ADDRESS_WINDOW_SECS`]
//!   (fifteen minutes) from its last counted failure, whatever names it tries.
//!
//! Both are throttles that end by themselves, never locks. One address cannot keep someone
//! else's name throttled for long: attempts it makes while throttled are not counted against
//! the name, and after its own limit it is refused before the name is counted at all. Attempts
//! are counted before the password is checked, so parallel guesses cannot all pass before the
//! count moves; a success forgets the name's count (not the address's: a valid account must not
//! let its holder reset the count between guesses at other names).

pub use crate::http::client_info::{address_key, counted_address};
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::throttle::Counted;
use std::net::IpAddr;

/// How long a name waits after its last counted failure, in seconds.
pub const NAME_WAIT_SECS: i64 = 60;
/// How long failures from an address count, in seconds from the last one.
pub const ADDRESS_WINDOW_SECS: i64 = 900;

/// Why a sign-in is refused before its password is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// Too many failures from this address.
    Address,
    /// Too many failures for this name.
    Name,
}

/// Counts a sign-in attempt for `name` from `addr` (unknown for in-process requests) at `now`;
/// `Some` when it must wait.
pub async fn attempt(
    app: &AppState,
    name: &str,
    addr: Option<IpAddr>,
    now: i64,
) -> Result<Option<Throttled>, StoreError> {
    if let Some(addr) = addr {
        let allowed = i64::from(app.config.sign_in_address_failures);
        let counted = app
            .store
            .count_attempt(
                "address",
                &address_key(addr),
                allowed,
                ADDRESS_WINDOW_SECS,
                now,
            )
            .await?;
        if matches!(counted, Counted::Refused { .. }) {
            return Ok(Some(Throttled::Address));
        }
    }
    let allowed = i64::from(app.config.sign_in_name_failures);
    let counted = app
        .store
        .count_attempt("name", name, allowed, NAME_WAIT_SECS, now)
        .await?;
    Ok(matches!(counted, Counted::Refused { .. }).then_some(Throttled::Name))
}

/// Forgets `name`'s failures after a successful sign-in.
pub async fn succeeded(app: &AppState, name: &str) -> Result<(), StoreError> {
    app.store.forget_attempts("name", name).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::client_info::ClientInfo;

    #[test]
    fn ipv6_clients_count_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::V4(0.into()));
        let b: IpAddr = "2001:db8:1:2:bbbb::7"
            .parse()
            .unwrap_or(IpAddr::V4(0.into()));
        assert_eq!(address_key(a), address_key(b));
        assert_eq!(address_key(a), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:10.0.0.5".parse().unwrap_or(IpAddr::V4(0.into()));
        assert_eq!(address_key(mapped), "10.0.0.5");
    }

    #[test]
    fn an_unvouched_loopback_address_is_not_counted() {
        let info = |addr: &str, via_proxy: bool| ClientInfo {
            addr: addr.parse().ok(),
            https: false,
            via_proxy,
        };
        assert_eq!(counted_address(Some(&info("127.0.0.1", false))), None);
        assert_eq!(counted_address(Some(&info("::1", false))), None);
        assert!(counted_address(Some(&info("127.0.0.1", true))).is_some());
        assert!(counted_address(Some(&info("198.51.100.4", false))).is_some());
        assert_eq!(counted_address(None), None);
    }
}
