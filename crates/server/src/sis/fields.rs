//! Reading one call's struct the way Moodle sends it (`docs/schooltool-sis.md` "Common fields"):
//! numbers as `<int>`, `<string>` or untyped text; booleans as `<boolean>`, 0/1, "true"/"false",
//! "yes"/"no"; an empty string or `<nil/>` is "absent"; text trimmed; unknown fields ignored.
//! Every rule answers with 8101 (missing) or 8102 (unusable), naming the field.

use super::fault::SisFault;
use mnet::xmlrpc::{Struct, Value};

/// The members of a call's struct.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a>(pub &'a Struct);

impl<'a> Fields<'a> {
    /// The value, unless absent (missing, `<nil/>` or blank text).
    fn present(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_absent())
    }

    /// Required text, trimmed, at most `max` characters.
    pub fn text(&self, name: &'static str, max: usize) -> Result<String, SisFault> {
        self.optional_text(name, max)?
            .ok_or(SisFault::MissingField(name))
    }

    /// Optional text, trimmed, at most `max` characters.
    pub fn optional_text(
        &self,
        name: &'static str,
        max: usize,
    ) -> Result<Option<String>, SisFault> {
        let Some(v) = self.present(name) else {
            return Ok(None);
        };
        let text = v
            .to_text_lenient()
            .ok_or_else(|| SisFault::invalid(name, "not a text value"))?;
        if text.chars().count() > max {
            return Err(SisFault::invalid(
                name,
                format!("longer than {max} characters"),
            ));
        }
        Ok(Some(text))
    }

    /// An optional boolean with its default.
    pub fn flag(&self, name: &'static str, default: bool) -> Result<bool, SisFault> {
        match self.present(name) {
            None => Ok(default),
            Some(v) => v
                .as_bool_lenient()
                .ok_or_else(|| SisFault::invalid(name, "not a boolean (1/0, true/false, yes/no)")),
        }
    }

    /// An optional integer in `min..=max`, with its default.
    pub fn integer(
        &self,
        name: &'static str,
        default: i64,
        min: i64,
        max: i64,
    ) -> Result<i64, SisFault> {
        let Some(v) = self.present(name) else {
            return Ok(default);
        };
        let n = v
            .as_i64_lenient()
            .ok_or_else(|| SisFault::invalid(name, "not a whole number"))?;
        if n < min || n > max {
            return Err(SisFault::invalid(
                name,
                format!("must be from {min} to {max}"),
            ));
        }
        Ok(n)
    }

    /// An optional number in `min..=max`.
    pub fn number(&self, name: &'static str, min: f64, max: f64) -> Result<Option<f64>, SisFault> {
        let Some(v) = self.present(name) else {
            return Ok(None);
        };
        let n = v
            .as_f64_lenient()
            .ok_or_else(|| SisFault::invalid(name, "not a number"))?;
        if n < min || n > max {
            return Err(SisFault::invalid(
                name,
                format!("must be from {min} to {max}"),
            ));
        }
        Ok(Some(n))
    }
}

/// The one struct a `schooltool/sis/*` call takes (8106 otherwise).
pub fn the_struct(params: &[Value]) -> Result<&Struct, SisFault> {
    match params {
        [Value::Struct(s)] => Ok(s),
        [_] => Err(SisFault::BadParameters("The parameter must be a struct.")),
        _ => Err(SisFault::BadParameters(
            "The call must have exactly one struct parameter.",
        )),
    }
}
