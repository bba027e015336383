//! The first thing a person sees: the console starts (a Trunk build can "succeed" with a wasm
//! that never runs), a signed-out visitor is sent to sign in, and the server is healthy.

use crate::driver::Browser;
use crate::server::TestServer;

#[tokio::test]
async fn a_signed_out_visitor_is_sent_to_sign_in_on_a_healthy_server() -> anyhow::Result<()> {
    let server = TestServer::start("home").await?;
    let browser = Browser::start("home").await?;

    browser.goto(&server.url("/")).await?;
    browser.wait_for("[data-testid=sign-in-form]").await?;
    browser
        .wait_for_path("/signin", |path| path == "/signin")
        .await?;
    browser
        .wait_for_text("[data-testid=site-name]", "SchoolBridge")
        .await?;
    browser
        .wait_for_text("[data-testid=server-status]", "Server: ok")
        .await?;
    // An empty database: the page says how to create the first administrator.
    browser.wait_for("[data-testid=needs-admin]").await?;
    assert_eq!(browser.title().await?, "Sign in · SchoolBridge");
    // A console page that does not exist says so (after signing in is asked for).
    browser.goto(&server.url("/peers")).await?;
    browser
        .wait_for_path("/signin?next=/peers", |path| {
            path == "/signin?next=%2Fpeers"
        })
        .await?;
    browser.screenshot("sign-in").await?;

    browser.close().await
}

/// The steps of the home page's checklist, as `step:done`.
async fn first_run_steps(b: &Browser) -> anyhow::Result<Vec<String>> {
    b.execute_strings(
        "return [...document.querySelectorAll('[data-testid=first-run-step]')]\
           .map(s => s.dataset.step + ':' + s.dataset.done)",
    )
    .await
}

/// Opens the home page and waits until its checklist reads `expected` (empty: no checklist).
async fn home_reads(b: &Browser, server: &TestServer, expected: &[&str]) -> anyhow::Result<()> {
    b.goto(&server.url("/")).await?;
    b.wait_for("[data-testid=home-places]").await?;
    crate::support::poll(
        &format!("the checklist to read {expected:?}"),
        crate::support::PATIENCE,
        || async {
            let steps = first_run_steps(b).await?;
            Ok((steps == expected).then_some(()))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_install_leads_the_administrator_through_setting_up() -> anyhow::Result<()> {
    use crate::actions::{SIM_NAME, School, add_peer};
    use moodle_sim::{PushOptions, Story};
    let school = School::start_unpeered("first-run").await?;
    let (server, sim, b) = (&school.server, &school.sim, &school.browser);
    // Nothing is set up: three steps to do, each with the page that does it.
    home_reads(
        b,
        server,
        &["peer:false", "services:false", "sign-in:false"],
    )
    .await?;
    b.screenshot("first-run").await?;

    // A wrong address is told apart from a Moodle that is not there yet.
    b.click("[data-testid=first-run-step][data-step=peer] a")
        .await?;
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    for (address, code) in [
        (format!("http://{closed}"), "connection_refused"),
        (server.url("/elsewhere"), "not_moodle"),
    ] {
        b.fill("[data-testid=peer-url]", &address).await?;
        b.click("[data-testid=fetch-certificate]").await?;
        b.wait_for_attr("[data-testid=preview-error]", "data-code", code)
            .await?;
    }
    b.screenshot("add-peer-not-moodle").await?;

    // 1. The Moodle is added; its page says what to do next, there and here.
    add_peer(b, server, sim, None).await?;
    b.wait_for_text("[data-testid=next-in-moodle]", &server.wwwroot())
        .await?;
    b.screenshot("peer-added-next-steps").await?;
    home_reads(b, server, &["peer:true", "services:false", "sign-in:false"]).await?;

    // 2. Moodle's administrator adds SchoolBridge and ticks the services: records arrive.
    sim.add_peer(&server.wwwroot()).await?;
    let changes = Story::NewStudentProgress.changes(1);
    let summary = sim
        .push(&server.wwwroot(), &changes, &PushOptions::default(), |_| {})
        .await;
    anyhow::ensure!(summary.rejected == 0, "the push: {summary}");
    home_reads(b, server, &["peer:true", "services:true", "sign-in:false"]).await?;

    // 3. Everyone from the Moodle who teaches there may sign in: asked first, then done.
    b.click("[data-testid=first-run-step][data-step=sign-in] a")
        .await?;
    b.wait_for("[data-testid=roles-from-moodle]").await?;
    b.select("[data-testid=bulk-peer]", "1").await?;
    b.select("[data-testid=bulk-role]", "teacher").await?;
    b.click("[data-testid=grant-peer]").await?;
    let question = b.text(".confirm__ask").await?;
    anyhow::ensure!(
        question.contains(SIM_NAME) && question.contains("teacher"),
        "the question: {question}"
    );
    b.click("[data-testid=grant-peer-no]").await?;
    anyhow::ensure!(
        b.count("[data-testid=person-row][data-login=true]").await? == 1,
        "nobody but the administrator may sign in before the yes"
    );
    b.click("[data-testid=grant-peer]").await?;
    b.click("[data-testid=grant-peer-yes]").await?;
    b.wait_for_text("[data-testid=people-notice]", "changed for 1 person")
        .await?;
    b.screenshot("people-allowed-teachers").await?;
    // All done: the checklist has gone.
    home_reads(b, server, &[]).await?;
    school.browser.close().await
}
