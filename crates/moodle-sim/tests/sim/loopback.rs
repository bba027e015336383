//! Two simulated sites talking to each other over loopback: keyswap both ways, signed and
//! encrypted system calls, SSO confirmation, key rotation (7025), refusals (7020, 7021, 713),
//! clock skew, and the plugin's two methods.
use super::support::{key, pair, site};
use mnet::client::ReplyError;
use mnet::envelope::{Cipher, Inbound, PublicKeyPath, seal_envelope, sign_envelope};
use mnet::services::{MOODLE_LIST_USER_ENROLMENTS, MOODLE_REQUEST_FULL_SYNC, listed_services};
use mnet::sso::USER_AUTHORISE_KEYS;
use mnet::xmlrpc::{Limits, MethodResponse, Value, parse_response, write_call};
use moodle_sim::sso::sha1_hex;
use moodle_sim::{CallOutcome, Reply, SimError, SiteIdentity, Transport};
use std::time::Duration;

async fn post(url: &str, body: String) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyswap_both_ways_then_signed_encrypted_system_calls() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let (at_a, at_b) = (a.peer(b.wwwroot()).unwrap(), b.peer(a.wwwroot()).unwrap());
    assert_eq!(at_a.certificate.pem(), b.certificate_pem());
    assert_eq!(at_b.certificate.pem(), a.certificate_pem());
    assert_eq!(
        at_a.name, "Home | sim1",
        "as Moodle: the name comes from the peer's <title>"
    );
    assert_eq!(at_a.id, 3, "peer ids start at 3 as in Moodle");

    let Reply::Value(answer @ Value::Array(_)) = a
        .call(b.wwwroot(), "system/listServices", vec![])
        .await
        .unwrap()
    else {
        panic!("listServices answers an array")
    };
    let names: Vec<_> = listed_services(&answer)
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["schooltool_sis", "sso_idp", "sso_sp"]);
    for service in answer.list_lenient().unwrap() {
        let s = service.as_struct().unwrap();
        assert!(matches!(s.get("name"), Some(Value::String(_))));
        for field in ["apiversion", "publish", "subscribe"] {
            assert_eq!(
                s.get(field),
                Some(&Value::from("1")),
                "capture 20: every value a string"
            );
        }
    }
    let last = b.received_calls().pop().unwrap();
    assert_eq!(last.method.as_deref(), Some("system/listServices"));
    assert_eq!(
        (last.transport, last.outcome),
        (Transport::Encrypted, CallOutcome::Answered)
    );
    assert_eq!(last.from.as_deref(), Some(a.wwwroot()));

    let Reply::Value(Value::Array(idp)) = a
        .call(
            b.wwwroot(),
            "system/listMethods",
            vec![Value::from("sso_idp")],
        )
        .await
        .unwrap()
    else {
        panic!()
    };
    assert_eq!(idp.len(), 7);
    let signature = a
        .call(
            b.wwwroot(),
            "system/methodSignature",
            vec![Value::from("auth/mnet/auth.php/user_authorise")],
        )
        .await
        .unwrap()
        .into_value()
        .unwrap();
    let s = signature.as_struct().unwrap();
    assert_eq!(
        s.get("parameters").unwrap().list_lenient().unwrap().len(),
        2
    );
    assert_eq!(
        s.get("return").unwrap().as_struct().unwrap().get("type"),
        Some(&Value::from("array"))
    );
    // Unknown system method: the library's fault 17 (capture 27); unknown path: 7012 (capture 28).
    let listfiles = a
        .call(b.wwwroot(), "system/listFiles", vec![])
        .await
        .unwrap();
    assert_eq!(
        listfiles,
        Reply::Fault(mnet::xmlrpc::Fault {
            code: 17,
            string: "Internal server error".into()
        })
    );
    let forum = a
        .call(b.wwwroot(), "mod/forum/lib.php/forum_add_instance", vec![])
        .await
        .unwrap();
    assert_eq!(forum.fault_code(), Some(7012));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_authorise_confirms_a_jump_token_within_its_window() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let ua = "Mozilla/5.0 (X11; Linux x86_64) moodle-sim-test";
    let token = a.create_sso_token("nkim", b.wwwroot(), ua).unwrap();
    assert_eq!(token.len(), 40);
    let authorise = |token: &str, ua: &str| {
        b.call(
            a.wwwroot(),
            "auth/mnet/auth.php/user_authorise",
            vec![Value::from(token), Value::from(sha1_hex(ua))],
        )
    };
    assert_eq!(
        authorise(&token, "curl/8").await.unwrap().fault_code(),
        Some(1),
        "bound to the user agent"
    );
    let Reply::Value(Value::Struct(user)) = authorise(&token, ua).await.unwrap() else {
        panic!("a struct")
    };
    let names: Vec<&str> = user.iter().map(|(n, _)| n).collect();
    assert_eq!(
        names, USER_AUTHORISE_KEYS,
        "capture 25's members, in its order"
    );
    assert_eq!(user.get("username"), Some(&Value::from("nkim")));
    assert_eq!(user.get("auth"), Some(&Value::from("mnet")));
    assert_eq!(user.get("wwwroot"), Some(&Value::from(a.wwwroot())));
    assert_eq!(
        user.get("session.gc_maxlifetime"),
        Some(&Value::from("1440"))
    );
    assert_eq!(
        user.get("myhosts"),
        Some(&Value::Array(vec![])),
        "nkim has no course left"
    );
    // As auth_mnet: the token is not spent by confirming it; within its 30 s it confirms again.
    let again = authorise(&token, ua).await.unwrap().into_value().unwrap();
    assert_eq!(
        again.as_struct().unwrap().get("username"),
        Some(&Value::from("nkim"))
    );
    let wrong_ua = authorise(&token, "curl/8").await.unwrap();
    assert_eq!(wrong_ua.fault_code(), Some(1), "bound to the user agent");
    assert!(
        matches!(wrong_ua, Reply::Fault(_)),
        "signed and encrypted, like capture 24"
    );
    assert_eq!(
        authorise("0".repeat(40).as_str(), ua)
            .await
            .unwrap()
            .fault_code(),
        Some(1)
    );

    // The teacher still has her course: myhosts counts it.
    let token = a.create_sso_token("cdubois", b.wwwroot(), ua).unwrap();
    let user = authorise(&token, ua).await.unwrap().into_value().unwrap();
    let hosts = user
        .as_struct()
        .unwrap()
        .get("myhosts")
        .unwrap()
        .list_lenient()
        .unwrap();
    assert_eq!(
        hosts[0].as_struct().unwrap().get("count"),
        Some(&Value::Int(1))
    );
    assert!(matches!(
        a.create_sso_token("nobody", b.wwwroot(), ua),
        Err(SimError::UnknownUser(_))
    ));

    // The confirmation window is 30 s (fault 2 after it). Both clocks move, so that B's client
    // does not refuse A's reply as coming from the future.
    let token = a.create_sso_token("nkim", b.wwwroot(), ua).unwrap();
    a.set_clock_offset(31);
    b.set_clock_offset(31);
    assert_eq!(authorise(&token, ua).await.unwrap().fault_code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_rotation_answers_7025_and_the_caller_retries_once() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let new_key = tokio::task::spawn_blocking(|| key(2)).await.unwrap();
    let old_pem = b.certificate_pem();
    b.rotate_key(new_key).unwrap();
    assert_ne!(b.certificate_pem(), old_pem);
    assert_eq!(b.archived_certificates()[0].pem(), old_pem);

    // A still seals to B's old certificate: B answers 7025 with its new PEM, A stores it and
    // sends the same signed request again, which B answers.
    let reply = a
        .call(b.wwwroot(), "system/listServices", vec![])
        .await
        .unwrap();
    assert!(matches!(reply, Reply::Value(Value::Array(_))));
    assert_eq!(
        a.peer(b.wwwroot()).unwrap().certificate.pem(),
        b.certificate_pem()
    );
    let outcomes: Vec<CallOutcome> = b
        .received_calls()
        .iter()
        .rev()
        .take(2)
        .map(|c| c.outcome)
        .collect();
    assert_eq!(outcomes, [CallOutcome::Answered, CallOutcome::Fault(7025)]);
    let (first, second) = {
        let calls = b.received_calls();
        (
            calls[calls.len() - 2].clone(),
            calls[calls.len() - 1].clone(),
        )
    };
    assert_eq!(first.method, second.method);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_signing_key_is_learnt_through_keyswap_and_7025() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let new_key = tokio::task::spawn_blocking(|| key(3)).await.unwrap();
    b.rotate_key(new_key).unwrap();
    // B signs with its new key; A holds B's old certificate, so the signature fails. A then
    // asks B for its key (keyswap), sees it changed, and refreshes it with a listServices call
    // that B answers with 7025 (§5.2 step 2). The call goes through.
    let reply = b
        .call(a.wwwroot(), "system/listMethods", vec![])
        .await
        .unwrap();
    assert!(matches!(reply, Reply::Value(Value::Array(_))), "{reply:?}");
    assert_eq!(
        a.peer(b.wwwroot()).unwrap().certificate.pem(),
        b.certificate_pem()
    );
    let at_b: Vec<(Option<String>, CallOutcome)> = b
        .received_calls()
        .into_iter()
        .map(|c| (c.method, c.outcome))
        .collect();
    assert!(at_b.contains(&(Some("system/keyswap".into()), CallOutcome::Answered)));
    assert!(at_b.contains(&(Some("system/listServices".into()), CallOutcome::Fault(7025))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_deleted_peers_get_a_plain_7020() {
    let ((a, _ha), (b, _hb)) = (site(0).await, site(1).await);
    b.set_register_all_hosts(false);
    a.add_peer(b.wwwroot()).await.unwrap();
    assert!(b.peer(a.wwwroot()).is_none(), "register all hosts is off");
    let reply = a
        .call(b.wwwroot(), "system/listServices", vec![])
        .await
        .unwrap();
    let Reply::PlainFault(fault) = reply else {
        panic!("a plain fault: {reply:?}")
    };
    assert_eq!(fault.code, 7020);
    assert_eq!(
        fault.string,
        format!("{}/wrong-wwwroot", a.wwwroot()),
        "capture 10 (sic)"
    );

    b.add_peer(a.wwwroot()).await.unwrap();
    assert!(
        a.call(b.wwwroot(), "system/listServices", vec![])
            .await
            .unwrap()
            .fault_code()
            .is_none()
    );
    assert!(b.delete_peer(a.wwwroot()));
    assert_eq!(
        a.call(b.wwwroot(), "system/listServices", vec![])
            .await
            .unwrap()
            .fault_code(),
        Some(7020)
    );
    assert!(matches!(
        b.call(a.wwwroot(), "system/listServices", vec![]).await,
        Err(SimError::UnknownPeer(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_keyswap_is_served_unencrypted() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let url = format!("{}/mnet/xmlrpc/server.php", b.wwwroot());
    let limits = Limits::default();
    let fault_code = |text: &str| match parse_response(text.as_bytes(), &limits).unwrap() {
        MethodResponse::Fault(f) => f.code,
        MethodResponse::Success(v) => panic!("not a fault: {v:?}"),
    };
    // Plain calls: 7021 (captures 02–04, 06), except keyswap (capture 01) and its dotted
    // form, which fails the name pattern (capture 05).
    for method in [
        "system/listServices",
        "auth/mnet/auth.php/user_authorise",
        "/etc/passwd",
    ] {
        let (status, body) = post(&url, write_call(method, &[])).await;
        assert_eq!((status, fault_code(&body)), (200, 7021), "{method}");
    }
    let (_, body) = post(&url, write_call("system.keyswap", &[])).await;
    assert_eq!(fault_code(&body), 713);
    let keyswap = mnet::client::keyswap_request(a.wwwroot(), &a.certificate_pem(), "moodle");
    let (_, body) = post(&url, keyswap).await;
    assert!(
        body.contains("&#10;"),
        "the PEM's newlines as character references (capture 01)"
    );
    let cert = mnet::client::read_keyswap_reply(body.as_bytes(), b.wwwroot(), &limits).unwrap();
    assert_eq!(cert.pem(), b.certificate_pem());

    // Signed but not encrypted: 7021, signed (captures 11, 26).
    let payload = write_call("system/listServices", &[]);
    let signed = sign_envelope(
        payload.as_bytes(),
        &key(0),
        a.wwwroot(),
        a.now(),
        PublicKeyPath::Moodle,
        &mut rand::rng(),
    )
    .unwrap();
    let (status, body) = post(&url, signed).await;
    assert_eq!(status, 200);
    let Inbound::Signed(envelope) = Inbound::classify(body.as_bytes(), &limits).unwrap() else {
        panic!("a signed reply")
    };
    assert_eq!(envelope.claimed_wwwroot(), b.wwwroot());
    let verified = envelope.verify(&b.certificate()).unwrap();
    assert_eq!(
        fault_code(std::str::from_utf8(&verified.payload).unwrap()),
        7021
    );

    // Not MNet at all: Moodle 4.5's HTML page with 404 (§14).
    let (status, body) = post(&url, String::new()).await;
    assert_eq!(status, 404);
    assert!(body.contains("<title>"));
    let get = reqwest::get(&url).await.unwrap();
    assert_eq!(get.status().as_u16(), 404);
    // An envelope no key of B opens: plain 7023.
    let other = tokio::task::spawn_blocking(|| key(4)).await.unwrap();
    let stranger = SiteIdentity::moodle_shaped(other, "http://x.example", "X", a.now()).unwrap();
    let sealed = seal_envelope(
        b"<?xml version=\"1.0\"?>\n<signedMessage></signedMessage>",
        stranger.certificate(),
        a.wwwroot(),
        Cipher::Rc4,
        &mut rand::rng(),
    )
    .unwrap();
    let (_, body) = post(&url, sealed).await;
    assert_eq!(fault_code(&body), 7023);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_clock_ahead_is_refused_by_the_caller() {
    let ((a, _ha), (b, _hb)) = pair().await;
    b.set_clock_offset(60);
    let refused = a.call(b.wwwroot(), "system/listServices", vec![]).await;
    assert!(
        matches!(
            refused,
            Err(SimError::Reply {
                source: ReplyError::ClockAhead { .. },
                ..
            })
        ),
        "{refused:?}"
    );
    // A clock behind is never refused (§5.3).
    b.set_clock_offset(-3600);
    assert!(
        a.call(b.wwwroot(), "system/listServices", vec![])
            .await
            .is_ok()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_methods_list_enrolments_and_queue_a_full_sync() {
    let ((a, _ha), (b, _hb)) = pair().await;
    let list = b
        .call(
            a.wwwroot(),
            MOODLE_LIST_USER_ENROLMENTS,
            vec![Value::from("cdubois")],
        )
        .await
        .unwrap()
        .into_value()
        .unwrap();
    let entries = list.list_lenient().unwrap();
    assert_eq!(entries.len(), 1);
    let e = entries[0].as_struct().unwrap();
    assert_eq!(
        e.get("sectionid"),
        Some(&Value::from("moodle-course-830001"))
    );
    assert_eq!(e.get("role"), Some(&Value::from("teacher")));
    assert_eq!(e.get("status"), Some(&Value::from("active")));
    let none = b
        .call(
            a.wwwroot(),
            MOODLE_LIST_USER_ENROLMENTS,
            vec![Value::from("nobody")],
        )
        .await
        .unwrap();
    assert_eq!(none, Reply::Value(Value::Array(vec![])));
    let missing = b
        .call(a.wwwroot(), MOODLE_LIST_USER_ENROLMENTS, vec![])
        .await
        .unwrap();
    assert_eq!(missing.fault_code(), Some(17));

    let queued = b
        .call(a.wwwroot(), MOODLE_REQUEST_FULL_SYNC, vec![])
        .await
        .unwrap()
        .into_value()
        .unwrap();
    assert_eq!(
        queued.as_struct().unwrap().get("status"),
        Some(&Value::from("queued"))
    );
    // A now pushes its school to B, which does not publish schooltool_sis: 7012 stops it.
    let mut seen = None;
    for _ in 0..100 {
        seen = b
            .received_calls()
            .into_iter()
            .find(|c| c.method.as_deref() == Some("schooltool/sis/fetch_user"));
        if seen.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen = seen.expect("the full sync reached B");
    assert_eq!(seen.outcome, CallOutcome::Fault(7012));
    let first = seen.params[0].as_struct().unwrap();
    assert!(
        first
            .get("eventid")
            .unwrap()
            .as_str()
            .unwrap()
            .contains("-sync1-")
    );
}
