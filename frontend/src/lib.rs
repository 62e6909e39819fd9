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
    // The occasional pages' code comes in parts of its own (app/src/routes.rs), loaded as they hydrate.
    leptos::mount::hydrate_lazy(app::App);
}
