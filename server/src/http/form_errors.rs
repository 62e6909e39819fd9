//! Refused forms keep their error, and what was typed, out of the URL.
//!
//! When a form posted without JavaScript is refused, Leptos sends the browser back to the form
//! with the error in the URL (`__path`, `__err`), what was typed included. That puts email
//! addresses and comments into browser history, proxy and access logs. It also makes the URL as
//! long as the text: a comment that is too long gives a URL that a reverse proxy refuses (nginx
//! answers 414 past 8 KB), and what was typed is lost. So the error goes into the session
//! instead, and reaches the page the browser asks for next as an `app::FailedForm`.

use app::FailedForm;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::header::{ACCEPT, LOCATION};
use http::{HeaderValue, Method};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// The session key holding a refused form until its page is shown.
const KEY: &str = "taskdeck.failed_form";

/// A refused form on its way back to the page it came from.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    /// The path of the page the browser was sent back to.
    page: String,
    path: String,
    err: String,
}

pub async fn keep_out_of_urls(mut request: Request, next: Next) -> Response {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    // The next page the browser asks for after a refused form is the one it was sent back to.
    if request.method() == Method::GET && wants_html(&request) {
        if let Some(pending) = take(&session).await {
            if pending.page == request.uri().path() {
                request.extensions_mut().insert(FailedForm {
                    path: pending.path,
                    err: pending.err,
                });
            }
        }
    }
    let mut response = next.run(request).await;
    if response.status().is_redirection() {
        let split = response
            .headers()
            .get(LOCATION)
            .and_then(|location| location.to_str().ok())
            .and_then(split_off_error);
        if let Some((location, pending)) = split {
            // Should the session fail, the error stays in the URL: better there than lost.
            match session.insert(KEY, pending).await {
                Ok(()) => {
                    response.headers_mut().insert(LOCATION, location);
                }
                Err(err) => tracing::warn!(error = %err, "could not keep a refused form's error"),
            }
        }
    }
    response
}

/// True for a browser asking for a page: a form posted without JavaScript.
pub(super) fn wants_html(request: &Request) -> bool {
    request
        .headers()
        .get(ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The refused form kept in the session, removed from it. Only a session holding one is changed,
/// so ordinary pages cost no write.
async fn take(session: &Session) -> Option<Pending> {
    match session.get::<Pending>(KEY).await {
        Ok(None) => None,
        Ok(Some(_)) => session.remove::<Pending>(KEY).await.ok().flatten(),
        Err(err) => {
            tracing::warn!(error = %err, "could not read a refused form's error");
            // Whatever it is, it must not stick to every page from now on.
            let _ = session.remove_value(KEY).await;
            None
        }
    }
}

/// Splits `__path` and `__err` off a redirect's location: the location without them, and the
/// refused form. `None` when the location carries no error.
///
/// The location is taken apart by hand rather than parsed as a `Uri`, which refuses anything over
/// 64 KB: what was typed into a long form would then stay in the URL.
fn split_off_error(location: &str) -> Option<(HeaderValue, Pending)> {
    let location = location
        .split_once('#')
        .map_or(location, |(before, _)| before);
    let (target, query) = location.split_once('?')?;
    // `scheme://authority` when the location is absolute; the page is the path after it.
    let path_start = match target.split_once("://") {
        Some((scheme, rest)) => scheme.len() + 3 + rest.find('/').unwrap_or(rest.len()),
        None => 0,
    };
    let (origin, page) = target.split_at(path_start);
    let page = if page.is_empty() { "/" } else { page };
    let (mut path, mut err, mut kept) =
        (None, None, form_urlencoded::Serializer::new(String::new()));
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*key {
            "__path" => path = Some(value.into_owned()),
            "__err" => err = Some(value.into_owned()),
            _ => {
                kept.append_pair(&key, &value);
            }
        }
    }
    let kept = kept.finish();
    let mut clean = format!("{origin}{page}");
    if !kept.is_empty() {
        clean.push('?');
        clean.push_str(&kept);
    }
    let pending = Pending {
        page: page.to_owned(),
        path: path?,
        err: err?,
    };
    Some((HeaderValue::from_str(&clean).ok()?, pending))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_leaves_the_location_and_the_rest_stays() {
        let (location, pending) = split_off_error(
            "http://127.0.0.1:3000/projects/4/list?status=todo&q=a+b&__path=%2Fapi%2Fsave_view&__err=eyJ9",
        )
        .expect("an error to split off");
        assert_eq!(
            location,
            "http://127.0.0.1:3000/projects/4/list?status=todo&q=a+b"
        );
        assert_eq!(
            pending,
            Pending {
                page: "/projects/4/list".to_owned(),
                path: "/api/save_view".to_owned(),
                err: "eyJ9".to_owned(),
            }
        );

        let (location, _) =
            split_off_error("/login?__path=%2Fapi%2Fsign_in&__err=e30%3D").expect("split");
        assert_eq!(location, "/login");
    }

    /// A `Uri` stops at 64 KB; a refused 200 KB comment is still split off.
    #[test]
    fn a_long_error_leaves_the_location_too() {
        let typed = "x".repeat(300 * 1024);
        let location = format!("/tasks/7?__path=%2Fapi%2Fadd_comment&__err={typed}");
        let (location, pending) = split_off_error(&location).expect("split");
        assert_eq!(location, "/tasks/7");
        assert_eq!(pending.page, "/tasks/7");
        assert_eq!(pending.err.len(), typed.len());
    }

    #[test]
    fn a_location_without_an_error_is_left_alone() {
        assert_eq!(split_off_error("http://127.0.0.1:3000/projects"), None);
        assert_eq!(split_off_error("/projects?status=todo"), None);
        assert_eq!(split_off_error("/login?__err=only-half"), None);
    }
}
