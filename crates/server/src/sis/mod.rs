//! The `schooltool_sis` service (`schooltool-services.md` §2, `docs/schooltool-sis.md`): the
//! receive pipeline hands over a verified call from a peer the service is published to, and this
//! module applies it.
//!
//! Each call is **one transaction**, committed before the reply is sent: the eventid ledger is
//! consulted (a repeated eventid gets the original reply with `replayed: true` and changes
//! nothing; the same eventid for another method is fault 8107), the change is applied inside a
//! savepoint (a refusal — unknown section, person or assessment — rolls it back), the ledger row
//! is written, and so is the audit entry, so the pipeline need not write its own. Fields that
//! cannot be read are refused before any storage work (8101, 8102, 8106) and audited by the
//! pipeline. A storage failure rolls everything back and answers 8199, so the sender retries
//! with the same eventid. Password fields are never read, never stored, never logged, and the
//! envelope that carried them is kept out of the audit log (by the receive pipeline, right after
//! decryption, so that no fault can store it first: `mnet_host::receive`).

pub mod csv_items;
pub mod fault;
pub mod fields;
pub mod requests;

use crate::mnet_host::context::CallContext;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::insert_audit;
use crate::store::sis::{Applied, ChangeMeta, Outcome, savepoint, settle};
use crate::store::{
    sis_assessments, sis_enrolments, sis_grades, sis_ledger, sis_people, sis_sections,
};
use fault::SisFault;
use mnet::fault::MnetFault;
use mnet::xmlrpc::{Struct, Value};
use requests::{Common, Method, Request};
use sqlx::AnyConnection;

/// Why an envelope is missing from the audit log.
pub const PASSWORD_NOTE: &str = "not kept: the call carried password fields, which SchoolBridge discards (schooltool-sis.md fetch_user)";

/// Applies one `schooltool/sis/*` call.
pub async fn handle(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    let Some(method) = Method::from_path(&ctx.method) else {
        return Err(MnetFault::NoSuchFunction);
    };
    let (common, request) =
        requests::parse(method, params, ctx.received_at).map_err(MnetFault::from)?;
    let meta = ChangeMeta::from_peer(
        ctx.peer.id,
        common.eventid.clone(),
        common.timemodified,
        ctx.received_at,
    );
    let call: &CallContext = ctx;
    let outcome = crate::write_tx!(state.store, |c| {
        let result = serve(c, call, method, &common, &request, &meta).await?;
        // The reply is sealed while the commit is flushed to disk.
        call.seal_ahead(&result);
        Ok::<_, StoreError>(result)
    });
    match outcome {
        Ok(result) => {
            ctx.mark_audit_written();
            result
        }
        Err(e) => {
            tracing::error!(
                peer = ctx.peer.id,
                method = method.path(),
                error = %e,
                "could not store a schooltool_sis change"
            );
            Err(SisFault::StorageUnavailable.into())
        }
    }
}

/// The transaction's body: the call's outcome, and its audit entry beside it.
async fn serve(
    c: &mut AnyConnection,
    ctx: &CallContext,
    method: Method,
    common: &Common,
    request: &Request,
    meta: &ChangeMeta,
) -> Result<Result<Value, MnetFault>, StoreError> {
    let (result, detail) = match once(c, ctx.peer.id, method, common, request, meta).await? {
        Ok((reply, detail)) => (Ok(reply), Some(detail)),
        Err(fault) => (Err(MnetFault::from(fault)), None),
    };
    let mut entry = ctx.audit_entry_for(&result);
    if detail.is_some() {
        entry.detail = detail;
    }
    insert_audit(c, &entry).await?;
    Ok(result)
}

/// The eventid ledger around the change (§2 "Every call also carries").
async fn once(
    c: &mut AnyConnection,
    peer_id: i64,
    method: Method,
    common: &Common,
    request: &Request,
    meta: &ChangeMeta,
) -> Result<Result<(Value, String), SisFault>, StoreError> {
    let eventid = common.eventid.as_deref();
    if let Some(id) = eventid
        && let Some(first) = sis_ledger::find_event(c, peer_id, id).await?
    {
        if first.method != method.path() {
            return Ok(Err(SisFault::EventIdReused {
                eventid: id.to_owned(),
                method: first.method,
            }));
        }
        let detail = format!("replayed: {} {}", first.status, first.idnumber);
        return Ok(Ok((
            reply(&first.status, &first.idnumber, eventid, true),
            detail,
        )));
    }
    savepoint(c).await?;
    let step = apply(c, peer_id, request, meta).await?;
    let applied = match settle(c, step).await? {
        Ok(a) => a,
        Err(refusal) => return Ok(Err(refusal.into())),
    };
    if let Some(id) = eventid {
        sis_ledger::record_event(
            c,
            peer_id,
            id,
            method.path(),
            &applied,
            meta.effective_at,
            meta.recorded_at,
        )
        .await?;
    }
    let mut detail = format!("{} {}", applied.status.as_str(), applied.idnumber);
    for note in &applied.notes {
        detail.push_str("; ");
        detail.push_str(note);
    }
    Ok(Ok((
        reply(applied.status.as_str(), &applied.idnumber, eventid, false),
        detail,
    )))
}

/// The change itself.
async fn apply(
    c: &mut AnyConnection,
    peer_id: i64,
    request: &Request,
    meta: &ChangeMeta,
) -> Outcome<Applied> {
    match request {
        Request::FetchUser(p) => Ok(Ok(sis_people::apply_fetch_user(c, peer_id, p, meta).await?)),
        Request::NewSection(s) => sis_sections::apply_new_section(c, peer_id, s, meta).await,
        Request::NewEnrolment {
            sectionid,
            userid,
            role,
        } => sis_enrolments::apply_new_enrolment(c, peer_id, sectionid, userid, *role, meta).await,
        Request::RemoveEnrolment {
            sectionid,
            userid,
            role,
        } => {
            sis_enrolments::apply_remove_enrolment(c, peer_id, sectionid, userid, *role, meta).await
        }
        Request::NewAssessment(a) => {
            sis_assessments::apply_new_assessment(c, peer_id, a, meta).await
        }
        Request::RemoveAssessment { idnumber } => Ok(Ok(sis_assessments::apply_remove_assessment(
            c, peer_id, idnumber, meta,
        )
        .await?)),
        Request::NewGrade(g) => sis_grades::apply_new_grade(c, peer_id, g, meta).await,
    }
}

/// The reply struct (`docs/schooltool-sis.md` "Reply").
fn reply(status: &str, idnumber: &str, eventid: Option<&str>, replayed: bool) -> Value {
    let mut s = Struct::new()
        .with("status", status)
        .with("idnumber", idnumber);
    if let Some(e) = eventid {
        s.push("eventid", e);
    }
    if replayed {
        s.push("replayed", true);
    }
    Value::Struct(s)
}
