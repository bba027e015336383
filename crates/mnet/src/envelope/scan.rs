//! Reading MNet envelopes the way Moodle's `mnet_encxml_parser` does (`mnet-protocol.md` §3.3,
//! §4.3): element names are matched case-insensitively on their local part (prefixes ignored),
//! unknown elements are ignored, every `CipherValue` is collected in document order.
//!
//! Stricter than Moodle where leniency would only help an attacker: a DOCTYPE is refused, and a
//! repeated `<object>`, `<wwwroot>`, `<timestamp>` or `<SignatureValue>` is an error instead of
//! being concatenated.

use super::EnvelopeError;
use crate::xmlrpc::{Limits, decode_input};
use quick_xml::Reader;
use quick_xml::events::Event;

/// What the scanner found in one envelope document.
#[derive(Debug, Default)]
pub(crate) struct Scanned {
    /// Local name of the root element, as written.
    pub root: String,
    pub signature_value: Option<String>,
    pub digest_value: Option<String>,
    pub object: Option<String>,
    pub wwwroot: Option<String>,
    pub timestamp: Option<String>,
    pub retrieval_uri: Option<String>,
    /// Every `CipherValue`, in document order, with the local name of the element that holds
    /// it (`EncryptedData` or `EncryptedKey`).
    pub cipher_values: Vec<String>,
    /// The `Algorithm` of the `EncryptionMethod` inside `EncryptedData`.
    pub data_algorithm: Option<String>,
    /// The `Algorithm` of the `EncryptionMethod` inside `EncryptedKey`.
    pub key_algorithm: Option<String>,
    /// Whether a `<fault>` element appears (a plain XML-RPC fault in place of an envelope).
    pub has_fault: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    SignatureValue,
    DigestValue,
    Object,
    Wwwroot,
    Timestamp,
    CipherValue,
    Other,
}

fn field_of(local_upper: &str) -> Field {
    match local_upper {
        "SIGNATUREVALUE" => Field::SignatureValue,
        "DIGESTVALUE" => Field::DigestValue,
        "OBJECT" => Field::Object,
        "WWWROOT" => Field::Wwwroot,
        "TIMESTAMP" => Field::Timestamp,
        "CIPHERVALUE" => Field::CipherValue,
        _ => Field::Other,
    }
}

/// The sender's `<wwwroot>`, trimmed: every envelope must name one.
pub(crate) fn required_wwwroot(wwwroot: Option<String>) -> Result<String, EnvelopeError> {
    Ok(wwwroot
        .ok_or(EnvelopeError::Missing("wwwroot"))?
        .trim()
        .to_owned())
}

/// Scans one envelope document.
pub(crate) fn scan(input: &[u8], limits: &Limits) -> Result<Scanned, EnvelopeError> {
    let text = decode_input(input, limits).map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
    let mut reader = Reader::from_str(&text);
    reader.config_mut().trim_text(false);
    let mut out = Scanned::default();
    // Stack of upper-cased local names of the open elements.
    let mut stack: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
        match event {
            Event::DocType(_) => {
                return Err(EnvelopeError::Malformed("DOCTYPE is not allowed".into()));
            }
            Event::Start(s) | Event::Empty(s) if stack.len() > 64 => {
                let _ = s;
                return Err(EnvelopeError::Malformed("elements nested too deep".into()));
            }
            Event::Start(s) => {
                let upper = on_element(&mut out, &stack, &s)?;
                stack.push(upper);
                text_buf.clear();
            }
            Event::Empty(s) => {
                let upper = on_element(&mut out, &stack, &s)?;
                // An empty element has empty text.
                store(&mut out, field_of(&upper), String::new())?;
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(c) => text_buf.push_str(&c.into_inner()),
            Event::GeneralRef(r) => {
                if let Ok(Some(ch)) = r.resolve_char_ref() {
                    text_buf.push(ch);
                } else {
                    let name = r.xml10_content();
                    let resolved = match name.as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => {
                            return Err(EnvelopeError::Malformed(
                                "unknown entity reference".into(),
                            ));
                        }
                    };
                    text_buf.push(resolved);
                }
            }
            Event::End(_) => {
                let Some(upper) = stack.pop() else {
                    return Err(EnvelopeError::Malformed("unbalanced end tag".into()));
                };
                let text = std::mem::take(&mut text_buf);
                store(&mut out, field_of(&upper), text)?;
            }
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if out.root.is_empty() {
        return Err(EnvelopeError::Malformed("empty document".into()));
    }
    Ok(out)
}

/// Notes an opening element (the root's name, the attributes we read) and returns its
/// upper-cased local name.
fn on_element(
    out: &mut Scanned,
    stack: &[String],
    start: &quick_xml::events::BytesStart<'_>,
) -> Result<String, EnvelopeError> {
    let name = start.local_name().as_ref().to_owned();
    if stack.is_empty() {
        out.root = name.clone();
    }
    let upper = name.to_ascii_uppercase();
    match upper.as_str() {
        "FAULT" => out.has_fault = true,
        "RETRIEVALMETHOD" if out.retrieval_uri.is_none() => {
            out.retrieval_uri = attribute(start, "URI");
        }
        "ENCRYPTIONMETHOD" => {
            let algorithm = attribute(start, "Algorithm");
            match stack.last().map(String::as_str) {
                Some("ENCRYPTEDDATA") => out.data_algorithm = algorithm,
                Some("ENCRYPTEDKEY") => out.key_algorithm = algorithm,
                _ => {}
            }
        }
        _ => {}
    }
    Ok(upper)
}

fn attribute(start: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    start.attributes().flatten().find_map(|a| {
        let key = a.key.local_name();
        if key.as_ref().eq_ignore_ascii_case(name) {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        } else {
            None
        }
    })
}

fn store(out: &mut Scanned, field: Field, text: String) -> Result<(), EnvelopeError> {
    let slot = match field {
        Field::SignatureValue => &mut out.signature_value,
        Field::DigestValue => &mut out.digest_value,
        Field::Object => &mut out.object,
        Field::Wwwroot => &mut out.wwwroot,
        Field::Timestamp => &mut out.timestamp,
        Field::CipherValue => {
            if out.cipher_values.len() >= 2 {
                return Err(EnvelopeError::Malformed(
                    "more than two CipherValue elements".into(),
                ));
            }
            out.cipher_values.push(text);
            return Ok(());
        }
        Field::Other => return Ok(()),
    };
    if slot.is_some() {
        return Err(EnvelopeError::Malformed(
            "an envelope element is repeated".into(),
        ));
    }
    *slot = Some(text);
    Ok(())
}
