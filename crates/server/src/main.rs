//! `schoolbridge`: the SchoolBridge server binary (placeholder until the server lands).
use anyhow::Context;
use axum::{Router, routing::get};
use tower_http::services::{ServeDir, ServeFile};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let listen = std::env::var("SCHOOLBRIDGE_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let dist = std::env::var("SCHOOLBRIDGE_CONSOLE_DIR").unwrap_or_else(|_| "dist".into());
    let index = format!("{dist}/index.html");
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .fallback_service(ServeDir::new(&dist).fallback(ServeFile::new(index)));
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    println!("SchoolBridge listening on http://{listen}");
    axum::serve(listener, app).await?;
    Ok(())
}
