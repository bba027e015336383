//! A spreadsheet form ([`CsvForm`]): a CSV file to pick, or its contents to paste, and a
//! "Preview" button; and where such a form stands ([`CsvSteps`]): previewed, or saved. The page
//! owns what the preview shows and what saving does; this file owns the steps and reading the
//! picked file into the text.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::Action;
use crate::api::ApiError;

/// Where a spreadsheet form stands: its text, the answer to "preview this text" (nothing saved
/// yet), the answer to the last save, and the request running.
pub struct CsvSteps<T: Send + Sync + 'static> {
    /// The CSV text.
    pub text: RwSignal<String>,
    /// The preview of the text, until the text changes or is saved.
    pub preview: RwSignal<Option<T>>,
    /// What the last save did.
    pub saved: RwSignal<Option<T>>,
    /// The preview's or the save's request.
    pub action: Action,
}

impl<T: Send + Sync + 'static> Clone for CsvSteps<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for CsvSteps<T> {}

impl<T: Send + Sync + 'static> CsvSteps<T> {
    /// An empty form.
    pub fn new() -> Self {
        CsvSteps {
            text: RwSignal::new(String::new()),
            preview: RwSignal::new(None),
            saved: RwSignal::new(None),
            action: Action::new(),
        }
    }

    /// Sends the text with `request(csv, dry_run)`: a preview when `save` is false, else a save.
    /// `read` takes the server's answer apart: whether it saved, and what to show.
    pub fn send<A, F>(
        self,
        save: bool,
        request: impl FnOnce(String, bool) -> F,
        read: impl FnOnce(A) -> (bool, T) + 'static,
        reload: impl Fn() + 'static,
    ) where
        A: 'static,
        F: Future<Output = Result<A, ApiError>> + 'static,
    {
        let csv = self.text.get_untracked();
        self.action.run(request(csv, !save), move |answer| {
            let (saved, shown) = read(answer);
            self.answered(saved, shown, reload);
        });
    }

    /// The server's answer: a preview (`saved` false) replaces the last save's notice; a save
    /// clears the preview and the text, and `reload` shows what it changed.
    fn answered(self, saved: bool, answer: T, reload: impl Fn()) {
        if saved {
            self.preview.set(None);
            self.saved.set(Some(answer));
            self.text.set(String::new());
            reload();
        } else {
            self.saved.set(None);
            self.preview.set(Some(answer));
        }
    }
}

impl<T: Send + Sync + 'static> Default for CsvSteps<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A CSV file picker, a text area holding its contents (or what was pasted) and a preview
/// button, disabled while a request runs or while the text is blank; a changed text drops the
/// preview of the old one. The ids and `data-testid`s are `{name}-form`, `{name}-file`,
/// `{name}-text` and `{name}-preview`.
#[component]
pub fn CsvForm<T: Send + Sync + 'static>(
    /// Prefix of the ids and `data-testid`s.
    name: &'static str,
    /// The file picker's label.
    file_label: &'static str,
    /// The text area's label.
    text_label: &'static str,
    /// The preview button's words.
    preview_label: &'static str,
    /// The form's text, preview and request.
    steps: CsvSteps<T>,
    /// The form was sent.
    on_preview: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let (file_id, text_id) = (format!("{name}-file"), format!("{name}-text"));
    let CsvSteps {
        text,
        preview,
        action,
        ..
    } = steps;
    let on_edit = move || preview.set(None);
    let read_file = move |event: leptos::ev::Event| {
        read_picked_file(&event, move |content| {
            on_edit();
            text.set(content);
        })
    };
    view! {
        <form class="form" on:submit=move |e: SubmitEvent| { e.prevent_default(); on_preview() } data-testid=format!("{name}-form")>
            <div class="field">
                <label for=file_id.clone()>{file_label}</label>
                <input id=file_id.clone() type="file" accept=".csv,text/csv" data-testid=file_id on:change=read_file />
            </div>
            <div class="field">
                <label for=text_id.clone()>{text_label}</label>
                <textarea id=text_id.clone() rows="5" class="mono" data-testid=text_id bind:value=text
                    on:input=move |_| on_edit()></textarea>
            </div>
            <div class="form__actions">
                <button type="submit" class="button" data-testid=format!("{name}-preview")
                    disabled=move || action.busy.get() || text.with(|t| t.trim().is_empty())>
                    {preview_label}
                </button>
            </div>
        </form>
    }
}

/// Reads the file picked in the `<input type="file">` that fired `event` as text, and hands it
/// to `then` (nothing happens when no file was picked or it could not be read).
fn read_picked_file(event: &leptos::ev::Event, then: impl FnOnce(String) + 'static) {
    use wasm_bindgen::JsCast as _;
    let Some(file) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0))
    else {
        return;
    };
    super::spawn(async move {
        if let Ok(value) = wasm_bindgen_futures::JsFuture::from(file.text()).await
            && let Some(content) = value.as_string()
        {
            then(content);
        }
    });
}
