//! The MNet services SchoolBridge speaks, as data: their names, API versions, methods and
//! method signatures (what `system/listServices`, `system/listMethods` and
//! `system/methodSignature` describe, `mnet-protocol.md` §7.2, §8.4, §10), and the fault codes
//! of `schooltool_sis` (`docs/schooltool-sis.md`).

use crate::xmlrpc::{Struct, Value};

/// Moodle's SSO identity-provider service.
pub const SSO_IDP: &str = "sso_idp";
/// Moodle's SSO service-provider service.
pub const SSO_SP: &str = "sso_sp";
/// Our SIS service (`docs/product.md` §2).
pub const SCHOOLTOOL_SIS: &str = "schooltool_sis";
/// Published by our Moodle plugin under the same service name, so one Publish/Subscribe pair in
/// Moodle's Services tab covers both directions (`docs/design/002-moodle-plugin.md`): a user's
/// enrolments, fetched when they first arrive by SSO.
pub const MOODLE_LIST_USER_ENROLMENTS: &str =
    "local/schooltool/mnetservice.php/list_user_enrolments";
/// Published by our Moodle plugin: queue a full sync of everything in Moodle.
pub const MOODLE_REQUEST_FULL_SYNC: &str = "local/schooltool/mnetservice.php/request_full_sync";

/// One parameter of a method signature.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Name.
    pub name: &'static str,
    /// XML-RPC type name.
    pub kind: &'static str,
    /// Description.
    pub description: &'static str,
}

/// A published method: its path, its service and its signature.
#[derive(Debug, Clone, Copy)]
pub struct MethodSpec {
    /// The xmlrpc path, e.g. `schooltool/sis/new_grade`.
    pub path: &'static str,
    /// The service it belongs to.
    pub service: &'static str,
    /// Parameters.
    pub params: &'static [Param],
    /// Return type name.
    pub returns: &'static str,
    /// Return description.
    pub returns_description: &'static str,
    /// `system/methodHelp` text.
    pub help: &'static str,
}

impl MethodSpec {
    /// The struct `system/methodSignature` returns, shaped as Moodle's (capture 23):
    /// `{parameters: [{name, type, description}], return: {type, description}}`.
    pub fn signature_value(&self) -> Value {
        let params = self
            .params
            .iter()
            .map(|p| {
                Value::Struct(
                    Struct::new()
                        .with("name", p.name)
                        .with("type", p.kind)
                        .with("description", p.description),
                )
            })
            .collect::<Vec<_>>();
        Value::Struct(
            Struct::new().with("parameters", Value::Array(params)).with(
                "return",
                Struct::new()
                    .with("type", self.returns)
                    .with("description", self.returns_description),
            ),
        )
    }
}

const ONE_STRUCT: &[Param] = &[Param {
    name: "change",
    kind: "struct",
    description: "The change, with eventid and timemodified (see docs/schooltool-sis.md).",
}];

const fn sis(path: &'static str, help: &'static str) -> MethodSpec {
    MethodSpec {
        path,
        service: SCHOOLTOOL_SIS,
        params: ONE_STRUCT,
        returns: "struct",
        returns_description: "{status, idnumber, eventid[, replayed]}",
        help,
    }
}

/// The `schooltool_sis` methods (`docs/product.md` §2, and `remove_grade`, added in
/// `docs/schooltool-sis.md`).
pub const SIS_METHODS: &[MethodSpec] = &[
    sis(
        "schooltool/sis/fetch_user",
        "Create or update a person (username, firstname, lastname, idnumber, email).",
    ),
    sis(
        "schooltool/sis/new_section",
        "Create or update a section (name, idnumber, teacheridnumber, segment).",
    ),
    sis(
        "schooltool/sis/new_enrolment",
        "Enrol a person in a section (sectionid, userid, role, status, timestart, timeend).",
    ),
    sis(
        "schooltool/sis/remove_enrolment",
        "Withdraw a person from a section (sectionid, userid).",
    ),
    sis(
        "schooltool/sis/new_assessment",
        "Create or update a grade item (sectionid, name, idnumber, chapternum, honors_required, nonhonors_required, extra_credit, pointval).",
    ),
    sis(
        "schooltool/sis/remove_assessment",
        "Hide a grade item from current reports (idnumber).",
    ),
    sis(
        "schooltool/sis/new_grade",
        "Record a grade (assessmentid, userid, points_earned, excepted, attempt_num).",
    ),
    sis(
        "schooltool/sis/remove_grade",
        "A grade was cleared: the cell has no grade from now on (assessmentid, userid).",
    ),
    MethodSpec {
        path: "schooltool/sis/batch",
        service: SCHOOLTOOL_SIS,
        params: BATCH_PARAM,
        returns: "struct",
        returns_description: "{results: [{status, idnumber, eventid[, replayed]} or {faultCode, faultString, eventid}, …]}",
        help: "Many changes of any kind in one call, applied in order, each as if sent alone; one result per change (changes: [{method, …fields, eventid, timemodified}]).",
    },
];

const BATCH_PARAM: &[Param] = &[Param {
    name: "batch",
    kind: "struct",
    description: "{changes: [{method, …the method's fields, eventid, timemodified}, …]}, at most 1000 changes (see docs/schooltool-sis.md).",
}];

