//! What no client can do to the server: hold connections open without sending a request, take
//! every connection, keep a request open past the timeout by sending its body slowly, starve the
//! health probes, lock someone else out of their account; and what a shutdown must not do: drop
//! a keep-alive request.

use reqwest::StatusCode;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use testkit::{unique_email, Backend, TestApp, TestDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

fn socket_addr(app: &TestApp) -> SocketAddr {
    app.address
        .trim_start_matches("http://")
        .parse()
        .expect("the app's address")
}

/// A connection from a given loopback address (127.0.0.x), so tests can be several clients.
async fn connect_from(app: &TestApp, from: [u8; 4]) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind a loopback address");
    socket.connect(socket_addr(app)).await.expect("connect")
}

/// Sends a whole GET and reads the answer until the server closes or `wait` passes.
async fn get_raw(stream: &mut TcpStream, path: &str, wait: Duration) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return String::new();
    }
    read_until_closed(stream, wait).await
}

async fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

/// Whether the server has closed this connection (reading gives end-of-file or an error).
async fn is_closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(
        tokio::time::timeout(Duration::from_millis(200), stream.read(&mut byte)).await,
        Ok(Ok(0)) | Ok(Err(_))
    )
}

/// The reproduction from the hardening issue, scaled down: connections that send half a request's
/// headers and nothing more are closed within the header timeout, and `/healthz` answers all the
/// while.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_that_never_finish_their_headers_are_closed() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("HEADER_READ_TIMEOUT_SECS", "2"),
            ("MAX_CONNECTIONS_PER_CLIENT", "1000"),
        ],
    )
    .await;
    let mut idle = Vec::new();
    for _ in 0..300 {
        let mut stream = connect_from(&app, [127, 0, 0, 1]).await;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("half a request");
        idle.push(stream);
    }
    let mut probe = connect_from(&app, [127, 0, 0, 2]).await;
    let answer = get_raw(&mut probe, "/healthz", Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "healthz while held: {answer:?}"
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut held = 0;
    for stream in &mut idle {
        if !is_closed(stream).await {
            held += 1;
        }
    }
    assert_eq!(
        held, 0,
        "connections still held 3 s after a 2 s header timeout"
    );
}

/// One address cannot take every connection: past its cap, it is told 503 (probes still
/// answered); another client is served normally; past the overall cap, probes still answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_capped_per_client_and_overall_and_probes_still_answer() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("HEADER_READ_TIMEOUT_SECS", "30"),
            ("MAX_CONNECTIONS_PER_CLIENT", "20"),
            ("MAX_CONNECTIONS", "30"),
        ],
    )
    .await;
    let mut hog = Vec::new();
    for _ in 0..20 {
        hog.push(connect_from(&app, [127, 0, 0, 1]).await);
    }
    // Accepting is asynchronous: wait until the server has counted them.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut over = connect_from(&app, [127, 0, 0, 1]).await;
    let answer = get_raw(&mut over, "/", Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 503"),
        "past the client's cap: {answer:?}"
    );
    assert!(answer.to_lowercase().contains("retry-after"), "{answer}");
    let mut probe = connect_from(&app, [127, 0, 0, 1]).await;
    let answer = get_raw(&mut probe, "/healthz", Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "a probe past the cap: {answer:?}"
    );

    let mut other = connect_from(&app, [127, 0, 0, 2]).await;
    let answer = get_raw(&mut other, "/login", Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "another client: {answer:?}"
    );

    for n in 0..10 {
        hog.push(connect_from(&app, [127, 0, 0, 3 + n]).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut late = connect_from(&app, [127, 0, 0, 99]).await;
    let answer = get_raw(&mut late, "/login", Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 503"),
        "past the overall cap: {answer:?}"
    );
    let mut probe = connect_from(&app, [127, 0, 0, 99]).await;
    let answer = get_raw(&mut probe, "/readyz", Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "a probe past the overall cap: {answer:?}"
    );
    assert!(
        app.metric(r#"taskdeck_connections_refused_total{reason="server_full"}"#)
            .await
            >= 1.0
    );

    drop(hog);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut again = connect_from(&app, [127, 0, 0, 1]).await;
    let answer = get_raw(&mut again, "/login", Duration::from_secs(5)).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "once they close: {answer:?}"
    );
}

/// The reproduction from the hardening issue: a sign-in whose body never arrives in full got no
/// answer at all; it is answered 408 within the request timeout, like every other request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_sign_in_body_times_out_like_any_request() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(&db, &[("REQUEST_TIMEOUT_SECS", "2")]).await;
    for path in ["/api/sign_in", "/api/sign_up", "/api/create_task"] {
        let mut stream = connect_from(&app, [127, 0, 0, 1]).await;
        let started = Instant::now();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 100\r\n\r\nemail=a"
        );
        stream.write_all(head.as_bytes()).await.expect("send");
        let answer = read_until_closed(&mut stream, Duration::from_secs(10)).await;
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "{path} with a body that never arrives: {answer:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{path} answered after {:?}",
            started.elapsed()
        );
    }
}

/// The reproduction from the hardening issue: past the per-address request limit, `/healthz` and
/// `/readyz` answered 429, so a load balancer sharing an address with users saw a dead server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_probes_are_never_rate_limited() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(&db, &[("RATE_LIMIT_REQUESTS_PER_MINUTE", "5")]).await;
    let client = app.client();
    let mut pages = Vec::new();
    for _ in 0..8 {
        pages.push(client.page("/login").await.status());
    }
    assert_eq!(
        pages.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{pages:?}"
    );
    for _ in 0..20 {
        for probe in ["/healthz", "/readyz"] {
            let status = client.page(probe).await.status();
            assert_eq!(status, StatusCode::OK, "{probe} past the limit");
        }
    }
    for _ in 0..20 {
        let metrics = reqwest::get(format!("{}/metrics", app.metrics_address))
            .await
            .expect("metrics");
        assert_eq!(metrics.status(), StatusCode::OK);
    }
}

