//! The words of network administration: peers, the test client, the site key, people and the
//! activity log.

use crate::model::audit::DateProblem;
use crate::model::peers::AddressProblem;
use crate::model::test_client::{ParamKind, ParamProblem};
use schoolbridge_api::roles::Role;

/// Network administration's texts in one language.
pub struct AdminStrings {
    // Navigation.
    pub nav_peers: &'static str,
    pub nav_test_client: &'static str,
    pub nav_site_key: &'static str,
    pub nav_people: &'static str,
    pub nav_activity: &'static str,
    pub title_peer: &'static str,
    pub title_activity_entry: &'static str,
    // The first-run checklist on the home page.
    pub first_run_heading: &'static str,
    pub first_run_intro: &'static str,
    pub step_peer: &'static str,
    pub step_peer_how: &'static str,
    pub step_services: &'static str,
    pub step_services_how: fn(our_wwwroot: &str) -> String,
    pub step_sign_in: &'static str,
    pub step_sign_in_how: &'static str,
    pub step_done: &'static str,
    pub step_to_do: &'static str,
    // Shared words.
    pub any: &'static str,
    pub unknown: &'static str,
    pub never: &'static str,
    pub none_held: &'static str,
    pub saving: &'static str,
    pub saved: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub pages_label: &'static str,
    pub previous_page: &'static str,
    pub next_page: &'static str,
    pub choose_peer: &'static str,
    pub detail: &'static str,
    pub days: fn(days: i64) -> String,
    // Table columns.
    pub col_name: &'static str,
    pub col_wwwroot: &'static str,
    pub col_application: &'static str,
    pub col_fingerprint: &'static str,
    pub col_key_expiry: &'static str,
    pub col_last_contact: &'static str,
    pub col_health: &'static str,
    pub col_service: &'static str,
    pub col_publish: &'static str,
    pub col_subscribe: &'static str,
    pub col_apiversion: &'static str,
    pub col_peer_publishes: &'static str,
    pub col_peer_subscribes: &'static str,
    pub col_actions: &'static str,
    pub col_valid_until: &'static str,
    pub col_retired: &'static str,
    pub col_select: &'static str,
    pub col_username: &'static str,
    pub col_source: &'static str,
    pub col_roles: &'static str,
    pub col_login: &'static str,
    pub col_time: &'static str,
    pub col_time_utc: &'static str,
    pub col_direction: &'static str,
    pub col_peer: &'static str,
    pub col_method: &'static str,
    pub col_outcome: &'static str,
    pub col_duration: &'static str,
    pub col_protection: &'static str,
    // Peers list.
    pub peers_heading: &'static str,
    pub peers_intro: &'static str,
    pub peers_empty: &'static str,
    pub add_peer: &'static str,
    pub show_deleted: &'static str,
    pub health_ok: &'static str,
    pub health_failing: &'static str,
    pub health_never: &'static str,
    pub health_deleted: &'static str,
    pub key_change_pending: &'static str,
    // Add a peer.
    pub add_peer_heading: &'static str,
    pub add_peer_intro: &'static str,
    pub field_peer_url: &'static str,
    pub field_peer_url_hint: &'static str,
    pub field_application: &'static str,
    pub field_tls_verify: &'static str,
    pub field_tls_verify_hint: &'static str,
    pub field_peer_name: &'static str,
    pub fetch_certificate: &'static str,
    pub fetching_certificate: &'static str,
    pub address_empty: &'static str,
    pub address_no_scheme: &'static str,
    pub address_bad_characters: &'static str,
    pub address_no_host: &'static str,
    pub review_certificate_heading: &'static str,
    pub review_certificate_intro: &'static str,
    pub preview_restores_deleted: &'static str,
    pub cert_names_address: &'static str,
    pub cert_does_not_name_address: fn(why: &str) -> String,
    pub cannot_confirm: &'static str,
    pub confirm_peer: &'static str,
    pub peer_added_heading: &'static str,
    pub peer_added_in_moodle: fn(our_wwwroot: &str) -> String,
    pub peer_added_here: &'static str,
    // One peer.
    pub last_error: &'static str,
    pub open_in_test_client: &'static str,
    pub verify_heading: &'static str,
    pub verify_intro: &'static str,
    pub verify_now: &'static str,
    pub verifying: &'static str,
    pub verify_ok: fn(millis: i64) -> String,
    pub verify_failed: fn(millis: i64) -> String,
    pub verify_no_diagnosis: &'static str,
    pub verify_peer_offers: &'static str,
    pub peer_publishes_and_subscribes: &'static str,
    pub peer_publishes: &'static str,
    pub peer_subscribes: &'static str,
    pub peer_neither: &'static str,
    pub services_heading: &'static str,
    pub services_intro: &'static str,
    pub publish_label: fn(service: &str) -> String,
    pub subscribe_label: fn(service: &str) -> String,
    pub service_sis: &'static str,
    pub service_sso_idp: &'static str,
    pub service_sso_sp: &'static str,
    pub service_other: &'static str,
    pub sso_heading: &'static str,
    pub sso_in: fn(peer: &str) -> String,
    pub sso_out: fn(peer: &str) -> String,
    pub sso_not_offered: &'static str,
    pub sso_stock: &'static str,
    pub sso_ours: &'static str,
    pub sso_other: fn(path: &str) -> String,
    pub sso_land_page: fn(path: &str) -> String,
    pub sso_learned: fn(when: &str) -> String,
    pub sso_not_learned: &'static str,
    pub key_heading: &'static str,
    pub key_changed_heading: &'static str,
    pub key_changed_text: &'static str,
    pub accept_key: &'static str,
    pub accept_key_question: &'static str,
    pub accept_key_yes: &'static str,
    pub review_intro: &'static str,
    pub review_key: &'static str,
    pub review_unchanged: &'static str,
    pub review_changed: &'static str,
    pub settings_heading: &'static str,
    pub delete_heading: &'static str,
    pub delete_intro: &'static str,
    pub delete_peer: &'static str,
    pub delete_question: &'static str,
    pub delete_yes: &'static str,
    pub peer_is_deleted: &'static str,
    pub restore_peer: &'static str,
    // Test client.
    pub test_client_heading: &'static str,
    pub test_client_intro: &'static str,
    pub test_client_no_peers: &'static str,
    pub field_peer: &'static str,
    pub peer_services_caption: &'static str,
    pub no_services: &'static str,
    pub no_methods: &'static str,
    pub all_services: &'static str,
    pub list_all_methods: &'static str,
    pub list_methods_of: fn(service: &str) -> String,
    pub methods_of: fn(service: &str) -> String,
    pub signature_loaded: fn(count: usize) -> String,
    pub signature_unavailable: &'static str,
    pub call_heading: &'static str,
    pub field_method: &'static str,
    pub field_method_hint: &'static str,
    pub method_required: &'static str,
    pub parameters: &'static str,
    pub param_type_label: fn(position: usize) -> String,
    pub param_value_label: fn(position: usize) -> String,
    pub remove_param: fn(position: usize) -> String,
    pub add_param: &'static str,
    pub param_problem: fn(position: usize, problem: &str) -> String,
    pub param_not_int: &'static str,
    pub param_not_number: &'static str,
    pub param_not_boolean: &'static str,
    pub param_not_object: &'static str,
    pub kind_string: &'static str,
    pub kind_int: &'static str,
    pub kind_boolean: &'static str,
    pub kind_double: &'static str,
    pub kind_struct: &'static str,
    pub call_method: &'static str,
    pub calling: &'static str,
    pub call_took: fn(millis: i64) -> String,
    pub call_no_result: &'static str,
    pub server_reading: &'static str,
    pub raw_request_xmlrpc: &'static str,
    pub raw_request_envelope: &'static str,
    pub raw_reply_envelope: &'static str,
    pub raw_envelope: &'static str,
    pub decoded_method: &'static str,
    pub decoded_no_params: &'static str,
    pub fault_line: fn(code: i32, text: &str) -> String,
    pub not_xmlrpc: fn(why: &str) -> String,
    // Signatures checked in the browser.
    pub sig_valid: fn(fingerprint: &str) -> String,
    pub sig_invalid: fn(fingerprint: &str) -> String,
    pub sig_no_envelope: &'static str,
    pub sig_no_certificate: &'static str,
    pub sig_bad_certificate: fn(why: &str) -> String,
    pub sig_not_signed: &'static str,
    pub sig_unreadable: fn(why: &str) -> String,
    // Site key.
    pub site_key_heading: &'static str,
    pub site_key_intro: &'static str,
    pub our_wwwroot: &'static str,
    pub key_lifetime: &'static str,
    pub current_key: &'static str,
    pub rotate_heading: &'static str,
    pub rotate_intro: &'static str,
    pub rotate_now: &'static str,
    pub rotate_question: &'static str,
    pub rotate_yes: &'static str,
    pub rotated_notice: &'static str,
    pub archived_heading: &'static str,
    pub archived_intro: &'static str,
    pub archived_empty: &'static str,
    // People.
    pub people_heading: &'static str,
    pub people_intro_admin: &'static str,
    pub people_intro_reader: &'static str,
    pub people_empty: &'static str,
    pub field_search: &'static str,
    pub field_role: &'static str,
    pub field_login: &'static str,
    pub field_source: &'static str,
    pub search: &'static str,
    pub role_admin: &'static str,
    pub role_counsellor: &'static str,
    pub role_teacher: &'static str,
    pub role_student: &'static str,
    pub login_allowed: &'static str,
    pub login_withdrawn: &'static str,
    pub local_account: &'static str,
    pub grant: &'static str,
    pub withdraw: &'static str,
    pub grant_for: fn(name: &str) -> String,
    pub withdraw_for: fn(name: &str) -> String,
    pub select_person: fn(name: &str) -> String,
    pub roles_for: fn(name: &str) -> String,
    pub edit_roles: &'static str,
    pub no_roles: &'static str,
    pub bulk_heading: &'static str,
    pub selected_count: fn(count: usize) -> String,
    pub grant_selected: &'static str,
    pub withdraw_selected: &'static str,
    pub everyone_from: &'static str,
    pub holding_role: &'static str,
    pub grant_peer: &'static str,
    pub withdraw_peer: &'static str,
    pub grant_peer_question: fn(peer: &str, role: Option<&str>) -> String,
    pub grant_peer_yes: &'static str,
    pub withdraw_peer_question: fn(peer: &str, role: Option<&str>) -> String,
    pub withdraw_peer_yes: &'static str,
    pub roles_from_moodle: &'static str,
    pub rights_changed: fn(count: u64) -> String,
    pub new_person_heading: &'static str,
    pub new_person_intro: &'static str,
    pub create_account: &'static str,
    pub person_created: fn(name: &str) -> String,
    // Activity.
    pub activity_heading: &'static str,
    pub activity_intro: &'static str,
    pub activity_empty: &'static str,
    pub filters_label: &'static str,
    pub field_from: &'static str,
    pub field_until: &'static str,
    pub apply_filters: &'static str,
    pub date_bad_from: &'static str,
    pub date_bad_until: &'static str,
    pub date_reversed: &'static str,
    pub newer_entries: &'static str,
    pub older_entries: &'static str,
    pub direction_in: &'static str,
    pub direction_out: &'static str,
    pub outcome_ok: &'static str,
    pub outcome_fault: &'static str,
    pub outcome_error: &'static str,
    pub protection_signed_encrypted: &'static str,
    pub protection_signed: &'static str,
    pub protection_encrypted: &'static str,
    pub protection_none: &'static str,
    pub entry_heading: fn(id: i64) -> String,
    pub envelope_heading: &'static str,
    pub no_envelope: &'static str,
    pub envelope_note: fn(note: &str) -> String,
    pub envelope_encrypted: fn(sender: &str) -> String,
    pub envelope_unsigned: &'static str,
    pub envelope_other: &'static str,
    pub claimed_sender: &'static str,
    pub claimed_time: &'static str,
    pub digest: &'static str,
    pub digest_matches: &'static str,
    pub digest_differs: &'static str,
    pub digest_absent: &'static str,
    pub signer_certificate: &'static str,
    pub verify_signature: &'static str,
    pub verify_signature_hint: &'static str,
    pub decoded_heading: &'static str,
    pub decoded_verified: &'static str,
    pub decoded_unverified: &'static str,
}

