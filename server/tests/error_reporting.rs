//! Sentry, end to end on the server side: a real HTTP sink stands in for Sentry, the app runs with
//! `SENTRY_DSN` pointing at it, and the test reads the envelopes that arrive. Its own test binary,
//! because the Sentry client is process-wide.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::Router;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use testkit::{create_project, Backend, TestApp, TestDb, PASSWORD};

#[derive(Clone, Default)]
struct Sink {
    envelopes: Arc<Mutex<Vec<(String, String)>>>,
}

impl Sink {
    async fn start() -> (Sink, String) {
        let sink = Sink::default();
        let router = Router::new()
            .route("/api/{project}/envelope/", post(receive))
            .with_state(sink.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind sink");
        let address = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            axum::serve(listener, router).await.expect("sink");
        });
        (sink, format!("http://sinkpublickey@{address}/42"))
    }

    /// Waits until an envelope containing `needle` arrives, and returns it.
    async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..100 {
            let found = self
                .envelopes
                .lock()
                .expect("lock")
                .iter()
                .find(|(_, body)| body.contains(needle))
                .map(|(_, body)| body.clone());
            if let Some(body) = found {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let all = self.envelopes.lock().expect("lock").clone();
        panic!("no envelope with {needle:?} arrived; got {all:#?}");
    }

    fn projects(&self) -> Vec<String> {
        self.envelopes
            .lock()
            .expect("lock")
            .iter()
            .map(|(p, _)| p.clone())
            .collect()
    }
}

async fn receive(State(sink): State<Sink>, Path(project): Path<String>, body: Bytes) -> StatusCode {
    let text = String::from_utf8_lossy(&body).into_owned();
    sink.envelopes.lock().expect("lock").push((project, text));
    StatusCode::OK
}

