//! "Load this, show progress and errors": the one place the console starts work in the
//! background (`spawn_local`). A page loads with [`load`] (once) or [`load_each`] (again when
//! what it depends on changes: a route id, a filter, a [`Reload`]), shows the answer with
//! [`loaded`] (Loading…, the error, or the data), and runs a button's or a form's request with an
//! [`Action`] (busy while it runs, its error shown by `ErrorSlot`). Plain signals rather than
//! `LocalResource`: one pattern for every page, and less code in the wasm
//! (`docs/design/009-console.md`).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::feedback::{ErrorNotice, Loading};
use crate::api::ApiError;

/// What a page shows while it loads something: `None` until the answer arrives.
pub type Loaded<T> = RwSignal<Option<Result<T, ApiError>>>;

/// Reads what a load brought, if it has arrived and succeeded, without subscribing to it.
pub fn read_loaded_untracked<T, R>(
    state: Loaded<T>,
    read: impl FnOnce(&T) -> Option<R>,
) -> Option<R>
where
    T: Send + Sync + 'static,
{
    state.with_untracked(|s| s.as_ref().and_then(|r| r.as_ref().ok()).and_then(read))
}

/// What a load brought (tracked), or an empty value until it has arrived or when it failed: for
/// the choices of a list, which then offers nothing more than its first option.
pub fn loaded_or_default<T>(state: Loaded<T>) -> T
where
    T: Clone + Default + Send + Sync + 'static,
{
    state.get().and_then(Result::ok).unwrap_or_default()
}

/// Starts `fetch` now and returns the signal its answer will land in.
pub fn load<T, F>(fetch: impl FnOnce() -> F + 'static) -> Loaded<T>
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = RwSignal::new(None);
    spawn_local(async move { state.set(Some(fetch().await)) });
    state
}

/// Fetches with `key()` now and again whenever the signals `key` reads change. The last answer
/// stays on screen until the next one arrives (forms and notices below it are not rebuilt), and
/// an answer that arrives after a newer request was started is dropped, so a slow old answer
/// never replaces a new one.
pub fn load_each<K, T, F>(
    key: impl Fn() -> K + 'static,
    fetch: impl Fn(K) -> F + 'static,
) -> Loaded<T>
where
    K: 'static,
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = RwSignal::new(None);
    let latest = StoredValue::new(0_u64);
    Effect::new(move |_| {
        let request = fetch(key());
        latest.update_value(|n| *n += 1);
        let this = latest.get_value();
        spawn_local(async move {
            let answer = request.await;
            if latest.get_value() == this {
                state.set(Some(answer));
            }
        });
    });
    state
}

/// A counter a page bumps to load its data again (after an action changed it).
#[derive(Debug, Clone, Copy)]
pub struct Reload(RwSignal<u32>);

impl Reload {
    /// A new counter.
    pub fn new() -> Self {
        Reload(RwSignal::new(0))
    }

    /// Makes the loads that [`Reload::track`] it run again.
    pub fn now(self) {
        self.0.update(|n| *n += 1);
    }

    /// Subscribes the current load to this counter.
    pub fn track(self) {
        self.0.track();
    }
}

impl Default for Reload {
    fn default() -> Self {
        Self::new()
    }
}

/// "Loading…" or the error, when `state` holds no data (one non-generic view for every page).
fn waiting(error: Option<ApiError>) -> AnyView {
    match error {
        None => view! { <Loading /> }.into_any(),
        Some(error) => view! { <ErrorNotice error /> }.into_any(),
    }
}

/// Renders `state`: Loading…, the error, or `show(data)`.
pub fn loaded<T, V>(
    state: Loaded<T>,
    show: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl Fn() -> AnyView + Send + Sync + 'static
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match state.get() {
        Some(Ok(data)) => show(data).into_any(),
        Some(Err(error)) => waiting(Some(error)),
        None => waiting(None),
    }
}

/// Whether `state` holds data (tracked): a page whose heading names what it loaded shows its
/// own title until then ([`super::Page`]'s `named_once`).
pub fn has_loaded<T>(state: Loaded<T>) -> Signal<bool>
where
    T: Send + Sync + 'static,
{
    Signal::derive(move || state.with(|s| matches!(s, Some(Ok(_)))))
}

/// A button's or a form's request: `busy` while it runs, `failure` when it fails.
#[derive(Debug, Clone, Copy)]
pub struct Action {
    /// A request is running (buttons are disabled, "Loading…" may show).
    pub busy: RwSignal<bool>,
    /// The last request's error, for `ErrorSlot`.
    pub failure: RwSignal<Option<ApiError>>,
}

impl Action {
    /// An idle action.
    pub fn new() -> Self {
        Action {
            busy: RwSignal::new(false),
            failure: RwSignal::new(None),
        }
    }

    /// Runs `request`; `done` gets its answer, or the error goes to `failure`.
    pub fn run<T: 'static>(
        self,
        request: impl Future<Output = Result<T, ApiError>> + 'static,
        done: impl FnOnce(T) + 'static,
    ) {
        self.busy.set(true);
        self.failure.set(None);
        spawn_local(async move {
            match request.await {
                Ok(answer) => done(answer),
                Err(error) => self.failure.set(Some(error)),
            }
            self.busy.set(false);
        });
    }

    /// Whether a request is running (tracked).
    pub fn is_busy(self) -> bool {
        self.busy.get()
    }
}

impl Default for Action {
    fn default() -> Self {
        Self::new()
    }
}

/// Starts `work` in the background without a page state (the shell's sign-out, reading a file).
pub fn spawn(work: impl Future<Output = ()> + 'static) {
    spawn_local(work);
}
