//! The simulated site's HTTP server (axum): the MNet endpoint at Moodle's path
//! (`mnet-protocol.md` §1.1), the pages a Moodle peer is expected to have, and the SSO pages.
//! [`SimMoodle::serve`] runs it on a listener until the returned handle is dropped.

mod endpoint;
mod html;
mod methods;
mod pages;
mod sso_pages;

use crate::clock::Clock as _;
use crate::clock::SystemClock;
use crate::error::SimError;
use crate::identity::SiteIdentity;
use crate::sim::{SimConfig, SimMoodle};
use axum::Router;
use axum::routing::get;
use mnet::keys::SitePrivateKey;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server. Dropping it stops the server at once; [`ServeHandle::stop`] lets
/// requests in progress finish first.
#[derive(Debug)]
pub struct ServeHandle {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ServeHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits (at most five seconds) for the server to end.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    /// Waits until the server ends (it runs until stopped or dropped).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for ServeHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl SimMoodle {
    /// The site's routes.
    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/mnet/xmlrpc/server.php",
                get(endpoint::xmlrpc_get).post(endpoint::xmlrpc_server),
            )
            .route("/", get(pages::front_page))
            .route("/index.php", get(pages::front_page))
            .route("/mnet/publickey.php", get(pages::public_key))
            .route(
                "/lib/ajax/service-nologin.php",
                axum::routing::post(pages::service_nologin),
            )
            .route(
                "/login/index.php",
                get(pages::login_form).post(pages::login_submit),
            )
            .route("/login/logout.php", get(pages::logout))
            .route("/course/view.php", get(pages::course_view))
            .route("/auth/mnet/jump.php", get(sso_pages::jump))
            .route("/auth/mnet/land.php", get(sso_pages::land))
            .fallback(pages::not_found)
            .with_state(self.clone())
    }

    /// Serves the site on a bound listener, in a background task.
    pub fn serve(&self, listener: TcpListener) -> Result<ServeHandle, SimError> {
        let addr = listener
            .local_addr()
            .map_err(|e| SimError::Serve(e.to_string()))?;
        let (tx, rx) = oneshot::channel::<()>();
        let router = self.router();
        let wwwroot = self.wwwroot().to_owned();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!(%wwwroot, "the simulator's server stopped: {e}");
            }
        });
        tracing::info!(wwwroot = %self.wwwroot(), %addr, "simulated Moodle listening");
        Ok(ServeHandle {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// Starts a simulated site on `127.0.0.1` at a free port, with wwwroot
/// `http://127.0.0.1:{port}`, a Moodle-shaped certificate for `key`, and the rest of the
/// configuration from `configure` (whose `wwwroot` and `identity` are already set).
pub async fn start_loopback(
    key: SitePrivateKey,
    configure: impl FnOnce(&mut SimConfig),
) -> Result<(SimMoodle, ServeHandle), SimError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| SimError::Serve(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| SimError::Serve(e.to_string()))?;
    let wwwroot = format!("http://127.0.0.1:{}", addr.port());
    let default_name = "Moodle Sim School";
    let identity =
        SiteIdentity::moodle_shaped(key.clone(), &wwwroot, default_name, SystemClock.now())?;
    let ours = identity.certificate().fingerprint_sha256();
    let mut config = SimConfig::new(wwwroot.clone(), identity);
    configure(&mut config);
    // A certificate for another wwwroot cannot serve here; ours should carry the chosen name.
    let replaced = config.identity.certificate().fingerprint_sha256() != ours;
    let foreign = config
        .identity
        .certificate()
        .check_credentials(&wwwroot)
        .is_err();
    if foreign || (!replaced && config.site_name != default_name) {
        let key = if replaced {
            config.identity.key().clone()
        } else {
            key
        };
        config.identity =
            SiteIdentity::moodle_shaped(key, &wwwroot, &config.site_name, config.clock.now())?;
    }
    config.wwwroot = wwwroot;
    let sim = SimMoodle::new(config)?;
    let handle = sim.serve(listener)?;
    Ok((sim, handle))
}
