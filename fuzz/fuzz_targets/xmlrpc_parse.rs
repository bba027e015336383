//! Fuzzes the XML-RPC parser: any bytes must give a value or an error, never a panic, and a
//! parsed value must survive a write → parse round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mnet::xmlrpc::{Limits, MethodResponse, parse_call, parse_response, write_call, write_response};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_bytes: 1 << 20, max_depth: 32, max_values: 100_000 };
    if let Ok(call) = parse_call(data, &limits) {
        let again = write_call(&call.method_name, &call.params);
        let reparsed = parse_call(again.as_bytes(), &limits);
        assert!(reparsed.is_ok(), "our own output must parse");
    }
    if let Ok(MethodResponse::Success(v)) = parse_response(data, &limits) {
        let again = write_response(&v);
        assert_eq!(parse_response(again.as_bytes(), &limits).ok(), Some(MethodResponse::Success(v)));
    }
});
