//! The `schoolbridge` binary: `--help` explains every subcommand; bad configuration gets a clear
//! message and a non-zero exit; the CLI works on the same data directory as the server.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_schoolbridge"))
}

#[test]
fn help_lists_every_subcommand() {
    let out = bin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "peer", "key", "audit", "migrate"] {
        assert!(text.contains(sub), "--help does not mention {sub}:\n{text}");
    }
    let out = bin().args(["peer", "--help"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "add", "list", "review", "verify", "services", "delete", "restore",
    ] {
        assert!(text.contains(sub), "peer --help does not mention {sub}");
    }
    let out = bin().args(["peer", "add", "--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("--yes"));
}

#[test]
fn bad_configuration_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["--data-dir", dir.path().to_str().unwrap(), "key", "show"])
        .env("SCHOOLBRIDGE_WWWROOT", "ftp://nope")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wwwroot") && err.contains("http"), "{err}");
    let toml = dir.path().join("sb.toml");
    std::fs::write(&toml, "listen = \"127.0.0.1:1\"\nunknown_setting = 1\n").unwrap();
    let out = bin()
        .args(["--config", toml.to_str().unwrap(), "key", "show"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown_setting"));
}

#[test]
fn key_show_and_rotate_on_a_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = bin()
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "--wwwroot",
                "https://sis.example",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let pem = run(&["key", "show", "--pem"]);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
    let shown = run(&["key", "show"]);
    assert!(shown.contains("https://sis.example") && shown.contains("SHA-256"));
    run(&["key", "rotate", "--yes"]);
    let after = run(&["key", "show", "--pem"]);
    assert_ne!(pem, after);
    assert!(run(&["key", "show"]).contains("Archived key"));
    assert!(run(&["peer", "list"]).contains("No peers yet"));
    // A secret never reaches the output: the master key file is not printed anywhere.
    let master = std::fs::read_to_string(dir.path().join("master.key")).unwrap();
    assert!(!shown.contains(master.trim()));
}
