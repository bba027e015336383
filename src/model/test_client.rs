//! The test client's decisions (Moodle's `admin/mnet/testclient.php`): typed parameters checked
//! before sending, and the peer's answers to `system/listServices`, `system/listMethods` and
//! `system/methodSignature` read from the **verified** reply envelope.

use mnet::xmlrpc::Value;
use schoolbridge_api::TypedParam;

/// The parameter types the server's test client accepts (`TypedParam::kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// `<string>`.
    String,
    /// `<int>`.
    Int,
    /// `<boolean>`.
    Boolean,
    /// `<double>`.
    Double,
    /// A `<struct>` written as a JSON object.
    StructJson,
}

impl ParamKind {
    /// Every kind, in the order the picker lists them.
    pub const ALL: [ParamKind; 5] = [
        ParamKind::String,
        ParamKind::Int,
        ParamKind::Boolean,
        ParamKind::Double,
        ParamKind::StructJson,
    ];

    /// The wire name (`TypedParam::kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamKind::String => "string",
            ParamKind::Int => "int",
            ParamKind::Boolean => "boolean",
            ParamKind::Double => "double",
            ParamKind::StructJson => "struct-json",
        }
    }

    /// Reads a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        ParamKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind for a type named in a method signature (Moodle writes PHP-ish names).
    pub fn from_signature(type_name: &str) -> Self {
        match type_name.trim().to_ascii_lowercase().as_str() {
            "int" | "integer" | "i4" | "i8" => ParamKind::Int,
            "bool" | "boolean" => ParamKind::Boolean,
            "double" | "float" => ParamKind::Double,
            "struct" | "array" | "object" => ParamKind::StructJson,
            _ => ParamKind::String,
        }
    }
}

/// What a parameter value should have been, when it does not fit its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamProblem {
    /// A whole number.
    Integer,
    /// A finite number.
    Number,
    /// true/false/1/0/yes/no.
    Boolean,
    /// A JSON object.
    JsonObject,
}

/// Checks one value against its kind.
pub fn check_param(kind: ParamKind, value: &str) -> Result<(), ParamProblem> {
    let text = value.trim();
    match kind {
        ParamKind::String => Ok(()),
        ParamKind::Int => text
            .parse::<i64>()
            .map(|_| ())
            .map_err(|_| ParamProblem::Integer),
        ParamKind::Double => match text.parse::<f64>() {
            Ok(d) if d.is_finite() => Ok(()),
            _ => Err(ParamProblem::Number),
        },
        ParamKind::Boolean => Value::from(text)
            .as_bool_lenient()
            .map(|_| ())
            .ok_or(ParamProblem::Boolean),
        ParamKind::StructJson => {
            match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
                Ok(_) => Ok(()),
                Err(_) => Err(ParamProblem::JsonObject),
            }
        }
    }
}

/// Checks every row and builds the request's parameters; the first bad row is reported by index.
pub fn typed_params(
    rows: &[(ParamKind, String)],
) -> Result<Vec<TypedParam>, (usize, ParamProblem)> {
    rows.iter()
        .enumerate()
        .map(|(index, (kind, value))| {
            check_param(*kind, value).map_err(|problem| (index, problem))?;
            Ok(TypedParam {
                kind: kind.as_str().to_owned(),
                value: value.clone(),
            })
        })
        .collect()
}

/// One service in a peer's `system/listServices` answer (the peer's point of view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteService {
    /// Service name.
    pub name: String,
    /// API version.
    pub apiversion: String,
    /// The peer publishes it to us.
    pub publish: bool,
    /// The peer subscribes to ours.
    pub subscribe: bool,
}

/// Reads `system/listServices` (an array of structs, all `<string>` in Moodle 4.5).
pub fn services_from(value: &Value) -> Vec<RemoteService> {
    value
        .list_lenient()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|item| {
            let s = item.as_struct()?;
            let text = |name: &str| s.get(name).and_then(Value::to_text_lenient);
            let flag = |name: &str| s.get(name).and_then(Value::as_bool_lenient);
            Some(RemoteService {
                name: text("name")?,
                apiversion: text("apiversion").unwrap_or_default(),
                publish: flag("publish").unwrap_or(false),
                subscribe: flag("subscribe").unwrap_or(false),
            })
        })
        .collect()
}

