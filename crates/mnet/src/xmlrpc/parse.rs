//! A strict-where-it-matters, lenient-where-PHP-is XML-RPC parser (`mnet-protocol.md` §2.3).
//!
//! Accepts every formatting seen from Moodle ≤4.0 (xmlrpc-epi: indented, `&#233;` references),
//! Moodle ≥4.1 (PhpXmlRpc), Mahara and Python's `xmlrpc.client`: untyped `<value>text</value>`
//! is a string, `<value/>` an empty string, `<i8>`/`<ex:nil/>` extension types, `<data/>`,
//! numeric and predefined entity references. Rejects DOCTYPE (and with it every entity
//! declaration), unknown entity references, mixed content, and bounds depth and size.

use super::value::{Struct, Value};
use super::{Fault, MethodCall, MethodResponse};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::borrow::Cow;

/// Bounds applied while parsing, so a hostile peer cannot exhaust memory or stack.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest document accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of `<value>` inside arrays and structs.
    pub max_depth: usize,
    /// Most values (of any kind) in one document.
    pub max_values: usize,
}

/// The most values a document may hold by default: four times the largest call a peer makes
/// (a full-sync `schooltool/sis/batch` of 1,000 `new_assessment` changes, about 12,000 values;
/// `docs/schooltool-sis.md` "batch"), so a hostile sender cannot make us build millions.
pub const DEFAULT_MAX_VALUES: usize = 50_000;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 32,
            max_values: DEFAULT_MAX_VALUES,
        }
    }
}

/// Why a document is not acceptable XML-RPC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Larger than [`Limits::max_bytes`].
    #[error("the XML-RPC document is {0} bytes, more than the {1} allowed")]
    TooLarge(usize, usize),
    /// Nested deeper than [`Limits::max_depth`].
    #[error("the XML-RPC values are nested more than {0} deep")]
    TooDeep(usize),
    /// More values than [`Limits::max_values`].
    #[error("the XML-RPC document has more than {0} values")]
    TooManyValues(usize),
    /// A `<!DOCTYPE>` (and so possibly entity declarations) was present.
    #[error("DOCTYPE and entity declarations are not allowed in XML-RPC")]
    DoctypeNotAllowed,
    /// A reference to an entity other than the five predefined ones or a character reference.
    #[error("unknown entity reference &{0};")]
    UnknownEntity(String),
    /// The bytes are not UTF-8 and no usable encoding was declared.
    #[error("the document is not valid UTF-8 (or declared ISO-8859-1)")]
    Encoding,
    /// The XML itself is malformed.
    #[error("malformed XML: {0}")]
    Xml(String),
    /// Well-formed XML that is not the expected XML-RPC structure.
    #[error("not XML-RPC: {0}")]
    Structure(String),
    /// A typed scalar whose text is not of its type (e.g. `<int>abc</int>`).
    #[error("bad <{tag}> value: {text:?}")]
    BadScalar {
        /// The element name.
        tag: &'static str,
        /// The offending text (truncated).
        text: String,
    },
}

/// Parses a `methodCall`.
pub fn parse_call(input: &[u8], limits: &Limits) -> Result<MethodCall, ParseError> {
    let text = decode_input(input, limits)?;
    let mut p = Parser::new(&text, limits);
    p.expect_root("methodCall")?;
    let mut method = None;
    let mut params = Vec::new();
    loop {
        match p.next_tag()? {
            Tag::Start(name) if name == "methodName" => {
                method = Some(p.read_text_until_end("methodName")?.trim().to_owned());
            }
            Tag::Empty(name) if name == "methodName" => method = Some(String::new()),
            Tag::Start(name) if name == "params" => params = p.read_params()?,
            Tag::Empty(name) if name == "params" => {}
            Tag::End(name) if name == "methodCall" => break,
            other => return Err(p.unexpected(&other, "<methodName> or <params>")),
        }
    }
    p.expect_eof()?;
    let method_name = method.ok_or_else(|| ParseError::Structure("no <methodName>".into()))?;
    Ok(MethodCall {
        method_name,
        params,
    })
}