impl AdminStrings {
    /// Why an address was refused.
    pub fn address_problem(&self, problem: AddressProblem) -> &'static str {
        match problem {
            AddressProblem::Empty => self.address_empty,
            AddressProblem::NoScheme => self.address_no_scheme,
            AddressProblem::BadCharacters => self.address_bad_characters,
            AddressProblem::NoHost => self.address_no_host,
        }
    }

    /// A service as the peer reports it (its own point of view).
    pub fn peer_side(&self, publish: bool, subscribe: bool) -> &'static str {
        match (publish, subscribe) {
            (true, true) => self.peer_publishes_and_subscribes,
            (true, false) => self.peer_publishes,
            (false, true) => self.peer_subscribes,
            (false, false) => self.peer_neither,
        }
    }

    /// How the peer's identity-provider methods are served, from their path.
    pub fn sso_plugin(&self, prefix: &str) -> String {
        if prefix == "auth/mnet/auth.php" {
            self.sso_stock.to_owned()
        } else if prefix.starts_with("auth/schoolbridge/") {
            self.sso_ours.to_owned()
        } else {
            (self.sso_other)(prefix)
        }
    }

    /// What a service is for.
    pub fn service_description(&self, service: &str) -> &'static str {
        match service {
            mnet::services::SCHOOLTOOL_SIS => self.service_sis,
            mnet::services::SSO_IDP => self.service_sso_idp,
            mnet::services::SSO_SP => self.service_sso_sp,
            _ => self.service_other,
        }
    }

    /// "Yes" or "No".
    pub fn yes_no(&self, value: bool) -> &'static str {
        if value { self.yes } else { self.no }
    }

    /// Why a test-client parameter was refused.
    pub fn param_problem_text(&self, problem: ParamProblem) -> &'static str {
        match problem {
            ParamProblem::Integer => self.param_not_int,
            ParamProblem::Number => self.param_not_number,
            ParamProblem::Boolean => self.param_not_boolean,
            ParamProblem::JsonObject => self.param_not_object,
        }
    }

    /// A parameter type's name.
    pub fn param_kind_name(&self, kind: ParamKind) -> &'static str {
        match kind {
            ParamKind::String => self.kind_string,
            ParamKind::Int => self.kind_int,
            ParamKind::Boolean => self.kind_boolean,
            ParamKind::Double => self.kind_double,
            ParamKind::StructJson => self.kind_struct,
        }
    }

    /// A role's name (an unknown role is shown as the server names it).
    pub fn role_name(&self, role: &str) -> String {
        match Role::from_name(role) {
            Some(Role::Admin) => self.role_admin,
            Some(Role::Counsellor) => self.role_counsellor,
            Some(Role::Teacher) => self.role_teacher,
            Some(Role::Student) => self.role_student,
            None => return role.to_owned(),
        }
        .to_owned()
    }

    /// Why the date filters were refused.
    pub fn date_problem(&self, problem: DateProblem) -> &'static str {
        match problem {
            DateProblem::BadFrom => self.date_bad_from,
            DateProblem::BadUntil => self.date_bad_until,
            DateProblem::Reversed => self.date_reversed,
        }
    }

    /// An audit entry's direction.
    pub fn direction(&self, direction: &str) -> String {
        match direction {
            "in" => self.direction_in.to_owned(),
            "out" => self.direction_out.to_owned(),
            other => other.to_owned(),
        }
    }

    /// An audit entry's outcome.
    pub fn outcome(&self, outcome: &str) -> String {
        match outcome {
            "ok" => self.outcome_ok.to_owned(),
            "fault" => self.outcome_fault.to_owned(),
            "error" => self.outcome_error.to_owned(),
            other => other.to_owned(),
        }
    }

    /// How a message was protected.
    pub fn protection(&self, signed: bool, encrypted: bool) -> &'static str {
        match (signed, encrypted) {
            (true, true) => self.protection_signed_encrypted,
            (true, false) => self.protection_signed,
            (false, true) => self.protection_encrypted,
            (false, false) => self.protection_none,
        }
    }

    /// The `<DigestValue>` check.
    pub fn digest_text(&self, matches: Option<bool>) -> &'static str {
        match matches {
            Some(true) => self.digest_matches,
            Some(false) => self.digest_differs,
            None => self.digest_absent,
        }
    }
}

