//! Writing XML-RPC exactly as the PHP peers do (`mnet-protocol.md` §2.3, §2.4, §14).
//!
//! Moodle ≥4.1 serialises with PhpXmlRpc: a client request is `Request::serialize('utf-8')`
//! (only `& " ' < >` escaped, UTF-8 passes raw), a server response is serialised for US-ASCII
//! (control characters and every non-ASCII character become `&#N;`, which is why a keyswap reply
//! carries its PEM's newlines as `&#10;`). MNet's own faults are hand-written by
//! `mnet_server_fault_xml()` with 3-space indentation; the library's own faults have none.

use super::value::{Struct, Value, format_double};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// How text is escaped: the two `Charset::encodeEntities` conversions PhpXmlRpc uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escaping {
    /// `UTF-8_UTF-8`: only `& " ' < >`; used for requests (`serialize('utf-8')`).
    Utf8,
    /// `UTF-8_US-ASCII`: additionally every byte < 32 and every non-ASCII character as `&#N;`;
    /// used for server responses.
    Ascii,
}

/// Writes a `methodCall` as Moodle 4.5's client does (`Request::serialize('utf-8')`).
pub fn write_call(method: &str, params: &[Value]) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<methodCall>\n<methodName>");
    escape_into(&mut out, method, Escaping::Utf8);
    out.push_str("</methodName>\n<params>\n");
    for p in params {
        out.push_str("<param>\n");
        write_value(&mut out, p, Escaping::Utf8);
        out.push_str("</param>\n");
    }
    out.push_str("</params>\n</methodCall>");
    out
}

/// Writes a successful `methodResponse` as Moodle 4.5's server does.
pub fn write_response(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    out.push_str("<?xml version=\"1.0\"?>\n<methodResponse>\n<params>\n<param>\n");
    write_value(&mut out, value, Escaping::Ascii);
    out.push_str("</param>\n</params>\n</methodResponse>");
    out
}

/// Writes an MNet fault exactly as `mnet_server_fault_xml()` does (§2.4): hand-written, 3-space
/// indentation, the text escaped with `< > & " '`.
pub fn write_mnet_fault(code: i32, text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    escape_into(&mut escaped, text, Escaping::Utf8);
    format!(
        "<?xml version=\"1.0\"?>\n<methodResponse>\n   <fault>\n      <value>\n         <struct>\n            <member>\n               <name>faultCode</name>\n               <value><int>{code}</int></value>\n            </member>\n            <member>\n               <name>faultString</name>\n               <value><string>{escaped}</string></value>\n            </member>\n         </struct>\n      </value>\n   </fault>\n</methodResponse>"
    )
}

/// Writes a fault in PhpXmlRpc's own layout (`Response::serialize` of a fault), which Moodle 4.5
/// uses for the library's faults such as 17 "Internal server error" (capture 27).
pub fn write_library_fault(code: i32, text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    escape_into(&mut escaped, text, Escaping::Ascii);
    format!(
        "<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n<value>\n<struct><member><name>faultCode</name>\n<value><int>{code}</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>{escaped}</string></value>\n</member>\n</struct>\n</value>\n</fault>\n</methodResponse>"
    )
}

/// Serialises one value as PhpXmlRpc's `Value::serialize()`: `<value>…</value>\n`.
pub fn write_value(out: &mut String, value: &Value, esc: Escaping) {
    out.push_str("<value>");
    match value {
        Value::String(s) => {
            out.push_str("<string>");
            escape_into(out, s, esc);
            out.push_str("</string>");
        }
        Value::Int(i) => {
            out.push_str("<int>");
            out.push_str(&i.to_string());
            out.push_str("</int>");
        }
        Value::Bool(b) => out.push_str(if *b {
            "<boolean>1</boolean>"
        } else {
            "<boolean>0</boolean>"
        }),
        Value::Double(d) => {
            out.push_str("<double>");
            out.push_str(&format_double(*d));
            out.push_str("</double>");
        }
        Value::Base64(bytes) => {
            out.push_str("<base64>");
            out.push_str(&STANDARD.encode(bytes));
            out.push_str("</base64>");
        }
        Value::DateTime(s) => {
            out.push_str("<dateTime.iso8601>");
            escape_into(out, s, esc);
            out.push_str("</dateTime.iso8601>");
        }
        Value::Struct(s) => write_struct(out, s, esc),
        Value::Array(items) => {
            out.push_str("<array>\n<data>\n");
            for item in items {
                write_value(out, item, esc);
            }
            out.push_str("</data>\n</array>");
        }
        Value::Nil => out.push_str("<nil/>"),
    }
    out.push_str("</value>\n");
}

fn write_struct(out: &mut String, s: &Struct, esc: Escaping) {
    out.push_str("<struct>\n");
    for (name, value) in s.iter() {
        out.push_str("<member><name>");
        escape_into(out, name, esc);
        out.push_str("</name>\n");
        write_value(out, value, esc);
        out.push_str("</member>\n");
    }
    out.push_str("</struct>");
}

/// Escapes text as PhpXmlRpc's `Charset::encodeEntities` does for the given conversion.
pub fn escape_into(out: &mut String, text: &str, esc: Escaping) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if esc == Escaping::Ascii && ((c as u32) < 32 || (c as u32) > 127) => {
                out.push_str("&#");
                out.push_str(&(c as u32).to_string());
                out.push(';');
            }
            c => out.push(c),
        }
    }
}
