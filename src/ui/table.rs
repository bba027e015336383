//! Read-only tables, described as data and drawn by one component ([`DataTable`]): a page says
//! which rows and cells a table has (text, a badge, a link, a button, a hint, a quote) and the
//! `data-…` attributes tests and styles look at; this file alone turns that into `<table>`
//! markup. One view for every table keeps the wasm small (each distinct Leptos view brings its
//! own build and drop code) without building HTML as text (`docs/design/018-one-way-to-write-a-page.md`).

use leptos::attr::any_attribute::{AnyAttribute, IntoAnyAttribute};
use leptos::attr::custom::custom_attribute;
use leptos::prelude::*;

use super::feedback::{Badge, Tone};

/// A table: its `data-testid`, column headings and rows. The first cell of every row is the
/// row's heading (`<th scope="row">`).
pub struct Table {
    testid: &'static str,
    class: &'static str,
    headings: Vec<&'static str>,
    rows: Vec<Row>,
    foot: Vec<Row>,
    region: Option<String>,
}

/// One row: its `data-testid`, its `data-…` attributes and its cells.
pub struct Row {
    testid: &'static str,
    data: Vec<(&'static str, String)>,
    cells: Vec<Cell>,
}

/// One cell: what it shows, and optionally a class, a `data-testid` and a column span.
#[derive(Default)]
pub struct Cell {
    class: Option<&'static str>,
    testid: Option<&'static str>,
    span: Option<u32>,
    parts: Vec<Part>,
}

/// A piece of a cell.
pub enum Part {
    /// Words.
    Text(String),
    /// A coloured label (the words say it too).
    Badge(Tone, String),
    /// A link to a console page.
    Link {
        /// Where to.
        href: String,
        /// The words.
        text: String,
        /// Its `data-testid`.
        testid: &'static str,
    },
    /// A button.
    Button {
        /// The words on it.
        label: String,
        /// Its accessible name, when the words alone would be ambiguous in a table.
        aria_label: String,
        /// Its `data-testid`.
        testid: &'static str,
        /// What it does.
        on_press: Callback<()>,
    },
    /// A quieter remark.
    Hint(String),
    /// A quotation (a note someone wrote).
    Quote(String, &'static str),
    /// A line break.
    Break,
}

impl Table {
    /// A table with these column headings.
    pub fn new(testid: &'static str, headings: Vec<&'static str>) -> Self {
        Table {
            testid,
            class: "table",
            headings,
            rows: Vec::new(),
            foot: Vec::new(),
            region: None,
        }
    }

    /// A wide table that may scroll sideways on a narrow screen: its wrapper becomes a named,
    /// keyboard-focusable region (`label`), so that the scrolled columns can be reached without
    /// a mouse.
    pub fn scrolls(mut self, label: String) -> Self {
        self.region = Some(label);
        self
    }

    /// Dense rows (histories, reports).
    pub fn compact(mut self) -> Self {
        self.class = "table table--compact";
        self
    }

    /// Adds a row.
    pub fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// Adds a row to the table's foot (totals).
    pub fn foot(&mut self, row: Row) {
        self.foot.push(row);
    }
}

impl Row {
    /// A row with this `data-testid`.
    pub fn new(testid: &'static str) -> Self {
        Row {
            testid,
            data: Vec::new(),
            cells: Vec::new(),
        }
    }

    /// Adds a `data-…` attribute (`name` includes the `data-` prefix).
    pub fn data(mut self, name: &'static str, value: impl ToString) -> Self {
        self.data.push((name, value.to_string()));
        self
    }

    /// Adds a cell.
    pub fn cell(mut self, cell: Cell) -> Self {
        self.cells.push(cell);
        self
    }

    /// Adds a cell of plain words.
    pub fn text(self, text: impl Into<String>) -> Self {
        self.cell(Cell::text(text))
    }
}

impl Cell {
    /// Words.
    pub fn text(text: impl Into<String>) -> Self {
        Cell::default().and(Part::Text(text.into()))
    }

    /// A number, right-aligned.
    pub fn num(text: impl Into<String>) -> Self {
        Cell::text(text).class("num")
    }

    /// A date or time, kept on one line.
    pub fn date(text: impl Into<String>) -> Self {
        Cell::text(text).class("nowrap")
    }

    /// A badge.
    pub fn badge(tone: Tone, text: impl Into<String>) -> Self {
        Cell::default().and(Part::Badge(tone, text.into()))
    }

    /// A link to a console page.
    pub fn link(href: String, text: impl Into<String>, testid: &'static str) -> Self {
        Cell::default().and(Part::Link {
            href,
            text: text.into(),
            testid,
        })
    }

    /// An empty cell.
    pub fn empty() -> Self {
        Cell::default()
    }