/// British/American-neutral English, the default.
pub const ENGLISH: AdminStrings = AdminStrings {
    nav_peers: "Peers",
    nav_test_client: "Test client",
    nav_site_key: "Site key",
    nav_people: "People",
    nav_activity: "Activity",
    title_peer: "Peer",
    title_activity_entry: "Activity entry",
    first_run_heading: "Setting up SchoolBridge",
    first_run_intro: "Three steps connect SchoolBridge to your Moodle. Each is ticked off here \
                      once it is done.",
    step_peer: "Add your Moodle",
    step_peer_how: "Enter its address; SchoolBridge fetches its certificate for you to check.",
    step_services: "Tick the services on both sides",
    step_services_how: |ours| {
        format!(
            "In Moodle: Site administration → Networking → Manage peers, add {ours} (application \
             type Moodle); on its Services tab tick schooltool_sis (Publish and Subscribe) and, \
             for single sign-on, SSO (Identity Provider) and SSO (Service Provider). Here, the \
             peer's services are on unless you switched them off. Ticked once the first school \
             records arrive from Moodle."
        )
    },
    step_sign_in: "Choose who may sign in",
    step_sign_in_how: "People from Moodle may not sign in until you allow it, one by one or \
                       everyone from a Moodle at once.",
    step_done: "✓ Done:",
    step_to_do: "To do:",
    any: "Any",
    unknown: "unknown",
    never: "never",
    none_held: "none held",
    saving: "Saving…",
    saved: "Saved.",
    yes: "Yes",
    no: "No",
    pages_label: "Pages",
    previous_page: "Previous page",
    next_page: "Next page",
    choose_peer: "Choose a peer…",
    detail: "Detail",
    days: |days| {
        if days == 1 {
            "1 day".to_owned()
        } else {
            format!("{days} days")
        }
    },
    col_name: "Name",
    col_wwwroot: "Address (wwwroot)",
    col_application: "Application",
    col_fingerprint: "Key fingerprint",
    col_key_expiry: "Key expiry",
    col_last_contact: "Last contact",
    col_health: "Health",
    col_service: "Service",
    col_publish: "We publish",
    col_subscribe: "We subscribe",
    col_apiversion: "API version",
    col_peer_publishes: "Peer publishes",
    col_peer_subscribes: "Peer subscribes",
    col_actions: "Actions",
    col_valid_until: "Valid until",
    col_retired: "Retired",
    col_select: "Select",
    col_username: "Username",
    col_source: "Comes from",
    col_roles: "Roles",
    col_login: "Sign-in",
    col_time: "Time",
    col_time_utc: "Time (UTC)",
    col_direction: "Direction",
    col_peer: "Peer",
    col_method: "Method",
    col_outcome: "Outcome",
    col_duration: "Duration",
    col_protection: "Protection",
    peers_heading: "Peers",
    peers_intro: "The Moodle (and Mahara) sites SchoolBridge exchanges signed and encrypted \
                  MNet messages with.",
    peers_empty: "No peers yet. Add your Moodle site to begin.",
    add_peer: "Add a peer",
    show_deleted: "Show deleted peers",
    health_ok: "working",
    health_failing: "failing",
    health_never: "no contact yet",
    health_deleted: "deleted",
    key_change_pending: "key changed",
    add_peer_heading: "Add a peer",
    add_peer_intro: "Enter the peer's address. SchoolBridge asks it for its certificate \
                     (MNet keyswap); nothing is stored until you confirm what you see.",
    field_peer_url: "Address",
    field_peer_url_hint: "The site's wwwroot, e.g. https://moodle.school.example",
    field_application: "Application",
    field_tls_verify: "Verify the peer's TLS certificate",
    field_tls_verify_hint: "Leave on unless the peer uses a self-signed HTTPS certificate on a \
                            network you control.",
    field_peer_name: "Name",
    fetch_certificate: "Fetch certificate",
    fetching_certificate: "Fetching certificate…",
    address_empty: "Enter the peer's address.",
    address_no_scheme: "Start the address with https:// (or http://).",
    address_bad_characters: "An address has no spaces.",
    address_no_host: "The address needs a host name after https://.",
    review_certificate_heading: "Check the certificate",
    review_certificate_intro: "Your browser has read the certificate the peer sent. Before \
                               you trust it, compare it with what your Moodle shows for itself: \
                               in Moodle, Site administration → Networking → Settings shows this \
                               site's Public key and the date it is Valid until. The certificate \
                               as text (below the details) must be the same text, and the dates \
                               must agree. Moodle shows no fingerprint.",
    preview_restores_deleted: "A deleted peer with this address exists; confirming restores it \
                               with this certificate.",
    cert_names_address: "The certificate names this address, as Moodle requires.",
    cert_does_not_name_address: |why| format!("The certificate does not name this address: {why}"),
    cannot_confirm: "This certificate cannot be confirmed: your browser could not read it, or \
                     its fingerprint differs from the server's.",
    confirm_peer: "Trust this certificate and add the peer",
    peer_added_heading: "The peer is added. Next:",
    peer_added_in_moodle: |ours| {
        format!(
            "In Moodle, as its administrator: Site administration → Networking → Manage peers, \
             add {ours} with application type Moodle, check that the certificate is \
             SchoolBridge's (it is on SchoolBridge's Site key page) and save. Then, on that \
             peer's Services tab, tick schooltool_sis (Publish and Subscribe) and, for single \
             sign-on, SSO (Identity Provider) and SSO (Service Provider)."
        )
    },
    peer_added_here: "Here: the services below are switched on; press Verify now once Moodle \
                      knows SchoolBridge, and allow people from Moodle to sign in on the People \
                      page.",
    last_error: "Last error",
    open_in_test_client: "Open in the test client",
    verify_heading: "Check the connection",
    verify_intro: "Calls system/listServices on the peer, signed and encrypted, and reads the \
                   signed reply.",
    verify_now: "Verify now",
    verifying: "Verifying…",
    verify_ok: |millis| format!("The round trip worked ({millis} ms)."),
    verify_failed: |millis| format!("The round trip failed ({millis} ms)."),
    verify_no_diagnosis: "No further explanation was given.",
    verify_peer_offers: "The peer reports these services:",
    peer_publishes_and_subscribes: "it publishes and subscribes",
    peer_publishes: "it publishes",
    peer_subscribes: "it subscribes",
    peer_neither: "switched off on its side",
    services_heading: "Services",
    services_intro: "Publish: SchoolBridge serves the service to this peer. Subscribe: \
                     SchoolBridge calls the service on this peer. Changes apply at once.",
    publish_label: |service| format!("Publish {service} to this peer"),
    subscribe_label: |service| format!("Subscribe to {service} on this peer"),
    service_sis: "Student records pushed from Moodle",
    service_sso_idp: "Single sign-on: identity provider",
    service_sso_sp: "Single sign-on: service provider",
    service_other: "Another MNet service",
    sso_heading: "Single sign-on as the peer offers it",
    sso_in: |peer| format!("People of {peer} open SchoolBridge signed in:"),
    sso_out: |peer| format!("SchoolBridge's people open {peer} signed in:"),
    sso_not_offered: "not offered by the peer (see the Moodle side of README.md)",
    sso_stock: "through Moodle's own MNet authentication (auth_mnet)",
    sso_ours: "through SchoolBridge's single sign-on plugin (auth_schoolbridge)",
    sso_other: |path| format!("through the peer's methods at {path}"),
    sso_land_page: |path| format!("yes, arriving at {path}"),
    sso_learned: |when| format!("As the peer said on {when}. Verify now asks it again."),
    sso_not_learned: "The peer was not asked yet; Moodle's own paths are assumed. Verify now asks it.",
    key_heading: "Key",
    key_changed_heading: "This peer's key has changed",
    key_changed_text: "The peer now publishes a different certificate. Until you accept it, \
                       messages signed with it are refused. Accept only if you expected the \
                       change (for example, the Moodle administrator renewed the key).",
    accept_key: "Accept the new key",
    accept_key_question: "Trust the new certificate shown above for this peer from now on?",
    accept_key_yes: "Yes, accept it",
    review_intro: "Fetch the certificate the peer publishes now and compare it with the one held.",
    review_key: "Review key",
    review_unchanged: "The peer publishes the key SchoolBridge holds.",
    review_changed: "The peer publishes a different key: review it above.",
    settings_heading: "Settings",
    delete_heading: "Delete",
    delete_intro: "A deleted peer gets no traffic either way; its records stay and it can be \
                   restored.",
    delete_peer: "Delete peer",
    delete_question: "Delete this peer? Every exchange with it stops until it is restored.",
    delete_yes: "Yes, delete",
    peer_is_deleted: "This peer is deleted: no messages go to it or are accepted from it.",
    restore_peer: "Restore peer",
    test_client_heading: "Test client",
    test_client_intro: "Call any MNet method on a peer with SchoolBridge's keys, as Moodle's \
                        test client does. Replies are checked in your browser.",
    test_client_no_peers: "There are no live peers to test. Add a peer first.",
    field_peer: "Peer",
    peer_services_caption: "Services the peer reports",
    no_services: "The peer reports no services.",
    no_methods: "The peer lists no methods.",
    all_services: "all services",
    list_all_methods: "List every method",
    list_methods_of: |service| format!("Methods of {service}"),
    methods_of: |service| format!("Methods of {service}"),
    signature_loaded: |count| match count {
        0 => "This method takes no parameters.".to_owned(),
        1 => "The form has the method's parameter.".to_owned(),
        n => format!("The form has the method's {n} parameters."),
    },
    signature_unavailable: "The peer did not describe this method's parameters; add them by hand.",
    call_heading: "Call a method",
    field_method: "Method",
    field_method_hint: "e.g. system/listServices or auth/mnet/auth.php/user_authorise",
    method_required: "Enter a method to call.",
    parameters: "Parameters",
    param_type_label: |n| format!("Type of parameter {n}"),
    param_value_label: |n| format!("Value of parameter {n}"),
    remove_param: |n| format!("Remove parameter {n}"),
    add_param: "Add a parameter",
    param_problem: |n, problem| format!("Parameter {n}: {problem}"),
    param_not_int: "not a whole number.",
    param_not_number: "not a number.",
    param_not_boolean: "use true or false (or 1 or 0).",
    param_not_object: "write a JSON object, e.g. {\"name\": \"value\"}.",
    kind_string: "string",
    kind_int: "int",
    kind_boolean: "boolean",
    kind_double: "double",
    kind_struct: "struct (JSON)",
    call_method: "Call",
    calling: "Calling…",
    call_took: |millis| format!("Round trip: {millis} ms."),
    call_no_result: "No result.",
    server_reading: "The reply could not be verified in your browser; this is the server's reading:",
    raw_request_xmlrpc: "Request (XML-RPC)",
    raw_request_envelope: "Request envelope (signed, before encryption)",
    raw_reply_envelope: "Reply envelope (signed, after decryption)",
    raw_envelope: "The envelope as stored",
    decoded_method: "Method:",
    decoded_no_params: "No parameters.",
    fault_line: |code, text| format!("Fault {code}: {text}"),
    not_xmlrpc: |why| format!("Not XML-RPC: {why}"),
    sig_valid: |fp| {
        format!("Signature verified in your browser with the peer's certificate ({fp}).")
    },
    sig_invalid: |fp| {
        format!(
            "The signature does NOT verify with the certificate held ({fp}). The message was altered, or signed with another (perhaps older) key."
        )
    },
    sig_no_envelope: "There is no signed reply to check.",
    sig_no_certificate: "SchoolBridge holds no certificate for the signer, so the signature cannot be checked.",
    sig_bad_certificate: |why| format!("The signer's certificate could not be read: {why}"),
    sig_not_signed: "This message is not signed.",
    sig_unreadable: |why| format!("The signed envelope could not be read: {why}"),
    site_key_heading: "Site key",
    site_key_intro: "SchoolBridge's own certificate: peers encrypt to it and check our signatures \
                     with it. A Moodle administrator can check that Moodle holds this one: Site \
                     administration → Networking → Manage peers → SchoolBridge shows its Public \
                     key (the certificate as text) and the date it is Valid until.",
    our_wwwroot: "Our address",
    key_lifetime: "Key lifetime",
    current_key: "Current certificate",
    rotate_heading: "Rotate",
    rotate_intro: "Make a new key now. Peers learn it the next time they call (Moodle's 7025 \
                   exchange); the old key stays archived so messages already sealed to it \
                   still open.",
    rotate_now: "Rotate now",
    rotate_question: "Make a new site key now? Peers switch to it on their next call.",
    rotate_yes: "Yes, rotate",
    rotated_notice: "A new key is in use. Peers learn it on their next call.",
    archived_heading: "Archived keys",
    archived_intro: "Older keys that still open messages sealed to them, newest first.",
    archived_empty: "No archived keys.",
    people_heading: "People",
    people_intro_admin: "Everyone SchoolBridge knows: local accounts and people from peers. \
                         People who arrive from Moodle cannot sign in until you grant it.",
    people_intro_reader: "Everyone SchoolBridge knows: local accounts and people from peers.",
    people_empty: "Nobody matches.",
    field_search: "Search",
    field_role: "Role",
    field_login: "Sign-in",
    field_source: "Comes from",
    search: "Search",
    role_admin: "administrator",
    role_counsellor: "counsellor",
    role_teacher: "teacher",
    role_student: "student",
    login_allowed: "may sign in",
    login_withdrawn: "no sign-in",
    local_account: "SchoolBridge account",
    grant: "Allow",
    withdraw: "Withdraw",
    grant_for: |name| format!("Allow {name} to sign in"),
    withdraw_for: |name| format!("Withdraw {name}'s sign-in"),
    select_person: |name| format!("Select {name}"),
    roles_for: |name| format!("Roles of {name}"),
    edit_roles: "Edit roles",
    no_roles: "none",
    bulk_heading: "Sign-in rights",
    selected_count: |n| match n {
        0 => "Nobody selected.".to_owned(),
        1 => "1 person selected.".to_owned(),
        n => format!("{n} people selected."),
    },
    grant_selected: "Allow the selected to sign in",
    withdraw_selected: "Withdraw from the selected",
    everyone_from: "Everyone from",
    holding_role: "holding role",
    grant_peer: "Allow all",
    withdraw_peer: "Withdraw from all",
    grant_peer_question: |peer, role| match role {
        Some(role) => format!(
            "Allow everyone from {peer} who is a {role} there to sign in to SchoolBridge? Roles \
             come from the enrolments Moodle sends."
        ),
        None => format!("Allow everyone from {peer} to sign in to SchoolBridge?"),
    },
    grant_peer_yes: "Yes, allow them",
    withdraw_peer_question: |peer, role| match role {
        Some(role) => format!(
            "Withdraw sign-in from everyone from {peer} who is a {role} there? Their open \
             sessions end at once."
        ),
        None => {
            format!("Withdraw sign-in from everyone from {peer}? Their open sessions end at once.")
        }
    },
    withdraw_peer_yes: "Yes, withdraw it",
    roles_from_moodle: "from Moodle's enrolments",
    rights_changed: |n| match n {
        1 => "Sign-in rights changed for 1 person.".to_owned(),
        n => format!("Sign-in rights changed for {n} people."),
    },
    new_person_heading: "Create a local account",
    new_person_intro: "For staff who do not come through Moodle.",
    create_account: "Create account",
    person_created: |name| format!("Account created for {name}."),
    activity_heading: "Activity",
    activity_intro: "Every MNet message SchoolBridge received or sent, newest first. Open an \
                     entry to check its signature in your browser.",
    activity_empty: "No activity matches.",
    filters_label: "Filters",
    field_from: "From (UTC)",
    field_until: "Until (UTC)",
    apply_filters: "Apply",
    date_bad_from: "The \"From\" date is not a date.",
    date_bad_until: "The \"Until\" date is not a date.",
    date_reversed: "\"Until\" is before \"From\".",
    newer_entries: "Newer",
    older_entries: "Older",
    direction_in: "received",
    direction_out: "sent",
    outcome_ok: "ok",
    outcome_fault: "fault",
    outcome_error: "error",
    protection_signed_encrypted: "signed, encrypted",
    protection_signed: "signed",
    protection_encrypted: "encrypted",
    protection_none: "plain",
    entry_heading: |id| format!("Activity entry {id}"),
    envelope_heading: "Envelope",
    no_envelope: "No envelope is kept for this entry.",
    envelope_note: |note| format!("Why: {note}."),
    envelope_encrypted: |sender| {
        format!(
            "Encrypted, claiming to come from {sender}. It was not opened, and only SchoolBridge's private key could open it; there is nothing the browser can verify."
        )
    },
    envelope_unsigned: "Not signed: plain XML-RPC (only key exchange travels this way).",
    envelope_other: "Not an MNet envelope (for a key exchange, the certificate that was received).",
    claimed_sender: "Sender (as claimed)",
    claimed_time: "Sent at (as claimed)",
    digest: "DigestValue",
    digest_matches: "matches the content",
    digest_differs: "does not match the content (Moodle never checks it; the signature is what counts)",
    digest_absent: "absent",
    signer_certificate: "Signer's certificate",
    verify_signature: "Verify signature",
    verify_signature_hint: "Checks RSA-SHA1 over the stored content in your browser, with the \
                            signer's certificate; the server's word is not needed.",
    decoded_heading: "Content",
    decoded_verified: "Verified content:",
    decoded_unverified: "Not verified yet: this is what the envelope says.",
};

/// Network administration's texts.
pub fn admin() -> &'static AdminStrings {
    &ENGLISH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_decision_has_words() {
        let a = admin();
        for problem in [
            AddressProblem::Empty,
            AddressProblem::NoScheme,
            AddressProblem::BadCharacters,
            AddressProblem::NoHost,
        ] {
            assert!(!a.address_problem(problem).is_empty());
        }
        for kind in ParamKind::ALL {
            assert!(!a.param_kind_name(kind).is_empty());
        }
        assert_eq!(a.role_name("counsellor"), "counsellor");
        assert_eq!(a.role_name("principal"), "principal");
        assert_eq!(a.protection(true, true), "signed, encrypted");
        assert_eq!(
            (a.rights_changed)(3),
            "Sign-in rights changed for 3 people."
        );
        assert_eq!(a.peer_side(false, false), "switched off on its side");
    }
}
