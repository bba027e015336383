//! The JSON contract between the SchoolBridge server and its console (the internal one; the wire
//! contract with Moodle is MNet, in the `mnet` crate). Plain serde types; in [`rules`] the few
//! rules both sides apply, and in [`roles`] the roles and what each may do — so both sides
//! compile the same definitions, natively and to wasm32.

use serde::{Deserialize, Serialize};

pub mod roles;
pub mod rules;
pub mod school;
pub mod sis;
pub mod sis_gradebook;

/// A person's name as every list shows it: "First Last", without stray spaces when one part is
/// empty.
pub fn full_name(firstname: &str, lastname: &str) -> String {
    format!("{firstname} {lastname}").trim().to_owned()
}

/// Every API error: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable code, e.g. `not_found`, `unauthenticated`, `peer_unreachable`.
    pub code: String,
    /// What happened and what to do, in plain words.
    pub message: String,
}

/// `GET /healthz` and `GET /api/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// The site's name.
    pub site_name: String,
    /// Our wwwroot.
    pub wwwroot: String,
    /// Server version.
    pub version: String,
}

// ---------------------------------------------------------------------------------------------
// Sessions and sign-in (issue "Single sign-on both ways, console accounts, sessions").

/// `POST /api/session`: sign in with a local account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    /// Sign-in name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A peer a person can follow a link to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerLink {
    /// Peer id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// The peer's wwwroot.
    pub wwwroot: String,
    /// Where the link goes: `/auth/mnet/jump.php?hostid=…` (SSO), or the wwwroot itself for
    /// the person's own identity provider.
    pub url: String,
}

/// `GET /api/session`: who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The person.
    pub person: PersonSummary,
    /// Effective roles (explicit and from teaching/enrolment).
    pub roles: Vec<String>,
    /// Send this back in the `X-CSRF-Token` header on every change.
    pub csrf_token: String,
    /// The site's name.
    pub site_name: String,
    /// For a session that arrived by SSO: the peer ("You have logged in from …").
    pub arrived_from: Option<PeerLink>,
    /// The Network Servers block: peers this person may jump to.
    pub network_servers: Vec<PeerLink>,
}

/// `GET /api/setup`: whether the first administrator still has to be created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStatus {
    /// No administrator exists yet.
    pub needs_admin: bool,
}

/// `GET /api/first-run` (admins): what is left to set up after the first administrator, read
/// from real state, so the home page can tick each step off (issue 16).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstRun {
    /// SchoolBridge's own address (what Moodle's administrator adds as a peer).
    pub wwwroot: String,
    /// The live peers (step 1: add a Moodle).
    pub peers: Vec<PeerLink>,
    /// A peer SchoolBridge publishes `schooltool_sis` to has sent school records that were
    /// accepted: both sides ticked the service (step 2).
    pub records_arrived: bool,
    /// Someone from a peer may sign in (step 3: who may sign in).
    pub sign_in_granted: bool,
}

/// `POST /api/setup`: create the first administrator with the one-time token `make run` printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupRequest {
    /// The one-time token.
    pub token: String,
    /// Sign-in name.
    pub username: String,
    /// Password (at least 10 characters).
    pub password: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
}

// ---------------------------------------------------------------------------------------------
// People.

/// A person as lists show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    /// Id.
    pub id: i64,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail.
    pub email: Option<String>,
    /// The shared id.
    pub idnumber: Option<String>,
    /// Username at the peer, or local sign-in name.
    pub username: Option<String>,
    /// The peer they come from (`None`: created in SchoolBridge).
    pub peer: Option<PeerLink>,
    /// Whether they may sign in.
    pub login_allowed: bool,
    /// Explicit roles (given in SchoolBridge).
    pub roles: Vec<String>,
    /// Roles learnt from the school records Moodle sends: `teacher` for someone who teaches a
    /// section now, `student` for someone enrolled as a student (`docs/design/019-people-peers-first-run.md`).
    #[serde(default)]
    pub roles_from_enrolments: Vec<String>,
}

