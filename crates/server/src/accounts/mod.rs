//! Console accounts: passwords (argon2id), server-side sessions with idle and absolute
//! timeouts, roles and what each may see (`docs/product.md` §4), the first
//! administrator's one-time set-up token.

pub mod passwords;
pub mod roles;
pub mod sessions;
pub mod setup;