/// Parses a `methodResponse` (a value or a fault).
pub fn parse_response(input: &[u8], limits: &Limits) -> Result<MethodResponse, ParseError> {
    let text = decode_input(input, limits)?;
    let mut p = Parser::new(&text, limits);
    p.expect_root("methodResponse")?;
    let response = match p.next_tag()? {
        Tag::Start(name) if name == "params" => {
            let mut params = p.read_params()?;
            if params.len() > 1 {
                return Err(ParseError::Structure(
                    "a response has more than one <param>".into(),
                ));
            }
            MethodResponse::Success(params.pop().unwrap_or(Value::Nil))
        }
        Tag::Empty(name) if name == "params" => MethodResponse::Success(Value::Nil),
        Tag::Start(name) if name == "fault" => {
            let value = match p.next_tag()? {
                Tag::Start(v) if v == "value" => p.read_value_body(1)?,
                other => return Err(p.unexpected(&other, "<value> in <fault>")),
            };
            p.expect_end("fault")?;
            MethodResponse::Fault(fault_from_value(&value)?)
        }
        other => return Err(p.unexpected(&other, "<params> or <fault>")),
    };
    p.expect_end("methodResponse")?;
    p.expect_eof()?;
    Ok(response)
}

fn fault_from_value(value: &Value) -> Result<Fault, ParseError> {
    let s = value
        .as_struct()
        .ok_or_else(|| ParseError::Structure("<fault> value is not a struct".into()))?;
    let code = s
        .get("faultCode")
        .and_then(Value::as_i64_lenient)
        .ok_or_else(|| ParseError::Structure("fault without an integer faultCode".into()))?;
    // Not trimmed: for 7025 the string is a PEM that must arrive exactly (§5.4).
    let string = match s.get("faultString") {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_text_lenient().unwrap_or_default(),
        None => String::new(),
    };
    let code =
        i32::try_from(code).map_err(|_| ParseError::Structure("faultCode out of range".into()))?;
    Ok(Fault { code, string })
}

/// Turns the raw bytes into text: UTF-8 (a BOM is skipped), or ISO-8859-1 when the
/// declaration says so and the bytes are not valid UTF-8.
pub(crate) fn decode_input<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Cow<'a, str>, ParseError> {
    if input.len() > limits.max_bytes {
        return Err(ParseError::TooLarge(input.len(), limits.max_bytes));
    }
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    match std::str::from_utf8(input) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => {
            let head = &input[..input.len().min(100)];
            let head = String::from_utf8_lossy(head).to_ascii_lowercase();
            if head.starts_with("<?xml") && (head.contains("iso-8859-1") || head.contains("latin1"))
            {
                Ok(Cow::Owned(input.iter().map(|&b| char::from(b)).collect()))
            } else {
                Err(ParseError::Encoding)
            }
        }
    }
}

/// A structural token: elements by local name (prefixes such as `ex:` are dropped).
#[derive(Debug)]
enum Tag {
    Start(String),
    End(String),
    Empty(String),
    Text(String),
    Eof,
}

impl Tag {
    fn describe(&self) -> String {
        match self {
            Tag::Start(n) => format!("<{n}>"),
            Tag::End(n) => format!("</{n}>"),
            Tag::Empty(n) => format!("<{n}/>"),
            Tag::Text(t) => format!("text {:?}", truncate(t)),
            Tag::Eof => "end of document".to_owned(),
        }
    }
}

fn truncate(t: &str) -> String {
    t.chars().take(40).collect()
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_owned()
}

fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Result<String, ParseError> {
    let name = r.xml10_content();
    if let Some(ch) = numeric_reference(&name) {
        return ch.map(String::from);
    }
    match name.as_ref() {
        "lt" => Ok("<".into()),
        "gt" => Ok(">".into()),
        "amp" => Ok("&".into()),
        "apos" => Ok("'".into()),
        "quot" => Ok("\"".into()),
        other => Err(ParseError::UnknownEntity(truncate(other))),
    }
}

/// `&#N;` or `&#xN;` as any Unicode scalar value. Control characters are accepted, `&#0;`
/// included: PhpXmlRpc's US-ASCII responses write every byte below 32 that way (§2.3), and what
/// our own writer produces must read back.
fn numeric_reference(name: &str) -> Option<Result<char, ParseError>> {
    let digits = name.strip_prefix('#')?;
    let code = match digits.strip_prefix('x') {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).ok()
        }
        None if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
            digits.parse().ok()
        }
        _ => None,
    };
    Some(code.and_then(char::from_u32).ok_or_else(|| {
        ParseError::Xml(format!("invalid character reference &{};", truncate(name)))
    }))
}

struct Parser<'a> {
    reader: Reader<&'a [u8]>,
    limits: &'a Limits,
    values: usize,
    pending: Option<Tag>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, limits: &'a Limits) -> Self {
        let mut reader = Reader::from_str(text);
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        Self {
            reader,
            limits,
            values: 0,
            pending: None,
        }
    }

    /// The next token with text resolved: runs of text, CDATA and references are joined.
    fn next_raw(&mut self) -> Result<Tag, ParseError> {
        if let Some(tag) = self.pending.take() {
            return Ok(tag);
        }
        let mut text: Option<String> = None;
        loop {
            let event = self
                .reader
                .read_event()
                .map_err(|e| ParseError::Xml(e.to_string()))?;
            let tag = match event {
                Event::Text(t) => {
                    text.get_or_insert_with(String::new)
                        .push_str(&t.xml10_content());
                    continue;
                }
                Event::CData(c) => {
                    text.get_or_insert_with(String::new)
                        .push_str(&c.into_inner());
                    continue;
                }
                Event::GeneralRef(r) => {
                    let resolved = resolve_reference(&r)?;
                    text.get_or_insert_with(String::new).push_str(&resolved);
                    continue;
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => continue,
                Event::DocType(_) => return Err(ParseError::DoctypeNotAllowed),
                Event::Start(s) => Tag::Start(local(s.local_name().as_ref())),
                Event::Empty(s) => Tag::Empty(local(s.local_name().as_ref())),
                Event::End(e) => Tag::End(local(e.local_name().as_ref())),
                Event::Eof => Tag::Eof,
            };
            // Text that ran up to this tag is returned first; the tag comes next time.
            if let Some(t) = text.take() {
                self.pending = Some(tag);
                return Ok(Tag::Text(t));
            }
            return Ok(tag);
        }
    }

    /// The next element token, skipping whitespace-only text; other text is an error.
    fn next_tag(&mut self) -> Result<Tag, ParseError> {
        loop {
            match self.next_raw()? {
                Tag::Text(t) if t.trim().is_empty() => continue,
                Tag::Text(t) => {
                    return Err(ParseError::Structure(format!(
                        "unexpected text {:?}",
                        truncate(&t)
                    )));
                }
                tag => return Ok(tag),
            }
        }
    }

    fn unexpected(&self, found: &Tag, wanted: &str) -> ParseError {
        ParseError::Structure(format!("expected {wanted}, found {}", found.describe()))
    }

    fn expect_root(&mut self, root: &str) -> Result<(), ParseError> {
        match self.next_tag()? {
            Tag::Start(name) if name == root => Ok(()),
            other => Err(self.unexpected(&other, &format!("<{root}>"))),
        }
    }

    fn expect_end(&mut self, name: &str) -> Result<(), ParseError> {
        match self.next_tag()? {
            Tag::End(n) if n == name => Ok(()),
            other => Err(self.unexpected(&other, &format!("</{name}>"))),
        }
    }

    fn expect_eof(&mut self) -> Result<(), ParseError> {
        match self.next_tag()? {
            Tag::Eof => Ok(()),
            other => Err(self.unexpected(&other, "the end of the document")),
        }
    }

    /// Text content up to `</name>`; no child elements allowed.
    fn read_text_until_end(&mut self, name: &str) -> Result<String, ParseError> {
        match self.next_raw()? {
            Tag::Text(t) => {
                self.expect_end(name)?;
                Ok(t)
            }
            Tag::End(n) if n == name => Ok(String::new()),
            other => Err(self.unexpected(&other, &format!("text in <{name}>"))),
        }
    }

    /// After `<params>`: zero or more `<param><value>…</value></param>`, then `</params>`.
    fn read_params(&mut self) -> Result<Vec<Value>, ParseError> {
        let mut params = Vec::new();
        loop {
            match self.next_tag()? {
                Tag::Start(n) if n == "param" => {
                    match self.next_tag()? {
                        Tag::Start(v) if v == "value" => params.push(self.read_value_body(1)?),
                        Tag::Empty(v) if v == "value" => {
                            params.push(self.count(Value::String(String::new()))?)
                        }
                        other => return Err(self.unexpected(&other, "<value> in <param>")),
                    }
                    self.expect_end("param")?;
                }
                Tag::End(n) if n == "params" => return Ok(params),
                other => return Err(self.unexpected(&other, "<param> or </params>")),
            }
        }
    }

    fn count(&mut self, v: Value) -> Result<Value, ParseError> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(ParseError::TooManyValues(self.limits.max_values));
        }
        Ok(v)
    }

    /// After `<value>`: an untyped string or one typed element, then `</value>`.
    fn read_value_body(&mut self, depth: usize) -> Result<Value, ParseError> {
        if depth > self.limits.max_depth {
            return Err(ParseError::TooDeep(self.limits.max_depth));
        }
        let mut leading = String::new();
        let first = match self.next_raw()? {
            Tag::Text(t) => {
                leading = t;
                self.next_raw()?
            }
            tag => tag,
        };
        let value = match first {
            // Untyped: `<value>text</value>` or `<value></value>` is a string (§2.3).
            Tag::End(n) if n == "value" => return self.count(Value::String(leading)),
            Tag::Start(typ) => {
                if !leading.trim().is_empty() {
                    return Err(ParseError::Structure(
                        "text mixed with a typed value".into(),
                    ));
                }
                self.read_typed(&typ, depth)?
            }
            Tag::Empty(typ) => {
                if !leading.trim().is_empty() {
                    return Err(ParseError::Structure(
                        "text mixed with a typed value".into(),
                    ));
                }
                empty_typed(&typ)?
            }
            other => return Err(self.unexpected(&other, "a value")),
        };
        self.expect_end("value")?;
        self.count(value)
    }

    fn read_typed(&mut self, typ: &str, depth: usize) -> Result<Value, ParseError> {
        Ok(match typ {
            "string" => Value::String(self.read_text_until_end("string")?),
            "int" | "i4" | "i8" => {
                let t = self.read_text_until_end(typ)?;
                Value::Int(parse_int(&t)?)
            }
            "boolean" => {
                let t = self.read_text_until_end("boolean")?;
                match t.trim() {
                    "1" | "true" => Value::Bool(true),
                    "0" | "false" => Value::Bool(false),
                    _ => return Err(bad("boolean", &t)),
                }
            }
            "double" => {
                let t = self.read_text_until_end("double")?;
                let d: f64 = t.trim().parse().map_err(|_| bad("double", &t))?;
                if !d.is_finite() {
                    return Err(bad("double", &t));
                }
                Value::Double(d)
            }
            "base64" => {
                let t = self.read_text_until_end("base64")?;
                Value::Base64(decode_base64_lenient(&t).ok_or_else(|| bad("base64", &t))?)
            }
            "dateTime.iso8601" => Value::DateTime(
                self.read_text_until_end("dateTime.iso8601")?
                    .trim()
                    .to_owned(),
            ),
            "nil" | "null" => {
                self.expect_end(typ)?;
                Value::Nil
            }
            "struct" => Value::Struct(self.read_struct(depth)?),
            "array" => Value::Array(self.read_array(depth)?),
            other => {
                return Err(ParseError::Structure(format!(
                    "unknown value type <{}>",
                    truncate(other)
                )));
            }
        })
    }

    fn read_struct(&mut self, depth: usize) -> Result<Struct, ParseError> {
        let mut members = Vec::new();
        loop {
            match self.next_tag()? {
                Tag::Start(m) if m == "member" => {
                    let mut name = None;
                    let mut value = None;
                    loop {
                        match self.next_tag()? {
                            Tag::Start(n) if n == "name" && name.is_none() => {
                                name = Some(self.read_text_until_end("name")?);
                            }
                            Tag::Empty(n) if n == "name" && name.is_none() => {
                                name = Some(String::new())
                            }
                            Tag::Start(v) if v == "value" && value.is_none() => {
                                value = Some(self.read_value_body(depth + 1)?);
                            }
                            Tag::Empty(v) if v == "value" && value.is_none() => {
                                value = Some(self.count(Value::String(String::new()))?);
                            }
                            Tag::End(m) if m == "member" => break,
                            other => {
                                return Err(
                                    self.unexpected(&other, "<name> or <value> in <member>")
                                );
                            }
                        }
                    }
                    match (name, value) {
                        (Some(n), Some(v)) => members.push((n, v)),
                        _ => {
                            return Err(ParseError::Structure(
                                "a <member> needs <name> and <value>".into(),
                            ));
                        }
                    }
                }
                Tag::End(s) if s == "struct" => return Ok(members.into_iter().collect()),
                other => return Err(self.unexpected(&other, "<member> or </struct>")),
            }
        }
    }

    fn read_array(&mut self, depth: usize) -> Result<Vec<Value>, ParseError> {
        let mut items = Vec::new();
        match self.next_tag()? {
            Tag::Empty(d) if d == "data" => {}
            Tag::Start(d) if d == "data" => loop {
                match self.next_tag()? {
                    Tag::Start(v) if v == "value" => items.push(self.read_value_body(depth + 1)?),
                    Tag::Empty(v) if v == "value" => {
                        items.push(self.count(Value::String(String::new()))?)
                    }
                    Tag::End(d) if d == "data" => break,
                    other => return Err(self.unexpected(&other, "<value> or </data>")),
                }
            },
            other => return Err(self.unexpected(&other, "<data> in <array>")),
        }
        self.expect_end("array")?;
        Ok(items)
    }
}

fn empty_typed(typ: &str) -> Result<Value, ParseError> {
    Ok(match typ {
        "nil" | "null" => Value::Nil,
        "string" => Value::String(String::new()),
        "struct" => Value::Struct(Struct::new()),
        "base64" => Value::Base64(Vec::new()),
        other => {
            return Err(ParseError::Structure(format!(
                "empty <{}/> is not a value",
                truncate(other)
            )));
        }
    })
}

fn bad(tag: &'static str, text: &str) -> ParseError {
    ParseError::BadScalar {
        tag,
        text: truncate(text),
    }
}

fn parse_int(t: &str) -> Result<i64, ParseError> {
    let s = t.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    s.parse::<i64>().map_err(|_| bad("int", t))
}

/// Base64 as PHP's `base64_decode` takes it: whitespace anywhere is ignored, padding optional.
pub(crate) fn decode_base64_lenient(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if let Ok(bytes) = STANDARD.decode(compact.as_bytes()) {
        return Some(bytes);
    }
    let trimmed = compact.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(trimmed.as_bytes())
        .ok()
}