const TOKEN_UA: &[Param] = &[
    Param {
        name: "token",
        kind: "string",
        description: "The unique ID provided by remotehost.",
    },
    Param {
        name: "useragent",
        kind: "string",
        description: "User Agent string.",
    },
];
const USERNAMES: &[Param] = &[Param {
    name: "array",
    kind: "array",
    description: "An array of usernames.",
}];
const USERNAME_COURSES: &[Param] = &[
    Param {
        name: "username",
        kind: "string",
        description: "The username",
    },
    Param {
        name: "courses",
        kind: "array",
        description: "Assoc array of courses following the structure of mnetservice_enrol_courses",
    },
];
const USERNAME_UA: &[Param] = &[
    Param {
        name: "username",
        kind: "string",
        description: "Username for session to kill.",
    },
    Param {
        name: "useragent",
        kind: "string",
        description: "SHA1 hash of user agent.",
    },
];

/// What SchoolBridge publishes as an identity provider (a subset of Moodle's `sso_idp`, §8.4).
pub const SSO_IDP_METHODS: &[MethodSpec] = &[
    MethodSpec {
        path: "auth/mnet/auth.php/user_authorise",
        service: SSO_IDP,
        params: TOKEN_UA,
        returns: "array",
        returns_description: "$userdata Array of user info for remote host",
        help: "Return user data for the provided token, compare with user_agent string.",
    },
    MethodSpec {
        path: "auth/mnet/auth.php/keepalive_server",
        service: SSO_IDP,
        params: USERNAMES,
        returns: "string",
        returns_description: "\"All ok\" or an error message",
        help: "Receives an array of usernames from a remote machine and prods their sessions to keep them alive.",
    },
    MethodSpec {
        path: "auth/mnet/auth.php/kill_children",
        service: SSO_IDP,
        params: USERNAME_UA,
        returns: "string",
        returns_description: "A plaintext report of what has happened",
        help: "The IdP uses this function to kill child sessions on other hosts.",
    },
    MethodSpec {
        path: "auth/mnet/auth.php/update_enrolments",
        service: SSO_IDP,
        params: USERNAME_COURSES,
        returns: "boolean",
        returns_description: "Nothing useful",
        help: "Invoke this function _on_ the IDP to update it with enrolment info local to the SP right after calling user_authorise().",
    },
];

/// What SchoolBridge publishes as a service provider (Moodle's `sso_sp`, §8.4).
pub const SSO_SP_METHODS: &[MethodSpec] = &[
    MethodSpec {
        path: "auth/mnet/auth.php/keepalive_client",
        service: SSO_SP,
        params: &[],
        returns: "string",
        returns_description: "\"All ok\"",
        help: "Poll the IdP server to let it know that a user it has authenticated is still online.",
    },
    MethodSpec {
        path: "auth/mnet/auth.php/kill_child",
        service: SSO_SP,
        params: USERNAME_UA,
        returns: "boolean",
        returns_description: "True",
        help: "When the IdP requests that child sessions are terminated, this function will be called on each of the child hosts.",
    },
];

/// Every method SchoolBridge publishes, in `system/listMethods` order.
pub fn published_methods() -> impl Iterator<Item = &'static MethodSpec> {
    SSO_IDP_METHODS
        .iter()
        .chain(SSO_SP_METHODS)
        .chain(SIS_METHODS)
}

/// One entry of a peer's `system/listServices` answer (§10, step 3): a service and whether the
/// *answering* site publishes it to us and subscribes to ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedService {
    /// The service name, e.g. `sso_idp`.
    pub name: String,
    /// The peer publishes the service to us.
    pub publish: bool,
    /// The peer subscribes to ours.
    pub subscribe: bool,
}

/// Reads a `system/listServices` answer as Moodle's Services tab does (§10, step 3): an array
/// (or a struct of them, §2.3) of structs `{name, apiversion, publish, subscribe}` whose flags
/// are database strings (capture 20). Entries without a name are passed over; a missing flag
/// is off.
pub fn listed_services(answer: &Value) -> Vec<ListedService> {
    answer
        .list_lenient()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| {
            let s = s.as_struct()?;
            let flag = |k: &str| s.get(k).and_then(Value::as_bool_lenient).unwrap_or(false);
            Some(ListedService {
                name: s.get("name")?.to_text_lenient()?,
                publish: flag("publish"),
                subscribe: flag("subscribe"),
            })
        })
        .collect()
}

/// Looks up a published method by path.
pub fn find_method(path: &str) -> Option<&'static MethodSpec> {
    published_methods().find(|m| m.path == path)
}

/// The fault codes of `schooltool_sis` (`docs/schooltool-sis.md` "Faults").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SisFaultCode {
    /// 8101: a required field is missing or empty.
    MissingField = 8101,
    /// 8102: a field has an unusable value.
    InvalidField = 8102,
    /// 8103: unknown section.
    UnknownSection = 8103,
    /// 8104: unknown person.
    UnknownPerson = 8104,
    /// 8105: unknown assessment.
    UnknownAssessment = 8105,
    /// 8106: the parameter is not one struct.
    BadParameters = 8106,
    /// 8107: eventid reused for a different method.
    EventIdReused = 8107,
    /// 8108: a batch with more changes than the contract allows.
    BatchTooLarge = 8108,
    /// 8199: the change could not be stored now; retry later.
    StorageUnavailable = 8199,
}

impl SisFaultCode {
    /// The numeric code.
    pub fn code(self) -> i32 {
        self as i32
    }

    /// Whether a sender should retry later (prerequisite missing or storage down) rather than
    /// give up and alert an administrator.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            SisFaultCode::UnknownSection
                | SisFaultCode::UnknownPerson
                | SisFaultCode::UnknownAssessment
                | SisFaultCode::StorageUnavailable
        )
    }
}
