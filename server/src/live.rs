//! Live updates: `GET /projects/{id}/events` streams a project's revisions as server-sent events
//! to its members, so open boards re-read themselves within a second of any change, made on this
//! instance or (through PostgreSQL) on another.
//!
//! The first event is always the project's current revision. A client compares it with the
//! revision it rendered, so one that reconnects (the browser does that by itself) learns at once
//! whether it missed something.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use store::auth::AuthSession;
use store::{Announcement, Db};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

/// The event every message carries; its data is the new revision, or `resync` when the server
/// cannot say which changes were missed.
pub const CHANGE_EVENT: &str = "change";

#[derive(Clone)]
pub struct Live {
    db: Db,
    shutdown: watch::Receiver<bool>,
}

impl Live {
    /// Streams end when `shutdown` turns true; the browser then reconnects to another instance.
    pub fn new(db: Db, shutdown: watch::Receiver<bool>) -> Self {
        Self { db, shutdown }
    }

    pub fn routes<S>(self) -> Router<S> {
        Router::new()
            .route("/projects/{id}/events", get(events))
            .with_state(self)
    }
}

async fn events(
    State(Live { db, shutdown }): State<Live>,
    auth: AuthSession,
    Path(project_id): Path<i32>,
) -> Response {
    let Some(user) = auth.user else {
        return (StatusCode::UNAUTHORIZED, "Sign in to follow this project.").into_response();
    };
    // Subscribe before reading the revision, so no change can fall between the two.
    let changes = db.subscribe().await;
    match store::projects::revision(&db, user.id, project_id).await {
        Ok(Some(revision)) => Sse::new(follow(project_id, revision, changes, shutdown))
            .keep_alive(KeepAlive::default())
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "No such project.").into_response(),
        Err(err) => {
            tracing::error!(error = %err, project_id, "could not start live updates");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong.").into_response()
        }
    }
}

/// Counts open streams for `/metrics` while it lives.
struct Following;

impl Following {
    fn start() -> Self {
        metrics::gauge!("taskdeck_live_streams").increment(1);
        Self
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        metrics::gauge!("taskdeck_live_streams").decrement(1);
    }
}

fn change(data: String) -> Event {
    Event::default().event(CHANGE_EVENT).data(data)
}

fn follow(
    project_id: i32,
    revision: i64,
    changes: broadcast::Receiver<Announcement>,
    shutdown: watch::Receiver<bool>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let first = change(revision.to_string()).id(revision.to_string());
    let state = (Some(first), revision, changes, shutdown, Following::start());
    stream::unfold(
        state,
        move |(first, mut sent, mut changes, mut shutdown, following)| async move {
            if let Some(first) = first {
                return Some((Ok(first), (None, sent, changes, shutdown, following)));
            }
            loop {
                let received = tokio::select! {
                    received = changes.recv() => received,
                    _ = shutdown.wait_for(|closing| *closing) => return None,
                };
                let event = match received {
                    // An announcement no newer than what was sent (one committed just before
                    // the stream began, delivered late) carries no news.
                    Ok(Announcement::Project {
                        project_id: changed,
                        revision,
                    }) if changed == project_id && revision > sent => {
                        sent = revision;
                        change(revision.to_string()).id(revision.to_string())
                    }
                    Ok(Announcement::Project { .. }) => continue,
                    Ok(Announcement::Resync) | Err(RecvError::Lagged(_)) => {
                        change("resync".to_owned())
                    }
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok(event), (None, sent, changes, shutdown, following)));
            }
        },
    )
}
