//! `GET /projects/{id}/export.csv`: every task of a project as a CSV file for a spreadsheet,
//! for its members. It ships behind the `project-export` feature flag: while the flag is off for
//! someone signed in, the route answers them as it does a project they cannot see (the same
//! 404), and the board shows no link to it. Signed out, it asks to sign in (401), as every
//! route of a project does.

use app::error::RETRY_AFTER_SECS;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::{Feature, Task};
use store::auth::AuthSession;
use store::flags::Flags;
use store::Db;

#[derive(Clone)]
pub struct Export {
    db: Db,
    flags: Flags,
}

impl Export {
    pub fn new(db: Db, flags: Flags) -> Self {
        Self { db, flags }
    }

    pub fn routes<S>(self) -> Router<S> {
        Router::new()
            .route("/projects/{id}/export.csv", get(export))
            .with_state(self)
    }
}

/// One answer for "no such project", "not yours" and "not for you yet", so that none tells
/// which it is.
fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "No such project.").into_response()
}

async fn export(
    State(Export { db, flags }): State<Export>,
    auth: AuthSession,
    Path(project_id): Path<i32>,
) -> Response {
    let Some(user) = auth.user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to export this project.").into_response();
    };
    if !flags.is_on(Feature::ProjectExport, Some(user.id)).await {
        return not_found();
    }
    match store::tasks::every_task(&db, user.id, project_id).await {
        Ok(Some((project, tasks))) => {
            let disposition = format!(
                "attachment; filename=\"{}.csv\"",
                file_stem(&project.name, project.id)
            );
            let mut response = csv(&tasks).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            // Someone's tasks: never kept by a shared cache.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(None) => not_found(),
        Err(err) if err.is_unavailable() => {
            tracing::warn!(error = %err, project_id, "database unavailable; export answered 503");
            let mut response = (
                StatusCode::SERVICE_UNAVAILABLE,
                "Taskdeck is briefly unavailable. Try again in a few seconds.",
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            response
        }
        Err(err) => {
            tracing::error!(error = %err, project_id, "could not export a project");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}

/// The columns of the file, in order.
const HEADER: [&str; 9] = [
    "ID",
    "Title",
    "Status",
    "Priority",
    "Due date",
    "Labels",
    "Assignees",
    "Checklist",
    "Description",
];

/// The file: a byte-order mark (so spreadsheets read it as UTF-8), a header row, one row per
/// task, CRLF line ends (RFC 4180).
fn csv(tasks: &[Task]) -> String {
    let mut out = String::from("\u{feff}");
    row(&mut out, HEADER.map(str::to_owned));
    for task in tasks {
        let labels: Vec<&str> = task.labels.iter().map(|l| l.name.as_str()).collect();
        let assignees: Vec<&str> = task.assignees.iter().map(|p| p.email.as_str()).collect();
        let checklist = if task.progress.is_empty() {
            String::new()
        } else {
            // "3 of 5", not "3/5", which a spreadsheet reads as a date.
            format!("{} of {}", task.progress.done, task.progress.total)
        };
        row(
            &mut out,
            [
                task.id.to_string(),
                task.title.clone(),
                task.status.label().to_owned(),
                task.priority.label().to_owned(),
                task.due_date.map(|d| d.to_string()).unwrap_or_default(),
                labels.join(", "),
                assignees.join(", "),
                checklist,
                task.description.clone(),
            ],
        );
    }
    out
}

fn row<const N: usize>(out: &mut String, fields: [String; N]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field_text(field));
    }
    out.push_str("\r\n");
}

/// One field, quoted when it must be. Text a spreadsheet would run as a formula (it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so a task titled
/// `=HYPERLINK(...)` opens as the text someone typed (OWASP's advice on CSV injection).
fn field_text(field: &str) -> String {
    let mut text = String::with_capacity(field.len() + 2);
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        text.push('\'');
    }
    text.push_str(field);
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A file name from the project's name: letters, digits and dashes (a header value must be
/// ASCII), falling back to the project's number.
fn file_stem(name: &str, id: i32) -> String {
    let mut stem = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            stem.push(c.to_ascii_lowercase());
        } else if !stem.is_empty() && !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        format!("project-{id}")
    } else {
        stem.chars().take(60).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(field_text("Write the plan"), "Write the plan");
        assert_eq!(field_text("a, b"), "\"a, b\"");
        assert_eq!(field_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field_text("two\nlines"), "\"two\nlines\"");
        assert_eq!(field_text(""), "");
    }

    #[test]
    fn formulas_open_as_text() {
        assert_eq!(field_text("=1+1"), "'=1+1");
        assert_eq!(field_text("+49 30 1234"), "'+49 30 1234");
        assert_eq!(field_text("-5"), "'-5");
        assert_eq!(field_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(
            field_text("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
    }

    #[test]
    fn file_names_are_plain_ascii() {
        assert_eq!(file_stem("Launch plan 2027", 7), "launch-plan-2027");
        assert_eq!(file_stem("  Größe / Maß ", 7), "gr-e-ma");
        assert_eq!(file_stem("日本", 7), "project-7");
        assert_eq!(file_stem("\"; rm -rf", 3), "rm-rf");
    }
}
