//! `schoolbridge`: start-up, configuration and the command-line subcommands. Errors here use
//! `anyhow`; the library's errors are typed.

use anyhow::{Context, bail};
use clap::{CommandFactory, FromArgMatches};
use schoolbridge::accounts::people as accounts;
use schoolbridge::cli::{
    AuditCommand, Cli, Command, KeyCommand, PeerCommand, UserCommand, log_format_hint,
};
use schoolbridge::config::{ConfigLayer, LogFormat};
use schoolbridge::mnet_host::registry;
use schoolbridge::state::Reach;
use schoolbridge::store::{AuditFilter, PeerServiceRow};
use schoolbridge::{AppState, Clock};
use std::io::Write;

fn main() -> anyhow::Result<()> {
    // `--version` also names the database schema and the console this binary carries.
    let long_version: &'static str = schoolbridge::build_info::long_version().leak();
    let matches = Cli::command().long_version(long_version).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    init_logging(log_format_hint(&cli.global));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(cli))
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SCHOOLBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

fn config_layers(cli: &Cli) -> anyhow::Result<ConfigLayer> {
    let mut layer = ConfigLayer::default();
    let file = cli
        .global
        .config
        .clone()
        .or_else(|| std::env::var_os("SCHOOLBRIDGE_CONFIG").map(Into::into));
    if let Some(path) = file {
        layer = layer.overlay(&ConfigLayer::from_toml_file(&path)?);
    }
    layer = layer.overlay(&ConfigLayer::from_env(std::env::vars())?);
    layer = layer.overlay(&cli.global.layer());
    if let Command::Serve(s) = &cli.command {
        layer = layer.overlay(&ConfigLayer {
            listen: s.listen.clone(),
            console_dir: s.console_dir.clone(),
            ..ConfigLayer::default()
        });
    }
    Ok(layer)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config_layers(&cli)?.finish()?;
    // Backup and restore work on the files, not through a running site (a restore's target is
    // empty, and opening it would make a new site there).
    match &cli.command {
        Command::Backup(b) => return backup(&config, &b.file).await,
        Command::Restore(r) => return restore(&config, &r.file).await,
        _ => {}
    }
    let state = AppState::open(config, Clock::system()).await?;
    match cli.command {
        Command::Serve(_) => serve(state).await,
        Command::Peer(cmd) => peer(&state, cmd).await,
        Command::Key(cmd) => key(&state, cmd).await,
        Command::Audit(cmd) => audit(&state, cmd).await,
        Command::User(cmd) => user(&state, cmd).await,
        Command::Migrate => {
            println!("The database is up to date.");
            Ok(())
        }
        Command::Backup(_) | Command::Restore(_) => Ok(()),
    }
}

async fn backup(config: &schoolbridge::Config, file: &std::path::Path) -> anyhow::Result<()> {
    let done = schoolbridge::backup::create(config, file, Clock::system().now()).await?;
    println!(
        "Backup written to {} ({} KB): database schema {}, site {}.",
        file.display(),
        done.bytes.div_ceil(1024),
        done.manifest.schema_version,
        done.manifest.wwwroot.as_deref().unwrap_or("-")
    );
    println!(
        "It holds the master key that opens the site's private keys: keep it as safe as the server."
    );
    Ok(())
}

async fn restore(config: &schoolbridge::Config, file: &std::path::Path) -> anyhow::Result<()> {
    let done = schoolbridge::backup::restore(config, file).await?;
    println!(
        "Restored the backup of {} made {} by SchoolBridge {} into {} (database schema {}).",
        done.manifest.wwwroot.as_deref().unwrap_or("-"),
        schoolbridge::clock::utc_date_time(done.manifest.created_at),
        done.manifest.schoolbridge_version,
        done.database.display(),
        done.schema_version
    );
    println!("Start the server as usual; peers reach it at the same wwwroot.");
    Ok(())
}

