//! Following a project's changes as they happen: the browser keeps an `EventSource` open on
//! `/projects/{id}/events` and re-reads the board when a revision it has not seen arrives.
//!
//! The server's first event is always the current revision, so a browser that reconnects (after
//! a network blip or a server restart; `EventSource` retries by itself) catches up at once.

use leptos::prelude::*;

/// The revision the page shows, and a trigger that asks for the board again.
#[derive(Clone, Copy)]
pub struct LiveBoard {
    shown: StoredValue<i64>,
    /// Whether the page has rendered a revision yet; the stream opens only then (see
    /// `follow_project`).
    known: RwSignal<bool>,
    refresh: RwSignal<u64>,
    connected: RwSignal<bool>,
}

impl LiveBoard {
    pub fn new() -> Self {
        Self {
            shown: StoredValue::new(-1),
            known: RwSignal::new(false),
            refresh: RwSignal::new(0),
            connected: RwSignal::new(false),
        }
    }

    /// Read by the board's resource: it loads again whenever this changes.
    pub fn version(self) -> u64 {
        self.refresh.get()
    }

    /// The revision of the board on the page.
    pub fn shown(self) -> i64 {
        self.shown.get_value()
    }

    /// Records the revision of the board just rendered.
    pub fn showing(self, revision: i64) {
        self.shown.set_value(revision);
        if !self.known.get_untracked() {
            self.known.set(true);
        }
    }

    /// Loads the board again, e.g. after a move the server refused.
    pub fn refresh(self) {
        self.refresh.update(|n| *n += 1);
    }

    /// Whether the stream is open; shown on the page for people (and tests) to see.
    pub fn connected(self) -> bool {
        self.connected.get()
    }

    fn changed(self, data: &str) {
        let newer = match data.parse::<i64>() {
            Ok(revision) => revision > self.shown.get_value(),
            // `resync`: the server could not say what was missed.
            Err(_) => true,
        };
        if newer {
            self.refresh();
        }
    }
}

impl Default for LiveBoard {
    fn default() -> Self {
        Self::new()
    }
}

/// Keeps a stream open to the project's changes while the page shows it.
pub fn follow_project(project_id: impl Fn() -> Option<i32> + 'static, live: LiveBoard) {
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    Effect::new(move |_| {
        // Not before the page knows which revision it shows. Opened earlier, the stream's first
        // event (the current revision) could arrive while the page is still hydrating, look
        // newer than the -1 shown so far, and make the page's resource read again in the middle
        // of hydration: the list view's WASM then died in tachys (`entered unreachable code`).
        if !live.known.get() {
            return;
        }
        let Some(id) = project_id() else {
            return;
        };
        let Ok(source) = web_sys::EventSource::new(&format!("/projects/{id}/events")) else {
            return;
        };
        let on_change =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                if let Some(data) = event.data().as_string() {
                    live.changed(&data);
                }
            });
        let on_open = Closure::<dyn Fn()>::new(move || live.connected.set(true));
        let on_error = Closure::<dyn Fn()>::new(move || live.connected.set(false));
        let _ =
            source.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let held = SendWrapper::new((source, on_change, on_open, on_error));
        on_cleanup(move || {
            let (source, ..) = &*held;
            source.close();
            live.connected.set(false);
        });
    });
}
