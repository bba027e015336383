//! The XML-RPC value model (`mnet-protocol.md` §2.3) and the lenient accessors Moodle's habits
//! call for: database values arrive as `<string>` even when numeric, PHP lists arrive as either
//! `<array>` or `<struct>`, and PHP `null` as `<nil/>` or an empty string.

/// One XML-RPC value. Struct members keep their wire order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `<string>` or an untyped `<value>text</value>`.
    String(String),
    /// `<int>`, `<i4>` or `<i8>` (kept wide: PHP integers are 64-bit).
    Int(i64),
    /// `<boolean>0|1</boolean>`.
    Bool(bool),
    /// `<double>`.
    Double(f64),
    /// `<base64>`, decoded.
    Base64(Vec<u8>),
    /// `<dateTime.iso8601>`, kept as the text that was sent.
    DateTime(String),
    /// `<struct>`.
    Struct(Struct),
    /// `<array>`.
    Array(Vec<Value>),
    /// `<nil/>` or `<ex:nil/>`.
    Nil,
}

/// An XML-RPC struct: members in wire order. A repeated name keeps the last value on lookup,
/// as a PHP array would.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Struct {
    members: Vec<(String, Value)>,
}

impl Struct {
    /// An empty struct.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a member (builder style).
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.push(name, value);
        self
    }

    /// Appends a member.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<Value>) {
        self.members.push((name.into(), value.into()));
    }

    /// The value of the last member with this name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Members in wire order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.members.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Number of members on the wire.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the struct has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl FromIterator<(String, Value)> for Struct {
    fn from_iter<T: IntoIterator<Item = (String, Value)>>(iter: T) -> Self {
        Self {
            members: iter.into_iter().collect(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

/// `From` for the types a value wraps as they are.
macro_rules! value_from {
    ($($from:ty => $variant:ident),* $(,)?) => {
        $(impl From<$from> for Value {
            fn from(v: $from) -> Self {
                Value::$variant(v)
            }
        })*
    };
}
value_from! {
    String => String,
    i64 => Int,
    bool => Bool,
    f64 => Double,
    Struct => Struct,
    Vec<Value> => Array,
}

impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i64::from(i))
    }
}

impl Value {
    /// The string, if this is a `<string>` (or untyped) value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The struct, if this is one.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// Whether this counts as "absent" for an optional field: `<nil/>` or an empty (or
    /// whitespace-only) string, which is how PhpXmlRpc sends PHP `null` (§2.3).
    pub fn is_absent(&self) -> bool {
        match self {
            Value::Nil => true,
            Value::String(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// Text of a scalar, as PHP would stringify it: strings as they are (trimmed), numbers in
    /// decimal, booleans as "1"/"0". `None` for structs, arrays, base64 and nil.
    pub fn to_text_lenient(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
            Value::Double(d) => Some(format_double(*d)),
            Value::DateTime(s) => Some(s.clone()),
            Value::Base64(_) | Value::Struct(_) | Value::Array(_) | Value::Nil => None,
        }
    }

    /// An integer from `<int>`, `<i4>`, a numeric `<string>`, or a whole `<double>` (§2.3:
    /// "decode numbers leniently").
    pub fn as_i64_lenient(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::String(s) => {
                let t = s.trim();
                t.parse::<i64>().ok().or_else(|| {
                    let d = t.parse::<f64>().ok()?;
                    (d.is_finite() && d.fract() == 0.0 && d.abs() < 9.0e15).then_some(d as i64)
                })
            }
            Value::Double(d) if d.is_finite() && d.fract() == 0.0 && d.abs() < 9.0e15 => {
                Some(*d as i64)
            }
            _ => None,
        }
    }

    /// A finite number from `<double>`, `<int>` or a numeric `<string>` (with `.` as the
    /// decimal separator, as PHP writes it).
    pub fn as_f64_lenient(&self) -> Option<f64> {
        let d = match self {
            Value::Double(d) => *d,
            Value::Int(i) => *i as f64,
            Value::String(s) => {
                let t = s.trim();
                // Reject what Rust parses but PHP never sends: "inf", "NaN", "1e5" is fine.
                if t.is_empty()
                    || t.chars()
                        .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
                {
                    return None;
                }
                t.parse::<f64>().ok()?
            }
            _ => return None,
        };
        d.is_finite().then_some(d)
    }

    /// A boolean from `<boolean>`, an int 0/1, or the strings "1"/"0", "true"/"false",
    /// "yes"/"no", "on"/"off" in any case.
    pub fn as_bool_lenient(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Some(true),
                "0" | "false" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// The elements of a list, accepting both an `<array>` and a `<struct>` whose members are
    /// the elements (a PHP array with non-sequential keys, §2.3).
    pub fn list_lenient(&self) -> Option<Vec<&Value>> {
        match self {
            Value::Array(a) => Some(a.iter().collect()),
            Value::Struct(s) => Some(s.iter().map(|(_, v)| v).collect()),
            _ => None,
        }
    }
}

/// Formats a double as PhpXmlRpc does: fixed notation (the XML-RPC spec forbids exponents), no
/// trailing zeros. Rust's `Display` for `f64` is already fixed-notation and shortest-round-trip.
pub(crate) fn format_double(d: f64) -> String {
    if d.is_finite() {
        format!("{d}")
    } else {
        "0".to_owned()
    }
}
