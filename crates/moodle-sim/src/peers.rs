//! The simulated site's peers: Moodle's `mnet_host` rows (`mnet-protocol.md` §7.1). Ids start
//! at 3 as in Moodle (1 is the local host, 2 is "All Hosts"); a delete is soft. Every service is
//! published to and subscribed from every peer, as if an administrator had ticked every box
//! on "All Hosts".

use mnet::keys::PeerCertificate;

/// A peer's application type (§1.1): which paths it answers at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Application {
    /// `moodle` (SchoolBridge registers as this).
    Moodle,
    /// `mahara`.
    Mahara,
}

impl Application {
    /// The name sent in keyswap and stored.
    pub fn name(self) -> &'static str {
        match self {
            Application::Moodle => "moodle",
            Application::Mahara => "mahara",
        }
    }

    /// By name; anything else is treated as Moodle, as `mnet_peer::bootstrap` does.
    pub fn from_name(name: &str) -> Application {
        if name.trim().eq_ignore_ascii_case("mahara") {
            Application::Mahara
        } else {
            Application::Moodle
        }
    }

    /// `xmlrpc_server_url`.
    pub fn xmlrpc_path(self) -> &'static str {
        match self {
            Application::Moodle => "/mnet/xmlrpc/server.php",
            Application::Mahara => "/api/xmlrpc/server.php",
        }
    }

    /// `sso_land_url`.
    pub fn land_path(self) -> &'static str {
        match self {
            Application::Moodle => "/auth/mnet/land.php",
            Application::Mahara => "/auth/xmlrpc/land.php",
        }
    }
}

/// One peer.
#[derive(Debug, Clone)]
pub struct PeerRecord {
    /// `mnet_host.id`.
    pub id: u32,
    /// Its wwwroot, without a trailing slash.
    pub wwwroot: String,
    /// Display name (the `<title>` of its front page when it was added).
    pub name: String,
    /// Application type.
    pub application: Application,
    /// Its certificate as we hold it (`mnet_host.public_key`).
    pub certificate: PeerCertificate,
    /// Unix time of the last exchange (`last_connect_time`).
    pub last_connect_time: i64,
    /// Soft-deleted peers get no traffic and cannot land users.
    pub deleted: bool,
}

impl PeerRecord {
    /// The URL MNet calls go to.
    pub fn xmlrpc_url(&self) -> String {
        format!("{}{}", self.wwwroot, self.application.xmlrpc_path())
    }
}

/// The peers of one simulated site.
#[derive(Debug, Clone)]
pub(crate) struct PeerRegistry {
    peers: Vec<PeerRecord>,
    next_id: u32,
}

impl Default for PeerRegistry {
    fn default() -> Self {
        Self {
            peers: Vec::new(),
            next_id: 3,
        }
    }
}

impl PeerRegistry {
    /// A live peer by exact wwwroot (§3.1: looked up by byte equality).
    pub(crate) fn by_wwwroot(&self, wwwroot: &str) -> Option<&PeerRecord> {
        self.peers
            .iter()
            .find(|p| !p.deleted && p.wwwroot == wwwroot)
    }

    /// A live peer by id.
    pub(crate) fn by_id(&self, id: u32) -> Option<&PeerRecord> {
        self.peers.iter().find(|p| !p.deleted && p.id == id)
    }

    /// Every live peer, by id.
    pub(crate) fn live(&self) -> Vec<PeerRecord> {
        self.peers.iter().filter(|p| !p.deleted).cloned().collect()
    }

    /// Adds a peer or, when the wwwroot is known (even deleted), replaces its certificate and
    /// brings it back: what an administrator's "Add host" and "Save" do.
    pub(crate) fn upsert(
        &mut self,
        wwwroot: &str,
        name: &str,
        application: Application,
        certificate: PeerCertificate,
    ) -> PeerRecord {
        if let Some(p) = self.peers.iter_mut().find(|p| p.wwwroot == wwwroot) {
            p.name = name.to_owned();
            p.application = application;
            p.certificate = certificate;
            p.deleted = false;
            return p.clone();
        }
        let record = PeerRecord {
            id: self.next_id,
            wwwroot: wwwroot.to_owned(),
            name: name.to_owned(),
            application,
            certificate,
            last_connect_time: 0,
            deleted: false,
        };
        self.next_id += 1;
        self.peers.push(record.clone());
        record
    }

    /// Adds a peer only if no record (even a deleted one) has that wwwroot — `mnet_keyswap`
    /// with "register all hosts" on: `bootstrap()` keeps an existing record as it is (§5.6).
    pub(crate) fn insert_if_absent(
        &mut self,
        wwwroot: &str,
        name: &str,
        application: Application,
        certificate: PeerCertificate,
    ) -> bool {
        if self.peers.iter().any(|p| p.wwwroot == wwwroot) {
            return false;
        }
        self.upsert(wwwroot, name, application, certificate);
        true
    }

    /// The live (not deleted) peer with this wwwroot, to change.
    fn live_mut(&mut self, wwwroot: &str) -> Option<&mut PeerRecord> {
        self.peers
            .iter_mut()
            .find(|p| !p.deleted && p.wwwroot == wwwroot)
    }

    /// Stores a new certificate for a live peer (7025 handling, §5.4).
    pub(crate) fn set_certificate(&mut self, wwwroot: &str, certificate: PeerCertificate) -> bool {
        let Some(p) = self.live_mut(wwwroot) else {
            return false;
        };
        p.certificate = certificate;
        true
    }

    /// Records an exchange (`mnet_peer::touch()`).
    pub(crate) fn touch(&mut self, wwwroot: &str, now: i64) {
        if let Some(p) = self.peers.iter_mut().find(|p| p.wwwroot == wwwroot) {
            p.last_connect_time = now;
        }
    }

    /// Soft-deletes a peer.
    pub(crate) fn delete(&mut self, wwwroot: &str) -> bool {
        let Some(p) = self.live_mut(wwwroot) else {
            return false;
        };
        p.deleted = true;
        true
    }
}