async fn serve(state: AppState) -> anyhow::Result<()> {
    for warning in state.config.warnings() {
        tracing::warn!("{warning}");
    }
    let addr = state.config.listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let running = schoolbridge::server::spawn(state.clone(), listener)?;
    tracing::info!(wwwroot = %state.config.wwwroot, "SchoolBridge is ready");
    println!("SchoolBridge listening on {}", running.url());
    println!("Peers reach this site as {}", state.config.wwwroot);
    if let Some(token) = schoolbridge::accounts::setup::token_if_needed(&state).await? {
        println!(
            "No administrator yet. Create the first one at: {}/setup?token={token}",
            running.url()
        );
        println!("(or run: schoolbridge user add NAME --firstname … --lastname … --role admin)");
    }
    let _ = std::io::stdout().flush();
    shutdown_signal().await;
    tracing::info!("shutting down");
    running.stop().await;
    state.store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

fn confirm(question: &str) -> anyhow::Result<bool> {
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn when(t: Option<i64>) -> String {
    t.map(|t| format!("{} (unix {t})", schoolbridge::clock::utc_date_time(t)))
        .unwrap_or_else(|| "never".into())
}

fn print_certificate(cert: &mnet::keys::PeerCertificate) {
    let s = cert.subject();
    let show =
        |label: &str, v: &Option<String>| println!("  {label:<16} {}", v.as_deref().unwrap_or("-"));
    show("Common name", &s.common_name);
    show("subjectAltName", &s.subject_alt_name);
    show("Organisation", &s.organization);
    show("Unit", &s.organizational_unit);
    show("E-mail", &s.email);
    println!(
        "  {:<16} {}",
        "Valid from",
        schoolbridge::clock::utc_date_time(cert.not_before())
    );
    println!(
        "  {:<16} {}",
        "Valid until",
        schoolbridge::clock::utc_date_time(cert.not_after())
    );
    println!(
        "  {:<16} {} ({} bits)",
        "Signature",
        cert.signature_algorithm(),
        cert.key_bits()
    );
    println!("  {:<16} {}", "SHA-256", cert.fingerprint_sha256());
}

async fn peer(state: &AppState, cmd: PeerCommand) -> anyhow::Result<()> {
    match cmd {
        PeerCommand::Add {
            url,
            application,
            name,
            no_tls_verify,
            yes,
        } => {
            let preview =
                registry::preview(state, &url, &application, Reach::peer(!no_tls_verify)).await?;
            println!(
                "{} ({}) publishes this certificate:",
                preview.name, preview.wwwroot
            );
            print_certificate(&preview.certificate);
            if preview.restores_deleted.is_some() {
                println!("A deleted peer with this address exists: confirming restores it.");
            }
            if !yes && !confirm("Trust this certificate and add the peer?")? {
                bail!("not added");
            }
            let fp = preview.certificate.fingerprint_sha256();
            let peer =
                registry::confirm(state, &preview, &fp, name.as_deref(), !no_tls_verify).await?;
            println!(
                "Added peer {} \"{}\" ({}). Services switched on: schooltool_sis, sso_idp, sso_sp (publish and subscribe).",
                peer.id, peer.name, peer.wwwroot
            );
            println!(
                "Now add SchoolBridge in Moodle: Site administration → Networking → Manage peers → {}",
                state.config.wwwroot
            );
        }
        PeerCommand::List { all } => {
            let peers = state.store.peers(all).await?;
            if peers.is_empty() {
                println!(
                    "No peers yet. Add one with: schoolbridge peer add https://moodle.school.example"
                );
            }
            let now = state.clock.now();
            for p in peers {
                let status = if p.deleted {
                    "deleted"
                } else if p.certificate_expires < now {
                    "key expired"
                } else if p.pending_pem.is_some() {
                    "KEY CHANGED: review"
                } else {
                    "ok"
                };
                println!(
                    "{:>4}  {:<40} {:<8} {:<20} last contact {}  [{status}]",
                    p.id,
                    p.wwwroot,
                    p.application,
                    p.name,
                    when(p.last_contact_at)
                );
            }
        }
        PeerCommand::Review { peer, accept } => {
            let p = registry::find(state, &peer).await?;
            let review = registry::review(state, &p).await?;
            if !review.key_changed {
                println!(
                    "The certificate {} publishes is the one SchoolBridge holds.",
                    p.wwwroot
                );
                print_certificate(&review.published);
                return Ok(());
            }
            println!(
                "WARNING: {} now publishes a DIFFERENT certificate from the one SchoolBridge holds:",
                p.wwwroot
            );
            print_certificate(&review.published);
            if accept || confirm("Accept the new certificate?")? {
                registry::accept_pending_key(
                    state,
                    &review.peer,
                    &review.published.fingerprint_sha256(),
                )
                .await?;
                println!("Accepted.");
            } else {
                println!("Kept the old certificate; the new one waits for review in the console.");
            }
        }
        PeerCommand::Verify { peer } => {
            let p = registry::find(state, &peer).await?;
            let v = registry::verify(state, &p).await;
            if v.ok {
                println!(
                    "OK: signed and encrypted round trip in {} ms. The peer reports:",
                    v.millis
                );
                for (name, publish, subscribe) in v.services {
                    println!("  {name:<16} it publishes: {publish:<5}  it subscribes: {subscribe}");
                }
            } else {
                bail!(
                    "{}",
                    v.diagnosis.unwrap_or_else(|| "verification failed".into())
                );
            }
        }
        PeerCommand::Services { peer, set } => {
            let p = registry::find(state, &peer).await?;
            let mut changes = Vec::new();
            for s in set {
                let (service, flags) = s.split_once('=').with_context(|| {
                    format!("{s:?}: use SERVICE=publish,subscribe or SERVICE=none")
                })?;
                let flags: Vec<&str> = flags.split(',').map(str::trim).collect();
                changes.push(PeerServiceRow {
                    service: service.trim().to_owned(),
                    publish: flags.contains(&"publish"),
                    subscribe: flags.contains(&"subscribe"),
                });
            }
            let rows = if changes.is_empty() {
                state.store.peer_services(p.id).await?
            } else {
                registry::set_services(state, &p, &changes).await?
            };
            println!(
                "Services for {} (from SchoolBridge's side: publish = we serve it to the peer, subscribe = we call it on the peer):",
                p.wwwroot
            );
            for r in rows {
                println!(
                    "  {:<16} publish: {:<5}  subscribe: {}",
                    r.service, r.publish, r.subscribe
                );
            }
        }
        PeerCommand::Delete { peer, yes } => {
            let p = registry::find(state, &peer).await?;
            if !yes
                && !confirm(&format!(
                    "Delete peer {} ({})? All traffic with it stops at once; its data stays.",
                    p.name, p.wwwroot
                ))?
            {
                bail!("not deleted");
            }
            registry::set_deleted(state, &p, true).await?;
            println!(
                "Deleted {}. Restore it with: schoolbridge peer restore {}",
                p.wwwroot, p.id
            );
        }
        PeerCommand::Restore { peer } => {
            let p = registry::find(state, &peer).await?;
            registry::set_deleted(state, &p, false).await?;
            println!("Restored {}.", p.wwwroot);
        }
        PeerCommand::Rename { peer, name } => {
            let p = registry::find(state, &peer).await?;
            let renamed = registry::update_settings(state, &p, &name, p.tls_verify).await?;
            println!("{} is now called {:?}.", renamed.wwwroot, renamed.name);
        }
    }
    Ok(())
}

async fn key(state: &AppState, cmd: KeyCommand) -> anyhow::Result<()> {
    match cmd {
        KeyCommand::Show { pem } => {
            let ring = state.keys.ring();
            if pem {
                print!("{}", ring.current().cert.pem());
                return Ok(());
            }
            println!("Current site certificate ({}):", state.config.wwwroot);
            print_certificate(&ring.current().cert);
            for k in ring.keys.iter().skip(1) {
                println!(
                    "Archived key {} (retired {}), still opens old messages: {}",
                    k.id,
                    when(k.retired_at),
                    k.cert.fingerprint_sha256()
                );
            }
        }
        KeyCommand::Rotate { yes } => {
            if !yes
                && !confirm(
                    "Make a new site key now? Peers learn it on their next call (fault 7025).",
                )?
            {
                bail!("not rotated");
            }
            state.keys.rotate().await?;
            println!("New site key:");
            print_certificate(&state.keys.ring().current().cert);
        }
    }
    Ok(())
}

async fn audit(state: &AppState, cmd: AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::List { limit, peer } = cmd;
    let peer_id = match peer {
        Some(p) => Some(registry::find(state, &p).await?.id),
        None => None,
    };
    let rows = state
        .store
        .audit_entries(&AuditFilter {
            peer_id,
            limit,
            ..AuditFilter::default()
        })
        .await?;
    for r in rows.iter().rev() {
        let e = &r.entry;
        println!(
            "{:>6} {} {:<3} {:<32} {:<40} {}{} {} µs",
            r.id,
            schoolbridge::clock::utc_date_time(e.at_ms / 1000),
            e.direction.as_str(),
            e.peer_wwwroot.as_deref().unwrap_or("-"),
            e.method.as_deref().unwrap_or("-"),
            e.outcome.as_str(),
            e.fault_code.map(|c| format!(" {c}")).unwrap_or_default(),
            e.duration_us
        );
    }
    Ok(())
}

fn read_password(prompt: &str) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        print!("{prompt}");
        std::io::stdout().flush()?;
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// "admin, teacher", or "none".
fn role_list(roles: &[String]) -> String {
    if roles.is_empty() {
        "none".into()
    } else {
        roles.join(", ")
    }
}

/// The people of a `user grant` or `user revoke`: each named one (an unknown one is an error),
/// and everyone from `--peer` holding `--role`.
async fn selection(
    state: &AppState,
    people: &[String],
    peer: Option<&str>,
    role: Option<String>,
) -> anyhow::Result<accounts::Selection> {
    let mut person_ids = Vec::new();
    for key in people {
        let person = accounts::find(state, key)
            .await
            .with_context(|| format!("no person {key:?}"))?;
        person_ids.push(person.id);
    }
    let peer_id = match peer {
        Some(p) => Some(registry::find(state, p).await?.id),
        None => None,
    };
    Ok(accounts::Selection {
        person_ids,
        peer_id,
        role,
    })
}

async fn user(state: &AppState, cmd: UserCommand) -> anyhow::Result<()> {
    use accounts::{Actor, NewAccount};
    use schoolbridge::store::people::PeopleQuery;
    match cmd {
        UserCommand::Add {
            username,
            firstname,
            lastname,
            email,
            roles,
        } => {
            let new = NewAccount {
                username,
                firstname,
                lastname,
                email,
                roles,
            };
            // The rules before the password is asked for.
            accounts::check(state, &new).await?;
            let password = read_password(&format!(
                "Password (at least {} characters): ",
                schoolbridge_api::rules::MIN_PASSWORD
            ))?;
            let person = accounts::create(state, &new, &password).await?;
            let roles = state.store.person_roles(person.id).await?;
            println!(
                "Created {} (id {}) with roles: {}.",
                person.local_username.as_deref().unwrap_or_default(),
                person.id,
                role_list(&roles)
            );
        }
        UserCommand::List { search, peer } => {
            let peer_id = match peer {
                Some(p) => Some(registry::find(state, &p).await?.id),
                None => None,
            };
            let rows = accounts::list(
                state,
                &PeopleQuery {
                    text: search,
                    peer_id,
                    limit: 500,
                    ..PeopleQuery::default()
                },
            )
            .await?;
            for p in rows {
                let roles = state.store.person_roles(p.id).await?.join(",");
                let name = p
                    .local_username
                    .clone()
                    .or(p.mnet_username.clone())
                    .unwrap_or_default();
                println!(
                    "{:>6}  {:<24} {:<30} peer {:<6} login {:<5} {roles}",
                    p.id,
                    name,
                    p.full_name(),
                    p.peer_id
                        .map(|i| i.to_string())
                        .unwrap_or_else(|| "-".into()),
                    p.login_allowed
                );
            }
        }
        UserCommand::Grant { people, peer, role } => {
            let chosen = selection(state, &people, peer.as_deref(), role).await?;
            let n = accounts::set_login_rights(state, Actor::Operator, &chosen, true).await?;
            println!("Granted login rights to {n} people.");
        }
        UserCommand::Revoke { people, peer, role } => {
            let chosen = selection(state, &people, peer.as_deref(), role).await?;
            let n = accounts::set_login_rights(state, Actor::Operator, &chosen, false).await?;
            println!("Withdrew login rights from {n} people; their sessions have ended.");
        }
        UserCommand::Roles { person, roles } => {
            let p = accounts::find(state, &person)
                .await
                .with_context(|| format!("no person {person:?}"))?;
            let p = accounts::set_roles(state, Actor::Operator, p.id, &roles).await?;
            let roles = state.store.person_roles(p.id).await?;
            println!("{} now has roles: {}.", p.full_name(), role_list(&roles));
        }
        UserCommand::Passwd { username } => {
            let p = accounts::find(state, &username)
                .await
                .with_context(|| format!("no local account {username:?}"))?;
            let password = read_password(&format!(
                "New password (at least {} characters): ",
                schoolbridge_api::rules::MIN_PASSWORD
            ))?;
            accounts::set_password(state, p.id, &password).await?;
            println!("Password changed for {username}; their sessions have ended.");
        }
    }
    Ok(())
}
