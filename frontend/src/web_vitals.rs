//! Core Web Vitals measured in the browser with `PerformanceObserver` (LCP, INP, CLS) and the
//! navigation timing (TTFB), sent once per page load to Taskdeck's own endpoint when the page is
//! hidden or left, with `sendBeacon` so the report survives the unload.

use crate::page;
use js_sys::{Object, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{PerformanceEntry, PerformanceObserver, PerformanceObserverEntryList};

const ENDPOINT: &str = "/monitoring/vitals";

#[derive(Default)]
struct Vitals {
    lcp_ms: Option<f64>,
    inp_ms: Option<f64>,
    cls: f64,
}

fn number(target: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(target, &JsValue::from_str(key)).ok()?.as_f64()
}

/// Observes one entry type, buffered so entries from before hydration count too.
fn observe(entry_type: &str, on_entry: impl Fn(PerformanceEntry) + 'static) {
    let callback = Closure::<dyn Fn(PerformanceObserverEntryList)>::new(
        move |list: PerformanceObserverEntryList| {
            for entry in list.get_entries().iter() {
                if let Ok(entry) = entry.dyn_into::<PerformanceEntry>() {
                    on_entry(entry);
                }
            }
        },
    );
    let Ok(observer) = PerformanceObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    // `type` + `buffered` is not in web-sys's dictionary, so the options are built by hand.
    let options = Object::new();
    let _ = Reflect::set(&options, &"type".into(), &entry_type.into());
    let _ = Reflect::set(&options, &"buffered".into(), &true.into());
    let _ = Reflect::set(&options, &"durationThreshold".into(), &40.into());
    observer.observe(options.unchecked_ref());
    callback.forget();
}

fn time_to_first_byte() -> Option<f64> {
    let performance = web_sys::window()?.performance()?;
    let navigation = performance.get_entries_by_type("navigation").get(0);
    number(&navigation, "responseStart").filter(|ms| *ms > 0.0)
}

pub fn start() {
    let vitals = Rc::new(RefCell::new(Vitals::default()));
    let path = page::path();

    observe("largest-contentful-paint", {
        let vitals = vitals.clone();
        move |entry| vitals.borrow_mut().lcp_ms = Some(entry.start_time())
    });
    observe("layout-shift", {
        let vitals = vitals.clone();
        move |entry| {
            let by_input = Reflect::get(&entry, &"hadRecentInput".into())
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if !by_input {
                vitals.borrow_mut().cls += number(&entry, "value").unwrap_or(0.0);
            }
        }
    });
    // INP, simplified: the slowest interaction of the visit.
    observe("event", {
        let vitals = vitals.clone();
        move |entry| {
            if number(&entry, "interactionId").unwrap_or(0.0) > 0.0 {
                let mut vitals = vitals.borrow_mut();
                let slowest = vitals.inp_ms.unwrap_or(0.0).max(entry.duration());
                vitals.inp_ms = Some(slowest);
            }
        }
    });

    let sent = Rc::new(Cell::new(false));
    let send = Closure::<dyn Fn()>::new(move || {
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
            .unwrap_or(true);
        if !hidden || sent.replace(true) {
            return;
        }
        let vitals = vitals.borrow();
        let mut metrics = vec![serde_json::json!({ "name": "CLS", "value": vitals.cls })];
        let timings = [
            ("LCP", vitals.lcp_ms),
            ("INP", vitals.inp_ms),
            ("TTFB", time_to_first_byte()),
        ];
        for (name, value) in timings {
            if let Some(value) = value {
                metrics.push(serde_json::json!({ "name": name, "value": value }));
            }
        }
        let report = serde_json::json!({ "path": path, "metrics": metrics });
        page::beacon(ENDPOINT, &report.to_string());
    });
    if let Some(window) = web_sys::window() {
        if let Some(document) = window.document() {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                send.as_ref().unchecked_ref(),
            );
        }
        let _ = window.add_event_listener_with_callback("pagehide", send.as_ref().unchecked_ref());
    }
    send.forget();
}
