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

/// `user …` applies the rules the console's API applies (`accounts::people`): the sign-in name
/// Moodle can take, names needed, known roles, a free name, a long enough password; withdrawing
/// login rights and setting a password work on the same accounts.
#[test]
fn user_commands_follow_the_account_rules() {
    use std::io::Write as _;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: &str| {
        let mut child = bin()
            .args([
                "--data-dir",
                dir.path().to_str().unwrap(),
                "--wwwroot",
                "https://sis.example",
                "user",
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let add = |name: &str, first: &str, role: &str| {
        run(
            &[
                "add",
                name,
                "--firstname",
                first,
                "--lastname",
                "Teacher",
                "--role",
                role,
            ],
            "sam-password-1\n",
        )
    };
    let (ok, out, err) = add(" Sam ", " Sam ", "Teacher");
    assert!(ok, "{err}");
    assert!(
        out.contains("Created sam (id ") && out.contains("roles: teacher"),
        "{out}"
    );
    let (ok, _, err) = add("o'brien", "Pat", "teacher");
    assert!(!ok && err.contains("Moodle"), "{err}");
    let (ok, _, err) = add("pat", "  ", "teacher");
    assert!(!ok && err.contains("Given and family names"), "{err}");
    let (ok, _, err) = add("pat", "Pat", "wizard");
    assert!(!ok && err.contains("unknown role"), "{err}");
    let (ok, _, err) = add("SAM", "Sam", "teacher");
    assert!(!ok && err.contains("taken"), "{err}");
    let (ok, _, err) = run(
        &["add", "pat", "--firstname", "Pat", "--lastname", "P"],
        "short\n",
    );
    assert!(!ok && err.contains("at least 10 characters"), "{err}");

    let (ok, out, err) = run(
        &["roles", "SAM", "--role", "teacher", "--role", "admin"],
        "",
    );
    assert!(ok, "{err}");
    assert!(out.contains("now has roles: admin, teacher"), "{out}");
    let (_, out, _) = run(&["list"], "");
    assert!(
        out.contains("sam") && out.contains("admin,teacher"),
        "{out}"
    );
    let (ok, out, err) = run(&["revoke", "sam"], "");
    assert!(ok, "{err}");
    assert!(out.contains("Withdrew login rights from 1 people"), "{out}");
    assert!(run(&["list"], "").1.contains("login false"));
    let (ok, out, _) = run(&["grant", "sam"], "");
    assert!(
        ok && out.contains("Granted login rights to 1 people"),
        "{out}"
    );
    let (ok, _, err) = run(&["revoke", "nobody"], "");
    assert!(!ok && err.contains("no person"), "{err}");
    let (ok, _, err) = run(&["passwd", "sam"], "short\n");
    assert!(!ok && err.contains("at least 10 characters"), "{err}");
    let (ok, out, err) = run(&["passwd", "sam"], "a-new-password\n");
    assert!(ok, "{err}");
    assert!(out.contains("Password changed for sam"), "{out}");
}
