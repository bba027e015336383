//! The SIS tests' harness: a running SchoolBridge with one Moodle peer that `schooltool_sis` is
//! published to, `schooltool/sis/*` calls through real MNet (signed and encrypted), and dumps of
//! the database to prove what changed — or that nothing did.

use super::support::{Backend, FakeMoodle, TestApp};
use mnet::client::Reply;
use mnet::xmlrpc::{Struct, Value};
use schoolbridge::store::sis_enrolments::{EnrolmentRow, SectionRoster};
use schoolbridge::store::sis_reports::{ProgressReport, Transcript};
use schoolbridge::store::{PeerRow, Store};
use schoolbridge_api::sis::Gradebook;
use sqlx::Row;

/// The members of a call's struct, as an array:
/// `fields!{"idnumber" => "u1", "timemodified" => 1000}`.
#[macro_export]
macro_rules! fields {
    ($($k:literal => $v:expr),* $(,)?) => {
        [$(($k, ::mnet::xmlrpc::Value::from($v))),*]
    };
}

/// The time the tests read records at (after every change they make; none sets Moodle dates
/// beyond it unless it says so).
pub const AS_OF_NOW: i64 = 2_000_000_000;

/// The SIS tables (and the shared `people` table) whose rows the service writes.
pub const SIS_TABLES: &[&str] = &[
    "people",
    "sis_status_codes",
    "sis_containers",
    "sis_courses",
    "sis_sections",
    "sis_section_teachers",
    "sis_enrolments",
    "sis_enrolment_history",
    "sis_assessments",
    "sis_grade_events",
    "sis_grades",
    "sis_events",
];

/// A SchoolBridge and the Moodle that feeds it.
pub struct Sis {
    pub app: TestApp,
    pub moodle: FakeMoodle,
    pub peer: PeerRow,
}

impl Sis {
    /// A fresh server on `backend` with the service published to one Moodle.
    pub async fn start(backend: Backend) -> Sis {
        let app = TestApp::start_on(backend).await;
        let moodle = FakeMoodle::new("https://moodle.example/school");
        let peer = app
            .add_peer(&moodle, &[("schooltool_sis", true, true)])
            .await;
        Sis { app, moodle, peer }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.app.state.store
    }

    /// Calls `schooltool/sis/<method>` with raw parameters: the reply struct or (code, text).
    pub async fn call_raw(&self, method: &str, params: &[Value]) -> Result<Struct, (i32, String)> {
        let reply = self
            .moodle
            .call(&self.app, &format!("schooltool/sis/{method}"), params)
            .await
            .unwrap();
        match reply {
            Reply::Value(Value::Struct(s)) => Ok(s),
            Reply::Value(other) => panic!("{method}: the reply is not a struct: {other:?}"),
            Reply::Fault(f) => Err((f.code, f.string)),
            Reply::KeyChanged(_) => panic!("{method}: unexpected 7025"),
        }
    }

    /// Calls with one struct.
    pub async fn call(
        &self,
        method: &str,
        fields: &[(&str, Value)],
    ) -> Result<Struct, (i32, String)> {
        let s: Struct = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        self.call_raw(method, &[Value::Struct(s)]).await
    }

    /// The reply's `status` (the call must succeed).
    pub async fn ok(&self, method: &str, fields: &[(&str, Value)]) -> String {
        match self.call(method, fields).await {
            Ok(s) => text(&s, "status"),
            Err(f) => panic!("{method} failed: {f:?}"),
        }
    }

    /// The fault code (the call must fail).
    pub async fn fault(&self, method: &str, fields: &[(&str, Value)]) -> i32 {
        match self.call(method, fields).await {
            Ok(s) => panic!("{method} succeeded but should not: {s:?}"),
            Err((code, _)) => code,
        }
    }

    /// Sends a call that must succeed with this reply `status`.
    pub async fn expect_ok(&self, method: &str, fields: &[(&str, Value)], status: &str) {
        assert_eq!(self.ok(method, fields).await, status, "{method} {fields:?}");
    }

    /// Sends a call that must fail with this fault code.
    pub async fn expect_fault(&self, method: &str, fields: &[(&str, Value)], code: i32) {
        assert_eq!(
            self.fault(method, fields).await,
            code,
            "{method} {fields:?}"
        );
    }

