//! What an operator sees: request ids, one log line per request, Prometheus metrics on the private
//! listener, liveness and readiness that follows the database, and web vitals from browsers.

use reqwest::StatusCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use testkit::{create_project, create_task, Backend, TestApp, TestDb};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

async fn sqlite_app() -> (TestDb, TestApp) {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(&db).await;
    (db, app)
}

async fn metrics_text(app: &TestApp) -> String {
    let response = reqwest::get(format!("{}/metrics", app.metrics_address))
        .await
        .expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_id_is_kept_when_well_formed_and_made_up_otherwise() {
    let (_db, app) = sqlite_app().await;
    let http = reqwest::Client::new();
    let url = format!("{}/healthz", app.address);

    let kept = http
        .get(&url)
        .header("x-request-id", "lb-7f3a-0001")
        .send()
        .await
        .expect("get");
    assert_eq!(kept.headers()["x-request-id"], "lb-7f3a-0001");

    let made = http.get(&url).send().await.expect("get");
    let id = made.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let hostile = http
        .get(&url)
        .header("x-request-id", "x\" injected=\"1")
        .send()
        .await
        .expect("get");
    let replaced = hostile.headers()["x-request-id"].to_str().expect("ascii");
    assert_ne!(replaced, "x\" injected=\"1");
    assert_eq!(replaced.len(), 36);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_describe_requests_the_pool_sign_ins_and_tasks() {
    let (_db, app) = sqlite_app().await;
    let client = app.signed_in_client("metrics@example.com").await;
    let project_id = create_project(&client, "Metrics").await;
    let task = create_task(&client, project_id, "Count me").await;
    let task_id = task["id"].to_string();
    client
        .call_ok("move_task", &[("id", &task_id), ("to", "done")])
        .await;
    client.page_html(&format!("/projects/{project_id}")).await;
    let anonymous = app.client();
    let refused = anonymous
        .call(
            "sign_in",
            &[
                ("email", "metrics@example.com"),
                ("password", "wrong password"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let text = metrics_text(&app).await;
    for expected in [
        // The route template, never the id: labels stay bounded.
        r#"http_server_request_duration_seconds_bucket{http_route="/projects/{id}",http_request_method="GET",http_response_status_code="200",le="0.1"}"#,
        r#"http_server_request_duration_seconds_count{http_route="/api/create_task",http_request_method="POST",http_response_status_code="200"}"#,
        r#"http_server_active_requests{http_request_method="POST"}"#,
        r#"taskdeck_page_views_total{route="/projects/{id}"}"#,
        r#"db_client_connections_usage{state="idle"}"#,
        // The configured 10 plus the one kept for health checks.
        "db_client_connections_max 11",
        r#"db_client_operation_duration_seconds_bucket{db_operation="SELECT""#,
        r#"taskdeck_sign_ins_total{method="password",result="failure"}"#,
        "taskdeck_tasks_created_total",
        "taskdeck_tasks_completed_total",
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
    assert!(
        !text.contains(&format!("/projects/{project_id}\"")),
        "a raw id became a label"
    );
}

/// Scrapes until the metrics contain `line`; the recorder is shared by every app in this binary,
/// so one scrape may show another app's pool.
async fn wait_for_metric(app: &TestApp, line: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let text = metrics_text(app).await;
        if text.lines().any(|l| l == line) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never saw {line} in:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_waiting_for_a_database_connection_are_counted() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(&db, &[("DATABASE_MAX_CONNECTIONS", "1")]).await;
    let client = app.signed_in_client("waiting@example.com").await;

    // Hold the only connection, as a slow statement would.
    let held = app.db.lease().await.expect("lease");
    let page = tokio::spawn(async move { client.page("/projects").await.status() });
    wait_for_metric(&app, "db_client_connections_pending_requests 1").await;
    // Health checks keep their own connection: a busy pool is not a dead database.
    let ready = reqwest::get(format!("{}/readyz", app.address))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), StatusCode::OK);

    drop(held);
    assert_eq!(page.await.expect("page"), StatusCode::OK);
    wait_for_metric(&app, "db_client_connections_pending_requests 0").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_not_served_on_the_public_listener() {
    let (_db, app) = sqlite_app().await;
    let response = reqwest::get(format!("{}/metrics", app.address))
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_vitals_from_browsers_become_histograms_per_route() {
    let (_db, app) = sqlite_app().await;
    let http = reqwest::Client::new();
    let url = format!("{}/monitoring/vitals", app.address);
    let report = r#"{"path":"/projects/77","metrics":[{"name":"LCP","value":1234.5},{"name":"CLS","value":0.02},{"name":"TTFB","value":80},{"name":"INP","value":40}]}"#;
    let response = http
        .post(&url)
        .header("content-type", "text/plain;charset=UTF-8")
        .body(report)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let junk = http
        .post(&url)
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(junk.status(), StatusCode::BAD_REQUEST);
    let unknown = r#"{"path":"/wp-login.php","metrics":[{"name":"LCP","value":10}]}"#;
    http.post(&url).body(unknown).send().await.expect("post");

    let text = metrics_text(&app).await;
    for expected in [
        r#"taskdeck_web_vitals_lcp_seconds_bucket{route="/projects/{id}",le="1.8"}"#,
        r#"taskdeck_web_vitals_cls_bucket{route="/projects/{id}",le="0.025"}"#,
        r#"taskdeck_web_vitals_ttfb_seconds_count{route="/projects/{id}"}"#,
        r#"taskdeck_web_vitals_inp_seconds_count{route="/projects/{id}"}"#,
        r#"taskdeck_web_vitals_lcp_seconds_count{route="other"}"#,
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
    assert!(!text.contains("wp-login"));
}

/// A TCP proxy in front of PostgreSQL that a test can cut and restore, as a network failure would.
struct CuttableProxy {
    address: String,
    cut: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    accept: JoinHandle<()>,
}

impl CuttableProxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = listener.local_addr().expect("addr").to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = tokio::spawn({
            let cut = cut.clone();
            let connections = connections.clone();
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    if cut.load(Ordering::SeqCst) {
                        continue; // dropped: the connection is refused at once
                    }
                    let upstream = upstream.clone();
                    let relay = tokio::spawn(async move {
                        if let Ok(mut server) = TcpStream::connect(&upstream).await {
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    });
                    connections.lock().expect("lock").push(relay);
                }
            }
        });
        CuttableProxy {
            address,
            cut,
            connections,
            accept,
        }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for relay in self.connections.lock().expect("lock").drain(..) {
            relay.abort();
        }
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

async fn wait_for_status(url: &str, wanted: StatusCode) -> StatusCode {
    let http = reqwest::Client::new();
    let mut last = StatusCode::IM_A_TEAPOT;
    for _ in 0..40 {
        if let Ok(response) = http.get(url).timeout(Duration::from_secs(5)).send().await {
            last = response.status();
            if last == wanted {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    last
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database_and_liveness_does_not() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    // postgres://user@host:port/name → the same URL through the proxy.
    let (scheme_user, rest) = db.url.split_once('@').expect("user@host in the URL");
    let (authority, name) = rest.split_once('/').expect("a database name");
    let proxy = CuttableProxy::start(authority.to_owned()).await;
    let through_proxy = format!("{scheme_user}@{}/{name}", proxy.address);
    let app = TestApp::spawn_with(&db, &[("DATABASE_URL", &through_proxy)]).await;
    let ready = format!("{}/readyz", app.address);
    let live = format!("{}/healthz", app.address);

    assert_eq!(
        wait_for_status(&ready, StatusCode::OK).await,
        StatusCode::OK
    );

    proxy.cut();
    assert_eq!(
        wait_for_status(&ready, StatusCode::SERVICE_UNAVAILABLE).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "readiness must fail while the database is unreachable"
    );
    assert_eq!(
        reqwest::get(&live).await.expect("get").status(),
        StatusCode::OK
    );
    assert!(metrics_text(&app).await.contains("taskdeck_database_up 0"));

    proxy.restore();
    assert_eq!(
        wait_for_status(&ready, StatusCode::OK).await,
        StatusCode::OK,
        "readiness must come back without a restart"
    );
    assert!(metrics_text(&app).await.contains("taskdeck_database_up 1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_container_health_check_follows_the_server() {
    let (_db, app) = sqlite_app().await;
    let site_addr = app.address.trim_start_matches("http://").to_owned();
    let check = |addr: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_taskdeck"))
            .arg("healthcheck")
            .env("LEPTOS_SITE_ADDR", addr)
            .env("METRICS_ADDR", "127.0.0.1:0")
            .output()
            .expect("run taskdeck healthcheck")
    };
    let alive = tokio::task::spawn_blocking({
        let addr = site_addr.clone();
        move || check(addr)
    })
    .await
    .expect("join");
    assert!(alive.status.success(), "{alive:?}");

    drop(app);
    let gone = tokio::task::spawn_blocking(move || check(site_addr))
        .await
        .expect("join");
    assert!(!gone.status.success());
    assert!(
        String::from_utf8_lossy(&gone.stderr).contains("did not answer"),
        "{gone:?}"
    );
}
