//! The calls the simulated site received, newest last, for tests to inspect (the last 10 000
//! are kept). This is an in-memory record, not a log: nothing here is written anywhere.

use mnet::xmlrpc::Value;
use std::collections::VecDeque;

/// How many received calls are kept.
pub const CALL_LOG_CAPACITY: usize = 10_000;

/// How a request arrived (`mnet-protocol.md` §5.2 step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Plain XML-RPC (only keyswap is served this way).
    Plain,
    /// A signed envelope, not encrypted.
    SignedOnly,
    /// An encrypted envelope.
    Encrypted,
}

/// What the simulated site answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// A value.
    Answered,
    /// A fault with this code.
    Fault(i32),
    /// Not MNet at all (empty or not XML): Moodle 4.5's HTML page with status 404 (§14).
    NotMnet,
}

/// One request to `server.php`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedCall {
    /// When it arrived (the simulator's clock).
    pub at: i64,
    /// The wwwroot the envelope claimed, if it was an envelope.
    pub from: Option<String>,
    /// The method, when the call could be read.
    pub method: Option<String>,
    /// Its parameters, when the call could be read (may hold SSO tokens: tests only).
    pub params: Vec<Value>,
    /// How it arrived.
    pub transport: Transport,
    /// What was answered.
    pub outcome: CallOutcome,
}

#[derive(Debug, Default)]
pub(crate) struct CallLog(VecDeque<ReceivedCall>);

impl CallLog {
    pub(crate) fn record(&mut self, call: ReceivedCall) {
        if self.0.len() == CALL_LOG_CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(call);
    }

    pub(crate) fn all(&self) -> Vec<ReceivedCall> {
        self.0.iter().cloned().collect()
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}
