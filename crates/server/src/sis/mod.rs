//! The `schooltool_sis` service (`schooltool-services.md` §2, `docs/schooltool-sis.md`).
//! (Being implemented; until then every call is refused as not available.)

use crate::mnet_host::context::CallContext;
use crate::state::AppState;
use mnet::fault::MnetFault;
use mnet::xmlrpc::Value;

/// Applies one `schooltool/sis/*` call.
pub async fn handle(
    _state: &AppState,
    _ctx: &mut CallContext,
    _params: &[Value],
) -> Result<Value, MnetFault> {
    Err(MnetFault::NoSuchFunction)
}
