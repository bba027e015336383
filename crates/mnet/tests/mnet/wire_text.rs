//! Literal wire-text pairs for the XML-RPC layer: the formattings of every PHP generation and
//! Python, and what must be refused.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mnet::xmlrpc::{
    Limits, MethodResponse, ParseError, Struct, Value, parse_call, parse_response, write_call,
    write_mnet_fault, write_response,
};

fn call(doc: &str) -> Result<mnet::xmlrpc::MethodCall, ParseError> {
    parse_call(doc.as_bytes(), &Limits::default())
}

fn one_param(doc: &str) -> Value {
    let mut c = call(doc).unwrap();
    assert_eq!(c.params.len(), 1);
    c.params.remove(0)
}

#[test]
fn xmlrpc_epi_indented_call_with_entities() {
    // Moodle ≤ 4.0 (xmlrpc-epi): single-space indentation, non-ASCII as character references.
    let doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<methodCall>\n<methodName>schooltool/sis/fetch_user</methodName>\n<params>\n <param>\n  <value>\n   <struct>\n    <member>\n     <name>firstname</name>\n     <value>\n      <string>Ren&#233;e</string>\n     </value>\n    </member>\n    <member>\n     <name>note</name>\n     <value>\n      <string>a&#10;b &amp; &lt;c&gt;</string>\n     </value>\n    </member>\n   </struct>\n  </value>\n </param>\n</params>\n</methodCall>\n";
    let c = call(doc).unwrap();
    assert_eq!(c.method_name, "schooltool/sis/fetch_user");
    let s = c.params[0].as_struct().unwrap();
    assert_eq!(s.get("firstname"), Some(&Value::from("Renée")));
    assert_eq!(s.get("note"), Some(&Value::from("a\nb & <c>")));
}

#[test]
fn phpxmlrpc_call_as_moodle_45_writes_it() {
    let params = [Value::Struct(
        Struct::new()
            .with("idnumber", "S1")
            .with("pointval", "10.5")
            .with("n", 3),
    )];
    let text = write_call("schooltool/sis/new_assessment", &params);
    assert_eq!(
        text,
        "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n<methodCall>\n<methodName>schooltool/sis/new_assessment</methodName>\n<params>\n<param>\n<value><struct>\n<member><name>idnumber</name>\n<value><string>S1</string></value>\n</member>\n<member><name>pointval</name>\n<value><string>10.5</string></value>\n</member>\n<member><name>n</name>\n<value><int>3</int></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodCall>"
    );
    let back = call(&text).unwrap();
    assert_eq!(back.params, params);
}

#[test]
fn python_xmlrpc_client_call() {
    // Python's xmlrpc.client: single-quoted declaration, untyped strings are rare but legal.
    let doc = "<?xml version='1.0'?>\n<methodCall>\n<methodName>system/listServices</methodName>\n<params>\n</params>\n</methodCall>\n";
    let c = call(doc).unwrap();
    assert_eq!(c.method_name, "system/listServices");
    assert!(c.params.is_empty());
}

#[test]
fn untyped_and_empty_values_are_strings() {
    let v = one_param(
        "<methodCall><methodName>a/b</methodName><params><param><value>  plain text </value></param></params></methodCall>",
    );
    assert_eq!(v, Value::from("  plain text "));
    let v = one_param(
        "<methodCall><methodName>a/b</methodName><params><param><value/></param></params></methodCall>",
    );
    assert_eq!(v, Value::from(""));
    let v = one_param(
        "<methodCall><methodName>a/b</methodName><params><param><value><string/></value></param></params></methodCall>",
    );
    assert_eq!(v, Value::from(""));
}

#[test]
fn all_scalar_types_and_extensions() {
    let doc = "<methodCall><methodName>a/b</methodName><params><param><value><array><data>\
        <value><int>-7</int></value><value><i4>42</i4></value><value><ex:i8 xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">9000000000</ex:i8></value>\
        <value><boolean>1</boolean></value><value><boolean>0</boolean></value><value><double>-1.5</double></value>\
        <value><base64>aGVsbG8=</base64></value><value><dateTime.iso8601>20261125T08:00:00</dateTime.iso8601></value>\
        <value><nil/></value><value><ex:nil/></value><value><array><data/></array></value><value><struct></struct></value>\
        <value><array><data></data></array></value>\
        </data></array></value></param></params></methodCall>";
    let Value::Array(items) = one_param(doc) else {
        panic!()
    };
    assert_eq!(
        items,
        vec![
            Value::Int(-7),
            Value::Int(42),
            Value::Int(9_000_000_000),
            Value::Bool(true),
            Value::Bool(false),
            Value::Double(-1.5),
            Value::Base64(b"hello".to_vec()),
            Value::DateTime("20261125T08:00:00".into()),
            Value::Nil,
            Value::Nil,
            Value::Array(vec![]),
            Value::Struct(Struct::new()),
            Value::Array(vec![]),
        ]
    );
}

