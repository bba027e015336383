//! The one component set every page uses, so loading, empty and error states, labelled fields,
//! tables, confirmations and certificates look and behave the same everywhere; and the one way
//! to load data and run requests ([`load`]).

pub mod certificate;
pub mod confirm;
pub mod csv_form;
pub mod feedback;
pub mod fields;
pub mod guard;
pub mod load;
pub mod page;
pub mod table;

pub use certificate::CertificateCard;
pub use confirm::ConfirmButton;
pub use csv_form::{CsvForm, CsvSteps};
pub use feedback::{
    Badge, Busy, DoneSlot, Empty, ErrorNotice, ErrorSlot, Loading, Notice, SavedSlot, Tone,
};
pub use fields::{
    AccountNameFields, Checkbox, NewPasswordField, SelectField, SubmitButton, TextField, checked,
    clear, field_problem, problem_at,
};
pub use guard::Protected;
pub use load::{
    Action, Loaded, Reload, has_loaded, load, load_each, loaded, loaded_or_default,
    read_loaded_untracked, spawn,
};
pub use page::{Page, Section};
pub use table::{Cell, DataTable, Part, Row, Table, TableFrame};

/// The browser's clock in Unix seconds (the host's in native builds, where nothing renders).
pub fn now() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default()
    }
}

/// Loads a server page in full (SSO jump, downloads): the console's router must not handle it.
pub fn load_page(path: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(path);
    }
}

/// Records a performance mark (read by the console benchmark, `BENCHMARKS.md` §4).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Moves keyboard focus to `<main id="main">`.
pub fn focus_main() {
    focus_id("main");
}

/// Moves keyboard focus to the element with `id`, when it is on the page.
pub fn focus_id(id: &str) {
    focus(
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id)),
    );
}

/// Moves keyboard focus to `element`, when there is one and it is an HTML element.
pub fn focus(element: Option<web_sys::Element>) {
    use wasm_bindgen::JsCast as _;
    if let Some(element) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}