/// `PUT /api/people/login`: grant or withdraw login rights, one by one or in bulk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRightsRequest {
    /// These people…
    pub person_ids: Vec<i64>,
    /// …or everyone from this peer…
    pub peer_id: Option<i64>,
    /// …holding this role (with `peer_id`).
    pub role: Option<String>,
    /// Grant (true) or withdraw (false).
    pub allowed: bool,
}

/// How many changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changed {
    /// Count.
    pub changed: u64,
}

/// `PUT /api/people/{id}/roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesRequest {
    /// The explicit roles: any of admin, counsellor, teacher, student.
    pub roles: Vec<String>,
}

/// `POST /api/people`: a local account for staff who do not come through Moodle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPersonRequest {
    /// Sign-in name.
    pub username: String,
    /// Given name.
    pub firstname: String,
    /// Family name.
    pub lastname: String,
    /// E-mail.
    pub email: Option<String>,
    /// Initial password (at least 10 characters).
    pub password: String,
    /// Roles.
    pub roles: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Peers, the site key, the audit log, the test client.

/// A certificate as the console shows it (the console also parses `pem` itself with `mnet`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    /// Normalised PEM.
    pub pem: String,
    /// SHA-256 fingerprint (colon-separated hex).
    pub fingerprint: String,
    /// Subject CN.
    pub common_name: Option<String>,
    /// Subject O.
    pub organization: Option<String>,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
}

/// One service switch (from SchoolBridge's side: publish = we serve it to the peer, subscribe =
/// we call it on the peer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSwitch {
    /// `schooltool_sis`, `sso_idp` or `sso_sp`.
    pub service: String,
    /// We serve it to the peer.
    pub publish: bool,
    /// We call it on the peer.
    pub subscribe: bool,
}

/// A peer in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// wwwroot.
    pub wwwroot: String,
    /// `moodle` or `mahara`.
    pub application: String,
    /// Key fingerprint.
    pub fingerprint: String,
    /// Key expiry, Unix seconds.
    pub certificate_expires: i64,
    /// Last successful exchange.
    pub last_contact_at: Option<i64>,
    /// Last failure in plain words.
    pub last_error: Option<String>,
    /// When.
    pub last_error_at: Option<i64>,
    /// A changed key is waiting for review.
    pub key_change_pending: bool,
    /// Deleted (no traffic).
    pub deleted: bool,
}

/// A peer's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerDetail {
    /// The summary.
    pub peer: PeerSummary,
    /// Its certificate.
    pub certificate: CertificateInfo,
    /// The different certificate found on review, if any.
    pub pending_certificate: Option<CertificateInfo>,
    /// Service switches.
    pub services: Vec<ServiceSwitch>,
    /// Whether TLS certificates are verified when calling it.
    pub tls_verify: bool,
    /// Single sign-on as the peer offers it, as SchoolBridge last learned it from the peer.
    #[serde(default)]
    pub sso: Option<PeerSso>,
}

/// Single sign-on as a peer offers it (learned from its `listServices` and `listMethods`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerSso {
    /// Where SchoolBridge calls the peer's identity-provider methods (e.g.
    /// `auth/mnet/auth.php`: Moodle's own; `auth/schoolbridge/mnetservice.php`: our plugin),
    /// when its people may come to SchoolBridge signed in.
    pub idp_methods: Option<String>,
    /// The peer's land page, when SchoolBridge's people may go there signed in.
    pub land_page: Option<String>,
    /// Its people may come to SchoolBridge signed in.
    pub lands_here: bool,
    /// SchoolBridge's people may jump there (the Network servers list offers it).
    pub takes_jump: bool,
    /// When the peer was asked; `None`: not asked yet (Moodle's own paths are assumed).
    pub learned_at: Option<i64>,
}

/// `POST /api/peers/preview`: step 1 of adding a peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerPreviewRequest {
    /// The peer's URL.
    pub url: String,
    /// `moodle` (default) or `mahara`.
    pub application: Option<String>,
    /// Verify TLS (default true).
    pub tls_verify: Option<bool>,
}

/// What the admin confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerPreview {
    /// Normalised wwwroot.
    pub wwwroot: String,
    /// Application.
    pub application: String,
    /// Suggested name.
    pub name: String,
    /// The certificate the peer published.
    pub certificate: CertificateInfo,
    /// Confirming restores a deleted peer with this address.
    pub restores_deleted: bool,
}