    /// Adds a part after what the cell holds.
    pub fn and(mut self, part: Part) -> Self {
        self.parts.push(part);
        self
    }

    /// Adds a part when there is one.
    pub fn and_some(self, part: Option<Part>) -> Self {
        match part {
            Some(part) => self.and(part),
            None => self,
        }
    }

    /// Sets the cell's class.
    pub fn class(mut self, class: &'static str) -> Self {
        self.class = Some(class);
        self
    }

    /// Sets the cell's `data-testid`.
    pub fn testid(mut self, testid: &'static str) -> Self {
        self.testid = Some(testid);
        self
    }

    /// Spans several columns.
    pub fn span(mut self, columns: u32) -> Self {
        self.span = Some(columns);
        self
    }
}

/// Draws a [`Table`].
#[component]
pub fn DataTable(table: Table) -> impl IntoView {
    let Table {
        testid,
        class,
        headings,
        rows,
        foot,
        region,
    } = table;
    let foot = (!foot.is_empty()).then(|| {
        view! { <tfoot>{foot.into_iter().map(row_view).collect_view()}</tfoot> }
    });
    view! {
        <TableFrame testid class headings region>
            <tbody>{rows.into_iter().map(row_view).collect_view()}</tbody>
            {foot}
        </TableFrame>
    }
}

/// A table's frame: its wrapper (which scrolls sideways on a narrow screen), the `<table>` with
/// its `data-testid`, a caption for screen readers and the column headings; `children` are its
/// `<tbody>` (and `<tfoot>`). [`DataTable`] draws read-only tables in it; a table whose rows hold
/// inputs builds its rows itself.
#[component]
pub fn TableFrame(
    /// The table's `data-testid`.
    testid: &'static str,
    /// `table`, or `table table--compact`.
    #[prop(default = "table")]
    class: &'static str,
    /// The column headings.
    headings: Vec<&'static str>,
    /// A caption only screen readers hear.
    #[prop(optional)]
    caption: Option<&'static str>,
    /// A first column (of checkboxes) whose heading only screen readers hear.
    #[prop(default = None)]
    select: Option<&'static str>,
    /// A last column (of buttons) whose heading only screen readers hear.
    #[prop(default = None)]
    actions: Option<&'static str>,
    /// Names the wrapper and makes it a keyboard-focusable region (see [`Table::scrolls`]).
    #[prop(default = None)]
    region: Option<String>,
    children: Children,
) -> impl IntoView {
    let focusable = region.is_some().then_some("0");
    let role = region.is_some().then_some("region");
    let unseen = |heading: Option<&'static str>| {
        heading.map(|h| view! { <th scope="col"><span class="visually-hidden">{h}</span></th> })
    };
    view! {
        <div class="table-wrap" tabindex=focusable role=role aria-label=region>
            <table class=class data-testid=testid>
                {caption.map(|c| view! { <caption class="visually-hidden">{c}</caption> })}
                <thead>
                    <tr>
                        {unseen(select)}
                        {headings.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}
                        {unseen(actions)}
                    </tr>
                </thead>
                {children()}
            </table>
        </div>
    }
}

fn row_view(row: Row) -> impl IntoView {
    let data: Vec<AnyAttribute> = row
        .data
        .into_iter()
        .map(|(name, value)| custom_attribute(name, value).into_any_attr())
        .collect();
    let mut cells = row.cells.into_iter();
    let heading = cells.next().map(|c| {
        view! {
            <th scope="row" class=c.class data-testid=c.testid colspan=c.span>
                {parts_view(c.parts)}
            </th>
        }
    });
    view! {
        <tr data-testid=row.testid {..data}>
            {heading}
            {cells
                .map(|c| view! { <td class=c.class data-testid=c.testid colspan=c.span>{parts_view(c.parts)}</td> })
                .collect_view()}
        </tr>
    }
}

/// The parts of a cell (also used by lists that are not tables).
pub fn parts_view(parts: Vec<Part>) -> impl IntoView {
    parts
        .into_iter()
        .map(|part| match part {
            Part::Text(text) => text.into_any(),
            Part::Badge(tone, text) => view! { <Badge tone text /> }.into_any(),
            Part::Link { href, text, testid } => {
                view! { <a href=href data-testid=testid>{text}</a> }.into_any()
            }
            Part::Button {
                label,
                aria_label,
                testid,
                on_press,
            } => view! {
                <button type="button" class="link-button" data-testid=testid aria-label=aria_label
                    on:click=move |_| on_press.run(())>
                    {label}
                </button>
            }
            .into_any(),
            Part::Hint(text) => view! { <span class="hint">{text}</span> }.into_any(),
            Part::Quote(text, testid) => view! { <q data-testid=testid>{text}</q> }.into_any(),
            Part::Break => view! { <br /> }.into_any(),
        })
        .collect_view()
}
