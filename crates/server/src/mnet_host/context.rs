//! What a service handler knows about the call it is serving: the verified peer, when it
//! arrived, and the audit entry being prepared, so a handler that writes to the database can
//! commit its change and the audit entry in one transaction.

use crate::store::{AuditDirection, AuditOutcome, NewAuditEntry, PeerRow};
use mnet::fault::MnetFault;
use mnet::xmlrpc::Value;
use std::time::Instant;

/// One verified call.
#[derive(Debug)]
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
        }
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

    /// Keeps the envelope out of the audit log (e.g. it carried password fields, which are never
    /// stored); the note says why. The signature was checked on receipt.
    pub fn withhold_envelope(&mut self, note: &str) {
        self.audit.envelope = None;
        self.audit.envelope_note = Some(note.to_owned());
    }

    /// Adds a short detail to the audit entry.
    pub fn set_detail(&mut self, detail: impl Into<String>) {
        self.audit.detail = Some(detail.into());
    }

    pub(crate) fn into_parts(self) -> (NewAuditEntry, bool) {
        (self.audit, self.audit_written)
    }
}
