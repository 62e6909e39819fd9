//! Real local sign-in providers for the tests: Google's stand-in is a real OpenID Connect provider
//! (`end2end/oauth/google.mjs`, npm `oidc-provider`) run as a child process; GitHub's stand-in is a
//! small axum server that speaks GitHub's OAuth and REST endpoints. Both listen on 127.0.0.1 on
//! a free port and live as long as the value that started them.

use axum::extract::{Form, Query, State};
use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use reqwest::{redirect, Url};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::task::JoinHandle;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Google: a real OpenID provider
// ---------------------------------------------------------------------------------------------

/// Google's stand-in: the real OpenID provider `end2end/oauth/google.mjs`, as a child process
/// (killed on drop). Discovery is at `{issuer}/.well-known/openid-configuration`; the client
/// authenticates at the token endpoint with `client_secret_basic` or `client_secret_post`; PKCE
/// S256 is required. The account is whatever login is typed at its sign-in page: `sub` is
/// `"sub-" + login`, `email` is the login when it contains '@', and `email_verified` is true
/// unless the login starts with `"unverified+"`.
pub struct OidcProvider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    // `kill_on_drop` ends the process with this value; the closed stdin pipe also makes it exit
    // by itself should this test process die without running destructors.
    _child: Child,
    _stdin: ChildStdin,
    // Kept open (and unread) so the provider never writes to a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
}

impl OidcProvider {
    /// Starts a provider with one client, allowed to redirect to `redirect_uri` only.
    pub async fn start(redirect_uri: &str) -> OidcProvider {
        let end2end = Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end");
        let script = end2end.join("oauth/google.mjs");
        assert!(
            end2end
                .join("node_modules/oidc-provider/package.json")
                .is_file(),
            "the npm package oidc-provider is not installed in {}: run `npm ci` there",
            end2end.display()
        );

        let client_id = "taskdeck-google-test".to_owned();
        let client_secret = format!("secret-{}", Uuid::new_v4().simple());
        let mut child = Command::new("node")
            .arg(&script)
            .args(["--port", "0"])
            .args(["--client-id", &client_id])
            .args(["--client-secret", &client_secret])
            .args(["--redirect-uri", redirect_uri])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|err| panic!("could not run `node {}`: {err}", script.display()));
        let stdin = child.stdin.take().expect("the provider's stdin is piped");
        let stdout = child.stdout.take().expect("the provider's stdout is piped");

        let mut stdout = BufReader::new(stdout).lines();
        // Node takes well under a second to start here, but CI once saw it pass 30 s while the
        // whole suite ran on two busy cores; a generous bound keeps a slow start from failing.
        let ready = tokio::time::timeout(Duration::from_secs(120), stdout.next_line())
            .await
            .expect("the OpenID provider did not say it was ready within 120 s")
            .expect("reading the OpenID provider's stdout")
            .expect("the OpenID provider exited before it was ready (its stderr is above)");
        let ready: Value = serde_json::from_str(&ready)
            .unwrap_or_else(|err| panic!("the OpenID provider's ready line {ready:?}: {err}"));
        let issuer = ready["issuer"]
            .as_str()
            .unwrap_or_else(|| panic!("no issuer in the OpenID provider's ready line {ready}"))
            .to_owned();

        OidcProvider {
            issuer,
            client_id,
            client_secret,
            _child: child,
            _stdin: stdin,
            _stdout: stdout,
        }
    }
}

/// What the person does at the provider's consent screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
}

