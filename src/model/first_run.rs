//! The home page's checklist for a fresh install (`GET /api/first-run`): add a Moodle, tick the
//! services on both sides, choose who may sign in — each step done or not from what the server
//! has stored, in order, with the page that does it.

use schoolbridge_api::FirstRun;

/// A step of setting SchoolBridge up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Add the school's Moodle as a peer.
    AddMoodle,
    /// Tick `schooltool_sis` (and single sign-on) in Moodle's Services tab and here.
    Services,
    /// Allow people from Moodle to sign in.
    SignIn,
}

impl Step {
    /// Its `data-step` (for tests).
    pub fn code(self) -> &'static str {
        match self {
            Step::AddMoodle => "peer",
            Step::Services => "services",
            Step::SignIn => "sign-in",
        }
    }
}

/// The steps with whether each is done, and where to do it.
pub fn steps(state: &FirstRun) -> Vec<(Step, bool, String)> {
    let peer_page = state
        .peers
        .first()
        .map_or_else(|| "/peers/new".to_owned(), |p| format!("/peers/{}", p.id));
    vec![
        (
            Step::AddMoodle,
            !state.peers.is_empty(),
            "/peers/new".to_owned(),
        ),
        (Step::Services, state.records_arrived, peer_page),
        (Step::SignIn, state.sign_in_granted, "/people".to_owned()),
    ]
}

/// Whether anything is left to do (the checklist shows until everything is).
pub fn anything_left(state: &FirstRun) -> bool {
    steps(state).iter().any(|(_, done, _)| !done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolbridge_api::PeerLink;

    #[test]
    fn steps_follow_the_stored_state() {
        let fresh = FirstRun::default();
        let done: Vec<bool> = steps(&fresh).iter().map(|s| s.1).collect();
        assert_eq!(done, [false, false, false]);
        assert_eq!(steps(&fresh)[1].2, "/peers/new");
        assert!(anything_left(&fresh));
        let peered = FirstRun {
            peers: vec![PeerLink {
                id: 4,
                name: "Springfield Moodle".into(),
                wwwroot: "https://moodle.example".into(),
                url: "https://moodle.example".into(),
            }],
            ..FirstRun::default()
        };
        assert!(steps(&peered)[0].1);
        assert_eq!(steps(&peered)[1].2, "/peers/4");
        let all = FirstRun {
            records_arrived: true,
            sign_in_granted: true,
            ..peered
        };
        assert!(!anything_left(&all));
    }
}
