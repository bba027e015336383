//! Pushing changes to a SchoolBridge stand-in: order, one call per change, retries with
//! back-off on 8103–8105/8199, giving up on other 81xx faults, stopping on 7020 and 7012.
use super::sis_stub::{self, created};
use super::support::site;
use moodle_sim::{PushOptions, PushStop, PushSummary, SimMoodle, Story};
use std::time::Duration;

fn quick() -> PushOptions {
    PushOptions {
        retries: 2,
        backoff: Duration::from_millis(5),
        batch: 1,
    }
}

/// The sim adds the stub as a peer, then pushes one run of the dropped-course story to it.
async fn peer_and_push_one_story(sim: &SimMoodle, stub: &sis_stub::Stub) -> PushSummary {
    sim.add_peer(&stub.wwwroot).await.unwrap();
    sim.push(
        &stub.wwwroot,
        &Story::DropCourse.changes(1),
        &quick(),
        |_| {},
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_story_is_pushed_in_order_one_call_per_change() {
    let (sim, _h) = site(0).await;
    let stub = sis_stub::start(true, Box::new(|_, _, fields| Ok(created(fields)))).await;
    sim.add_peer(&stub.wwwroot).await.unwrap();
    let changes = Story::DropCourse.changes(7);
    let mut seen = Vec::new();
    let summary = sim
        .push(&stub.wwwroot, &changes, &quick(), |p| seen.push(p.done))
        .await;
    assert_eq!(summary.stopped, None);
    assert_eq!((summary.total, summary.done, summary.calls), (8, 8, 8));
    assert_eq!(summary.statuses.get("created"), Some(&8));
    assert_eq!(seen, (1..=8).collect::<Vec<_>>());
    let calls = stub.calls.lock().unwrap().clone();
    let methods: Vec<String> = calls.iter().map(|(m, _)| m.clone()).collect();
    let expected: Vec<String> = changes.iter().map(|c| c.method()).collect();
    assert_eq!(methods, expected);
    for ((_, fields), change) in calls.iter().zip(&changes) {
        assert_eq!(
            fields,
            &change.to_struct(),
            "the struct arrives exactly as built"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prerequisite_faults_are_retried_other_faults_given_up() {
    let (sim, _h) = site(0).await;
    let stub = sis_stub::start(
        true,
        Box::new(|n, method, fields| match method {
            // The first enrolment attempts meet an unknown person twice, then succeed.
            "schooltool/sis/new_enrolment" if n == 2 || n == 3 => {
                Err((8104, "unknown person".into()))
            }
            "schooltool/sis/new_grade" => Err((8105, "unknown assessment".into())),
            "schooltool/sis/new_assessment" => Err((8102, "bad pointval".into())),
            _ => Ok(created(fields)),
        }),
    )
    .await;
    sim.add_peer(&stub.wwwroot).await.unwrap();
    let changes = Story::DropCourse.changes(8);
    let summary = sim.push(&stub.wwwroot, &changes, &quick(), |_| {}).await;
    assert_eq!(summary.stopped, None, "{summary}");
    assert_eq!(summary.done, changes.len());
    assert_eq!(summary.faults.get(&8104), Some(&2));
    assert_eq!(
        summary.faults.get(&8105),
        Some(&3),
        "first try and two retries"
    );
    assert_eq!(summary.faults.get(&8102), Some(&1), "not retried");
    assert_eq!(summary.rejected, 2);
    assert_eq!(summary.calls, changes.len() as u64 + 2 + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seven_thousand_twenty_stops_with_the_command_to_run() {
    let (sim, _h) = site(0).await;
    let stub = sis_stub::start(false, Box::new(|_, _, fields| Ok(created(fields)))).await;
    let summary = peer_and_push_one_story(&sim, &stub).await;
    assert_eq!((summary.done, summary.calls), (0, 1));
    let stop = summary.stopped.unwrap();
    assert!(matches!(stop, PushStop::NotAPeer { .. }));
    assert!(
        stop.to_string()
            .contains(&format!("schoolbridge peer add {} --yes", sim.wwwroot()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpublished_service_stops_the_push() {
    let (sim, _h) = site(0).await;
    let stub = sis_stub::start(
        true,
        Box::new(|_, _, _| Err((7012, "Unable to locate function".into()))),
    )
    .await;
    let summary = peer_and_push_one_story(&sim, &stub).await;
    assert_eq!(summary.calls, 1);
    assert!(matches!(
        summary.stopped,
        Some(PushStop::NotPublished { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_school_is_pushed_without_faults() {
    let (sim, _h) = site(0).await;
    let stub = sis_stub::start(true, Box::new(|_, _, fields| Ok(created(fields)))).await;
    sim.add_peer(&stub.wwwroot).await.unwrap();
    let school = moodle_sim::school::generate(&moodle_sim::SchoolSpec {
        students: 20,
        teachers: 3,
        sections: 6,
        sections_per_student: 3,
        assessments_per_section: 4,
        ..moodle_sim::SchoolSpec::default()
    })
    .unwrap();
    let changes = &school.changes[..school.changes.len().min(300)];
    let summary = sim.push(&stub.wwwroot, changes, &quick(), |_| {}).await;
    assert_eq!(summary.stopped, None);
    assert_eq!(summary.accepted(), changes.len() as u64);
    assert!(summary.faults.is_empty());
    // Both ends on this machine's cores; printed with --nocapture.
    println!("push rate: {summary}");
}
