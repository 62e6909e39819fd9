//! Small helpers over the browser page shared by error reports and web vitals.

/// The content of `<meta name="…">`, when the server rendered it.
pub fn meta(name: &str) -> Option<String> {
    web_sys::window()?
        .document()?
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??
        .get_attribute("content")
        .filter(|content| !content.is_empty())
}

pub fn path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default()
}

/// The page URL without its query string, which can carry what someone typed.
pub fn location_without_query() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default()
    )
}

/// Posts `body` with `navigator.sendBeacon`, which survives the page being closed.
pub fn beacon(url: &str, body: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().send_beacon_with_opt_str(url, Some(body));
    }
}

/// Marks `<body data-hydrated="true">`: the WASM has taken over the whole page.
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
