//! Every `schooltool_sis` fault (`docs/schooltool-sis.md` "Faults", 8101–8199) through real
//! MNet, on SQLite and PostgreSQL — and that a refused call changed nothing at all.

use super::sis_harness::Sis;
use super::support::backends;
use crate::fields;
use mnet::xmlrpc::{Struct, Value};

/// (expected code, method, struct members).
type Case<'a> = (i32, &'a str, Vec<(&'a str, Value)>);

#[tokio::test]
async fn every_bad_input_gets_its_fault_and_changes_nothing() {
    for backend in backends() {
        let sis = Sis::with_basics_on(backend).await;
        sis.ok("new_assessment", &fields! {"idnumber" => "gi-1", "sectionid" => "c1", "name" => "Quiz", "pointval" => 10, "timemodified" => 950})
            .await;
        let long = "x".repeat(256);
        let future = sis.app.state.clock.now() + 2 * 86_400;
        let cases: Vec<Case<'_>> = vec![
            // 8101: a required field missing or empty.
            (8101, "fetch_user", fields! {"idnumber" => "u5", "firstname" => "A", "lastname" => "B", "eventid" => "f1"}.to_vec()),
            (8101, "fetch_user", fields! {"idnumber" => "  ", "username" => "a", "firstname" => "A", "lastname" => "B"}.to_vec()),
            (8101, "new_section", fields! {"idnumber" => "c5", "name" => ""}.to_vec()),
            (8101, "new_enrolment", fields! {"sectionid" => "c1"}.to_vec()),
            (8101, "remove_enrolment", fields! {"userid" => "u1"}.to_vec()),
            (8101, "new_assessment", fields! {"idnumber" => "gi-5", "sectionid" => "c1", "name" => "Lab"}.to_vec()),
            (8101, "remove_assessment", fields! {"eventid" => "f2"}.to_vec()),
            (8101, "new_grade", fields! {"assessmentid" => "gi-1", "userid" => "u1"}.to_vec()),
            (8101, "new_grade", fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "", "excepted" => "0"}.to_vec()),
            // 8102: a value that cannot be used.
            (8102, "new_assessment", fields! {"idnumber" => "gi-5", "sectionid" => "c1", "name" => "Lab", "pointval" => "ten"}.to_vec()),
            (8102, "new_assessment", fields! {"idnumber" => "gi-5", "sectionid" => "c1", "name" => "Lab", "pointval" => "-1"}.to_vec()),
            (8102, "new_assessment", fields! {"idnumber" => "gi-5", "sectionid" => "c1", "name" => "Lab", "pointval" => 5, "extra_credit" => "maybe"}.to_vec()),
            (8102, "new_assessment", fields! {"idnumber" => "gi-5", "sectionid" => "c1", "name" => "Lab", "pointval" => 5, "chapternum" => -1}.to_vec()),
            (8102, "new_grade", fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "12,5"}.to_vec()),
            (8102, "new_grade", fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => "nan"}.to_vec()),
            (8102, "new_grade", fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => 5, "attempt_num" => 0}.to_vec()),
            (8102, "new_grade", fields! {"assessmentid" => "gi-1", "userid" => "u1", "points_earned" => 5, "excepted" => "perhaps"}.to_vec()),
            (8102, "new_enrolment", fields! {"sectionid" => "c1", "userid" => "u1", "role" => "admin"}.to_vec()),
            (8102, "remove_enrolment", fields! {"sectionid" => "c1", "userid" => "u1", "role" => "principal"}.to_vec()),
            (8102, "new_section", fields! {"idnumber" => "c5", "name" => "Five", "segment" => 0}.to_vec()),
            (8102, "new_section", fields! {"idnumber" => "c5", "name" => "Five", "segment" => "-2"}.to_vec()),
            (8102, "new_section", fields! {"idnumber" => long.as_str(), "name" => "Five"}.to_vec()),
            (8102, "new_section", fields! {"idnumber" => "c5", "name" => "Five", "timemodified" => "soon"}.to_vec()),
            (8102, "new_section", fields! {"idnumber" => "c5", "name" => "Five", "timemodified" => future}.to_vec()),
            (8102, "new_section", fields! {"idnumber" => "c5", "name" => "Five", "eventid" => "e".repeat(129)}.to_vec()),
            (8102, "fetch_user", fields! {"idnumber" => "u5", "username" => Struct::new(), "firstname" => "A", "lastname" => "B"}.to_vec()),
            // 8103: unknown section.
            (8103, "new_enrolment", fields! {"sectionid" => "nope", "userid" => "u1", "eventid" => "f3"}.to_vec()),
            (8103, "remove_enrolment", fields! {"sectionid" => "nope", "userid" => "u1"}.to_vec()),
            (8103, "new_assessment", fields! {"idnumber" => "gi-5", "sectionid" => "nope", "name" => "Lab", "pointval" => 5}.to_vec()),
            // 8104: unknown person.
            (8104, "new_enrolment", fields! {"sectionid" => "c1", "userid" => "nobody", "eventid" => "f4"}.to_vec()),
            (8104, "new_section", fields! {"idnumber" => "c5", "name" => "Five", "teacheridnumber" => "nobody"}.to_vec()),
            (8104, "new_grade", fields! {"assessmentid" => "gi-1", "userid" => "nobody", "points_earned" => 1}.to_vec()),
            // 8105: unknown assessment.
            (8105, "new_grade", fields! {"assessmentid" => "gi-404", "userid" => "u1", "points_earned" => 1, "eventid" => "f5"}.to_vec()),
        ];
        for (code, method, f) in cases {
            let before = sis.dump().await;
            let got = sis.call(method, &f).await;
            let Err((got_code, text)) = got else {
                panic!("{method} {f:?} succeeded, expected {code}");
            };
            assert_eq!(got_code, code, "{method} {f:?}: {text}");
            assert!(!text.is_empty());
            assert_eq!(sis.dump().await, before, "{method} {f:?} changed something");
            let (m, outcome, _, _, _) = sis.last_audit().await;
            assert_eq!(
                (m.as_deref(), outcome.as_str()),
                (Some(format!("schooltool/sis/{method}").as_str()), "fault")
            );
        }
        // A refused eventid was not spent: once the prerequisite exists it applies.
        sis.ok("fetch_user", &fields! {"idnumber" => "nobody", "username" => "nobody", "firstname" => "N", "lastname" => "O", "timemodified" => 1})
            .await;
        sis.expect_ok(
            "new_enrolment",
            &fields! {"sectionid" => "c1", "userid" => "nobody", "eventid" => "f4"},
            "created",
        )
        .await;
    }
}