#[test]
fn lenient_accessors_take_what_moodle_sends() {
    assert_eq!(
        Value::from("1700000000").as_i64_lenient(),
        Some(1_700_000_000)
    );
    assert_eq!(Value::from(" 12 ").as_i64_lenient(), Some(12));
    assert_eq!(Value::from("12.0").as_i64_lenient(), Some(12));
    assert_eq!(Value::from("12.5").as_i64_lenient(), None);
    assert_eq!(Value::from("abc").as_i64_lenient(), None);
    assert_eq!(Value::from("7.25").as_f64_lenient(), Some(7.25));
    assert_eq!(Value::from("NaN").as_f64_lenient(), None);
    assert_eq!(Value::from("inf").as_f64_lenient(), None);
    assert_eq!(Value::Int(3).as_f64_lenient(), Some(3.0));
    for t in ["1", "true", "TRUE", "yes", "on"] {
        assert_eq!(Value::from(t).as_bool_lenient(), Some(true), "{t}");
    }
    for f in ["0", "false", "No", "off"] {
        assert_eq!(Value::from(f).as_bool_lenient(), Some(false), "{f}");
    }
    assert_eq!(Value::from("maybe").as_bool_lenient(), None);
    assert!(
        Value::Nil.is_absent() && Value::from(" ").is_absent() && !Value::from("0").is_absent()
    );
    let as_struct = Value::Struct(Struct::new().with("2", "a").with("7", "b"));
    assert_eq!(as_struct.list_lenient().unwrap().len(), 2);
}

