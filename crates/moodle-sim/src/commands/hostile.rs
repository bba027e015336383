//! `moodle-sim load --hostile N`: after the accepted window, two rounds of N anonymous hostile requests
//! (issue 18), to show what they cost the server: its resident memory and its data directory's
//! size before and after (goal: flat), and its CPU per rejected request as a ratio of one
//! accepted call from the same run. Loopback only, like every run of this tool.
//!
//! The kinds, in turn: a call sealed to SchoolBridge in a registered Moodle's name but signed
//! with another key (a forged sender: costs one private-key operation, then is refused); the
//! same from a wwwroot nobody registered; random bytes as an encrypted envelope from the
//! registered wwwroot; a plain, unauthenticated 1 MiB `methodCall`; a 9 MiB body (over
//! `max_body_bytes`); a failed console sign-in under a new name each time; a GET of an unknown
//! API path.

use mnet::client::{self, Caller};
use mnet::envelope::{Cipher, PublicKeyPath};
use mnet::keys::{PeerCertificate, SitePrivateKey};
use mnet::xmlrpc::{Struct, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// One prepared hostile request.
struct Hostile {
    kind: &'static str,
    method: reqwest::Method,
    path: &'static str,
    content_type: &'static str,
    body: Vec<u8>,
}

/// What N hostile requests cost.
pub struct Figures {
    /// Requests sent.
    pub sent: usize,
    /// Answers by kind and HTTP status (0: no answer, the connection was closed).
    pub answers: BTreeMap<(&'static str, u16), usize>,
    /// The server's VmRSS before and after each round, kB.
    pub rss_kb: Option<Vec<u64>>,
    /// The data directory's size before and after each round, bytes.
    pub disk_bytes: Option<Vec<u64>>,
    /// The server's CPU seconds over the hostile window.
    pub server_cpu: Option<f64>,
    /// Wall time of the window, seconds.
    pub seconds: f64,
}

fn rss_kb(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.trim_start_matches("VmRSS:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Prepares `n` hostile requests (sealing before the window, like the accepted ones).
fn prepare(
    n: usize,
    registered: &str,
    sb_cert: &PeerCertificate,
    now: i64,
) -> anyhow::Result<Vec<Hostile>> {
    let mut rng = rand::rng();
    let forger = SitePrivateKey::generate(&mut rng, 2048)?;
    let params = vec![Value::Struct(
        Struct::new()
            .with("assessmentid", "hostile")
            .with("userid", "hostile")
            .with("points_earned", "1")
            .with("eventid", "hostile")
            .with("timemodified", now),
    )];
    let sealed = |wwwroot: &str| -> anyhow::Result<Vec<u8>> {
        let caller = Caller {
            wwwroot,
            key: &forger,
            publickey_path: PublicKeyPath::Moodle,
        };
        let mut rng = rand::rng();
        Ok(client::build_request(
            &caller,
            sb_cert,
            "schooltool/sis/new_grade",
            &params,
            now,
            Cipher::Rc4,
            &mut rng,
        )?
        .body)
    };
    let forged = sealed(registered)?;
    let unregistered = sealed("http://127.0.0.1:9/not-registered")?;
    let garbage = {
        // Base64 text of random bytes (what an envelope's cipher values look like).
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let noise = |len: usize| -> String {
            (0..len.div_ceil(3) * 4)
                .map(|_| char::from(ALPHABET[usize::from(rand::random::<u8>() % 64)]))
                .collect()
        };
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><encryptedMessage><EncryptedData Algorithm=\"XMLENC\"><CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedData><EncryptedKey Algorithm=\"URI\"><CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedKey><wwwroot>{registered}</wwwroot></encryptedMessage>",
            noise(48 * 1024),
            noise(256)
        )
        .into_bytes()
    };
    let plain_big = {
        let mut s = String::from(
            "<?xml version=\"1.0\"?><methodCall><methodName>system/keyswap</methodName><params><param><value><array><data>",
        );
        while s.len() < 1024 * 1024 {
            s.push_str("<value><string>x</string></value>");
        }
        s.push_str("</data></array></value></param></params></methodCall>");
        s.into_bytes()
    };
    let too_big = vec![b'<'; 9 * 1024 * 1024];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mnet = |kind, body: &Vec<u8>| Hostile {
            kind,
            method: reqwest::Method::POST,
            path: "/mnet/xmlrpc/server.php",
            content_type: "text/xml",
            body: body.clone(),
        };
        out.push(match i % 7 {
            0 => mnet("forged signature, registered wwwroot", &forged),
            1 => mnet("sealed from an unregistered wwwroot", &unregistered),
            2 => mnet("random bytes as an envelope", &garbage),
            3 => mnet("plain 1 MiB call, unauthenticated", &plain_big),
            4 => mnet("9 MiB body", &too_big),
            5 => Hostile {
                kind: "failed sign-in, new name each time",
                method: reqwest::Method::POST,
                path: "/api/session",
                content_type: "application/json",
                body: format!("{{\"username\":\"guess{i}\",\"password\":\"wrong-{i}\"}}")
                    .into_bytes(),
            },
            _ => Hostile {
                kind: "unknown API path",
                method: reqwest::Method::GET,
                path: "/api/no/such/thing",
                content_type: "text/plain",
                body: Vec::new(),
            },
        });
    }
    Ok(out)
}

/// Sends `n` hostile requests to `sb` from 2 clients, twice (growth in the second round shows
/// whether the first one's cost was a plateau or a slope), and measures what they cost.
pub async fn run(
    sb: &str,
    registered: &str,
    sb_cert: &PeerCertificate,
    now: i64,
    server_pid: Option<u32>,
    data_dir: Option<&Path>,
    n: usize,
) -> anyhow::Result<Figures> {
    let requests = Arc::new(prepare(n, registered, sb_cert, now)?);
    // Let the accepted window's work settle (pending writes, freed buffers).
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let mut rss_kb_seen = vec![server_pid.and_then(rss_kb)];
    let mut disk_seen = vec![data_dir.map(dir_bytes)];
    let mut answers = BTreeMap::new();
    let mut server_cpu = Some(0.0);
    let mut seconds = 0.0;
    for _round in 0..2 {
        let cpu_before = server_pid.and_then(super::load::cpu_seconds);
        let started = Instant::now();
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let (requests, next, sb) = (Arc::clone(&requests), Arc::clone(&next), sb.to_owned());
            tasks.push(tokio::spawn(async move {
                // A fresh connection each time: the server closes one after refusing a body
                // unread (413), and a pooled client would count that as no answer.
                let http = reqwest::Client::builder()
                    .user_agent("hostile")
                    .pool_max_idle_per_host(0)
                    .build()
                    .unwrap_or_default();
                let mut seen = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(h) = requests.get(i) else { break };
                    let status = match http
                        .request(h.method.clone(), format!("{sb}{}", h.path))
                        .header("Content-Type", h.content_type)
                        // One remote sender, as a proxy on this machine reports it (the run
                        // sets trusted_proxies = 127.0.0.1); ignored when no proxy is trusted.
                        .header("X-Forwarded-For", "203.0.113.66")
                        .body(h.body.clone())
                        .send()
                        .await
                    {
                        Ok(r) => {
                            let s = r.status().as_u16();
                            let _ = r.bytes().await;
                            s
                        }
                        Err(_) => 0,
                    };
                    seen.push((h.kind, status));
                }
                seen
            }));
        }
        for t in tasks {
            for k in t.await? {
                *answers.entry(k).or_insert(0) += 1;
            }
        }
        seconds += started.elapsed().as_secs_f64();
        let cpu_after = server_pid.and_then(super::load::cpu_seconds);
        server_cpu = match (server_cpu, cpu_before, cpu_after) {
            (Some(sum), Some(a), Some(b)) => Some(sum + b - a),
            _ => None,
        };
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        rss_kb_seen.push(server_pid.and_then(rss_kb));
        disk_seen.push(data_dir.map(dir_bytes));
    }
    Ok(Figures {
        sent: 2 * n,
        answers,
        rss_kb: rss_kb_seen.into_iter().collect(),
        disk_bytes: disk_seen.into_iter().collect(),
        server_cpu,
        seconds,
    })
}

