//! What to call a peer when an administrator adds it: the site's full name, as its people know
//! it ("Springfield Elementary Moodle"), not Moodle 4.x's page title ("Home | springfield", the
//! page's name and the site's *short* name, which is what Moodle itself would suggest, §1.1).
//!
//! In order: the site name Moodle publishes to its mobile app without login
//! (`tool_mobile_get_public_config` through `lib/ajax/service-nologin.php`, in every Moodle since
//! 3.2, whether or not mobile services are on); the organisation of the MNet certificate, which
//! Moodle fills with the site's full name (cut at 64 characters, §6.1); the front page's
//! `<title>`; the host name.

use crate::mnet_host::outbound::read_capped_prefix;
use crate::state::AppState;
use mnet::keys::PeerCertificate;

use crate::mnet_host::registry::MAX_PEER_NAME_CHARS as MAX_NAME_CHARS;
use crate::state::Reach;

/// The name to suggest for the peer at `wwwroot`.
pub async fn suggest(
    state: &AppState,
    wwwroot: &str,
    application: &str,
    certificate: &PeerCertificate,
    reach: Reach,
) -> String {
    if application == "moodle"
        && let Some(name) = moodle_public_site_name(state, wwwroot, reach).await
    {
        return name;
    }
    if let Some(org) = certificate.subject().organization.as_deref().map(str::trim)
        && !org.is_empty()
    {
        return org.chars().take(MAX_NAME_CHARS).collect();
    }
    if let Some(title) = front_page_title(state, wwwroot, reach).await {
        return title;
    }
    host_of(wwwroot)
}

fn host_of(wwwroot: &str) -> String {
    url::Url::parse(wwwroot)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| wwwroot.to_owned())
}

/// `sitename` of Moodle's public configuration for its app. The reply is small; a page that is
/// not a Moodle answers something else and gives `None`.
async fn moodle_public_site_name(state: &AppState, wwwroot: &str, reach: Reach) -> Option<String> {
    let url = format!(
        "{}/lib/ajax/service-nologin.php?info=tool_mobile_get_public_config",
        wwwroot.trim_end_matches('/')
    );
    let body = serde_json::json!([{"index": 0, "methodname": "tool_mobile_get_public_config", "args": {}}]);
    let response = state
        .http_for(reach)
        .post(url)
        .json(&body)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let bytes = read_capped_prefix(response, 64 * 1024).await;
    site_name_from_public_config(&bytes)
}

/// Reads `[{"error": false, "data": {"sitename": …}}]`. Moodle formats the name for HTML
/// (`format_string`): entities are decoded and tags dropped.
fn site_name_from_public_config(bytes: &[u8]) -> Option<String> {
    let reply: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let first = reply.get(0)?;
    if first.get("error").and_then(serde_json::Value::as_bool) != Some(false) {
        return None;
    }
    let raw = first.get("data")?.get("sitename")?.as_str()?;
    let name = html_text(raw);
    (!name.is_empty()).then(|| name.chars().take(MAX_NAME_CHARS).collect())
}

/// The peer's front page `<title>`. The clients follow no redirects (MNet calls must not be
/// redirected), so this follows up to five itself: a Moodle front page often redirects to its
/// login page.
async fn front_page_title(state: &AppState, wwwroot: &str, reach: Reach) -> Option<String> {
    let mut url = url::Url::parse(wwwroot).ok()?;
    let mut resp = state.http_for(reach).get(url.clone()).send().await.ok()?;
    for _ in 0..5 {
        if !resp.status().is_redirection() {
            break;
        }
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)?
            .to_str()
            .ok()?;
        url = url.join(location).ok()?;
        // The guarded resolver sees names only: an address written in a redirect is checked here.
        if reach.guarded && super::previews::literal_internal(&url).is_some() {
            return None;
        }
        resp = state.http_for(reach).get(url.clone()).send().await.ok()?;
    }
    // The title is near the top: the first 256 KiB are plenty, and all that is read.
    let head = read_capped_prefix(resp, 256 * 1024).await;
    title_of(&String::from_utf8_lossy(&head))
}

fn title_of(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let end = open_end + lower[open_end..].find("</title>")?;
    let title = html_text(text[open_end..end].trim());
    (!title.is_empty()).then(|| title.chars().take(MAX_NAME_CHARS).collect())
}

/// Text of a little HTML: tags dropped, the common entities decoded, spaces collapsed.
fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#039;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::{html_text, site_name_from_public_config, title_of};

    #[test]
    fn the_public_config_gives_the_full_site_name() {
        let reply = br#"[{"error":false,"data":{"wwwroot":"http:\/\/m","sitename":"Springfield Elementary Moodle","guestlogin":1}}]"#;
        assert_eq!(
            site_name_from_public_config(reply).as_deref(),
            Some("Springfield Elementary Moodle")
        );
    }

    #[test]
    fn formatted_names_are_read_as_text() {
        let reply = r#"[{"error":false,"data":{"sitename":"<span lang=\"fr\">Collège</span> Smith &amp; Jones"}}]"#;
        assert_eq!(
            site_name_from_public_config(reply.as_bytes()).as_deref(),
            Some("Collège Smith & Jones")
        );
    }

    #[test]
    fn an_error_or_another_page_gives_nothing() {
        assert_eq!(
            site_name_from_public_config(br#"[{"error":true,"exception":{}}]"#),
            None
        );
        assert_eq!(
            site_name_from_public_config(b"<html>not moodle</html>"),
            None
        );
        assert_eq!(
            site_name_from_public_config(br#"[{"error":false,"data":{"sitename":"  "}}]"#),
            None
        );
    }

    #[test]
    fn titles_are_read_leniently() {
        assert_eq!(
            title_of("<html><head><TITLE>Home | springfield</TITLE>").as_deref(),
            Some("Home | springfield")
        );
        assert_eq!(title_of("<title> </title>"), None);
        assert_eq!(html_text("A&amp;B  <b>C</b>"), "A&B C");
    }
}