/// Reads `system/listMethods` (an array of method paths).
pub fn methods_from(value: &Value) -> Vec<String> {
    value
        .list_lenient()
        .unwrap_or_default()
        .into_iter()
        .filter_map(Value::to_text_lenient)
        .filter(|m| !m.is_empty())
        .collect()
}

/// One parameter of a method signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureParam {
    /// Its name.
    pub name: String,
    /// The type as the peer names it.
    pub type_name: String,
    /// What it is.
    pub description: String,
}

/// Reads `system/methodSignature`: Moodle's `{parameters: [{name, type, description}], return}`.
pub fn signature_from(value: &Value) -> Option<(Vec<SignatureParam>, String)> {
    let s = value.as_struct()?;
    let params = s
        .get("parameters")
        .and_then(Value::list_lenient)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let p = p.as_struct()?;
            let text = |name: &str| {
                p.get(name)
                    .and_then(Value::to_text_lenient)
                    .unwrap_or_default()
            };
            Some(SignatureParam {
                name: text("name"),
                type_name: text("type"),
                description: text("description"),
            })
        })
        .collect();
    let returns = s
        .get("return")
        .and_then(Value::as_struct)
        .and_then(|r| r.get("type"))
        .and_then(Value::to_text_lenient)
        .unwrap_or_default();
    Some((params, returns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::envelope::response_value;
    use crate::model::moodle_vectors::moodle_vector;

    fn payload(name: &str) -> Value {
        response_value(moodle_vector(name).as_bytes()).unwrap()
    }

    #[test]
    fn parameters_are_checked_by_kind() {
        assert_eq!(check_param(ParamKind::Int, " 42 "), Ok(()));
        assert_eq!(
            check_param(ParamKind::Int, "4.2"),
            Err(ParamProblem::Integer)
        );
        assert_eq!(check_param(ParamKind::Double, "4.2"), Ok(()));
        assert_eq!(
            check_param(ParamKind::Double, "NaN"),
            Err(ParamProblem::Number)
        );
        assert_eq!(check_param(ParamKind::Boolean, "yes"), Ok(()));
        assert_eq!(
            check_param(ParamKind::Boolean, "maybe"),
            Err(ParamProblem::Boolean)
        );
        assert_eq!(check_param(ParamKind::StructJson, r#"{"a":"1"}"#), Ok(()));
        assert_eq!(
            check_param(ParamKind::StructJson, "[1]"),
            Err(ParamProblem::JsonObject)
        );
        assert_eq!(check_param(ParamKind::String, ""), Ok(()));
        let rows = vec![
            (ParamKind::String, "jdoe".to_owned()),
            (ParamKind::Int, "x".to_owned()),
        ];
        assert_eq!(typed_params(&rows), Err((1, ParamProblem::Integer)));
        let ok = typed_params(&rows[..1]).unwrap();
        assert_eq!(ok[0].kind, "string");
        for kind in ParamKind::ALL {
            assert_eq!(ParamKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn real_moodle_answers_are_read() {
        let services = services_from(&payload(
            "20_listServices_signed_encrypted.response.payload.xml",
        ));
        let sso = services.iter().find(|s| s.name == "sso_idp").unwrap();
        assert!(sso.publish && sso.subscribe);
        assert_eq!(sso.apiversion, "1");
        let methods = methods_from(&payload(
            "21_listMethods_signed_encrypted.response.payload.xml",
        ));
        assert_eq!(methods.len(), 15);
        assert!(
            methods
                .iter()
                .any(|m| m == "auth/mnet/auth.php/user_authorise")
        );
        let (params, returns) = signature_from(&payload(
            "23_methodSignature_user_authorise.response.payload.xml",
        ))
        .unwrap();
        assert_eq!(params.len(), 2);
        assert_eq!(params[0].name, "token");
        assert_eq!(
            ParamKind::from_signature(&params[1].type_name),
            ParamKind::String
        );
        assert_eq!(returns, "array");
        assert_eq!(ParamKind::from_signature("integer"), ParamKind::Int);
        assert_eq!(ParamKind::from_signature("array"), ParamKind::StructJson);
    }
}
