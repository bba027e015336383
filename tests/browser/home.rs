//! The home page: the first thing a person sees after `make run`.

use crate::driver::Browser;
use crate::server::TestServer;

#[tokio::test]
async fn home_page_shows_the_site_name_and_a_healthy_server() -> anyhow::Result<()> {
    let server = TestServer::start("home").await?;
    let browser = Browser::start("home").await?;

    browser.goto(&server.url("/")).await?;
    browser
        .wait_for_text("[data-testid=site-name]", "SchoolBridge")
        .await?;
    browser
        .wait_for_text("[data-testid=server-status]", "Server: ok")
        .await?;
    browser
        .wait_for_text("[data-testid=home] h1", "Welcome")
        .await?;
    assert_eq!(browser.title().await?, "SchoolBridge");
    browser.screenshot("home").await?;

    browser.close().await
}
