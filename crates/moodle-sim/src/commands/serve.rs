//! `moodle-sim serve`: runs the simulated site until Ctrl-C, optionally registering peers
//! first (keyswap, as an administrator's "Add host").

use super::site::{SchoolArgs, SiteArgs, bind, config, until_stopped};
use clap::Args;
use moodle_sim::{SchoolState, SimMoodle};
use std::process::ExitCode;

/// Flags of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    #[command(flatten)]
    school: SchoolArgs,
    /// Register this peer at start (keyswap). May be given more than once.
    #[arg(long = "peer", value_name = "URL")]
    peers: Vec<String>,
}

/// Runs `serve`.
pub async fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let school = args.school.generate()?;
    let state = SchoolState::from_changes(&school.changes);
    let prefix = format!("sim-s{}", args.school.seed);
    let sim = SimMoodle::new(config(&args.site, state, &prefix).await?)?;
    let listener = bind(args.site.listen).await?;
    let handle = sim.serve(listener)?;
    println!("Simulated Moodle {} at {}", sim.site_name(), sim.wwwroot());
    println!("  MNet endpoint: {}/mnet/xmlrpc/server.php", sim.wwwroot());
    println!(
        "  certificate SHA-256: {}",
        sim.certificate().fingerprint_sha256()
    );
    let counts = sim.school().counts();
    println!(
        "  school: {} people, {} sections, {} enrolments, {} grade items (log in as \"admin\" or any user)",
        counts.users, counts.sections, counts.enrolments, counts.assessments
    );
    for peer in &args.peers {
        match sim.add_peer(peer).await {
            Ok(p) => println!("  peer {} added (id {}, {})", p.wwwroot, p.id, p.name),
            Err(e) => eprintln!("  could not add peer {peer}: {e}"),
        }
    }
    println!("Press Ctrl-C to stop.");
    until_stopped().await?;
    handle.stop().await;
    Ok(ExitCode::SUCCESS)
}
