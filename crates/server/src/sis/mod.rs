//! The `schooltool_sis` service (`docs/product.md` §2, `docs/schooltool-sis.md`): the
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
pub mod csv_upload;
pub mod domain;
pub mod fault;
pub mod grade_import;

use crate::mnet_host::context::CallContext;
use crate::state::AppState;
use crate::store::StoreError;
use crate::store::audit::insert_audit;
use crate::store::sis::{Applied, Outcome, Provenance, savepoint, settle};
use crate::store::{
    sis_assessments, sis_enrolments, sis_grades, sis_ledger, sis_people, sis_sections,
};
use fault::SisFault;
use mnet::fault::MnetFault;
use mnet::sis::{Change, ChangeBody, Method};
use mnet::xmlrpc::{Struct, Value};
use sqlx::AnyConnection;

/// Why an envelope is missing from the audit log.
pub const PASSWORD_NOTE: &str = "not kept: the call carried password fields, which SchoolBridge discards (schooltool-sis.md fetch_user)";

/// Applies one `schooltool/sis/*` call.
pub async fn handle(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    if ctx.method == mnet::sis::BATCH_PATH {
        return handle_batch(state, ctx, params).await;
    }
    let Some(method) = Method::from_path(&ctx.method) else {
        return Err(MnetFault::NoSuchFunction);
    };
    let change = Change::parse(method, params, ctx.received_at)
        .map_err(|e| MnetFault::from(SisFault::from(e)))?;
    let meta = Provenance::from_peer(
        ctx.peer.id,
        change.eventid.clone(),
        change.timemodified.unwrap_or(ctx.received_at),
        ctx.received_at,
    );
    let call: &CallContext = ctx;
    let outcome = crate::write_tx!(state.store, |c| {
        let result = serve(c, call, &change, &meta).await?;
        // The reply is sealed while the commit is flushed to disk.
        call.seal_ahead(&result);
        Ok::<_, StoreError>(result)
    });
    let peer = ctx.peer.id;
    answer_stored(ctx, outcome, |e| {
        tracing::error!(
            peer,
            method = method.path(),
            error = %e,
            "could not store a schooltool_sis change"
        );
    })
}

/// The answer once a call's transaction ended: its reply, whose audit entry was committed with
/// it, or — the store failed, nothing was kept — fault 8199 after `log` said why.
fn answer_stored(
    ctx: &mut CallContext,
    outcome: Result<Result<Value, MnetFault>, StoreError>,
    log: impl FnOnce(&StoreError),
) -> Result<Value, MnetFault> {
    match outcome {
        Ok(result) => {
            ctx.mark_audit_written();
            result
        }
        Err(e) => {
            log(&e);
            Err(SisFault::StorageUnavailable.into())
        }
    }
}

/// Applies a `batch` (`docs/schooltool-sis.md` "batch"): every change in order, each exactly as
/// the same change sent alone (its own eventid in the ledger, its own savepoint, so a refused one
/// leaves nothing and the others still apply), all in **one transaction** committed before the
/// reply, with one audit entry for the call.
async fn handle_batch(
    state: &AppState,
    ctx: &mut CallContext,
    params: &[Value],
) -> Result<Value, MnetFault> {
    let items = mnet::sis::Batch::parse(params, ctx.received_at)
        .map_err(|e| MnetFault::Other(e.code().code(), e.to_string()))?;
    let call: &CallContext = ctx;
    let outcome = crate::write_tx!(state.store, |c| {
        let mut results = Vec::with_capacity(items.len());
        let mut tally = BatchTally::default();
        let eventids: Vec<&str> = items
            .iter()
            .filter_map(|i| i.change.as_ref().ok())
            .filter_map(|c| c.eventid.as_deref())
            .collect();
        let mut ledger = Ledger::preloaded(c, call.peer.id, &eventids).await?;
        let ids = CellIds::preloaded(c, call.peer.id, &items).await?;
        for item in &items {
            let result = match &item.change {
                Err(e) => Err(SisFault::from(e.clone())),
                Ok(change) => {
                    let meta = Provenance::from_peer(
                        call.peer.id,
                        change.eventid.clone(),
                        change.timemodified.unwrap_or(call.received_at),
                        call.received_at,
                    );
                    once(c, call.peer.id, change, &meta, &mut ledger, &ids)
                        .await?
                        .map(|(reply, _)| reply)
                }
            };
            tally.count(&result);
            results.push(match result {
                Ok(reply) => reply,
                Err(fault) => fault_item(&fault, item.eventid.as_deref()),
            });
        }
        ledger.flush(c, call.peer.id).await?;
        let result = Ok(Value::Struct(
            Struct::new().with("results", Value::Array(results)),
        ));
        let mut entry = call.audit_entry_for(&result);
        entry.detail = Some(tally.describe(items.len()));
        insert_audit(c, &entry).await?;
        call.seal_ahead(&result);
        Ok::<_, StoreError>(result)
    });
    let (peer, changes) = (ctx.peer.id, items.len());
    answer_stored(ctx, outcome, |e| {
        tracing::error!(peer, error = %e, changes, "could not store a schooltool_sis batch");
    })
}

