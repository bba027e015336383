//! A SchoolBridge stand-in for push tests, built on the `mnet` crate alone: a plain keyswap
//! returns its certificate (and, unless told otherwise, remembers the caller's); signed and
//! encrypted calls are opened, verified against the caller's certificate and answered by a
//! script; an unknown caller gets a plain 7020.
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use mnet::envelope::{Cipher, Inbound, PublicKeyPath, Wrapping};
use mnet::fault::MnetFault;
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::{Limits, Struct, Value, parse_call, write_mnet_fault, write_response};
use moodle_sim::SiteIdentity;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Answers the `n`-th call (from 0) of `method` with its struct, or a fault.
pub type Script = dyn Fn(usize, &str, &Struct) -> Result<Struct, (i32, String)> + Send + Sync;

pub struct Stub {
    pub wwwroot: String,
    pub calls: Arc<Mutex<Vec<(String, Struct)>>>,
    _server: tokio::task::JoinHandle<()>,
}

struct StubState {
    wwwroot: String,
    key: SitePrivateKey,
    pem: String,
    accept_peers: AtomicBool,
    peers: Mutex<HashMap<String, PeerCertificate>>,
    calls: Arc<Mutex<Vec<(String, Struct)>>>,
    counter: AtomicUsize,
    script: Box<Script>,
}

pub async fn start(accept_peers: bool, script: Box<Script>) -> Stub {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let wwwroot = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let key = tokio::task::spawn_blocking(|| super::support::key(4))
        .await
        .unwrap();
    let identity =
        SiteIdentity::moodle_shaped(key.clone(), &wwwroot, "SchoolBridge stub", 1_790_000_000)
            .unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let state = Arc::new(StubState {
        wwwroot: wwwroot.clone(),
        key,
        pem: identity.certificate_pem().to_owned(),
        accept_peers: AtomicBool::new(accept_peers),
        peers: Mutex::new(HashMap::new()),
        calls: Arc::clone(&calls),
        counter: AtomicUsize::new(0),
        script,
    });
    let app = axum::Router::new()
        .route("/mnet/xmlrpc/server.php", post(endpoint))
        .with_state(state);
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Stub {
        wwwroot,
        calls,
        _server: server,
    }
}

async fn endpoint(State(state): State<Arc<StubState>>, body: Bytes) -> Vec<u8> {
    let limits = Limits::default();
    match Inbound::classify(body.trim_ascii(), &limits).unwrap() {
        Inbound::Plain(doc) => {
            let call = parse_call(&doc, &limits).unwrap();
            assert_eq!(call.method_name, "system/keyswap");
            if state.accept_peers.load(Ordering::SeqCst) {
                let (who, pem) = (
                    call.params[0].as_str().unwrap(),
                    call.params[1].as_str().unwrap(),
                );
                state
                    .peers
                    .lock()
                    .unwrap()
                    .insert(who.to_owned(), PeerCertificate::from_pem(pem).unwrap());
            }
            write_response(&Value::from(state.pem.as_str())).into_bytes()
        }
        Inbound::Signed(_) => MnetFault::ForbiddenTransport.to_xml().into_bytes(),
        Inbound::Encrypted(envelope) => {
            let from = envelope.claimed_wwwroot().to_owned();
            let Some(cert) = state.peers.lock().unwrap().get(&from).cloned() else {
                return MnetFault::WrongWwwroot(from).to_xml().into_bytes();
            };
            let opened = envelope.open(&[&state.key], &mut rand::rng()).unwrap();
            let verified = opened
                .signed_envelope(&limits)
                .unwrap()
                .verify(&cert)
                .unwrap();
            let call = parse_call(&verified.payload, &limits).unwrap();
            let fields = call.params[0].as_struct().unwrap().clone();
            state
                .calls
                .lock()
                .unwrap()
                .push((call.method_name.clone(), fields.clone()));
            let n = state.counter.fetch_add(1, Ordering::SeqCst);
            let xml = match (state.script)(n, &call.method_name, &fields) {
                Ok(reply) => write_response(&Value::Struct(reply)),
                Err((code, text)) => write_mnet_fault(code, &text),
            };
            Wrapping {
                sign_with: Some(&state.key),
                encrypt_to: Some(&cert),
                wwwroot: &state.wwwroot,
                timestamp: verified.timestamp.unwrap_or(0),
                cipher: Cipher::Rc4,
                publickey_path: PublicKeyPath::Moodle,
            }
            .wrap(xml.as_bytes(), &mut rand::rng())
            .unwrap()
        }
    }
}

/// The reply SchoolBridge gives to an accepted change.
pub fn created(fields: &Struct) -> Struct {
    Struct::new()
        .with("status", "created")
        .with(
            "idnumber",
            fields.get("idnumber").cloned().unwrap_or(Value::from("")),
        )
        .with(
            "eventid",
            fields.get("eventid").cloned().unwrap_or(Value::from("")),
        )
}