#[test]
fn responses_success_and_fault() {
    let ok = parse_response(
        write_response(&Value::from("x")).as_bytes(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(ok, MethodResponse::Success(Value::from("x")));
    let fault = parse_response(
        write_mnet_fault(7021, "a < b & 'c'").as_bytes(),
        &Limits::default(),
    )
    .unwrap();
    let MethodResponse::Fault(f) = fault else {
        panic!()
    };
    assert_eq!((f.code, f.string.as_str()), (7021, "a < b & 'c'"));
    // A fault whose code is a string (some PHP servers) is still a fault.
    let doc = "<methodResponse><fault><value><struct><member><name>faultCode</name><value><string>5</string></value></member><member><name>faultString</name><value>oops</value></member></struct></value></fault></methodResponse>";
    let MethodResponse::Fault(f) = parse_response(doc.as_bytes(), &Limits::default()).unwrap()
    else {
        panic!()
    };
    assert_eq!((f.code, f.string.as_str()), (5, "oops"));
}

#[test]
fn ascii_escaping_of_responses() {
    let text = write_response(&Value::from("é\n<&>\"'"));
    assert!(
        text.contains("<string>&#233;&#10;&lt;&amp;&gt;&quot;&apos;</string>"),
        "{text}"
    );
    let back = parse_response(text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(back, MethodResponse::Success(Value::from("é\n<&>\"'")));
}

#[test]
fn control_characters_in_responses_read_back() {
    // PhpXmlRpc's US-ASCII responses write every byte below 32 as `&#N;`, `&#0;` included;
    // what our writer produces must read back (found by fuzzing, docs/fuzzing.md).
    let original = Value::from("a\u{0}b\u{1}\r\u{1f}c");
    let text = write_response(&original);
    assert!(text.contains("a&#0;b&#1;&#13;&#31;c"), "{text}");
    let back = parse_response(text.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(back, MethodResponse::Success(original));
    // Hexadecimal references too; a reference that is no character is an error, not a panic.
    let doc = |r: &str| {
        format!(
            "<methodResponse><params><param><value><string>{r}</string></value></param></params></methodResponse>"
        )
    };
    assert_eq!(
        parse_response(doc("&#x41;&#x0;").as_bytes(), &Limits::default()).unwrap(),
        MethodResponse::Success(Value::from("A\u{0}"))
    );
    for bad in [
        "&#xD800;",
        "&#x110000;",
        "&#;",
        "&#x;",
        "&#-1;",
        "&#99999999999;",
    ] {
        assert!(
            parse_response(doc(bad).as_bytes(), &Limits::default()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn latin1_declared_documents_are_transcoded() {
    let mut doc = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><methodCall><methodName>a/b</methodName><params><param><value><string>caf".to_vec();
    doc.push(0xE9);
    doc.extend_from_slice(b"</string></value></param></params></methodCall>");
    let c = parse_call(&doc, &Limits::default()).unwrap();
    assert_eq!(c.params[0], Value::from("café"));
}

#[test]
fn hostile_documents_are_refused() {
    let refused = [
        (
            "<!DOCTYPE x [<!ENTITY e \"boom\">]><methodCall><methodName>&e;</methodName></methodCall>",
            "doctype",
        ),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value><string>&e;</string></value></param></params></methodCall>",
            "unknown entity",
        ),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value>x<string>y</string></value></param></params></methodCall>",
            "mixed",
        ),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value><int>12a</int></value></param></params></methodCall>",
            "bad int",
        ),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value><boolean>2</boolean></value></param></params></methodCall>",
            "bad bool",
        ),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value><double>1e999</double></value></param></params></methodCall>",
            "inf double",
        ),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value><string>x</value></param></params></methodCall>",
            "mismatched",
        ),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value><frob>1</frob></value></param></params></methodCall>",
            "unknown type",
        ),
        (
            "<methodCall><methodName>a/b</methodName></methodCall><trailing/>",
            "trailing",
        ),
        (
            "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>",
            "two results",
        ),
        ("", "empty"),
        (
            "<methodCall><methodName>a/b</methodName><params><param><value><struct><member><name>x</name></member></struct></value></param></params></methodCall>",
            "member without value",
        ),
    ];
    for (doc, why) in refused {
        let r = if doc.contains("methodResponse") {
            parse_response(doc.as_bytes(), &Limits::default()).map(|_| ())
        } else {
            call(doc).map(|_| ())
        };
        assert!(r.is_err(), "{why}: accepted {doc}");
    }
    assert!(matches!(
        call("<!DOCTYPE methodCall><methodCall><methodName>a/b</methodName></methodCall>"),
        Err(ParseError::DoctypeNotAllowed)
    ));
}

#[test]
fn depth_size_and_count_are_bounded() {
    let mut doc = String::from("<methodCall><methodName>a/b</methodName><params><param><value>");
    for _ in 0..40 {
        doc.push_str("<array><data><value>");
    }
    doc.push('x');
    for _ in 0..40 {
        doc.push_str("</value></data></array>");
    }
    doc.push_str("</value></param></params></methodCall>");
    assert!(matches!(call(&doc), Err(ParseError::TooDeep(_))));
    let small = Limits {
        max_bytes: 64,
        ..Limits::default()
    };
    assert!(matches!(
        parse_call(doc.as_bytes(), &small),
        Err(ParseError::TooLarge(..))
    ));
    let few = Limits {
        max_values: 3,
        ..Limits::default()
    };
    let many = "<methodCall><methodName>a/b</methodName><params><param><value><array><data><value>1</value><value>2</value><value>3</value><value>4</value></data></array></value></param></params></methodCall>";
    assert!(matches!(
        parse_call(many.as_bytes(), &few),
        Err(ParseError::TooManyValues(_))
    ));
}

#[test]
fn method_name_pattern_is_moodles() {
    use mnet::fault::method_name_is_valid as ok;
    for good in [
        "system/keyswap",
        "auth/mnet/auth.php/user_authorise",
        "schooltool/sis/new_grade",
        "a/b-c",
        "mod/forum/lib.php/forum_add_instance",
    ] {
        assert!(ok(good), "{good}");
    }
    for bad in [
        "system.keyswap",
        "/etc/passwd",
        "system/",
        "x/y.",
        "a b/c",
        "",
        "ä/b",
        "a/b/",
    ] {
        assert!(!ok(bad), "{bad}");
    }
}

/// The value limit is sized for the largest call a peer makes (`mnet-protocol.md` §2.3 and
/// `docs/threat-model.md`): a full batch of the widest change, with every text field at its
/// longest, parses with a quarter of the default, and one value past the default is refused.
#[test]
fn the_largest_batch_fits_the_value_limit_with_room_to_spare() {
    use mnet::sis::limits::{MAX_BATCH_CHANGES, MAX_ID, MAX_NAME};
    use mnet::sis::{BATCH_PATH, Batch, Change, ChangeBody};
    use mnet::xmlrpc::DEFAULT_MAX_VALUES;
    let changes = (0..MAX_BATCH_CHANGES)
        .map(|i| Change {
            eventid: Some(format!("{i:0>128}")),
            timemodified: Some(1_700_000_000),
            body: ChangeBody::NewAssessment(mnet::sis::NewAssessment {
                idnumber: format!("{i:0>width$}", width = MAX_ID),
                sectionid: "s".repeat(MAX_ID),
                name: "é".repeat(MAX_NAME),
                chapternum: 3,
                honors_required: true,
                nonhonors_required: true,
                extra_credit: false,
                pointval: 100.0,
                kind: Default::default(),
            }),
        })
        .collect();
    let doc = write_call(BATCH_PATH, &Batch { changes }.to_params());
    let quarter = Limits {
        max_values: DEFAULT_MAX_VALUES / 4,
        ..Limits::default()
    };
    let parsed = parse_call(doc.as_bytes(), &quarter).unwrap();
    let items = mnet::sis::Batch::parse(&parsed.params, 1_700_000_100).unwrap();
    assert_eq!(items.len(), MAX_BATCH_CHANGES);
    assert!(items.iter().all(|i| i.change.is_ok()));

    let mut flood =
        String::from("<methodCall><methodName>a/b</methodName><params><param><value><array><data>");
    for _ in 0..DEFAULT_MAX_VALUES {
        flood.push_str("<value>1</value>");
    }
    flood.push_str("</data></array></value></param></params></methodCall>");
    assert!(matches!(call(&flood), Err(ParseError::TooManyValues(_))));
}
