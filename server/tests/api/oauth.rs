//! Signing in with GitHub and Google against real HTTP providers started here: a GitHub stand-in
//! that speaks GitHub's endpoints, and a real OpenID provider (npm `oidc-provider`) for Google.
//! Each test walks the browser's path: the app's start form, the provider, the app's callback.

use crate::providers::{sign_in_at_provider, Consent, FakeGitHub, GitHubUser, OidcProvider};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::on_both_databases;
use testkit::{location, Backend, TestApp, TestClient, TestDb, PASSWORD};

/// A Taskdeck wired to both providers. The callback URLs are fixed before the app starts, so it
/// listens on a port chosen up front.
/// Bind every field: a provider dropped early stops serving.
struct Providers {
    app: TestApp,
    github: FakeGitHub,
    google: OidcProvider,
}

async fn with_providers(db: &TestDb) -> Providers {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app_url = format!("http://127.0.0.1:{port}");
    let github = FakeGitHub::start().await;
    let google = OidcProvider::start(&format!("{app_url}/auth/google/callback")).await;
    let site_addr = format!("127.0.0.1:{port}");
    let app = TestApp::spawn_with(
        db,
        &[
            ("LEPTOS_SITE_ADDR", &site_addr),
            ("APP_URL", &app_url),
            ("GITHUB_CLIENT_ID", &github.client_id),
            ("GITHUB_CLIENT_SECRET", &github.client_secret),
            ("GITHUB_AUTH_URL", &github.auth_url()),
            ("GITHUB_TOKEN_URL", &github.token_url()),
            ("GITHUB_API_URL", &github.base_url),
            ("GOOGLE_CLIENT_ID", &google.client_id),
            ("GOOGLE_CLIENT_SECRET", &google.client_secret),
            ("GOOGLE_ISSUER_URL", &google.issuer),
        ],
    )
    .await;
    Providers {
        app,
        github,
        google,
    }
}

fn octocat(email: &str) -> GitHubUser {
    GitHubUser {
        id: 583231,
        login: "octocat".to_owned(),
        emails: vec![
            ("octocat@users.noreply.example".to_owned(), false, false),
            (email.to_owned(), true, true),
        ],
    }
}

/// Posts the app's "Continue with …" (or "Link …") form and answers where it sends the browser.
async fn leave_for(browser: &TestClient, provider: &str, action: &str) -> String {
    let response = browser
        .http
        .post(format!("{}/auth/{provider}/{action}", browser.address))
        .send()
        .await
        .expect("start");
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "{provider} {action}"
    );
    location(&response)
}

/// The GitHub stand-in sends the browser straight back: answers the callback URL.
async fn at_github(browser: &TestClient, authorize_url: &str) -> String {
    let response = browser
        .http
        .get(authorize_url)
        .send()
        .await
        .expect("GitHub");
    assert_eq!(response.status(), StatusCode::FOUND);
    location(&response)
}

/// Follows the provider's redirect back into the app and answers where the app sends the browser.
async fn come_back(browser: &TestClient, callback_url: &str) -> String {
    let response = browser
        .http
        .get(callback_url)
        .send()
        .await
        .expect("callback");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{callback_url}");
    location(&response)
}

async fn signed_in_email(browser: &TestClient) -> Option<String> {
    let user = browser.call_ok("current_user", &[]).await;
    user["email"].as_str().map(str::to_owned)
}