/// Drives the OpenID provider's sign-in and consent pages as `login`, starting at
/// `authorize_url` (the URL the app redirected the browser to), the way a browser without
/// JavaScript would: follow the provider's redirects, submit its forms. Returns the URL the
/// provider finally sends the browser to, outside the provider (the app's callback with `code`
/// and `state`, or with `error=access_denied` and `state`), without following it.
///
/// `http` is the test's browser: a `reqwest::Client` with redirects disabled and cookies
/// enabled. Every authorization starts at the provider's sign-in page, whoever signed in before
/// with the same cookie jar.
pub async fn sign_in_at_provider(
    http: &reqwest::Client,
    authorize_url: &str,
    login: &str,
    consent: Consent,
) -> String {
    let mut url = Url::parse(authorize_url)
        .unwrap_or_else(|err| panic!("authorize URL {authorize_url:?}: {err}"));
    let provider = url.origin();
    // The next request: a GET, or a POST of this form.
    let mut form: Option<Vec<(&str, &str)>> = None;

    // Sign-in and consent take about eight requests; more means a loop.
    for _ in 0..20 {
        let request = match form.take() {
            None => http.get(url.clone()),
            Some(fields) => http.post(url.clone()).form(&fields),
        };
        let response = request
            .send()
            .await
            .unwrap_or_else(|err| panic!("requesting {url} at the OpenID provider: {err}"));
        assert_eq!(
            response.url(),
            &url,
            "sign_in_at_provider needs a reqwest::Client with redirects disabled"
        );
        let status = response.status();

        if status.is_redirection() {
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_else(|| panic!("{status} without a Location from {url}"));
            let next = url
                .join(location)
                .unwrap_or_else(|err| panic!("Location {location:?} from {url}: {err}"));
            if next.origin() != provider {
                return next.into();
            }
            url = next;
            continue;
        }

        let page = response.text().await.expect("reading a provider page");
        assert_eq!(
            status,
            StatusCode::OK,
            "the OpenID provider answered {url} with {status} (is the client's cookie store \
             enabled?):\n{page}"
        );
        let actions = form_actions(&page);
        let action = |suffix: &str| {
            actions
                .iter()
                .find(|action| action.ends_with(suffix))
                .map(|action| {
                    url.join(action)
                        .unwrap_or_else(|err| panic!("form action {action:?} on {url}: {err}"))
                })
        };
        if let Some(sign_in) = action("/login") {
            url = sign_in;
            form = Some(vec![("login", login)]);
        } else if let (Some(allow), Some(deny)) = (action("/confirm"), action("/abort")) {
            url = match consent {
                Consent::Allow => allow,
                Consent::Deny => deny,
            };
            form = Some(Vec::new());
        } else {
            panic!("neither a sign-in nor a consent page at {url}:\n{page}");
        }
    }
    panic!("the OpenID provider did not send the browser back to the app after 20 requests")
}