/// A change of a batch that was not applied: its fault, and which change it was.
fn fault_item(fault: &SisFault, eventid: Option<&str>) -> Value {
    let mut s = Struct::new()
        .with("faultCode", i64::from(fault.code().code()))
        .with("faultString", fault.to_string());
    if let Some(e) = eventid {
        s.push("eventid", e);
    }
    Value::Struct(s)
}

/// What a batch did, for its audit entry.
#[derive(Debug, Default)]
struct BatchTally {
    by_status: std::collections::BTreeMap<String, usize>,
    faults: std::collections::BTreeMap<i32, usize>,
}

impl BatchTally {
    fn count(&mut self, result: &Result<Value, SisFault>) {
        match result {
            Ok(Value::Struct(s)) => {
                let replayed = s.get("replayed").is_some();
                let status = s.get("status").and_then(Value::as_str).unwrap_or("?");
                let key = if replayed {
                    format!("{status} (replayed)")
                } else {
                    status.to_owned()
                };
                *self.by_status.entry(key).or_default() += 1;
            }
            Ok(_) => {}
            Err(f) => *self.faults.entry(f.code().code()).or_default() += 1,
        }
    }

    fn describe(&self, total: usize) -> String {
        let mut parts: Vec<String> = self
            .by_status
            .iter()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        parts.extend(self.faults.iter().map(|(c, n)| format!("{n} fault {c}")));
        format!("batch of {total}: {}", parts.join(", "))
    }
}

