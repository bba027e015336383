//! Read-only HTML built as text, for the SIS pages' large tables and reports
//! (`docs/design/010-sis-console.md` decision 7): one string and one `inner_html` instead of a
//! typed Leptos view per table costs a fraction of the wasm (every distinct view type brings its
//! own build, drop and erase code) and renders a 40 × 60 gradebook several times faster. Every
//! value is escaped here, in one tested place; interactive parts (forms) stay Leptos views, and
//! clicks inside the markup reach one delegated handler (links are taken over by the router's own
//! window-level listener).

/// Appends `text` to `out` with `& < > " '` escaped (safe in text and in quoted attributes).
pub fn escape_into(out: &mut String, text: &str) {
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// An HTML fragment under construction. Tag and attribute names are the caller's constants;
/// attribute values and text are escaped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Markup(String);

impl Markup {
    /// An empty fragment.
    pub fn new() -> Self {
        Self::default()
    }

    /// `<tag a="v" …>`; attributes whose value is `None` are left out.
    pub fn open(&mut self, tag: &str, attrs: &[(&str, Option<&str>)]) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            if let Some(value) = value {
                self.0.push(' ');
                self.0.push_str(name);
                self.0.push_str("=\"");
                escape_into(&mut self.0, value);
                self.0.push('"');
            }
        }
        self.0.push('>');
        self
    }

    /// `</tag>`.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Escaped text.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.0, text);
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn el(&mut self, tag: &str, attrs: &[(&str, Option<&str>)], text: &str) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// `<th scope="col">text</th>` for each heading, inside `<thead><tr>`.
    pub fn head(&mut self, headings: &[&str]) -> &mut Self {
        self.open("thead", &[]).open("tr", &[]);
        for h in headings {
            self.el("th", &[("scope", Some("col"))], h);
        }
        self.close("tr").close("thead")
    }

    /// `<section class="section" aria-labelledby="{id}"><h2 id="{id}">heading</h2>` (closed by
    /// the caller with `close("section")`).
    pub fn section(&mut self, id: &str, heading: &str) -> &mut Self {
        self.open(
            "section",
            &[("class", Some("section")), ("aria-labelledby", Some(id))],
        )
        .el("h2", &[("id", Some(id))], heading)
    }

    /// `<p class="empty" data-testid="{testid}">text</p>`: what a list says when it has nothing.
    pub fn empty(&mut self, testid: &str, text: &str) -> &mut Self {
        self.el(
            "p",
            &[("class", Some("empty")), ("data-testid", Some(testid))],
            text,
        )
    }

    /// A scrollable table up to its body: `<div class="table-wrap"><table class data-testid>`,
    /// the column headings, `<tbody>`. [`Markup::end_table`] closes it.
    pub fn table(&mut self, class: &str, testid: &str, headings: &[&str]) -> &mut Self {
        self.open("div", &[("class", Some("table-wrap"))])
            .open(
                "table",
                &[("class", Some(class)), ("data-testid", Some(testid))],
            )
            .head(headings)
            .open("tbody", &[])
    }

    /// Closes what [`Markup::table`] opened.
    pub fn end_table(&mut self) -> &mut Self {
        self.close("tbody").close("table").close("div")
    }

    /// A `<span class="badge badge--{tone}">` with its words.
    pub fn badge(&mut self, tone: &str, text: &str) -> &mut Self {
        self.0.push_str("<span class=\"badge badge--");
        self.0.push_str(tone);
        self.0.push_str("\">");
        self.text(text).close("span")
    }

    /// The finished HTML.
    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut s = String::new();
        escape_into(&mut s, r#"<b>"O'Neil" & co</b>"#);
        assert_eq!(s, "&lt;b&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;");
    }

    #[test]
    fn fragments_are_built_in_order() {
        let mut m = Markup::new();
        m.open("table", &[("class", Some("table")), ("data-x", None)])
            .head(&["A", "B<"])
            .open("tbody", &[])
            .open("tr", &[("data-name", Some("a\"b"))])
            .el("td", &[], "1 < 2")
            .open("td", &[])
            .badge("good", "Active")
            .close("td")
            .close("tr")
            .close("tbody")
            .close("table");
        assert_eq!(
            m.finish(),
            "<table class=\"table\"><thead><tr><th scope=\"col\">A</th><th scope=\"col\">B&lt;</th></tr></thead>\
             <tbody><tr data-name=\"a&quot;b\"><td>1 &lt; 2</td><td><span class=\"badge badge--good\">Active</span></td></tr></tbody></table>"
        );
    }

    #[test]
    fn sections_tables_and_empty_notes_have_one_shape() {
        let mut m = Markup::new();
        m.section("h", "Roster & more")
            .empty("none", "Nobody")
            .table("table", "roster", &["Name"])
            .open("tr", &[])
            .el("td", &[], "Ann")
            .close("tr")
            .end_table()
            .close("section");
        assert_eq!(
            m.finish(),
            "<section class=\"section\" aria-labelledby=\"h\"><h2 id=\"h\">Roster &amp; more</h2>\
             <p class=\"empty\" data-testid=\"none\">Nobody</p>\
             <div class=\"table-wrap\"><table class=\"table\" data-testid=\"roster\"><thead><tr><th scope=\"col\">Name</th></tr></thead>\
             <tbody><tr><td>Ann</td></tr></tbody></table></div></section>"
        );
    }
}