/// A handler body that fails the way a bug would.
fn broken_handler() -> &'static str {
    panic!("panic check from a handler")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_browser_reports_reach_sentry_without_secrets() {
    let (sink, dsn) = Sink::start().await;
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let config = server::Config::from_lookup(|name| match name {
        "SENTRY_DSN" => Some(dsn.clone()),
        "SENTRY_ENVIRONMENT" => Some("test".to_owned()),
        // As deploy.yml names a release: for the commit.
        "SENTRY_RELEASE" => Some("taskdeck@0123456789ab".to_owned()),
        "LOG_LEVEL" => Some("warn".to_owned()),
        _ => None,
    })
    .expect("config");
    let _guard = server::error_reporting::init(&config.error_reporting).expect("Sentry on");
    server::telemetry::init(&config.log);
    let app = TestApp::spawn_with(&db, &[("SENTRY_DSN", &dsn)]).await;

    // A server error with a signed-in user: the board's table is gone.
    let email = "reporter@example.com";
    let client = app.signed_in_client(email).await;
    let project = create_project(&client, "Broken").await;
    app.db
        .conn()
        .execute_unprepared("DROP TABLE tasks")
        .await
        .expect("drop table");
    let response = client
        .page(&format!("/projects/{project}?email={email}"))
        .await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let page = response.text().await.expect("body");
    assert!(
        !page.contains("no such table"),
        "the error page names no internals: {page}"
    );
    let reference = page
        .split("Reference: <code>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the error page quotes a reference")
        .to_owned();

    let envelope = sink.wait_for("internal error in a server function").await;
    assert!(
        envelope.contains(&reference),
        "the reference is the event's id: {envelope}"
    );
    assert!(envelope.contains("\"environment\":\"test\""), "{envelope}");
    assert!(
        envelope.contains("\"release\":\"taskdeck@0123456789ab\""),
        "the event carries the release: {envelope}"
    );
    // The loaded program, by build id: how Sentry finds the debug file uploaded for this release
    // (deploy/image/split-debug.sh) when the binary itself carries no symbols.
    let exe = std::env::current_exe().expect("the test's own path");
    let exe_name = exe
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    assert!(
        envelope.contains("\"debug_meta\"")
            && envelope.contains("\"code_id\":\"")
            && envelope.contains(&exe_name),
        "the event lists the program ({exe_name}) with its build id: {envelope}"
    );
    assert!(
        envelope.contains("/projects/"),
        "the request context is attached: {envelope}"
    );
    assert!(
        !envelope.contains("taskdeck_session"),
        "no cookie: {envelope}"
    );
    assert!(!envelope.contains(email), "no email address: {envelope}");
    assert!(!envelope.contains(PASSWORD), "no password: {envelope}");

    // Feedback about that error is kept and reaches Sentry linked to it, without the email.
    let sent = client
        .post_form(
            "send_feedback",
            &[
                ("message", "The board broke after I renamed it"),
                ("event", &reference),
            ],
            "/feedback",
        )
        .await;
    assert_eq!(sent.status(), StatusCode::FOUND);
    let envelope = sink.wait_for("The board broke after I renamed it").await;
    assert!(envelope.contains("\"type\":\"feedback\""), "{envelope}");
    assert!(
        envelope.contains(&format!("\"associated_event_id\":\"{reference}\"")),
        "{envelope}"
    );
    assert!(!envelope.contains(email), "{envelope}");
    let kept = store::feedback::recent(&app.db, 1).await.expect("feedback");
    assert_eq!(kept[0].1, "The board broke after I renamed it");
    assert_eq!(kept[0].2.as_deref(), Some(reference.as_str()));

    // A handler that panics behind the real edge: the person gets a 500 page with the usual
    // headers rather than a dropped connection, and Sentry gets the panic with its request.
    let panicking = axum::Router::new().route(
        "/panic-check",
        axum::routing::get(|| async { broken_handler() }),
    );
    let panicking = server::http::edge(panicking, &config, app.db.clone());
    let listener = server::http::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind");
    let panic_address = listener.local_addr().expect("address");
    let health = server::health::Health::new(app.db.clone());
    tokio::spawn(server::http::serve(
        listener,
        panicking,
        health,
        server::http::ServeSettings::new(&config.http, false),
        std::future::pending(),
    ));
    let response = reqwest::Client::new()
        .get(format!("http://{panic_address}/panic-check"))
        .send()
        .await
        .expect("the connection survives the panic");
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let envelope = sink.wait_for("panic check from a handler").await;
    assert!(envelope.contains("\"level\":\"fatal\""), "{envelope}");
    assert!(
        envelope.contains("/panic-check"),
        "the request is attached: {envelope}"
    );

    // The browser's tunnel forwards an envelope for this project, with emails removed...
    let http = reqwest::Client::new();
    let tunnel = format!("{}/monitoring/sentry", app.address);
    let browser_event = format!(
        "{{\"dsn\":\"{dsn}\",\"event_id\":\"0123456789abcdef0123456789abcdef\"}}\n{{\"type\":\"event\"}}\n{{\"message\":\"browser trouble for someone@example.com\"}}\n"
    );
    let forwarded = http
        .post(&tunnel)
        .body(browser_event)
        .send()
        .await
        .expect("post");
    assert_eq!(forwarded.status(), StatusCode::OK);
    let envelope = sink.wait_for("browser trouble").await;
    assert!(!envelope.contains("someone@example.com"), "{envelope}");

    // ...and is not an open relay: another project or host is refused, and so is a huge body.
    let other = format!(
        "{{\"dsn\":\"{}\"}}\n{{\"type\":\"event\"}}\n{{}}\n",
        dsn.replace("/42", "/43")
    );
    let refused = http.post(&tunnel).body(other).send().await.expect("post");
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let huge = format!("{{\"dsn\":\"{dsn}\"}}\n{}", "x".repeat(200 * 1024));
    let too_big = http.post(&tunnel).body(huge).send().await.expect("post");
    assert_eq!(too_big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(sink.projects().iter().all(|project| project == "42"));
}