/// The transaction's body: the call's outcome, and its audit entry beside it.
async fn serve(
    c: &mut AnyConnection,
    ctx: &CallContext,
    change: &Change,
    meta: &Provenance,
) -> Result<Result<Value, MnetFault>, StoreError> {
    let mut ledger = Ledger::direct();
    let ids = CellIds::default();
    let (result, detail) = match once(c, ctx.peer.id, change, meta, &mut ledger, &ids).await? {
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

/// The eventid ledger as a call sees it: read and written row by row for a single change; for a
/// batch, read for all its eventids at once and written at its end (in the same transaction,
/// before the commit), with the rows written so far kept in memory so that an eventid repeated
/// inside the batch is answered as a replay exactly as if the rows had been written one by one.
struct Ledger {
    batch: Option<BatchLedger>,
}

/// A batch's ledger: the rows it started with and those it applied, and the latter to write.
struct BatchLedger {
    known: std::collections::HashMap<String, sis_ledger::LedgerEntry>,
    pending: Vec<(String, sis_ledger::LedgerEntry)>,
}

impl Ledger {
    fn direct() -> Self {
        Self { batch: None }
    }

    async fn preloaded(
        c: &mut AnyConnection,
        peer_id: i64,
        eventids: &[&str],
    ) -> Result<Self, StoreError> {
        let known = sis_ledger::find_events(c, peer_id, eventids).await?;
        Ok(Self {
            batch: Some(BatchLedger {
                known,
                pending: Vec::new(),
            }),
        })
    }

    async fn find(
        &self,
        c: &mut AnyConnection,
        peer_id: i64,
        eventid: &str,
    ) -> Result<Option<sis_ledger::LedgerEntry>, StoreError> {
        match &self.batch {
            Some(b) => Ok(b.known.get(eventid).cloned()),
            None => sis_ledger::find_event(c, peer_id, eventid).await,
        }
    }

    async fn record(
        &mut self,
        c: &mut AnyConnection,
        peer_id: i64,
        eventid: &str,
        method: &str,
        applied: &Applied,
        meta: &Provenance,
    ) -> Result<(), StoreError> {
        match &mut self.batch {
            Some(b) => {
                let entry = sis_ledger::LedgerEntry {
                    method: method.to_owned(),
                    status: applied.status.as_str().to_owned(),
                    idnumber: applied.idnumber.clone(),
                    timemodified: meta.effective_at,
                    recorded_at: meta.recorded_at,
                };
                b.known.insert(eventid.to_owned(), entry.clone());
                b.pending.push((eventid.to_owned(), entry));
                Ok(())
            }
            None => {
                sis_ledger::record_event(
                    c,
                    peer_id,
                    eventid,
                    method,
                    applied,
                    meta.effective_at,
                    meta.recorded_at,
                )
                .await
            }
        }
    }

    /// Writes a batch's rows.
    async fn flush(&mut self, c: &mut AnyConnection, peer_id: i64) -> Result<(), StoreError> {
        if let Some(b) = &mut self.batch {
            sis_ledger::record_events(c, peer_id, &b.pending).await?;
            b.pending.clear();
        }
        Ok(())
    }
}

/// The ids of the assessments and people a batch's grades name, read before its first change
/// (`sis_grades::known_cell_ids`); empty for a single change, which looks them up itself.
#[derive(Default)]
struct CellIds {
    assessments: std::collections::HashMap<String, i64>,
    people: std::collections::HashMap<String, i64>,
}

impl CellIds {
    async fn preloaded(
        c: &mut AnyConnection,
        peer_id: i64,
        items: &[mnet::sis::BatchItem],
    ) -> Result<Self, StoreError> {
        let mut assessmentids = std::collections::BTreeSet::new();
        let mut userids = std::collections::BTreeSet::new();
        for change in items.iter().filter_map(|i| i.change.as_ref().ok()) {
            if let ChangeBody::NewGrade(mnet::sis::NewGrade {
                assessmentid,
                userid,
                ..
            })
            | ChangeBody::RemoveGrade(mnet::sis::RemoveGrade {
                assessmentid,
                userid,
            }) = &change.body
            {
                assessmentids.insert(assessmentid.as_str());
                userids.insert(userid.as_str());
            }
        }
        let a: Vec<&str> = assessmentids.into_iter().collect();
        let u: Vec<&str> = userids.into_iter().collect();
        let (assessments, people) = sis_grades::known_cell_ids(c, peer_id, &a, &u).await?;
        Ok(Self {
            assessments,
            people,
        })
    }

    /// Both ids of a cell, when both were known before the batch.
    fn cell(&self, assessmentid: &str, userid: &str) -> Option<(i64, i64)> {
        Some((
            *self.assessments.get(assessmentid)?,
            *self.people.get(userid)?,
        ))
    }
}

/// Whether a change can be refused after it has written something, so that it needs a savepoint
/// to roll back to. `fetch_user` and `remove_assessment` are never refused, and `new_grade` and
/// `remove_grade` are refused only before their first write (an unknown assessment or person:
/// `sis_grades::cell_ids`), so they skip the two extra statements — a full sync is mostly grades.
fn needs_savepoint(body: &ChangeBody) -> bool {
    !matches!(
        body,
        ChangeBody::FetchUser(_)
            | ChangeBody::RemoveAssessment(_)
            | ChangeBody::NewGrade(_)
            | ChangeBody::RemoveGrade(_)
    )
}

/// The eventid ledger around the change (§2 "Every call also carries").
async fn once(
    c: &mut AnyConnection,
    peer_id: i64,
    change: &Change,
    meta: &Provenance,
    ledger: &mut Ledger,
    ids: &CellIds,
) -> Result<Result<(Value, String), SisFault>, StoreError> {
    let method = change.method();
    let eventid = change.eventid.as_deref();
    if let Some(id) = eventid
        && let Some(first) = ledger.find(c, peer_id, id).await?
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
    let guarded = needs_savepoint(&change.body);
    if guarded {
        savepoint(c).await?;
    }
    let step = apply(c, peer_id, &change.body, meta, ids).await?;
    let step = if guarded {
        settle(c, step).await?
    } else {
        step
    };
    let applied = match step {
        Ok(a) => a,
        Err(refusal) => return Ok(Err(refusal.into())),
    };
    if let Some(id) = eventid {
        ledger
            .record(c, peer_id, id, method.path(), &applied, meta)
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
    body: &ChangeBody,
    meta: &Provenance,
    ids: &CellIds,
) -> Outcome<Applied> {
    match body {
        ChangeBody::FetchUser(u) => {
            Ok(Ok(sis_people::apply_fetch_user(c, peer_id, u, meta).await?))
        }
        ChangeBody::NewSection(s) => sis_sections::apply_new_section(c, peer_id, s, meta).await,
        ChangeBody::NewEnrolment(e) => {
            let moodle = sis_enrolments::MoodleEnrolment {
                suspended: e.suspended,
                dates: e.dates,
            };
            sis_enrolments::apply_new_enrolment(
                c,
                peer_id,
                &e.sectionid,
                &e.userid,
                e.role,
                moodle,
                meta,
            )
            .await
        }
        ChangeBody::RemoveEnrolment(e) => {
            sis_enrolments::apply_remove_enrolment(
                c,
                peer_id,
                &e.sectionid,
                &e.userid,
                e.role,
                meta,
            )
            .await
        }
        ChangeBody::NewAssessment(a) => {
            sis_assessments::apply_new_assessment(c, peer_id, a, meta).await
        }
        ChangeBody::RemoveAssessment(a) => Ok(Ok(sis_assessments::apply_remove_assessment(
            c,
            peer_id,
            &a.idnumber,
            meta,
        )
        .await?)),
        ChangeBody::NewGrade(g) => {
            let known = ids.cell(&g.assessmentid, &g.userid);
            sis_grades::apply_new_grade_with(c, peer_id, g, meta, known).await
        }
        ChangeBody::RemoveGrade(g) => {
            let known = ids.cell(&g.assessmentid, &g.userid);
            sis_grades::apply_remove_grade(c, peer_id, g, meta, known).await
        }
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