/// `POST /api/peers`: step 2, the admin confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmPeerRequest {
    /// From the preview.
    pub wwwroot: String,
    /// From the preview.
    pub application: String,
    /// Name (may be edited).
    pub name: String,
    /// The fingerprint the admin saw.
    pub fingerprint: String,
    /// Verify TLS.
    pub tls_verify: bool,
}

/// `PUT /api/peers/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerSettings {
    /// Name.
    pub name: String,
    /// Verify TLS.
    pub tls_verify: bool,
}

/// `POST /api/peers/{id}/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyResult {
    /// Whether the round trip worked.
    pub ok: bool,
    /// Services as the peer reports them (its point of view).
    pub services: Vec<ServiceSwitch>,
    /// What went wrong, in plain words, and what to do.
    pub diagnosis: Option<String>,
    /// Milliseconds.
    pub millis: i64,
}

/// `POST /api/peers/{id}/review`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewResult {
    /// The key changed: the admin must accept it (`POST …/accept-key`).
    pub key_changed: bool,
    /// What the peer publishes now.
    pub published: CertificateInfo,
}

/// `POST /api/peers/{id}/accept-key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptKeyRequest {
    /// The fingerprint the admin saw.
    pub fingerprint: String,
}

/// `GET /api/site-key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteKeyInfo {
    /// Our wwwroot.
    pub wwwroot: String,
    /// The current certificate.
    pub current: CertificateInfo,
    /// Archived keys that still open old messages, newest first (with retirement time).
    pub archived: Vec<ArchivedKey>,
    /// Key lifetime, days.
    pub lifetime_days: u32,
}

/// An archived key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedKey {
    /// Its certificate.
    pub certificate: CertificateInfo,
    /// When it was replaced.
    pub retired_at: Option<i64>,
}

/// One audit entry in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSummary {
    /// Id.
    pub id: i64,
    /// Unix milliseconds.
    pub at_ms: i64,
    /// `in` or `out`.
    pub direction: String,
    /// Peer id.
    pub peer_id: Option<i64>,
    /// Peer wwwroot.
    pub peer_wwwroot: Option<String>,
    /// Method.
    pub method: Option<String>,
    /// `ok`, `fault` or `error`.
    pub outcome: String,
    /// Fault code.
    pub fault_code: Option<i32>,
    /// Detail.
    pub detail: Option<String>,
    /// Microseconds.
    pub duration_us: i64,
    /// Encrypted.
    pub encrypted: bool,
    /// Signed.
    pub signed: bool,
}

/// `GET /api/audit/{id}`: an entry with what is needed to verify it in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDetail {
    /// The entry.
    pub entry: AuditSummary,
    /// The envelope as received (text; the signed envelope for signed messages).
    pub envelope: Option<String>,
    /// Why no envelope is kept, when none is.
    pub envelope_note: Option<String>,
    /// The certificate to verify it with: the peer's for messages in, ours for the replies we
    /// read… i.e. the signer's certificate as SchoolBridge holds it now.
    pub signer_certificate: Option<String>,
}

/// A typed parameter for the test client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedParam {
    /// `string`, `int`, `boolean`, `double` or `struct-json` (a JSON object of strings).
    pub kind: String,
    /// The value as text.
    pub value: String,
}

/// `POST /api/peers/{id}/call`: the test client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRequest {
    /// Method path.
    pub method: String,
    /// Parameters.
    pub params: Vec<TypedParam>,
}

/// The test client's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallResponse {
    /// The XML-RPC we sent.
    pub request_xmlrpc: String,
    /// Our signed envelope (before encryption).
    pub request_envelope: Option<String>,
    /// The peer's signed envelope, decrypted (verify it in the browser).
    pub reply_envelope: Option<String>,
    /// The peer's certificate PEM, to verify with.
    pub peer_certificate: String,
    /// The decoded reply, pretty-printed.
    pub result: Option<String>,
    /// A fault: code.
    pub fault_code: Option<i32>,
    /// A fault: text, or the transport/crypto error in plain words.
    pub error: Option<String>,
    /// Milliseconds.
    pub millis: i64,
}
