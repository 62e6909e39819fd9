//! A server function's body is read here, before Leptos decodes it, so that what Leptos would get
//! wrong gets the right answer:
//!
//! - over the limit, Leptos answers 400 "error deserializing server function results: length
//!   limit exceeded"; it is 413 here, with a message that says what to do;
//! - bytes that are not UTF-8, raw or percent-encoded, are decoded by Leptos as U+FFFD and stored
//!   so, silently; here they are 400, and nothing is stored.

use app::error::AppError;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};

/// What server functions accept: axum's default body limit, which Leptos applies to them.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// Where server functions answer.
const PREFIX: &str = "/api/";

const TOO_LARGE: &str = "This is too large to send: at most 2 MB goes at once. Shorten the text and try again. Nothing was saved.";
const NOT_UTF8: &str =
    "The form could not be read: it contains bytes that are not valid UTF-8 text. Nothing was saved.";
const UNREADABLE: &str = "The form did not arrive whole. Please try again.";

pub async fn checked(request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.uri().path().starts_with(PREFIX) {
        return next.run(request).await;
    }
    let json = !super::form_errors::wants_html(&request);
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BODY as u64) {
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE, json);
    }
    let form = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (parts, body) = request.into_parts();
    let bytes = match read(body).await {
        Ok(bytes) => bytes,
        Err(Unread::TooLarge) => return refusal(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE, json),
        Err(Unread::Broken) => return refusal(StatusCode::BAD_REQUEST, UNREADABLE, json),
    };
    let text_ok = match std::str::from_utf8(&bytes) {
        Ok(text) => !form || form_is_utf8(text),
        Err(_) => false,
    };
    if !text_ok {
        return refusal(StatusCode::BAD_REQUEST, NOT_UTF8, json);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

enum Unread {
    TooLarge,
    /// The client went away or sent a malformed chunk.
    Broken,
}

/// The whole body, refused as soon as it passes the limit (a body without a length can be any
/// size).
async fn read(body: Body) -> Result<Bytes, Unread> {
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Unread::Broken)?;
        if bytes.len() + chunk.len() > MAX_BODY {
            return Err(Unread::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes.into())
}

/// True when every key and value of the form decodes to UTF-8. `form_urlencoded` would replace
/// bad bytes with U+FFFD instead of saying so, hence the decoding by hand.
fn form_is_utf8(body: &str) -> bool {
    body.split('&')
        .flat_map(|pair| pair.splitn(2, '='))
        .all(|part| std::str::from_utf8(&percent_decoded(part)).is_ok())
}

fn percent_decoded(part: &str) -> Vec<u8> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// The answer: the server function's error shape for the hydrated app, plain words for a form
/// posted without JavaScript.
fn refusal(status: StatusCode, message: &str, json: bool) -> Response {
    if json {
        let error = AppError::Request(message.to_owned());
        let body = serde_json::to_string(&error).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    } else {
        (status, message.to_owned()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded_bytes_must_be_utf8() {
        assert!(form_is_utf8("title=caf%C3%A9&x=a+b"));
        assert!(form_is_utf8("title=100%&x"), "a stray % is left as it is");
        assert!(!form_is_utf8("project_id=1&title=%FF%FE"));
        assert!(!form_is_utf8("%C3=value"));
    }
}
