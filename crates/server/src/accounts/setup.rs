//! The first administrator: on an empty database `serve` prints a one-time link
//! (`/setup?token=…`, valid 24 hours); the console's set-up page creates the admin with it.
//! `schoolbridge user add … --role admin` is the alternative from the command line.

use crate::state::AppState;
use crate::store::StoreError;
use crate::store::sessions::insert_setup_token;

/// Makes a set-up token when no administrator exists. Returns the token to print.
pub async fn token_if_needed(state: &AppState) -> Result<Option<String>, StoreError> {
    if state.store.count_admins().await? > 0 {
        return Ok(None);
    }
    let token = super::sessions::random_token();
    let hash = super::sessions::token_hash(&token);
    let expires = state.clock.now() + 24 * 3600;
    crate::write_tx!(state.store, |c| insert_setup_token(c, &hash, expires).await)?;
    Ok(Some(token))
}
