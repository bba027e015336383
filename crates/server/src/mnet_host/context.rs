//! What a service handler knows about the call it is serving: the verified peer, when it
//! arrived, and the audit entry being prepared, so a handler that writes to the database can
//! commit its change and the audit entry in one transaction.

use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow};
use mnet::fault::MnetFault;
use mnet::xmlrpc::{Value, write_response};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::task::JoinHandle;

/// Starts sealing a reply (signing and encrypting its XML) on the crypto pool.
pub(crate) type Sealer = Arc<dyn Fn(String) -> JoinHandle<Option<Vec<u8>>> + Send + Sync>;

/// A reply sealed ahead of the commit, and the XML it was sealed for.
#[derive(Debug)]
pub(crate) struct EarlyReply {
    pub xml: String,
    pub sealed: JoinHandle<Option<Vec<u8>>>,
}

/// The XML of a reply (a value or a fault), as the pipeline writes it.
pub(crate) fn reply_xml(outcome: &Result<Value, MnetFault>) -> String {
    match outcome {
        Ok(v) => write_response(v),
        Err(f) => f.to_xml(),
    }
}

/// One verified call.
pub struct CallContext {
    /// The calling peer (signature verified).
    pub peer: PeerRow,
    /// The method.
    pub method: String,
    /// Arrival time, Unix seconds (the `timemodified` of calls that carry none).
    pub received_at: i64,
    /// The sender's `<timestamp>`.
    pub sender_timestamp: Option<i64>,
    started: Instant,
    audit: NewAuditEntry,
    audit_written: bool,
    sealer: Option<Sealer>,
    early: Mutex<Option<EarlyReply>>,
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field("peer", &self.peer.id)
            .field("method", &self.method)
            .field("received_at", &self.received_at)
            .finish_non_exhaustive()
    }
}

impl CallContext {
    pub(crate) fn new(
        peer: PeerRow,
        method: String,
        received_at: i64,
        sender_timestamp: Option<i64>,
        started: Instant,
        audit: NewAuditEntry,
    ) -> Self {
        Self {
            peer,
            method,
            received_at,
            sender_timestamp,
            started,
            audit,
            audit_written: false,
            sealer: None,
            early: Mutex::new(None),
        }
    }

    /// Lets handlers seal their reply ahead of their commit (see [`CallContext::seal_ahead`]).
    pub(crate) fn with_sealer(mut self, sealer: Sealer) -> Self {
        self.sealer = Some(sealer);
        self
    }

    /// Starts sealing the reply for `outcome` on the crypto pool while the handler commits, so
    /// the commit's flush to disk overlaps the RSA work instead of adding to it. Called just
    /// before the commit; a later call (a retried transaction) replaces the earlier one. The
    /// pipeline uses the sealed reply only when the call's final reply is exactly this one, so
    /// a commit that fails (and answers a fault) never sends it.
    pub fn seal_ahead(&self, outcome: &Result<Value, MnetFault>) {
        let Some(sealer) = &self.sealer else {
            return;
        };
        let xml = reply_xml(outcome);
        let sealed = sealer(xml.clone());
        let mut slot = self.early.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = slot.replace(EarlyReply { xml, sealed }) {
            old.sealed.abort();
        }
    }

    pub(crate) fn take_early(&self) -> Option<EarlyReply> {
        self.early.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// The finished audit entry for an outcome (to insert in the handler's own transaction).
    pub fn audit_entry_for(&self, outcome: &Result<Value, MnetFault>) -> NewAuditEntry {
        let mut e = self.audit.clone();
        e.direction = AuditDirection::In;
        e.duration_us = self.started.elapsed().as_micros() as i64;
        match outcome {
            Ok(_) => e.outcome = AuditOutcome::Ok,
            Err(f) => {
                e.outcome = AuditOutcome::Fault;
                e.fault_code = Some(f.code());
                e.detail = Some(f.text().chars().take(300).collect());
            }
        }
        e
    }

    /// Tells the pipeline the handler wrote the audit entry itself.
    pub fn mark_audit_written(&mut self) {
        self.audit_written = true;
    }

    /// Adds a short detail to the audit entry.
    pub fn set_detail(&mut self, detail: impl Into<String>) {
        self.audit.detail = Some(detail.into());
    }

    pub(crate) fn into_parts(self) -> (NewAuditEntry, bool) {
        (self.audit, self.audit_written)
    }
}
