//! Helpers shared by the test modules: RSA keys made once per test run, and started sites.
use mnet::keys::SitePrivateKey;
use moodle_sim::{SchoolState, ServeHandle, SimMoodle, Story, start_loopback};
use std::sync::OnceLock;

/// `n`-th of a few RSA-2048 keys, generated once for the whole test binary (key generation is
/// the slow part of these tests).
pub fn key(n: usize) -> SitePrivateKey {
    static KEYS: OnceLock<Vec<SitePrivateKey>> = OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        let threads: Vec<_> = (0..5)
            .map(|_| {
                std::thread::spawn(|| SitePrivateKey::generate(&mut rand::rng(), 2048).unwrap())
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    keys[n % keys.len()].clone()
}

/// A site on loopback holding the people of the drop-course story (users `cdubois`, `nkim`).
pub async fn site(n: usize) -> (SimMoodle, ServeHandle) {
    let key = tokio::task::spawn_blocking(move || key(n)).await.unwrap();
    start_loopback(key, |config| {
        config.school = SchoolState::from_changes(&Story::DropCourse.changes(1));
        config.site_name = format!("Sim {n}");
        config.site_shortname = format!("sim{n}");
    })
    .await
    .unwrap()
}

/// Two sites that have added each other as peers.
pub async fn pair() -> ((SimMoodle, ServeHandle), (SimMoodle, ServeHandle)) {
    let (a, b) = (site(0).await, site(1).await);
    a.0.add_peer(b.0.wwwroot()).await.unwrap();
    b.0.add_peer(a.0.wwwroot()).await.unwrap();
    (a, b)
}
