//! The command line: `serve`, and what an administrator needs without the console — peers, the
//! site key, the audit log — working on the same data directory and database as a running
//! server.

use crate::config::{ConfigLayer, LogFormat};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// SchoolBridge: the student-information-system side of a Moodle integration, speaking Moodle's
/// MNet. Settings come from defaults, then a TOML file (--config or SCHOOLBRIDGE_CONFIG), then
/// SCHOOLBRIDGE_* environment variables, then these flags.
#[derive(Debug, Parser)]
#[command(name = "schoolbridge", version, propagate_version = true)]
pub struct Cli {
    /// Global settings.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// TOML configuration file (keys as in docs/configuration.md).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory: SQLite database and master key (default ./data).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… (default: a file in the data directory) or postgres://….
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Our public address as peers reach it, e.g. https://sis.school.example (no trailing slash).
    #[arg(long, global = true, value_name = "URL")]
    pub wwwroot: Option<String>,
    /// Site name, shown to peers and in the console.
    #[arg(long, global = true, value_name = "NAME")]
    pub site_name: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, value_name = "FORMAT")]
    pub log_format: Option<String>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Manage peers (Moodle or Mahara sites).
    #[command(subcommand)]
    Peer(PeerCommand),
    /// Show or rotate the site key.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Read the MNet audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage console accounts and login rights.
    #[command(subcommand)]
    User(UserCommand),
    /// Apply database migrations and exit.
    Migrate,
    /// Write a backup (database and master key) to a new file while the server runs (SQLite;
    /// PostgreSQL: pg_dump, see docs/operations.md).
    Backup(BackupArgs),
    /// Restore a backup into an empty data directory (then start the server as usual).
    Restore(RestoreArgs),
}

/// `backup` arguments.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist), e.g. schoolbridge-2026-12-04.tar.gz.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `restore` arguments.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file `schoolbridge backup` wrote.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `serve` flags.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Directory of the built console (default ./dist).
    #[arg(long, value_name = "DIR")]
    pub console_dir: Option<PathBuf>,
}

/// `peer …`
#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// Add a peer by its URL: fetches its certificate (keyswap), shows it, and stores it once you
    /// confirm (or at once with --yes).
    Add {
        /// The peer's wwwroot, e.g. https://moodle.school.example.
        url: String,
        /// The peer's application.
        #[arg(long, default_value = "moodle", value_parser = ["moodle", "mahara"])]
        application: String,
        /// Display name (default: the site's full name, as Moodle gives it to its app).
        #[arg(long)]
        name: Option<String>,
        /// Do not verify the peer's TLS certificate (self-signed HTTPS).
        #[arg(long)]
        no_tls_verify: bool,
        /// Confirm without asking (for scripts).
        #[arg(long)]
        yes: bool,
    },
    /// List peers.
    List {
        /// Include deleted peers.
        #[arg(long)]
        all: bool,
    },
    /// Fetch the peer's current certificate and compare it with the one held.
    Review {
        /// Peer id or wwwroot.
        peer: String,
        /// Accept the new certificate if it changed.
        #[arg(long)]
        accept: bool,
    },
    /// Make a signed and encrypted round trip (system/listServices) and diagnose failures.
    Verify {
        /// Peer id or wwwroot.
        peer: String,
    },
    /// Show or set the services switched on for a peer.
    Services {
        /// Peer id or wwwroot.
        peer: String,
        /// Set a service, e.g. schooltool_sis=publish,subscribe or sso_sp=none.
        #[arg(long = "set", value_name = "SERVICE=publish,subscribe|none")]
        set: Vec<String>,
    },
    /// Delete a peer: all traffic with it stops at once; its data stays.
    Delete {
        /// Peer id or wwwroot.
        peer: String,
        /// Confirm without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Bring back a deleted peer.
    Restore {
        /// Peer id or wwwroot.
        peer: String,
    },
    /// Give a peer another display name (shown in the console and the Network servers block).
    Rename {
        /// Peer id or wwwroot.
        peer: String,
        /// The new name.
        name: String,
    },
}

/// `key …`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Show the current certificate and the archived keys.
    Show {
        /// Print the current certificate PEM only.
        #[arg(long)]
        pem: bool,
    },
    /// Make a new key now. Peers holding the old certificate get fault 7025 with the new one on
    /// their next call.
    Rotate {
        /// Confirm without asking.
        #[arg(long)]
        yes: bool,
    },
}

/// `user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a local account (staff who do not come through Moodle). The password is read from
    /// standard input (one line), or asked for.
    Add {
        /// Sign-in name.
        username: String,
        /// Given name.
        #[arg(long)]
        firstname: String,
        /// Family name.
        #[arg(long)]
        lastname: String,
        /// E-mail.
        #[arg(long)]
        email: Option<String>,
        /// Roles (repeat): admin, counsellor, teacher, student.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
    },
    /// List people (local accounts and people from peers).
    List {
        /// Text to search for in names, usernames, idnumbers and e-mail.
        #[arg(long)]
        search: Option<String>,
        /// Only people from this peer (id or wwwroot).
        #[arg(long)]
        peer: Option<String>,
    },
    /// Grant login rights (by id, sign-in name, or everyone from --peer).
    Grant {
        /// Person ids or local sign-in names.
        people: Vec<String>,
        /// Everyone from this peer (id or wwwroot).
        #[arg(long)]
        peer: Option<String>,
        /// With --peer: only those holding this role (given, or learnt from enrolments).
        #[arg(long, requires = "peer", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Withdraw login rights (by id, sign-in name, or everyone from --peer); their sessions end
    /// at once.
    Revoke {
        /// Person ids or local sign-in names.
        people: Vec<String>,
        /// Everyone from this peer (id or wwwroot).
        #[arg(long)]
        peer: Option<String>,
        /// With --peer: only those holding this role (given, or learnt from enrolments).
        #[arg(long, requires = "peer", value_name = "ROLE")]
        role: Option<String>,
    },
    /// Set a person's roles.
    Roles {
        /// Person id or local sign-in name.
        person: String,
        /// The roles (repeat); none removes all.
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
    },
    /// Set a local account's password (read from standard input, or asked for); the account's
    /// sessions end.
    Passwd {
        /// Sign-in name or person id.
        username: String,
    },
}

/// `audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The newest entries.
    List {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Only this peer (id or wwwroot).
        #[arg(long)]
        peer: Option<String>,
    },
}

impl GlobalArgs {
    /// The command-line configuration layer.
    pub fn layer(&self) -> ConfigLayer {
        ConfigLayer {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            wwwroot: self.wwwroot.clone(),
            site_name: self.site_name.clone(),
            log_format: self.log_format.clone(),
            ..ConfigLayer::default()
        }
    }
}

/// Reads the log format early (before the full configuration is validated).
pub fn log_format_hint(args: &GlobalArgs) -> LogFormat {
    let from_env = std::env::var("SCHOOLBRIDGE_LOG_FORMAT").ok();
    match args.log_format.as_deref().or(from_env.as_deref()) {
        Some("json") => LogFormat::Json,
        _ => LogFormat::Text,
    }
}
