//! Running the server: bind, serve until asked to stop, and the background duties (key rotation
//! on schedule, audit retention).

use crate::state::AppState;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// A running server (tests start one in-process on an ephemeral port).
#[derive(Debug)]
pub struct RunningServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The state it serves.
    pub state: AppState,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and waits.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Serves `state` on `listener` until stopped; also runs the background duties.
pub fn spawn(state: AppState, listener: TcpListener) -> std::io::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = crate::http::router(state.clone());
    let duties = tokio::spawn(background_duties(state.clone()));
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = served.await {
            tracing::error!(error = %e, "the HTTP server stopped");
        }
        duties.abort();
    });
    Ok(RunningServer {
        addr,
        state,
        shutdown: Some(tx),
        task,
    })
}

/// Every five minutes: SSO keepalive for the identity providers of active users. Hourly: rotate
/// the site key when due, reload keys rotated by another instance, purge old audit entries.
async fn background_duties(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    let mut round: u64 = 0;
    loop {
        tick.tick().await;
        crate::sso::keepalive::run_once(&state).await;
        round += 1;
        if round % 12 != 1 {
            continue;
        }
        if let Err(e) = state.keys.rotate_if_due().await {
            tracing::error!(error = %e, "scheduled key rotation failed");
        }
        if state.config.audit_retention_days > 0 {
            let cutoff =
                state.clock.now_ms() - i64::from(state.config.audit_retention_days) * 86_400_000;
            match state.store.purge_audit(cutoff).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "purged old audit entries"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "audit purge failed"),
            }
        }
    }
}