#[tokio::test]
async fn not_one_struct_is_8106() {
    for backend in backends() {
        let sis = Sis::start(backend).await;
        let before = sis.dump().await;
        let one = Value::Struct(Struct::new().with("idnumber", "u1"));
        for params in [
            vec![],
            vec![Value::from("u1")],
            vec![Value::Array(vec![one.clone()])],
            vec![one.clone(), one.clone()],
        ] {
            let got = sis.call_raw("fetch_user", &params).await;
            assert_eq!(got.unwrap_err().0, 8106, "{params:?}");
        }
        assert_eq!(sis.dump().await, before);
    }
}

#[tokio::test]
async fn an_eventid_reused_for_another_method_is_8107() {
    for backend in backends() {
        let sis = Sis::start(backend).await;
        sis.ok("fetch_user", &fields! {"idnumber" => "u1", "username" => "a", "firstname" => "A", "lastname" => "B", "eventid" => "same"})
            .await;
        let before = sis.dump().await;
        let (code, text) = sis
            .call(
                "new_section",
                &fields! {"idnumber" => "c1", "name" => "One", "eventid" => "same"},
            )
            .await
            .unwrap_err();
        assert_eq!(code, 8107);
        assert!(text.contains("schooltool/sis/fetch_user"), "{text}");
        assert_eq!(sis.dump().await, before);
        // Another peer may use the same eventid: ledgers are per peer.
        let other = super::support::FakeMoodle::new("https://other.example");
        sis.app
            .add_peer(&other, &[("schooltool_sis", true, false)])
            .await;
        let s: Struct = fields! {"idnumber" => "c1", "name" => "One", "eventid" => "same"}
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let reply = other
            .call(&sis.app, "schooltool/sis/new_section", &[Value::Struct(s)])
            .await
            .unwrap();
        assert!(matches!(reply, mnet::client::Reply::Value(_)), "{reply:?}");
    }
}

