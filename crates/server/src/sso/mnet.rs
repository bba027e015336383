//! The SSO methods peers call on us (`mnet-protocol.md` §8.3, §8.4). (Being implemented.)

use crate::mnet_host::context::CallContext;
use crate::state::AppState;
use mnet::fault::MnetFault;
use mnet::xmlrpc::Value;

/// Serves `auth/mnet/auth.php/*`.
pub async fn handle(
    _state: &AppState,
    _ctx: &mut CallContext,
    _params: &[Value],
) -> Result<Value, MnetFault> {
    Err(MnetFault::NoSuchFunction)
}