async fn linked_providers(browser: &TestClient) -> Vec<String> {
    let account = browser.call_ok("account_details", &[]).await;
    account["linked"]
        .as_array()
        .map(|linked| {
            linked
                .iter()
                .filter_map(|l| l["provider"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn failure(code: &str, provider: &str) -> String {
    format!("/login?provider={provider}&oauth_error={code}")
}

on_both_databases!(a_first_github_sign_in_creates_the_account_and_the_next_finds_it);

async fn a_first_github_sign_in_creates_the_account_and_the_next_finds_it(db: TestDb) {
    let Providers {
        app,
        github,
        google: _google,
    } = with_providers(&db).await;
    github.sign_in_as(octocat("octocat@example.com"));

    let browser = app.client();
    let authorize = leave_for(&browser, "github", "start").await;
    assert!(authorize.starts_with(&github.auth_url()), "{authorize}");
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    let callback = at_github(&browser, &authorize).await;
    assert_eq!(come_back(&browser, &callback).await, "/projects");
    // The verified primary address, never the unverified one.
    assert_eq!(
        signed_in_email(&browser).await.as_deref(),
        Some("octocat@example.com")
    );
    let first = browser.call_ok("current_user", &[]).await["id"].clone();

    // Replaying the callback (its state is spent) signs nobody in.
    let thief = app.client();
    assert_eq!(
        come_back(&thief, &callback).await,
        failure("expired", "github")
    );
    assert_eq!(signed_in_email(&thief).await, None);
    assert_eq!(
        come_back(&browser, &callback).await,
        failure("expired", "github"),
        "not even in the browser that started it"
    );

    // Signing in again finds the same account.
    let again = app.client();
    let authorize = leave_for(&again, "github", "start").await;
    let callback = at_github(&again, &authorize).await;
    assert_eq!(come_back(&again, &callback).await, "/projects");
    assert_eq!(again.call_ok("current_user", &[]).await["id"], first);
    assert_eq!(linked_providers(&again).await, ["GitHub"]);

    // It has no password, so GitHub is its only way in and cannot be unlinked.
    let refused = again
        .call("unlink_provider", &[("provider", "github")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text()
        .await
        .expect("body")
        .contains("only way into this account"));
    assert_eq!(linked_providers(&again).await, ["GitHub"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_pkce_verifier_or_a_refusal_signs_nobody_in() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let Providers {
        app,
        github,
        google: _google,
    } = with_providers(&db).await;
    github.sign_in_as(octocat("pkce@example.com"));
    let browser = app.client();

    // Two sign-ins started in one browser: the session keeps only the second's state and
    // verifier. The first's code, delivered with the second's state, passes the state check and
    // must then fail at GitHub, which checks the verifier against the first's challenge.
    let first = leave_for(&browser, "github", "start").await;
    let second = leave_for(&browser, "github", "start").await;
    let first_callback = at_github(&browser, &first).await;
    let second_state = reqwest::Url::parse(&second)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let mut crossed = reqwest::Url::parse(&first_callback).expect("url");
    let code = crossed
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    crossed
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", &second_state);
    assert_eq!(
        come_back(&browser, crossed.as_str()).await,
        failure("refused", "github")
    );
    assert_eq!(signed_in_email(&browser).await, None);

    // The person says no at GitHub.
    github.deny_next();
    let authorize = leave_for(&browser, "github", "start").await;
    let callback = at_github(&browser, &authorize).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    assert_eq!(
        come_back(&browser, &callback).await,
        failure("denied", "github")
    );

    // GitHub is down.
    github.set_down(true);
    let authorize = leave_for(&browser, "github", "start").await;
    let callback = at_github(&browser, &authorize).await;
    assert_eq!(
        come_back(&browser, &callback).await,
        failure("unavailable", "github")
    );
    github.set_down(false);

    // No verified email: no account.
    let mut unverified = octocat("unverified@example.com");
    unverified.id = 1;
    unverified.emails = vec![("unverified@example.com".to_owned(), true, false)];
    github.sign_in_as(unverified);
    let authorize = leave_for(&browser, "github", "start").await;
    let callback = at_github(&browser, &authorize).await;
    assert_eq!(
        come_back(&browser, &callback).await,
        failure("no_verified_email", "github")
    );
    assert_eq!(signed_in_email(&browser).await, None);

    // The sign-in page says what happened, in words.
    let page = browser
        .page_html(&failure("no_verified_email", "github"))
        .await;
    assert!(page.contains("has no verified email address"), "{page}");
}

on_both_databases!(an_existing_account_is_linked_only_after_it_signs_in);

async fn an_existing_account_is_linked_only_after_it_signs_in(db: TestDb) {
    let Providers {
        app,
        github,
        google: _google,
    } = with_providers(&db).await;
    let email = "linker@example.com";
    let owner = app.signed_in_client(email).await;
    let owner_id = owner.call_ok("current_user", &[]).await["id"].clone();

    // Someone at GitHub with the same (verified) email does not get into the account.
    github.sign_in_as(octocat(email));
    let stranger = app.client();
    let authorize = leave_for(&stranger, "github", "start").await;
    let callback = at_github(&stranger, &authorize).await;
    assert_eq!(
        come_back(&stranger, &callback).await,
        failure("email_in_use", "github")
    );
    assert_eq!(signed_in_email(&stranger).await, None);

    // The owner, signed in, links GitHub from the account page.
    let authorize = leave_for(&owner, "github", "link").await;
    let callback = at_github(&owner, &authorize).await;
    assert_eq!(come_back(&owner, &callback).await, "/account?linked=github");
    assert_eq!(linked_providers(&owner).await, ["GitHub"]);
    let page = owner.page_html("/account?linked=github").await;
    assert!(page.contains("GitHub is now linked"), "{page}");

    // From now on GitHub signs into that account.
    let browser = app.client();
    let authorize = leave_for(&browser, "github", "start").await;
    let callback = at_github(&browser, &authorize).await;
    assert_eq!(come_back(&browser, &callback).await, "/projects");
    assert_eq!(browser.call_ok("current_user", &[]).await["id"], owner_id);

    // Another account cannot link the same GitHub account.
    let other = app.signed_in_client("other-linker@example.com").await;
    let authorize = leave_for(&other, "github", "link").await;
    let callback = at_github(&other, &authorize).await;
    assert_eq!(
        come_back(&other, &callback).await,
        "/account?provider=github&oauth_error=linked_elsewhere"
    );
    assert!(linked_providers(&other).await.is_empty());

    // Linking needs a signed-in person.
    let anonymous = app.client();
    let response = anonymous
        .http
        .post(format!("{}/auth/github/link", app.address))
        .send()
        .await
        .expect("link");
    assert_eq!(location(&response), "/login");

    // With a password to fall back on, GitHub can be unlinked; then it no longer signs in there.
    owner
        .call_ok("unlink_provider", &[("provider", "github")])
        .await;
    assert!(linked_providers(&owner).await.is_empty());
    let browser = app.client();
    let authorize = leave_for(&browser, "github", "start").await;
    let callback = at_github(&browser, &authorize).await;
    assert_eq!(
        come_back(&browser, &callback).await,
        failure("email_in_use", "github")
    );
    owner
        .call_ok("sign_in", &[("email", email), ("password", PASSWORD)])
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_sign_in_goes_through_openid_connect() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let Providers {
        app,
        github: _github,
        google: _google,
    } = with_providers(&db).await;

    // Allowed: the ID token is verified (signature, issuer, audience, nonce) and the account made.
    let browser = app.client();
    let authorize = leave_for(&browser, "google", "start").await;
    assert!(
        authorize.contains("code_challenge_method=S256"),
        "{authorize}"
    );
    assert!(authorize.contains("nonce="), "{authorize}");
    let callback =
        sign_in_at_provider(&browser.http, &authorize, "ada@example.com", Consent::Allow).await;
    assert_eq!(come_back(&browser, &callback).await, "/projects");
    assert_eq!(
        signed_in_email(&browser).await.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(linked_providers(&browser).await, ["Google"]);
    assert_eq!(
        come_back(&browser, &callback).await,
        failure("expired", "google"),
        "a replayed callback is refused"
    );

    // Denied consent.
    let other = app.client();
    let authorize = leave_for(&other, "google", "start").await;
    let callback =
        sign_in_at_provider(&other.http, &authorize, "bob@example.com", Consent::Deny).await;
    assert_eq!(
        come_back(&other, &callback).await,
        failure("denied", "google")
    );
    assert_eq!(signed_in_email(&other).await, None);

    // A wrong PKCE verifier: the first sign-in's code with the second's state.
    let first = leave_for(&other, "google", "start").await;
    let second = leave_for(&other, "google", "start").await;
    let first_callback =
        sign_in_at_provider(&other.http, &first, "bob@example.com", Consent::Allow).await;
    let state_of = |url: &str| {
        reqwest::Url::parse(url)
            .expect("url")
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .expect("state")
    };
    let code = reqwest::Url::parse(&first_callback)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let crossed = format!(
        "{}/auth/google/callback?code={code}&state={}",
        app.address,
        state_of(&second)
    );
    assert_eq!(
        come_back(&other, &crossed).await,
        failure("refused", "google")
    );
    assert_eq!(signed_in_email(&other).await, None);

    // An address Google has not verified makes no account.
    let authorize = leave_for(&other, "google", "start").await;
    let callback = sign_in_at_provider(
        &other.http,
        &authorize,
        "unverified+carol@example.com",
        Consent::Allow,
    )
    .await;
    assert_eq!(
        come_back(&other, &callback).await,
        failure("no_verified_email", "google")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_offers_only_configured_providers() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let plain = TestApp::spawn(&db).await;
    let page = plain.client().page_html("/login").await;
    assert!(!page.contains("Continue with"), "{page}");
    let response = plain
        .client()
        .http
        .post(format!("{}/auth/github/start", plain.address))
        .send()
        .await
        .expect("start");
    assert_eq!(
        location(&response),
        failure("not_configured", "github"),
        "an unconfigured provider explains itself"
    );

    let Providers {
        app,
        github,
        google: _google,
    } = with_providers(&db).await;
    let response = app.client().page("/login").await;
    // The start form redirects to the provider; the page's form-action must allow that.
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        policy.contains(&format!("form-action 'self' {} ", github.base_url)),
        "{policy}"
    );
    let page = response.text().await.expect("body");
    assert!(page.contains("Continue with GitHub"), "{page}");
    assert!(page.contains("Continue with Google"), "{page}");
    let offered: Value = app.client().call_ok("sign_in_providers", &[]).await;
    assert_eq!(offered, serde_json::json!(["GitHub", "Google"]));
}