impl Figures {
    /// Prints the figures, with the accepted calls' server CPU per call (seconds) for the ratio.
    pub fn print(&self, accepted_cpu_per_call: Option<f64>) {
        println!(
            "hostile: {} anonymous requests (two rounds) in {:.1} s",
            self.sent, self.seconds
        );
        for ((kind, status), count) in &self.answers {
            println!("  {kind}: HTTP {status} × {count}");
        }
        if let Some(kb) = &self.rss_kb {
            let mib: Vec<String> = kb
                .iter()
                .map(|k| format!("{:.1}", *k as f64 / 1024.0))
                .collect();
            println!(
                "  server RSS, MiB: {} (before, after round 1, after round 2)",
                mib.join(" → ")
            );
        }
        if let Some(bytes) = &self.disk_bytes {
            let shown: Vec<String> = bytes.iter().map(u64::to_string).collect();
            println!(
                "  data directory, bytes: {} (before, after round 1, after round 2)",
                shown.join(" → ")
            );
        }
        if let Some(cpu) = self.server_cpu {
            let per = cpu / self.sent.max(1) as f64;
            print!(
                "  server CPU: {cpu:.2} s, {:.3} ms per hostile request",
                per * 1000.0
            );
            if let Some(acc) = accepted_cpu_per_call.filter(|a| *a > 0.0) {
                print!(
                    "; one accepted call: {:.3} ms; ratio {:.2}",
                    acc * 1000.0,
                    per / acc
                );
            }
            println!();
        }
    }
}
