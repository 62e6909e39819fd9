//! What the logs say about a request, and what they never say. Its own test binary, because the
//! log subscriber is process-wide.

use std::io::Write;
use std::sync::{Arc, Mutex};
use testkit::{create_project, Backend, TestApp, TestDb, PASSWORD};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_is_logged_once_as_json_without_secrets() {
    let captured = Captured::default();
    let config = server::Config::from_lookup(|name| match name {
        "LOG_FORMAT" => Some("json".to_owned()),
        "LOG_LEVEL" => Some("info".to_owned()),
        _ => None,
    })
    .expect("config");
    let writer = captured.clone();
    server::telemetry::init_with_writer(&config.log, move || writer.clone());

    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(&db, &[("LOG_FORMAT", "json")]).await;
    let email = "logged@example.com";
    let client = app.signed_in_client(email).await;
    let project = create_project(&client, "Logged").await;
    let page = client
        .http
        .get(format!("{}/projects/{project}", app.address))
        .header("x-request-id", "log-check-0001")
        .send()
        .await
        .expect("get");
    assert!(page.status().is_success());
    let refused = app
        .client()
        .call(
            "sign_in",
            &[("email", email), ("password", "a wrong password")],
        )
        .await;
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);

    let text = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("utf-8");
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is JSON"))
        .collect();
    let requests: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line["target"] == "taskdeck::request")
        .collect();
    let page_lines: Vec<&&serde_json::Value> = requests
        .iter()
        .filter(|line| line["span"]["request_id"] == "log-check-0001")
        .collect();
    assert_eq!(page_lines.len(), 1, "logged once: {page_lines:#?}");
    let line = page_lines[0];
    assert_eq!(line["route"], "/projects/{id}");
    assert_eq!(line["status"], 200);
    assert_eq!(line["span"]["method"], "GET");
    assert!(line["latency_ms"].as_f64().is_some(), "{line}");
    assert!(
        line["user_id"].as_i64().is_some(),
        "the signed-in user: {line}"
    );

    for secret in [PASSWORD, "a wrong password", email, "taskdeck_session"] {
        assert!(
            !text.contains(secret),
            "{secret:?} appeared in the logs:\n{text}"
        );
    }
}
