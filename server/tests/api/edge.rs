//! The request edge: security headers everywhere, a nonce-based CSP on pages, and cross-site
//! state changes refused.

use reqwest::StatusCode;
use testkit::{unique_email, Backend, TestApp, TestDb};

async fn app() -> (TestDb, TestApp) {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(&db).await;
    (db, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let (_db, app) = app().await;
    let client = app.client();
    for path in ["/", "/login", "/no/such/page", "/healthz", "/favicon.ico"] {
        let response = client.page(path).await;
        let headers = response.headers();
        for (name, value) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("cross-origin-opener-policy", "same-origin"),
            ("cross-origin-resource-policy", "same-origin"),
        ] {
            assert_eq!(
                headers.get(name).map(|v| v.to_str().unwrap_or("")),
                Some(value),
                "{name} on {path}"
            );
        }
        assert!(headers.contains_key("permissions-policy"), "{path}");
        let csp = headers["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(
            !headers.contains_key("strict-transport-security"),
            "no HSTS over http"
        );
    }
    let api = client.call("current_user", &[]).await;
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    );
    // Personal answers are never cached.
    assert_eq!(api.headers()["cache-control"], "no-store");
    let page = client.page("/login").await;
    assert_eq!(page.headers()["cache-control"], "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_allow_only_their_own_nonce_scripts() {
    let (_db, app) = app().await;
    let response = app.client().page("/login").await;
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let html = response.text().await.expect("body");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the nonce"
    );
    let again = app.client().page("/login").await;
    assert!(
        !again.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains(nonce),
        "a fresh nonce per response"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_deployments_get_hsts() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("APP_URL", "https://tasks.example.com"),
            (
                "SESSION_SECRET",
                "a test secret with enough different characters",
            ),
        ],
    )
    .await;
    let email = unique_email("https");
    let client = app.client();
    let form = [("email", email.as_str()), ("password", testkit::PASSWORD)];
    client.call_ok("sign_up", &form).await;
    let signed_in = client.call("sign_in", &form).await;
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(cookie.starts_with("__Host-taskdeck_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    let response = app.client().page("/").await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains; preload"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let (_db, app) = app().await;
    let client = app.signed_in_client(&unique_email("csrf")).await;
    let forged = client
        .http
        .post(format!("{}/api/create_project", app.address))
        .header("origin", "https://evil.example")
        .form(&[("name", "Planted")])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let fetched = client
        .http
        .post(format!("{}/api/create_project", app.address))
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "Planted")])
        .send()
        .await
        .expect("post");
    assert_eq!(fetched.status(), StatusCode::FORBIDDEN);
    let projects = client.call_ok("list_projects", &[]).await;
    assert_eq!(projects, serde_json::json!([]), "nothing was created");

    let own = client
        .http
        .post(format!("{}/api/create_project", app.address))
        .header("origin", &app.address)
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "Mine")])
        .send()
        .await
        .expect("post");
    assert_eq!(own.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_passwords_is_slowed_per_address_and_per_account() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("RATE_LIMIT_SIGN_INS_PER_MINUTE", "100"),
            ("RATE_LIMIT_SIGN_INS_PER_ACCOUNT", "3"),
        ],
    )
    .await;
    let victim = unique_email("victim");
    app.client()
        .call_ok(
            "sign_up",
            &[("email", &victim), ("password", testkit::PASSWORD)],
        )
        .await;
    let attacker = app.client();
    for _ in 0..3 {
        let refused = attacker
            .call("sign_in", &[("email", &victim), ("password", "guess")])
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Three failures lock the account for the address they came from, even for the right
    // password (connections::strangers_guessing_cannot_lock_the_owner_out shows other addresses get in).
    let limited = attacker
        .call(
            "sign_in",
            &[
                ("email", &victim.to_uppercase()),
                ("password", testkit::PASSWORD),
            ],
        )
        .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(limited
        .text()
        .await
        .expect("body")
        .contains("Too many attempts"));

    // Another account is unaffected.
    let other = unique_email("bystander");
    let fine = app
        .client()
        .call(
            "sign_up",
            &[("email", &other), ("password", testkit::PASSWORD)],
        )
        .await;
    assert_eq!(fine.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_flood_sign_in_or_the_whole_app() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(
        &db,
        &[
            ("RATE_LIMIT_SIGN_INS_PER_MINUTE", "2"),
            ("RATE_LIMIT_REQUESTS_PER_MINUTE", "8"),
        ],
    )
    .await;
    let client = app.client();
    for n in 0..2 {
        let email = format!("nobody{n}@example.com");
        let refused = client
            .call("sign_in", &[("email", &email), ("password", "guess")])
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = client
        .call(
            "sign_in",
            &[("email", "third@example.com"), ("password", "x")],
        )
        .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));

    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(client.page("/").await.status());
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_address_comes_from_the_proxy_only_when_trusted() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let trusted = TestApp::spawn_with(
        &db,
        &[
            ("RATE_LIMIT_SIGN_INS_PER_MINUTE", "1"),
            ("TRUSTED_PROXY_HEADER", "X-Forwarded-For"),
        ],
    )
    .await;
    let attempt = |app: &TestApp, forwarded: &'static str| {
        let http = app.client().http;
        let url = format!("{}/api/sign_in", app.address);
        async move {
            http.post(url)
                .header("x-forwarded-for", forwarded)
                .header("accept", "application/json")
                .form(&[("email", "someone@example.com"), ("password", "guess")])
                .send()
                .await
                .expect("post")
                .status()
        }
    };
    // Behind a trusted proxy, two clients get one attempt each.
    assert_eq!(
        attempt(&trusted, "203.0.113.7, 10.0.0.1").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        attempt(&trusted, "203.0.113.8, 10.0.0.2").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        attempt(&trusted, "203.0.113.9, 10.0.0.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // Without the setting, a forged header changes nothing: it is all one address.
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let direct = TestApp::spawn_with(&db, &[("RATE_LIMIT_SIGN_INS_PER_MINUTE", "1")]).await;
    assert_eq!(
        attempt(&direct, "198.51.100.1").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        attempt(&direct, "198.51.100.2").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_sites_may_call_taskdeck_only_when_allowed() {
    let preflight = |app: &TestApp, origin: &'static str| {
        let url = format!("{}/api/list_projects", app.address);
        async move {
            reqwest::Client::new()
                .request(reqwest::Method::OPTIONS, url)
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .send()
                .await
                .expect("preflight")
        }
    };
    // Same-origin by default: no other site is told it may read answers.
    let (_db, closed) = app().await;
    let answer = preflight(&closed, "https://partner.example").await;
    assert!(!answer.headers().contains_key("access-control-allow-origin"));

    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let open =
        TestApp::spawn_with(&db, &[("CORS_ALLOWED_ORIGINS", "https://partner.example")]).await;
    let answer = preflight(&open, "https://partner.example").await;
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "https://partner.example"
    );
    assert_eq!(answer.headers()["access-control-allow-credentials"], "true");
    let answer = preflight(&open, "https://evil.example").await;
    assert!(!answer.headers().contains_key("access-control-allow-origin"));

    // The allowed site's pages may change things with the person's session; others still may not.
    let client = open.signed_in_client(&unique_email("cors")).await;
    let from = |origin: &'static str| {
        client
            .http
            .post(format!("{}/api/create_project", open.address))
            .header("origin", origin)
            .header("sec-fetch-site", "cross-site")
            .form(&[("name", "From a partner")])
            .send()
    };
    assert_eq!(
        from("https://partner.example")
            .await
            .expect("post")
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        from("https://evil.example").await.expect("post").status(),
        StatusCode::FORBIDDEN
    );
}
