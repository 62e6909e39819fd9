//! Browser errors to Sentry, without a JavaScript SDK: a panic in the WASM (or an uncaught script
//! error) becomes a Sentry envelope posted with `sendBeacon` to Taskdeck's same-origin tunnel,
//! which checks it and forwards it. Reporting is on only when the server renders a DSN.

use crate::page;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const TUNNEL: &str = "/monitoring/sentry";

/// Where an error happened, as a Sentry stack frame: the file and line show in the issue without a
/// debug file, because a panic's location is compiled into the bundle as text.
struct Frame {
    filename: String,
    lineno: u32,
    colno: u32,
}

struct Target {
    dsn: String,
    release: String,
    environment: String,
}

fn target() -> Option<Target> {
    Some(Target {
        dsn: page::meta("taskdeck-sentry-dsn")?,
        release: page::meta("taskdeck-release").unwrap_or_default(),
        environment: page::meta("taskdeck-environment").unwrap_or_default(),
    })
}

/// Installs the panic hook and the window error listeners.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let frame = info.location().map(|at| Frame {
            filename: at.file().to_owned(),
            lineno: at.line(),
            colno: at.column(),
        });
        report("WasmPanic", &info.to_string(), "panic", frame);
    }));
    let Some(window) = web_sys::window() else {
        return;
    };
    let on_error = Closure::<dyn Fn(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
        // A panic already reported itself; its trap then surfaces here as a RuntimeError.
        if !event.message().contains("unreachable") {
            let frame = Frame {
                filename: event.filename(),
                lineno: event.lineno(),
                colno: event.colno(),
            };
            report("Error", &event.message(), "onerror", Some(frame));
        }
    });
    let on_rejection = Closure::<dyn Fn(web_sys::PromiseRejectionEvent)>::new(
        |event: web_sys::PromiseRejectionEvent| {
            let reason = event
                .reason()
                .as_string()
                .unwrap_or_else(|| format!("{:?}", event.reason()));
            report("UnhandledRejection", &reason, "onunhandledrejection", None);
        },
    );
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback(
        "unhandledrejection",
        on_rejection.as_ref().unchecked_ref(),
    );
    // The listeners live as long as the page.
    on_error.forget();
    on_rejection.forget();
}

fn report(kind: &str, message: &str, mechanism: &str, frame: Option<Frame>) {
    let Some(target) = target() else {
        return;
    };
    let event_id = random_hex_id();
    let url = page::location_without_query();
    let header = serde_json::json!({ "event_id": event_id, "dsn": target.dsn });
    let item = serde_json::json!({ "type": "event" });
    let mut exception = serde_json::json!({
        "type": kind,
        "value": message,
        "mechanism": { "type": mechanism, "handled": false },
    });
    if let Some(frame) = frame {
        exception["stacktrace"] = serde_json::json!({ "frames": [{
            "filename": frame.filename,
            "lineno": frame.lineno,
            "colno": frame.colno,
            "in_app": true,
        }]});
    }
    let event = serde_json::json!({
        "event_id": event_id,
        "timestamp": js_sys::Date::now() / 1000.0,
        "platform": "javascript",
        "level": "error",
        "logger": "browser",
        "release": target.release,
        "environment": target.environment,
        "tags": { "runtime": "wasm" },
        "request": { "url": url },
        "exception": { "values": [exception] },
    });
    let envelope = format!("{header}\n{item}\n{event}\n");
    page::beacon(TUNNEL, &envelope);
}

fn random_hex_id() -> String {
    (0..4)
        .map(|_| {
            format!(
                "{:08x}",
                (js_sys::Math::random() * f64::from(u32::MAX)) as u32
            )
        })
        .collect()
}

/// Lets an operator (and the end-to-end tests) check browser error reporting from the console:
/// `(await import(document.querySelector('link[rel=modulepreload]').href)).check_error_reporting()`
/// panics on purpose.
#[wasm_bindgen]
pub fn check_error_reporting() {
    panic!("error reporting check: a deliberate panic in the browser");
}
