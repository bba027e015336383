//! A scratch PostgreSQL database for one test or benchmark run: created from an admin URL under
//! a random name, dropped (with `FORCE`) when the value is dropped. Shared by the test harness
//! (`support.rs`) and `benches/progress_report.rs` (through `#[path]`).

pub struct ScratchPg {
    admin_url: String,
    name: String,
}

impl ScratchPg {
    /// Creates `{prefix}_{random}` on the server of `admin_url`; returns it and its URL.
    pub async fn create(admin_url: &str, prefix: &str) -> (ScratchPg, String) {
        let name = format!("{prefix}_{}", hex::encode(rand::random::<[u8; 6]>()));
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(admin_url)
            .await
            .unwrap();
        sqlx::Executor::execute(
            &mut conn,
            sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
        )
        .await
        .unwrap();
        let mut url = url::Url::parse(admin_url).unwrap();
        url.set_path(&format!("/{name}"));
        (
            ScratchPg {
                admin_url: admin_url.to_owned(),
                name,
            },
            url.to_string(),
        )
    }
}

impl Drop for ScratchPg {
    fn drop(&mut self) {
        let (admin, name) = (self.admin_url.clone(), self.name.clone());
        // A runtime of its own on a thread of its own: drop may run inside or outside one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut c) = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await
                {
                    let _ = sqlx::Executor::execute(
                        &mut c,
                        sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")),
                    )
                    .await;
                }
            });
        })
        .join();
    }
}