/// The `action` of every `<form>` on a page of google.mjs (which writes them unescaped).
fn form_actions(page: &str) -> Vec<String> {
    let form = regex_lite::Regex::new(r#"<form\b[^>]*\baction="([^"]*)""#).expect("form regex");
    form.captures_iter(page)
        .map(|captures| captures[1].to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// GitHub: OAuth app endpoints and the two REST endpoints a sign-in needs
// ---------------------------------------------------------------------------------------------

/// A GitHub account for [`FakeGitHub::sign_in_as`].
#[derive(Clone, Debug)]
pub struct GitHubUser {
    pub id: i64,
    pub login: String,
    /// `(email, primary, verified)`, as `GET /user/emails` lists them.
    pub emails: Vec<(String, bool, bool)>,
}

/// GitHub's stand-in: a small local server that speaks GitHub's OAuth and REST endpoints, as
/// GitHub's docs describe them (including the quirks: token errors come with HTTP 200, the token
/// endpoint answers JSON only for `Accept: application/json`, the API refuses requests without
/// a `User-Agent`, `/user/emails` needs the `user:email` scope).
///
/// The app is configured with `GITHUB_AUTH_URL` = [`FakeGitHub::auth_url`], `GITHUB_TOKEN_URL`
/// = [`FakeGitHub::token_url`] and `GITHUB_API_URL` = `base_url`.
pub struct FakeGitHub {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    shared: Arc<GitHub>,
    server: JoinHandle<()>,
}

impl FakeGitHub {
    /// Serves on 127.0.0.1 on a free port, on a task aborted when this value drops.
    pub async fn start() -> FakeGitHub {
        let client_id = format!("Iv1.{}", &Uuid::new_v4().simple().to_string()[..16]);
        let client_secret = Uuid::new_v4().simple().to_string();
        let shared = Arc::new(GitHub {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            state: Mutex::default(),
        });

        let app = Router::new()
            .route("/login/oauth/authorize", get(authorize))
            .route("/login/oauth/access_token", post(access_token))
            .route("/user", get(user))
            .route("/user/emails", get(user_emails))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the fake GitHub");
        let base_url = format!(
            "http://{}",
            listener.local_addr().expect("the fake GitHub's address")
        );
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("serving the fake GitHub");
        });

        FakeGitHub {
            base_url,
            client_id,
            client_secret,
            shared,
            server,
        }
    }

    /// `{base_url}/login/oauth/authorize`
    pub fn auth_url(&self) -> String {
        format!("{}/login/oauth/authorize", self.base_url)
    }

    /// `{base_url}/login/oauth/access_token`
    pub fn token_url(&self) -> String {
        format!("{}/login/oauth/access_token", self.base_url)
    }

    /// The account the next authorizations sign in as (the person stays signed in at GitHub
    /// until this is called again). Authorizing before any call is answered with a 500.
    pub fn sign_in_as(&self, user: GitHubUser) {
        self.shared.state().signed_in = Some(user);
    }

    /// The next authorization is refused by the person: GitHub redirects back with
    /// `error=access_denied`. Only the next one.
    pub fn deny_next(&self) {
        self.shared.state().deny_next = true;
    }

    /// While `down`, every access_token request is answered with a 502, as when GitHub is down.
    pub fn set_down(&self, down: bool) {
        self.shared.state().down = down;
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

struct GitHub {
    client_id: String,
    client_secret: String,
    state: Mutex<GitHubState>,
}

impl GitHub {
    fn state(&self) -> MutexGuard<'_, GitHubState> {
        // A handler that panicked leaves nothing half-written worth refusing to read.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct GitHubState {
    signed_in: Option<GitHubUser>,
    deny_next: bool,
    down: bool,
    /// Authorization codes not yet exchanged.
    codes: HashMap<String, Authorization>,
    /// Access tokens, with the account and the scopes they were granted.
    tokens: HashMap<String, (GitHubUser, Vec<String>)>,
}

struct Authorization {
    user: GitHubUser,
    redirect_uri: String,
    scopes: Vec<String>,
    code_challenge: Option<String>,
}

/// `GET /login/oauth/authorize`: the person is signed in and has authorized the app before, so
/// GitHub redirects straight back.
async fn authorize(
    State(github): State<Arc<GitHub>>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| params.get(name).map(String::as_str);
    if param("client_id") != Some(github.client_id.as_str()) {
        return (
            StatusCode::NOT_FOUND,
            "FakeGitHub: no OAuth app with this client_id",
        )
            .into_response();
    }
    // GitHub falls back to the app's registered callback URL; the app must always send it.
    let Some(redirect_uri) = param("redirect_uri") else {
        return (
            StatusCode::BAD_REQUEST,
            "FakeGitHub: redirect_uri is required",
        )
            .into_response();
    };
    let Ok(mut back) = Url::parse(redirect_uri) else {
        return (
            StatusCode::BAD_REQUEST,
            "FakeGitHub: redirect_uri is not a URL",
        )
            .into_response();
    };
    let code_challenge = param("code_challenge").map(str::to_owned);
    // GitHub supports only S256; "plain" is refused.
    if code_challenge.is_some() && param("code_challenge_method") != Some("S256") {
        return (
            StatusCode::BAD_REQUEST,
            "FakeGitHub: code_challenge_method must be S256",
        )
            .into_response();
    }

    let mut state = github.state();
    {
        let mut query = back.query_pairs_mut();
        if std::mem::take(&mut state.deny_next) {
            query
                .append_pair("error", "access_denied")
                .append_pair(
                    "error_description",
                    "The user has denied your application access.",
                )
                .append_pair(
                    "error_uri",
                    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/#access-denied",
                );
        } else {
            let Some(user) = state.signed_in.clone() else {
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "FakeGitHub: nobody is signed in; call sign_in_as first",
                )
                    .into_response();
            };
            let code = Uuid::new_v4().simple().to_string()[..20].to_owned();
            state.codes.insert(
                code.clone(),
                Authorization {
                    user,
                    redirect_uri: redirect_uri.to_owned(),
                    scopes: scopes(param("scope").unwrap_or_default()),
                    code_challenge,
                },
            );
            query.append_pair("code", &code);
        }
        if let Some(client_state) = param("state") {
            query.append_pair("state", client_state);
        }
    }
    (StatusCode::FOUND, [(LOCATION, back.to_string())]).into_response()
}

/// GitHub accepts scopes separated by spaces or commas, and reports them comma-separated.
fn scopes(requested: &str) -> Vec<String> {
    requested
        .split([' ', ','])
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /login/oauth/access_token`. Errors come with HTTP 200, as at GitHub.
async fn access_token(
    State(github): State<Arc<GitHub>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let wants_json = headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    let answer = |fields: Vec<(&str, String)>| -> Response {
        if wants_json {
            let object: serde_json::Map<String, Value> = fields
                .into_iter()
                .map(|(name, value)| (name.to_owned(), Value::String(value)))
                .collect();
            Json(object).into_response()
        } else {
            // Without `Accept: application/json` GitHub answers form-encoded.
            let body = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish();
            ([(CONTENT_TYPE, "application/x-www-form-urlencoded")], body).into_response()
        }
    };
    let error = |error: &str, description: &str, anchor: &str| {
        answer(vec![
            ("error", error.to_owned()),
            ("error_description", description.to_owned()),
            (
                "error_uri",
                format!("https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#{anchor}"),
            ),
        ])
    };

    let mut state = github.state();
    if state.down {
        return (
            StatusCode::BAD_GATEWAY,
            [(CONTENT_TYPE, "text/html")],
            "<h1>502 Bad Gateway</h1>",
        )
            .into_response();
    }

    // The client authenticates with form fields or with HTTP Basic.
    let (client_id, client_secret) = match basic_credentials(&headers) {
        Some(credentials) => credentials,
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        ),
    };
    if client_id != github.client_id || client_secret != github.client_secret {
        return error(
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
            "incorrect-client-credentials",
        );
    }

    let bad_code = || {
        error(
            "bad_verification_code",
            "The code passed is incorrect or expired.",
            "bad-verification-code",
        )
    };
    let code = form.get("code").map(String::as_str).unwrap_or_default();
    let Some(authorization) = state.codes.get(code) else {
        return bad_code();
    };
    if form
        .get("redirect_uri")
        .is_some_and(|uri| *uri != authorization.redirect_uri)
    {
        return error(
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
            "redirect-uri-mismatch",
        );
    }
    if let Some(challenge) = &authorization.code_challenge {
        let verified = form
            .get("code_verifier")
            .is_some_and(|verifier| pkce_challenge(verifier) == *challenge);
        if !verified {
            return bad_code();
        }
    }

    // Codes are single use.
    let Some(authorization) = state.codes.remove(code) else {
        return bad_code();
    };
    let token = format!("gho_{}", Uuid::new_v4().simple());
    let scope = authorization.scopes.join(",");
    state
        .tokens
        .insert(token.clone(), (authorization.user, authorization.scopes));
    answer(vec![
        ("access_token", token),
        ("token_type", "bearer".to_owned()),
        ("scope", scope),
    ])
}

/// `client_id:client_secret` from an `Authorization: Basic` header (form-urlencoded, RFC 6749).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |part: &str| {
        form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// The PKCE S256 challenge of `verifier`: SHA-256, base64url without padding.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Why GitHub's API refuses a request.
enum Refusal {
    NoUserAgent,
    NoToken,
    BadToken,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let unauthorized = |message: &str| {
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({
                    "message": message,
                    "documentation_url": "https://docs.github.com/rest",
                    "status": "401",
                })),
            )
                .into_response()
        };
        match self {
            Refusal::NoUserAgent => (
                StatusCode::FORBIDDEN,
                "Request forbidden by administrative rules. Please make sure your request has a \
                 User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).",
            )
                .into_response(),
            Refusal::NoToken => unauthorized("Requires authentication"),
            Refusal::BadToken => unauthorized("Bad credentials"),
        }
    }
}

/// The account and scopes of the request's token.
fn api_caller(github: &GitHub, headers: &HeaderMap) -> Result<(GitHubUser, Vec<String>), Refusal> {
    if !headers.contains_key(USER_AGENT) {
        return Err(Refusal::NoUserAgent);
    }
    let authorization = headers.get(AUTHORIZATION).ok_or(Refusal::NoToken)?;
    // GitHub takes `Bearer TOKEN` and the older `token TOKEN`.
    let token = authorization
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token")
        })
        .map(|(_, token)| token.trim());
    token
        .and_then(|token| github.state().tokens.get(token).cloned())
        .ok_or(Refusal::BadToken)
}

/// GitHub reports a token's scopes on every API response.
fn with_scopes_header(scopes: &[String], mut response: Response) -> Response {
    if let Ok(value) = scopes.join(", ").parse() {
        response.headers_mut().insert("x-oauth-scopes", value);
    }
    response
}

/// `GET /user`
async fn user(State(github): State<Arc<GitHub>>, headers: HeaderMap) -> Response {
    let (user, scopes) = match api_caller(&github, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(),
    };
    let body = Json(json!({
        "login": user.login,
        "id": user.id,
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{}?v=4", user.id),
        "html_url": format!("https://github.com/{}", user.login),
        "type": "User",
        "name": null,
        "email": null,
    }));
    with_scopes_header(&scopes, body.into_response())
}

/// `GET /user/emails`: needs the `user:email` (or `user`) scope; without it GitHub answers 404.
async fn user_emails(State(github): State<Arc<GitHub>>, headers: HeaderMap) -> Response {
    let (user, scopes) = match api_caller(&github, &headers) {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(),
    };
    if !scopes
        .iter()
        .any(|scope| scope == "user:email" || scope == "user")
    {
        let not_found = (
            StatusCode::NOT_FOUND,
            Json(json!({
                "message": "Not Found",
                "documentation_url": "https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user",
                "status": "404",
            })),
        );
        return with_scopes_header(&scopes, not_found.into_response());
    }
    let emails: Vec<Value> = user
        .emails
        .iter()
        .map(|(email, primary, verified)| {
            json!({ "email": email, "primary": primary, "verified": verified, "visibility": null })
        })
        .collect();
    with_scopes_header(&scopes, Json(emails).into_response())
}

// ---------------------------------------------------------------------------------------------
// The harness on its own
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the providers send the browser back to; never contacted.
    const CALLBACK: &str = "http://127.0.0.1:1/callback";

    /// A test browser: cookies on, redirects off.
    fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .cookie_store(true)
            .user_agent("taskdeck-tests")
            .build()
            .expect("http client")
    }

    /// A PKCE code_verifier (64 unreserved characters) and its S256 challenge.
    fn pkce() -> (String, String) {
        let verifier = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let challenge = pkce_challenge(&verifier);
        (verifier, challenge)
    }

    fn query(url: &str) -> HashMap<String, String> {
        Url::parse(url)
            .expect("a URL")
            .query_pairs()
            .into_owned()
            .collect()
    }

    async fn json_of(response: reqwest::Response) -> (reqwest::StatusCode, Value) {
        let status = response.status();
        let body = response.text().await.expect("a response body");
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|err| panic!("{status} {body:?} is not JSON: {err}"));
        (status, json)
    }

    /// Signs in at the OpenID provider and returns where it sent the browser back to.
    async fn oidc_authorize(
        http: &reqwest::Client,
        provider: &OidcProvider,
        endpoint: &str,
        challenge: &str,
        state: &str,
        login: &str,
        consent: Consent,
    ) -> HashMap<String, String> {
        let mut url = Url::parse(endpoint).expect("authorization_endpoint");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &provider.client_id)
            .append_pair("redirect_uri", CALLBACK)
            .append_pair("scope", "openid email")
            .append_pair("state", state)
            .append_pair("nonce", &format!("nonce-{state}"))
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        let back = sign_in_at_provider(http, url.as_str(), login, consent).await;
        assert!(back.starts_with(&format!("{CALLBACK}?")), "{back}");
        let params = query(&back);
        assert_eq!(
            params.get("state").map(String::as_str),
            Some(state),
            "{back}"
        );
        params
    }

    fn id_token_claims(token_response: &Value) -> Value {
        let id_token = token_response["id_token"]
            .as_str()
            .unwrap_or_else(|| panic!("no id_token in {token_response}"));
        let parts: Vec<&str> = id_token.split('.').collect();
        assert_eq!(parts.len(), 3, "{id_token}");
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).expect("base64url header"))
                .expect("JSON header");
        assert_eq!(header["alg"], "RS256");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url payload"))
            .expect("JSON payload")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_openid_provider_runs_the_code_flow_with_pkce() {
        let provider = OidcProvider::start(CALLBACK).await;
        let http = browser();

        let (status, discovery) = json_of(
            http.get(format!(
                "{}/.well-known/openid-configuration",
                provider.issuer
            ))
            .send()
            .await
            .expect("discovery"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::OK);
        assert_eq!(discovery["issuer"], provider.issuer.as_str());
        assert_eq!(
            discovery["code_challenge_methods_supported"],
            json!(["S256"])
        );
        let authorization_endpoint = discovery["authorization_endpoint"]
            .as_str()
            .expect("authorization_endpoint");
        let token_endpoint = discovery["token_endpoint"]
            .as_str()
            .expect("token_endpoint");
        let exchange = |code: &str, verifier: &str| {
            http.post(token_endpoint).form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", verifier),
            ])
        };

        // Alice allows; the code is exchanged with client_secret_basic.
        let (verifier, challenge) = pkce();
        let back = oidc_authorize(
            &http,
            &provider,
            authorization_endpoint,
            &challenge,
            "state-alice",
            "alice@example.com",
            Consent::Allow,
        )
        .await;
        let code = back.get("code").expect("a code");
        let (status, wrong_verifier) = json_of(
            exchange(code, &pkce().0)
                .basic_auth(&provider.client_id, Some(&provider.client_secret))
                .send()
                .await
                .expect("token request"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{wrong_verifier}");
        assert_eq!(wrong_verifier["error"], "invalid_grant");

        let (status, tokens) = json_of(
            exchange(code, &verifier)
                .basic_auth(&provider.client_id, Some(&provider.client_secret))
                .send()
                .await
                .expect("token request"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(claims["iss"], provider.issuer.as_str());
        assert_eq!(claims["aud"], provider.client_id.as_str());
        assert_eq!(claims["sub"], "sub-alice@example.com");
        assert_eq!(claims["email"], "alice@example.com");
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["nonce"], "nonce-state-alice");

        // A code is single use.
        let (status, reused) = json_of(
            exchange(code, &verifier)
                .basic_auth(&provider.client_id, Some(&provider.client_secret))
                .send()
                .await
                .expect("token request"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{reused}");
        assert_eq!(reused["error"], "invalid_grant");

        // With the same cookie jar someone else signs in (not Alice again), and the client
        // authenticates with client_secret_post.
        let (verifier, challenge) = pkce();
        let back = oidc_authorize(
            &http,
            &provider,
            authorization_endpoint,
            &challenge,
            "state-bob",
            "unverified+bob@example.com",
            Consent::Allow,
        )
        .await;
        let code = back.get("code").expect("a code");
        let (status, tokens) = json_of(
            http.post(token_endpoint)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", CALLBACK),
                    ("code_verifier", &verifier),
                    ("client_id", &provider.client_id),
                    ("client_secret", &provider.client_secret),
                ])
                .send()
                .await
                .expect("token request"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::OK, "{tokens}");
        let claims = id_token_claims(&tokens);
        assert_eq!(claims["sub"], "sub-unverified+bob@example.com");
        assert_eq!(claims["email"], "unverified+bob@example.com");
        assert_eq!(claims["email_verified"], false);

        // Denying consent sends the browser back with access_denied and the state.
        let back = oidc_authorize(
            &http,
            &provider,
            authorization_endpoint,
            &pkce().1,
            "state-carol",
            "carol@example.com",
            Consent::Deny,
        )
        .await;
        assert_eq!(
            back.get("error").map(String::as_str),
            Some("access_denied"),
            "{back:?}"
        );
        assert!(!back.contains_key("code"), "{back:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_fake_github_speaks_oauth_and_rest() {
        let github = FakeGitHub::start().await;
        let http = browser();
        github.sign_in_as(GitHubUser {
            id: 4242,
            login: "octocat".to_owned(),
            emails: vec![
                ("octocat@example.com".to_owned(), true, true),
                ("old@example.com".to_owned(), false, false),
            ],
        });

        let authorize = |challenge: &str, state: &str| {
            let mut url = Url::parse(&github.auth_url()).expect("auth URL");
            url.query_pairs_mut()
                .append_pair("client_id", &github.client_id)
                .append_pair("redirect_uri", CALLBACK)
                .append_pair("scope", "read:user user:email")
                .append_pair("state", state)
                .append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", "S256");
            let http = http.clone();
            let state = state.to_owned();
            async move {
                let response = http.get(url).send().await.expect("authorize");
                assert_eq!(response.status(), reqwest::StatusCode::FOUND);
                let location = response.headers()[LOCATION]
                    .to_str()
                    .expect("Location")
                    .to_owned();
                assert!(location.starts_with(&format!("{CALLBACK}?")), "{location}");
                let params = query(&location);
                assert_eq!(params.get("state"), Some(&state));
                params
            }
        };
        let exchange = |code: &str, verifier: &str| {
            http.post(github.token_url())
                .header(ACCEPT, "application/json")
                .form(&[
                    ("client_id", github.client_id.as_str()),
                    ("client_secret", github.client_secret.as_str()),
                    ("code", code),
                    ("redirect_uri", CALLBACK),
                    ("code_verifier", verifier),
                ])
                .send()
        };

        let (verifier, challenge) = pkce();
        let back = authorize(&challenge, "state-1").await;
        let code = back.get("code").expect("a code");

        // A wrong verifier is refused the GitHub way: HTTP 200 with an error.
        let (status, refused) = json_of(exchange(code, &pkce().0).await.expect("token")).await;
        assert_eq!(status, reqwest::StatusCode::OK);
        assert_eq!(refused["error"], "bad_verification_code", "{refused}");

        let (status, tokens) = json_of(exchange(code, &verifier).await.expect("token")).await;
        assert_eq!(status, reqwest::StatusCode::OK);
        assert_eq!(tokens["token_type"], "bearer", "{tokens}");
        assert_eq!(tokens["scope"], "read:user,user:email");
        let token = tokens["access_token"].as_str().expect("access_token");

        let (_, reused) = json_of(exchange(code, &verifier).await.expect("token")).await;
        assert_eq!(reused["error"], "bad_verification_code", "{reused}");

        let (status, user) = json_of(
            http.get(format!("{}/user", github.base_url))
                .bearer_auth(token)
                .send()
                .await
                .expect("/user"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::OK);
        assert_eq!(user["id"], 4242);
        assert_eq!(user["login"], "octocat");
        assert_eq!(user["email"], Value::Null);

        let (status, emails) = json_of(
            http.get(format!("{}/user/emails", github.base_url))
                .bearer_auth(token)
                .send()
                .await
                .expect("/user/emails"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::OK);
        assert_eq!(
            emails,
            json!([
                { "email": "octocat@example.com", "primary": true, "verified": true, "visibility": null },
                { "email": "old@example.com", "primary": false, "verified": false, "visibility": null },
            ])
        );

        let (status, refused) = json_of(
            http.get(format!("{}/user", github.base_url))
                .bearer_auth("gho_not-a-token")
                .send()
                .await
                .expect("/user"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
        assert_eq!(refused["message"], "Bad credentials");

        // The person refuses once; the next authorization goes through again.
        github.deny_next();
        let back = authorize(&pkce().1, "state-2").await;
        assert_eq!(back.get("error").map(String::as_str), Some("access_denied"));
        assert!(!back.contains_key("code"));
        assert!(authorize(&pkce().1, "state-3").await.contains_key("code"));

        // A wrong client secret (here in HTTP Basic, which GitHub also takes).
        let (verifier, challenge) = pkce();
        let code = authorize(&challenge, "state-4").await["code"].clone();
        let (status, refused) = json_of(
            http.post(github.token_url())
                .header(ACCEPT, "application/json")
                .basic_auth(&github.client_id, Some("wrong"))
                .form(&[("code", code.as_str()), ("code_verifier", &verifier)])
                .send()
                .await
                .expect("token"),
        )
        .await;
        assert_eq!(status, reqwest::StatusCode::OK);
        assert_eq!(
            refused["error"], "incorrect_client_credentials",
            "{refused}"
        );

        // GitHub down.
        github.set_down(true);
        let response = exchange(&code, &verifier).await.expect("token");
        assert_eq!(response.status(), reqwest::StatusCode::BAD_GATEWAY);
        github.set_down(false);
        let (_, tokens) = json_of(exchange(&code, &verifier).await.expect("token")).await;
        assert!(tokens["access_token"].is_string(), "{tokens}");
    }
}
