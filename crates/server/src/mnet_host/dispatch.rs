//! Dispatch of verified calls (`mnet-protocol.md` §2.2, §10): the `system/*` methods Moodle's
//! admin UI uses, then the published services — a method whose service is not published to the
//! calling peer is refused with Moodle's 7012.

use super::context::CallContext;
use crate::state::AppState;
use mnet::fault::MnetFault;
use mnet::services::{self, MethodSpec, SCHOOLTOOL_SIS, SSO_IDP, SSO_SP};
use mnet::xmlrpc::{MethodCall, Struct, Value};

/// The services we know, in `listServices` order (alphabetical, as Moodle lists them).
pub const KNOWN_SERVICES: &[&str] = &[SCHOOLTOOL_SIS, SSO_IDP, SSO_SP];

/// Our current certificate, as keyswap returns it (a `<string>` holding the PEM, §5.6).
pub fn our_certificate(state: &AppState) -> Value {
    Value::from(state.keys.ring().current().cert.pem())
}

/// Runs a verified call.
pub async fn dispatch(
    state: &AppState,
    ctx: &mut CallContext,
    call: &MethodCall,
) -> Result<Value, MnetFault> {
    let name = call.method_name.as_str();
    match name {
        "system/keyswap" => return Ok(our_certificate(state)),
        "system/listServices" => return list_services(state, ctx).await,
        "system/listMethods" => return list_methods(state, ctx, call.params.first()).await,
        "system/methodSignature" => {
            return published_spec(state, ctx, call.params.first())
                .await
                .map(|m| m.signature_value());
        }
        "system/methodHelp" => {
            return published_spec(state, ctx, call.params.first())
                .await
                .map(|m| Value::from(m.help));
        }
        // Moodle 4.5 answers its library's fault 17 for the other system methods (capture 27).
        n if n.starts_with("system/") => return Err(MnetFault::InternalServerError),
        _ => {}
    }
    let Some(spec) = services::find_method(name) else {
        return Err(MnetFault::NoSuchFunction);
    };
    if !publishes(state, ctx.peer.id, spec.service).await? {
        return Err(MnetFault::NoSuchFunction);
    }
    match spec.service {
        SCHOOLTOOL_SIS => crate::sis::handle(state, ctx, &call.params).await,
        SSO_IDP | SSO_SP => crate::sso::mnet::handle(state, ctx, &call.params).await,
        _ => Err(MnetFault::NoSuchFunction),
    }
}

async fn publishes(state: &AppState, peer_id: i64, service: &str) -> Result<bool, MnetFault> {
    state
        .store
        .publishes_to(peer_id, service)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "service lookup failed");
            MnetFault::Unknown
        })
}

/// `{name, apiversion, publish, subscribe}` for each service switched on either way for the
/// caller, from our point of view (§10 item 3), values as strings like Moodle's (capture 20).
async fn list_services(state: &AppState, ctx: &CallContext) -> Result<Value, MnetFault> {
    let rows = state
        .store
        .peer_services(ctx.peer.id)
        .await
        .map_err(|_| MnetFault::Unknown)?;
    let list = KNOWN_SERVICES
        .iter()
        .filter_map(|name| rows.iter().find(|r| r.service == *name))
        .filter(|r| r.publish || r.subscribe)
        .map(|r| {
            Value::Struct(
                Struct::new()
                    .with("name", r.service.as_str())
                    .with("apiversion", "1")
                    .with("publish", if r.publish { "1" } else { "0" })
                    .with("subscribe", if r.subscribe { "1" } else { "0" }),
            )
        })
        .collect();
    Ok(Value::Array(list))
}

/// The paths of the methods published to the caller, optionally of one service, sorted as
/// Moodle sorts them (its query orders by path; captures 21 and 22).
async fn list_methods(
    state: &AppState,
    ctx: &CallContext,
    service: Option<&Value>,
) -> Result<Value, MnetFault> {
    let wanted = service
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty());
    let mut paths = Vec::new();
    for spec in services::published_methods() {
        if wanted.as_deref().is_some_and(|w| w != spec.service) {
            continue;
        }
        if publishes(state, ctx.peer.id, spec.service).await? {
            paths.push(spec.path);
        }
    }
    paths.sort_unstable();
    Ok(Value::Array(paths.into_iter().map(Value::from).collect()))
}

async fn published_spec(
    state: &AppState,
    ctx: &CallContext,
    path: Option<&Value>,
) -> Result<&'static MethodSpec, MnetFault> {
    let path = path.and_then(Value::as_str).unwrap_or_default();
    let spec = services::find_method(path).ok_or(MnetFault::NoSuchFunction)?;
    if publishes(state, ctx.peer.id, spec.service).await? {
        Ok(spec)
    } else {
        Err(MnetFault::NoSuchFunction)
    }
}