/// The reproduction from the hardening issue: nine wrong passwords from three addresses locked
/// the owner out for 15 minutes, even with their correct password from a fresh address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_guessing_cannot_lock_the_owner_out() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("TRUSTED_PROXY_HEADER", "X-Forwarded-For"),
            ("RATE_LIMIT_SIGN_INS_PER_MINUTE", "100"),
        ],
    )
    .await;
    let owner_email = unique_email("owner");
    app.signed_in_client(&owner_email).await;
    let sign_in_from = |address: &'static str, password: &'static str| {
        let client = app.client();
        let email = owner_email.clone();
        async move {
            client
                .http
                .post(format!("{}/api/sign_in", client.address))
                .header("accept", "application/json")
                .header("x-forwarded-for", address)
                .form(&[("email", email.as_str()), ("password", password)])
                .send()
                .await
                .expect("sign in")
        }
    };
    // Correct passwords never count: signing in often is fine.
    for _ in 0..12 {
        let ok = sign_in_from("198.51.100.7", testkit::PASSWORD).await;
        assert_eq!(ok.status(), StatusCode::OK);
    }
    let mut last_lock = None;
    for round in 0..4 {
        for attacker in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
            let response = sign_in_from(attacker, "wrong guess").await;
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                let wait: u64 = response.headers()["retry-after"]
                    .to_str()
                    .expect("ascii")
                    .parse()
                    .expect("seconds");
                last_lock = Some(wait);
            } else {
                assert_eq!(
                    response.status(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "round {round}"
                );
            }
        }
    }
    let wait = last_lock.expect("twelve failures lock the account for the guessers");
    assert!(
        wait <= 60,
        "the lock grows step by step, not 15 minutes at once: {wait} s"
    );

    let owner = sign_in_from("198.51.100.7", testkit::PASSWORD).await;
    assert_eq!(
        owner.status(),
        StatusCode::OK,
        "the owner, from an address with no failures, signs in"
    );
}

/// The reproduction from the hardening issue: a few keep-alive requests were reset by a shutdown
/// under load, when idle keep-alive connections were closed under a request being sent. Once
/// shutdown begins, responses say `Connection: close`, every client finishes the request it sent
/// and leaves, and none is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_drops_no_keep_alive_request() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("SHUTDOWN_DRAIN_SECS", "2"),
            ("RATE_LIMIT_REQUESTS_PER_MINUTE", "1000000"),
        ],
    )
    .await;
    let address = app.address.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let address = address.clone();
        let stop = stop.clone();
        clients.push(tokio::spawn(async move {
            // One connection per client, reused for every request until the server closes it.
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let (mut answered, mut told_to_close, mut dropped, mut refused) = (0, 0, 0, 0);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                match http.get(format!("{address}/login")).send().await {
                    Ok(response) => {
                        let closing = response
                            .headers()
                            .get("connection")
                            .is_some_and(|value| value == "close");
                        if response.bytes().await.is_ok() {
                            answered += 1;
                        } else {
                            dropped += 1;
                        }
                        // Like a load balancer: an instance that says it is closing gets no
                        // new requests (its readiness says the same).
                        if closing {
                            told_to_close += 1;
                            break;
                        }
                    }
                    Err(err) if err.is_connect() => {
                        refused += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Err(_) => dropped += 1,
                }
            }
            (answered, told_to_close, dropped, refused)
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let shutdown = tokio::spawn(app.shut_down());
    shutdown.await.expect("shut down");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (mut answered, mut told_to_close, mut dropped) = (0, 0, 0);
    for client in clients {
        let (a, c, d, _refused) = client.await.expect("client");
        answered += a;
        told_to_close += c;
        dropped += d;
    }
    assert!(answered > 8, "the load ran: {answered} answered");
    assert!(
        told_to_close > 0,
        "responses during the drain said Connection: close"
    );
    assert_eq!(
        dropped, 0,
        "requests dropped by the shutdown ({answered} answered)"
    );
}

/// Behind a trusted proxy every connection comes from the proxy, so one client is capped by the
/// requests it has in flight under its forwarded address; others are served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_proxy_one_client_is_capped_by_its_forwarded_address() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("TRUSTED_PROXY_HEADER", "X-Forwarded-For"),
            ("MAX_CONNECTIONS_PER_CLIENT", "2"),
        ],
    )
    .await;
    // Two requests whose bodies never finish keep the client's two slots busy.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = connect_from(&app, [127, 0, 0, 1]).await;
        stream
            .write_all(
                b"POST /api/create_task HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.5\r\n\
                  Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ntitle=",
            )
            .await
            .expect("send");
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let from = |address: &'static str| {
        let client = app.client();
        async move {
            client
                .http
                .get(format!("{}/login", client.address))
                .header("x-forwarded-for", address)
                .send()
                .await
                .expect("request")
                .status()
        }
    };
    assert_eq!(from("203.0.113.5").await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(from("203.0.113.6").await, StatusCode::OK, "another client");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        from("203.0.113.5").await,
        StatusCode::OK,
        "once its requests end"
    );
}
