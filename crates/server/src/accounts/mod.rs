//! Console accounts: the accounts use cases the console and the CLI share (`people`), passwords
//! (argon2id), server-side sessions with idle and absolute timeouts, effective roles
//! (`docs/product.md` §4; the roles and their rights are `schoolbridge_api::roles`), the first
//! administrator's one-time set-up token.

pub mod passwords;
pub mod people;
pub mod roles;
pub mod sessions;
pub mod setup;