    /// Every row of the SIS tables and `people`, as text (to compare before and after).
    pub async fn dump(&self) -> String {
        dump_tables(self.store(), SIS_TABLES).await
    }

    /// [`dump_state_of`] this server.
    pub async fn dump_state(&self) -> String {
        dump_state_of(self.store()).await
    }

    /// Every row of every table, audit log envelopes included.
    pub async fn dump_everything(&self) -> String {
        let sql = match self.app.backend {
            Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
            Backend::Postgres => {
                "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            }
        };
        let names: Vec<String> = sqlx::query(sql)
            .fetch_all(self.store().pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String, _>(0).unwrap())
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        dump_tables(self.store(), &names).await
    }

    /// Rows in a table.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(self.store().pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap()
    }

    /// A row id by (peer, idnumber) in `table`.
    pub async fn id_of(&self, table: &str, idnumber: &str) -> i64 {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE peer_id = $1 AND idnumber = $2"
        )))
        .bind(self.peer.id)
        .bind(idnumber)
        .fetch_one(self.store().pool())
        .await
        .unwrap_or_else(|e| panic!("{table} {idnumber}: {e}"))
        .try_get(0)
        .unwrap()
    }

    /// A person's `people.id`.
    pub async fn person(&self, idnumber: &str) -> i64 {
        self.id_of("people", idnumber).await
    }

    /// A section's id.
    pub async fn section(&self, idnumber: &str) -> i64 {
        self.id_of("sis_sections", idnumber).await
    }

    /// An assessment's id.
    pub async fn assessment(&self, idnumber: &str) -> i64 {
        self.id_of("sis_assessments", idnumber).await
    }

    /// A student's progress report as of `at` (the person must exist).
    pub async fn progress(&self, person: &str, at: i64) -> ProgressReport {
        let id = self.person(person).await;
        self.store().progress_report(id, at).await.unwrap().unwrap()
    }

    /// A student's transcript as of `at` (the person must exist).
    pub async fn transcript(&self, person: &str, at: i64) -> Transcript {
        let id = self.person(person).await;
        self.store().transcript(id, at).await.unwrap().unwrap()
    }

    /// A section's gradebook (by id; it must exist) without hidden items, as of [`AS_OF_NOW`].
    pub async fn gradebook_now(&self, section_id: i64) -> Gradebook {
        self.store()
            .gradebook(section_id, false, AS_OF_NOW)
            .await
            .unwrap()
            .unwrap()
    }

    /// A section's roster as of `at` (the section must exist).
    pub async fn roster(&self, section: &str, at: i64) -> SectionRoster {
        let id = self.section(section).await;
        self.store().section_roster(id, at).await.unwrap().unwrap()
    }

    /// A person's enrolment in a section, from its roster as of `at` (it must exist).
    pub async fn enrolment(&self, section: &str, person: &str, at: i64) -> EnrolmentRow {
        let id = self.person(person).await;
        self.roster(section, at)
            .await
            .enrolments
            .into_iter()
            .find(|e| e.person.id == id)
            .unwrap_or_else(|| panic!("{person} is not on {section}'s roster"))
    }

    /// The newest audit entry's (method, outcome, detail, envelope present, envelope note).
    pub async fn last_audit(
        &self,
    ) -> (Option<String>, String, Option<String>, bool, Option<String>) {
        let r = sqlx::query(
            "SELECT method, outcome, detail, envelope, envelope_note FROM audit_log ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(self.store().pool())
        .await
        .unwrap();
        (
            r.try_get("method").unwrap(),
            r.try_get("outcome").unwrap(),
            r.try_get("detail").unwrap(),
            r.try_get::<Option<Vec<u8>>, _>("envelope")
                .unwrap()
                .is_some(),
            r.try_get("envelope_note").unwrap(),
        )
    }

    /// [`with_basics_on`](Sis::with_basics_on) plus Bob (`u2`, with this last name); Jane
    /// (`u1`) and Bob are enrolled in `c1` at 1000.
    pub async fn with_two_students_on(backend: Backend, bob_lastname: &str) -> Sis {
        let sis = Sis::with_basics_on(backend).await;
        sis.add_person("u2", "bob", "Bob", bob_lastname).await;
        for user in ["u1", "u2"] {
            sis.ok(
                "new_enrolment",
                &fields! {"sectionid" => "c1", "userid" => user, "timemodified" => 1000},
            )
            .await;
        }
        sis
    }

    /// Another person from Moodle, sent at 900 like the basics' people.
    pub async fn add_person(&self, idnumber: &str, username: &str, first: &str, last: &str) {
        self.ok("fetch_user", &fields! {"idnumber" => idnumber, "username" => username, "firstname" => first, "lastname" => last, "timemodified" => 900})
            .await;
    }

    /// A fresh SIS on `backend` [`with_basics`](Sis::with_basics).
    pub async fn with_basics_on(backend: Backend) -> Sis {
        let sis = Sis::start(backend).await;
        sis.with_basics().await;
        sis
    }

    /// A person, a section and a student enrolment (`u1` in `c1`), as most tests need.
    pub async fn with_basics(&self) {
        self.ok("fetch_user", &fields! {"idnumber" => "t1", "username" => "teacher", "firstname" => "Tess", "lastname" => "Teach", "timemodified" => 900})
            .await;
        self.ok("fetch_user", &fields! {"idnumber" => "u1", "username" => "jsmith", "firstname" => "Jane", "lastname" => "Smith", "timemodified" => 900})
            .await;
        self.ok("new_section", &fields! {"idnumber" => "c1", "name" => "Algebra 1", "teacheridnumber" => "t1", "timemodified" => 900})
            .await;
    }
}

