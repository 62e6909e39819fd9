//! The browser entry point: hydrates the server-rendered page into the interactive app, and
//! reports errors and web vitals back to the server.

// Hydrating the board's nested view types goes deeper than the default query depth of 128.
#![recursion_limit = "256"]

mod error_reports;
mod page;
mod web_vitals;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    error_reports::install();
    web_vitals::start();
    // As `leptos::mount::hydrate_lazy`, then the mark tests and people debugging wait for: the
    // occasional pages' code comes in parts of its own (app/src/routes.rs), so a page is
    // interactive once its part has loaded and hydrated, which is when this future resolves.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        page::mark_hydrated();
    });
}
