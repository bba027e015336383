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
    assert_eq!(browser.title().await?, "SchoolBridge");
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
