//! A page's frame ([`Page`]: a `<section>` named by its one `<h1>`, in every state, with the
//! way back above it) and its titled parts ([`Section`]: named by their `<h2>`), so that every
//! page and part is a landmark a screen reader can name.

use leptos::prelude::*;

/// A console page: its `<section>`, named by its `<h1>`, with a link back (`back`: where, and
/// the words) above the heading.
#[component]
pub fn Page(
    /// `data-testid` of the page.
    testid: &'static str,
    /// The heading's element id.
    heading_id: &'static str,
    /// The heading.
    #[prop(into)]
    heading: String,
    /// `page`, or `page` with a modifier (`page page--narrow`).
    #[prop(default = "page")]
    class: &'static str,
    /// The link back: where to, and its words.
    #[prop(optional_no_strip)]
    back: Option<(String, &'static str)>,
    /// For a page whose heading names what it loaded (a person, a section): holds once it has
    /// loaded, and the content then brings that heading; until then (or when the loading failed)
    /// the page keeps `heading`.
    #[prop(optional)]
    named_once: Option<Signal<bool>>,
    children: Children,
) -> impl IntoView {
    let h1 = move || view! { <h1 id=heading_id>{heading.clone()}</h1> };
    let h1 = match named_once {
        None => h1().into_any(),
        Some(named) => (move || (!named.get()).then(h1.clone())).into_any(),
    };
    view! {
        <section class=class data-testid=testid aria-labelledby=heading_id>
            {back.map(|(href, words)| view! { <p class="breadcrumb"><a href=href>{words}</a></p> })}
            {h1}
            {children()}
        </section>
    }
}

/// A part of a page under its own `<h2>`, named by it (`aria-labelledby`) for screen readers.
#[component]
pub fn Section(
    /// The heading's element id.
    heading_id: &'static str,
    /// The heading.
    #[prop(into)]
    heading: String,
    /// `section`, or `section` with a modifier (`section section--danger`).
    #[prop(default = "section")]
    class: &'static str,
    /// `data-testid` of the section.
    #[prop(optional)]
    testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class=class aria-labelledby=heading_id data-testid=testid>
            <h2 id=heading_id>{heading}</h2>
            {children()}
        </section>
    }
}
