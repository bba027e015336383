//! The `moodle-sim` command: run a simulated Moodle 4.5 peer (`serve`), or register with
//! SchoolBridge and push a generated school or a scripted story to it (`scenario`). Errors are
//! reported with `anyhow` here; the library underneath has typed errors.

mod commands;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// A Moodle-4.5-shaped MNet peer for demos, tests and load.
#[derive(Debug, Parser)]
#[command(name = "moodle-sim", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the simulated Moodle until Ctrl-C: MNet endpoint, front page, login, SSO jump and land.
    Serve(commands::serve::ServeArgs),
    /// Register with SchoolBridge (keyswap) and push a generated school or a story, one
    /// schooltool/sis call per change; the simulator answers at its wwwroot meanwhile.
    Scenario(commands::scenario::ScenarioArgs),
    /// List the scripted stories (the seven scenarios of docs/product.md §5).
    Stories,
    /// Load on a SchoolBridge: N concurrent clients sending signed and encrypted calls; prints
    /// calls/s, latency percentiles, errors, the server's peak memory and the ratio to the pure
    /// crypto round rate, then checks that every acknowledged call was stored.
    Load(commands::load::LoadArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_filter = match cli.command {
        Command::Serve(_) => "warn,moodle_sim=info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve(args) => commands::serve::run(args).await,
        Command::Scenario(args) => commands::scenario::run(args).await,
        Command::Stories => {
            commands::scenario::list_stories();
            Ok(ExitCode::SUCCESS)
        }
        Command::Load(args) => commands::load::run(args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("moodle-sim: {e:#}");
            ExitCode::FAILURE
        }
    }
}
