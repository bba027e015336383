//! Flags shared by `serve` and `scenario`: the site (listen address, wwwroot, key file, name,
//! password) and the school (seed and sizes), and turning them into a [`SimConfig`].

use anyhow::{Context, bail};
use clap::Args;
use moodle_sim::school::generator::generate;
use moodle_sim::school::{School, SchoolSpec};
use moodle_sim::{Clock, SchoolState, SimConfig, SiteIdentity, SystemClock, normalise_wwwroot};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Who the simulated site is and where it listens.
#[derive(Debug, Clone, Args)]
pub struct SiteArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The site's wwwroot: the URL peers reach it at, without a trailing slash. Its
    /// certificate's CN and subjectAltName are this URL.
    #[arg(long, default_value = "http://127.0.0.1:8081", value_name = "URL")]
    pub wwwroot: String,
    /// PEM file with the site's private key (and its certificate). Read if it exists; otherwise
    /// a new RSA-2048 key is made and written there (mode 0600). Without it, every start makes a
    /// new key and peers see a new certificate.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// The site's full name: the <title> of its front page and O of its certificate.
    #[arg(long, default_value = "Moodle Sim School", value_name = "NAME")]
    pub site_name: String,
    /// The password every simulated user logs in with on the login page.
    #[arg(
        long,
        default_value = "moodle",
        env = "MOODLE_SIM_USER_PASSWORD",
        hide_default_value = true,
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    pub user_password: String,
    /// Turn Moodle's "Register all hosts" off: a keyswap from an unknown site does not add it
    /// as a peer.
    #[arg(long)]
    pub no_register_all_hosts: bool,
}

/// The generated school.
#[derive(Debug, Clone, Args)]
pub struct SchoolArgs {
    /// Seed of the generator: the same seed and sizes give the same school and eventids.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of students.
    #[arg(long, default_value_t = 300)]
    pub students: u32,
    /// Number of teachers.
    #[arg(long, default_value_t = 20)]
    pub teachers: u32,
    /// Number of sections (Moodle courses); each has one teacher.
    #[arg(long, default_value_t = 60)]
    pub sections: u32,
    /// Sections each student takes (each student takes this ±1).
    #[arg(long, default_value_t = 6)]
    pub sections_per_student: u32,
    /// Grade items per section.
    #[arg(long, default_value_t = 8)]
    pub assessments_per_section: u32,
    /// First day of the simulated term (UTC).
    #[arg(long, default_value = "2026-09-01", value_name = "YYYY-MM-DD")]
    pub start_date: String,
    /// Length of the term in days; nothing happens after it ends.
    #[arg(long, default_value_t = 80)]
    pub term_days: u32,
}

impl SchoolArgs {
    /// Generates the school.
    pub fn generate(&self) -> anyhow::Result<School> {
        let spec = SchoolSpec {
            seed: self.seed,
            students: self.students,
            teachers: self.teachers,
            sections: self.sections,
            sections_per_student: self.sections_per_student,
            assessments_per_section: self.assessments_per_section,
            term_days: self.term_days,
            ..SchoolSpec::default()
        }
        .with_start_date(&self.start_date)?;
        Ok(generate(&spec)?)
    }
}

/// The configuration of the site from its flags and the school it holds.
pub async fn config(
    site: &SiteArgs,
    school: SchoolState,
    eventid_prefix: &str,
) -> anyhow::Result<SimConfig> {
    let wwwroot = normalise_wwwroot(&site.wwwroot)?;
    let identity = identity(site, &wwwroot).await?;
    let mut config = SimConfig::new(wwwroot, identity);
    config.site_name = site.site_name.clone();
    config.register_all_hosts = !site.no_register_all_hosts;
    config.user_password = site.user_password.clone();
    config.school = school;
    config.eventid_prefix = eventid_prefix.to_owned();
    Ok(config)
}

async fn identity(site: &SiteArgs, wwwroot: &str) -> anyhow::Result<SiteIdentity> {
    let (wwwroot, name, now) = (
        wwwroot.to_owned(),
        site.site_name.clone(),
        SystemClock.now(),
    );
    let Some(path) = site.key_file.clone() else {
        eprintln!("No --key-file: making a new RSA-2048 key for this run.");
        return Ok(tokio::task::spawn_blocking(move || {
            SiteIdentity::generate(&wwwroot, &name, now)
        })
        .await??);
    };
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the key file {}", path.display()))?;
        let identity = SiteIdentity::from_pem_bundle(&text, &wwwroot, &name, now)
            .with_context(|| format!("using the key file {}", path.display()))?;
        if !text.contains(identity.certificate_pem().trim()) {
            write_key_file(&path, &identity)?;
            eprintln!(
                "Made a new certificate for {wwwroot} and stored it in {}.",
                path.display()
            );
        }
        return Ok(identity);
    }
    eprintln!(
        "Making a new RSA-2048 key for {wwwroot} (stored in {}).",
        path.display()
    );
    let identity =
        tokio::task::spawn_blocking(move || SiteIdentity::generate(&wwwroot, &name, now)).await??;
    write_key_file(&path, &identity)?;
    Ok(identity)
}

fn write_key_file(path: &Path, identity: &SiteIdentity) -> anyhow::Result<()> {
    let bundle = identity.to_pem_bundle()?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("writing the key file {}", path.display()))?;
    file.write_all(bundle.as_bytes())?;
    Ok(())
}

/// Binds the listen address with a clear message when it is taken.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => bail!(
            "{addr} is already in use: is another moodle-sim running there? Use --listen (and \
             --wwwroot) to pick another address, or --no-listen with `scenario`."
        ),
        Err(e) => Err(e).with_context(|| format!("listening on {addr}")),
    }
}

/// Waits for Ctrl-C, or SIGTERM on Unix (service managers stop a server that way).
pub async fn until_stopped() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("listening for SIGTERM")?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")
    }
}