#[tokio::test]
async fn a_storage_failure_is_8199_and_applies_nothing() {
    for backend in backends() {
        let sis = Sis::start(backend).await;
        sis.ok(
            "fetch_user",
            &fields! {"idnumber" => "u1", "username" => "a", "firstname" => "A", "lastname" => "B"},
        )
        .await;
        let people = sis.count("people").await;
        // The audit entry is the last write of the call's transaction: make it fail there, after
        // the person and the ledger row were written, and everything must roll back.
        sqlx::query("ALTER TABLE audit_log RENAME TO audit_log_away")
            .execute(sis.store().pool())
            .await
            .unwrap();
        let got = sis
            .call("fetch_user", &fields! {"idnumber" => "u2", "username" => "b", "firstname" => "C", "lastname" => "D", "eventid" => "down"})
            .await;
        sqlx::query("ALTER TABLE audit_log_away RENAME TO audit_log")
            .execute(sis.store().pool())
            .await
            .unwrap();
        let (code, text) = got.unwrap_err();
        assert_eq!(code, 8199);
        assert!(text.contains("retry later"), "{text}");
        assert_eq!(sis.count("people").await, people, "nothing half-applied");
        assert_eq!(sis.count("sis_events").await, 0);
        // The sender retries with the same eventid and it applies.
        sis.expect_ok("fetch_user", &fields! {"idnumber" => "u2", "username" => "b", "firstname" => "C", "lastname" => "D", "eventid" => "down"}, "created").await;
    }
}

#[tokio::test]
async fn password_fields_are_never_stored_nor_kept_in_the_audit_log() {
    const HASH: &str = "$2y$10$Q9XVvQfXo1tS3CRETHASHzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
    const PLAIN: &str = "hunter2-plain-secret";
    for backend in backends() {
        let sis = Sis::start(backend).await;
        sis.expect_ok("fetch_user", &fields! {"idnumber" => "u1", "username" => "jsmith", "firstname" => "Jane", "lastname" => "Smith", "password_hash" => HASH, "password_hash_algorithm" => "bcrypt", "password" => PLAIN, "eventid" => "p1"}, "created").await;
        let (method, outcome, _, has_envelope, note) = sis.last_audit().await;
        assert_eq!(
            (method.as_deref(), outcome.as_str()),
            (Some("schooltool/sis/fetch_user"), "ok")
        );
        assert!(!has_envelope, "the envelope carried the hash: not kept");
        assert!(note.unwrap().contains("password"));
        // A refused call with a password field: still no envelope.
        sis.expect_fault("fetch_user", &fields! {"idnumber" => "u2", "username" => "x", "firstname" => "", "lastname" => "Y", "password_hash" => HASH}, 8101).await;
        let (_, outcome, _, has_envelope, _) = sis.last_audit().await;
        assert_eq!(outcome, "fault");
        assert!(!has_envelope);
        // A replay with a password field: same.
        sis.ok("fetch_user", &fields! {"idnumber" => "u1", "username" => "jsmith", "firstname" => "Jane", "lastname" => "Smith", "password_hash" => HASH, "eventid" => "p1"})
            .await;
        assert!(!sis.last_audit().await.3);
        // Calls without passwords keep their envelope (so the check above can fail).
        sis.ok(
            "new_section",
            &fields! {"idnumber" => "c1", "name" => "One"},
        )
        .await;
        assert!(sis.last_audit().await.3);
        let everything = sis.dump_everything().await;
        eprintln!("DUMP {}", &everything[..everything.len().min(3000)]);
        assert!(everything.contains("jsmith"), "the dump does see the data");
        for secret in [HASH, "S3CRETHASH", PLAIN, "bcrypt"] {
            assert!(!everything.contains(secret), "{secret} is stored somewhere");
        }
    }
}
