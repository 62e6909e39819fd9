//! Sessions as a person experiences them: they end after their absolute lifetime however busy
//! they are, last while they are used however short the idle timeout, and a password change
//! signs out every other session of the account.

use reqwest::StatusCode;
use std::time::Duration;
use testkit::on_both_databases;
use testkit::{Backend, TestApp, TestDb, PASSWORD};

on_both_databases!(
    changing_the_password_signs_out_every_other_session,
    every_sign_in_gets_a_new_session_id,
);

/// The session cookie a response sets, if any.
fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("taskdeck_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

async fn every_sign_in_gets_a_new_session_id(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    app.signed_in_client("first@example.com").await;
    let browser = app.client();
    let first = browser
        .call(
            "sign_in",
            &[("email", "first@example.com"), ("password", PASSWORD)],
        )
        .await;
    let first_id = session_cookie(&first).expect("a session at sign-in");
    app.signed_in_client("second@example.com").await;

    // The same browser signs in as someone else without signing out: a new id, and the old one
    // (which someone may have planted or seen) is worth nothing.
    let second = browser
        .call(
            "sign_in",
            &[("email", "second@example.com"), ("password", PASSWORD)],
        )
        .await;
    let second_id = session_cookie(&second).expect("a new session id");
    assert_ne!(first_id, second_id);
    let old = reqwest::Client::new()
        .post(format!("{}/api/current_user", app.address))
        .header("accept", "application/json")
        .header("cookie", format!("taskdeck_session={first_id}"))
        .send()
        .await
        .expect("old cookie")
        .text()
        .await
        .expect("body");
    assert_eq!(old, "null", "the old id is signed out");

    // A password change gives the session a new id as well.
    let changed = browser
        .call(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another long passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let third_id = session_cookie(&changed).expect("a new session id");
    assert_ne!(third_id, second_id);
}

async fn changing_the_password_signs_out_every_other_session(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let email = "two-devices@example.com";
    let laptop = app.signed_in_client(email).await;
    let phone = app.client();
    phone
        .call_ok("sign_in", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(phone.page("/projects").await.status(), StatusCode::OK);

    // A wrong current password changes nothing and says which field is wrong.
    let refused = laptop
        .call(
            "change_password",
            &[
                ("current_password", "not my password"),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text()
        .await
        .expect("body")
        .contains("current password is not correct"));
    assert_eq!(phone.page("/projects").await.status(), StatusCode::OK);

    laptop
        .call_ok(
            "change_password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    // The laptop, where the change was made, stays signed in; the phone is signed out.
    assert_eq!(laptop.page("/projects").await.status(), StatusCode::OK);
    let user = phone.call_ok("current_user", &[]).await;
    assert!(user.is_null(), "the other session ended: {user}");

    // Only the new password works now.
    let old = app.client();
    let response = old
        .call("sign_in", &[("email", email), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.client()
        .call_ok(
            "sign_in",
            &[("email", email), ("password", "a brand new passphrase")],
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_after_its_absolute_lifetime_however_busy() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn_with(&db, &[("SESSION_ABSOLUTE_LIFETIME_SECS", "3")]).await;
    let client = app.signed_in_client("busy@example.com").await;
    // The session began before this. Sign-in times are kept in whole seconds, so it has surely
    // ended a second past its lifetime after it.
    let signed_in = tokio::time::Instant::now();
    // Busy the whole time: the idle timeout never comes into it. The busy part takes about
    // 1.2 s, well inside the lifetime even on a loaded machine.
    for _ in 0..4 {
        let user = client.call_ok("current_user", &[]).await;
        assert!(!user.is_null());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tokio::time::sleep_until(signed_in + Duration::from_millis(4200)).await;
    let user = client.call_ok("current_user", &[]).await;
    assert!(user.is_null(), "still signed in after the lifetime: {user}");
    let page = client.page("/projects").await;
    assert_ne!(page.status(), StatusCode::OK);
}

on_both_databases!(a_session_in_use_outlives_its_idle_timeout);

/// Someone working with a one-minute idle timeout, two minutes after signing in: each request
/// pushes the session's end out, in the store and in the cookie. (The session layer saves only
/// a changed session, so an active person used to be signed out one idle timeout after sign-in.)
async fn a_session_in_use_outlives_its_idle_timeout(db: TestDb) {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let app = TestApp::spawn_with(&db, &[("SESSION_IDLE_TIMEOUT_MINUTES", "1")]).await;
    let client = app.signed_in_client("all-day@example.com").await;
    assert!(!client.call_ok("current_user", &[]).await.is_null());

    // Two minutes pass, with a request every few seconds: the session was renewed last when it
    // began, so it would end in two seconds. The row is aged rather than waited for.
    let conn = app.db.conn();
    let backend = conn.get_database_backend();
    let (select, update) = match backend {
        DatabaseBackend::Postgres => (
            "SELECT expires_at FROM sessions WHERE id = $1",
            "UPDATE sessions SET data = $1, expires_at = $2 WHERE id = $3",
        ),
        _ => (
            "SELECT expires_at FROM sessions WHERE id = ?",
            "UPDATE sessions SET data = ?, expires_at = ? WHERE id = ?",
        ),
    };
    let rows = conn
        .query_all(Statement::from_string(
            backend,
            "SELECT id, data FROM sessions",
        ))
        .await
        .expect("read sessions");
    let now = chrono::Utc::now();
    let mut signed_in = None;
    for row in rows {
        let id: String = row.try_get("", "id").expect("id");
        let data: String = row.try_get("", "data").expect("data");
        let mut record: serde_json::Value = serde_json::from_str(&data).expect("session JSON");
        let Some(values) = record["data"].as_object_mut() else {
            continue;
        };
        if !values.contains_key("taskdeck.signed_in_at") {
            continue;
        }
        let two_minutes_ago = (now - chrono::Duration::minutes(2)).timestamp();
        values.insert("taskdeck.signed_in_at".into(), two_minutes_ago.into());
        values.remove("taskdeck.refreshed_at");
        conn.execute(Statement::from_sql_and_values(
            backend,
            update,
            [
                record.to_string().into(),
                (now + chrono::Duration::seconds(2)).into(),
                id.clone().into(),
            ],
        ))
        .await
        .expect("age the session");
        signed_in = Some(id);
    }
    let id = signed_in.expect("a signed-in session row");

    let response = client.call("current_user", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("taskdeck_session="))
        .map(str::to_owned)
        .expect("the renewed session's cookie");
    assert!(cookie.contains("Max-Age=60"), "{cookie}");
    let expires_at: chrono::DateTime<chrono::Utc> = conn
        .query_one(Statement::from_sql_and_values(backend, select, [id.into()]))
        .await
        .expect("read the session")
        .expect("the session is still stored")
        .try_get("", "expires_at")
        .expect("an expiry");
    assert!(
        expires_at > chrono::Utc::now() + chrono::Duration::seconds(30),
        "the session still ends at {expires_at}"
    );

    // Past the moment it would have ended, the person is still signed in.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!client.call_ok("current_user", &[]).await.is_null());
}

on_both_databases!(the_session_table_holds_no_usable_session_id);

async fn the_session_table_holds_no_usable_session_id(db: TestDb) {
    use sea_orm::{ConnectionTrait, Statement};
    let app = TestApp::spawn(&db).await;
    let http = reqwest::Client::new();
    let mut answers = Vec::new();
    // Signing up does not sign in; signing in starts the session.
    for function in ["sign_up", "sign_in"] {
        let response = http
            .post(format!("{}/api/{function}", app.address))
            .header("accept", "application/json")
            .form(&[("email", "at-rest@example.com"), ("password", PASSWORD)])
            .send()
            .await
            .expect(function);
        assert_eq!(response.status(), StatusCode::OK, "{function}");
        answers.push(response);
    }
    let cookie = answers
        .last()
        .and_then(session_cookie)
        .expect("a session cookie");

    let conn = app.db.conn();
    let rows = conn
        .query_all(Statement::from_string(
            conn.get_database_backend(),
            "SELECT id, data FROM sessions",
        ))
        .await
        .expect("read sessions");
    assert!(!rows.is_empty());
    for row in rows {
        let id: String = row.try_get("", "id").expect("id");
        let data: String = row.try_get("", "data").expect("data");
        assert!(
            !id.contains(&cookie) && !data.contains(&cookie),
            "{id} {data}"
        );
    }

    // The cookie itself still works.
    let user = reqwest::Client::new()
        .post(format!("{}/api/current_user", app.address))
        .header("accept", "application/json")
        .header("cookie", format!("taskdeck_session={cookie}"))
        .send()
        .await
        .expect("current user")
        .text()
        .await
        .expect("body");
    assert!(user.contains("at-rest@example.com"), "{user}");
}

on_both_databases!(expired_sessions_are_deleted_without_any_request);

/// Rows in the `sessions` table, valid or not.
async fn session_rows(app: &TestApp) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = app.db.conn();
    let row = conn
        .query_one(Statement::from_string(
            conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM sessions",
        ))
        .await
        .expect("count sessions")
        .expect("a count");
    row.try_get("", "n").expect("a number")
}

/// Polls until `done` holds, failing the test after `within`.
async fn eventually<F, Fut>(within: Duration, what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    while !done().await {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn expired_sessions_are_deleted_without_any_request(db: TestDb) {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    const RUNS: &str = r#"taskdeck_job_runs_total{job="session_cleanup",outcome="ok"}"#;
    let app = TestApp::spawn_with(
        &db,
        &[
            ("SESSION_IDLE_TIMEOUT_MINUTES", "1"),
            ("SESSION_CLEANUP_INTERVAL_SECS", "1"),
        ],
    )
    .await;
    let client = app.signed_in_client("leaves@example.com").await;
    assert!(session_rows(&app).await > 0);
    let watched = &app;

    // A cleanup run leaves a live session alone.
    let runs = app.metric(RUNS).await;
    eventually(
        Duration::from_secs(20),
        "no cleanup run was counted",
        || async move { watched.metric(RUNS).await > runs },
    )
    .await;
    assert!(session_rows(&app).await > 0, "a live session was deleted");
    assert!(!client.call_ok("current_user", &[]).await.is_null());

    // The person walks away: a minute later the session has expired. The rows are aged rather
    // than waited for, and no request is made from here on.
    let deleted_before = app.metric("taskdeck_sessions_deleted_total").await;
    let conn = app.db.conn();
    let past = chrono::Utc::now() - chrono::Duration::minutes(2);
    let sql = match conn.get_database_backend() {
        DatabaseBackend::Postgres => "UPDATE sessions SET expires_at = $1",
        _ => "UPDATE sessions SET expires_at = ?",
    };
    conn.execute(Statement::from_sql_and_values(
        conn.get_database_backend(),
        sql,
        [past.into()],
    ))
    .await
    .expect("age the sessions");
    eventually(
        Duration::from_secs(20),
        "expired sessions were never deleted",
        || async move { session_rows(watched).await == 0 },
    )
    .await;
    eventually(
        Duration::from_secs(20),
        "the deletion was not counted",
        || async move { watched.metric("taskdeck_sessions_deleted_total").await > deleted_before },
    )
    .await;
    // Shutting down stops the job along with the listeners.
    app.shut_down().await;
}
