//! XML-RPC as MNet carries it (`mnet-protocol.md` §2): the value model, a parser that accepts
//! what every PHP generation writes, and a writer that writes what Moodle 4.5 writes.

mod parse;
mod value;
mod write;

pub use parse::{DEFAULT_MAX_VALUES, Limits, ParseError, parse_call, parse_response};
pub(crate) use parse::{decode_base64_lenient, decode_input};
pub use value::{Struct, Value};
pub use write::{
    Escaping, escape_into, write_call, write_library_fault, write_mnet_fault, write_response,
    write_value,
};

/// A parsed `methodCall`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// The method path, e.g. `system/listServices` or `auth/mnet/auth.php/user_authorise`.
    pub method_name: String,
    /// Positional parameters.
    pub params: Vec<Value>,
}

/// A fault: `{faultCode, faultString}` (§2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// The code; only this matters to software (§2.5).
    pub code: i32,
    /// Human text (for 7025: the new certificate PEM).
    pub string: String,
}

/// A parsed `methodResponse`.
#[derive(Debug, Clone, PartialEq)]
pub enum MethodResponse {
    /// `<params><param><value>…`
    Success(Value),
    /// `<fault>…`
    Fault(Fault),
}