/// A text member of a reply struct.
pub fn text(s: &Struct, name: &str) -> String {
    s.get(name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {name} in {s:?}"))
        .to_owned()
}

/// The SIS tables of `store` with the times of storage (`recorded_at`, `created_at`,
/// `updated_at`) masked: what two servers given the same changes at different moments must agree
/// on.
pub async fn dump_state_of(store: &Store) -> String {
    dump_tables(store, SIS_TABLES)
        .await
        .lines()
        .map(|line| {
            line.split(' ')
                .map(|cell| match cell.split_once('=') {
                    Some((name, _))
                        if ["recorded_at", "created_at", "updated_at"].contains(&name) =>
                    {
                        format!("{name}=*")
                    }
                    _ => cell.to_owned(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

async fn dump_tables(store: &Store, tables: &[&str]) -> String {
    let mut out = String::new();
    for t in tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {t}")))
            .fetch_all(store.pool())
            .await
            .unwrap();
        let mut lines: Vec<String> = rows.iter().map(row_text).collect();
        lines.sort();
        out.push_str(&format!("== {t} ({})\n", lines.len()));
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
    }
    out
}

fn row_text(r: &sqlx::any::AnyRow) -> String {
    use sqlx::Column;
    let mut cells = Vec::new();
    for (i, col) in r.columns().iter().enumerate() {
        let v = if let Ok(v) = r.try_get::<Option<i64>, _>(i) {
            format!("{v:?}")
        } else if let Ok(v) = r.try_get::<Option<f64>, _>(i) {
            format!("{v:?}")
        } else if let Ok(v) = r.try_get::<Option<String>, _>(i) {
            format!("{:?}", v.map(|t| reveal(&t)))
        } else if let Ok(v) = r.try_get::<Option<Vec<u8>>, _>(i) {
            format!("{:?}", v.map(|b| reveal(&String::from_utf8_lossy(&b))))
        } else if let Ok(v) = r.try_get::<Option<bool>, _>(i) {
            format!("{v:?}")
        } else {
            "<undecodable>".to_owned()
        };
        cells.push(format!("{}={v}", col.name()));
    }
    cells.join(" ")
}

/// The text, plus the decoded payload of any MNet signed envelope in it (its `<object>` holds
/// the XML-RPC call in base64), so a search of the dump sees what the envelope carried.
fn reveal(text: &str) -> String {
    use base64::Engine;
    let mut out = text.to_owned();
    let mut rest = text;
    while let Some(start) = rest.find("<object") {
        let after = &rest[start..];
        let (Some(open), Some(close)) = (after.find('>'), after.find("</object>")) else {
            break;
        };
        let b64: String = after[open + 1..close].split_whitespace().collect();
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
            out.push_str(" [object] ");
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
        rest = &after[close..];
    }
    out
}
