//! Rate limits: fixed windows per key (a client address, an account), the client address they
//! are keyed by, and the middleware that applies Taskdeck's limits.
//!
//! Everything is in memory, per instance: a limit is a brake on brute force and floods, not an
//! accounting system, and several instances each apply it.

use super::connections::{busy, Gate};
use crate::config::LimitSettings;
use app::PasswordCheck;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::header::RETRY_AFTER;
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Allows `limit` hits per `window` for each key.
pub struct RateLimiter<K = IpAddr> {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<K, (Instant, u32)>>,
}

/// Beyond this many tracked keys, expired windows are swept so memory stays bounded.
const SWEEP_ABOVE: usize = 10_000;

impl<K: Hash + Eq> RateLimiter<K> {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one hit for `key`; over the limit, says how long until the window ends.
    pub fn check(&self, key: K) -> Result<(), Duration> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, (started, _)| now.duration_since(*started) < self.window);
        }
        let entry = windows.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        if entry.1 <= self.limit {
            Ok(())
        } else {
            Err(self.window.saturating_sub(now.duration_since(entry.0)))
        }
    }

    pub fn allow(&self, key: K) -> bool {
        self.check(key).is_ok()
    }
}

/// The client's address: the peer of the connection, or, when `TRUSTED_PROXY_HEADER` names a
/// header set by the proxy in front of Taskdeck, the address that proxy put last in it.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(client_addr(parts))
    }
}

fn client_addr(parts: &Parts) -> ClientAddr {
    if let Some(resolved) = parts.extensions.get::<ClientAddr>() {
        return *resolved;
    }
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    ClientAddr(ip)
}

/// The account-related endpoints that guess-and-check attacks go for.
const CREDENTIAL_PATHS: &[&str] = &["/api/sign_in", "/api/sign_up", "/api/change_password"];
/// Where a wrong password counts against the account named in the form.
const SIGN_IN_PATH: &str = "/api/sign_in";
/// A form with an email and a password is small; a larger body is not read for the email.
const MAX_CREDENTIAL_BODY: usize = 16 * 1024;
/// Health probes are cheap and often share an address with real clients (a load balancer's), so
/// they are never limited.
const PROBE_PATHS: &[&str] = &["/healthz", "/readyz"];

#[derive(Clone)]
pub struct RequestLimits {
    settings: Arc<LimitSettings>,
    per_ip: Arc<RateLimiter<IpAddr>>,
    credentials_per_ip: Arc<RateLimiter<IpAddr>>,
    lockouts: Arc<Lockouts>,
    /// Behind a trusted proxy every connection comes from the proxy, so the per-client cap on
    /// connections cannot apply; requests in flight are capped per forwarded address instead.
    in_flight: Option<Gate>,
}

impl RequestLimits {
    pub fn new(settings: LimitSettings, per_client: usize) -> Self {
        Self {
            in_flight: settings
                .trusted_proxy_header
                .is_some()
                .then(|| Gate::new(usize::MAX, Some(per_client))),
            per_ip: Arc::new(RateLimiter::new(
                settings.requests_per_minute,
                Duration::from_secs(60),
            )),
            credentials_per_ip: Arc::new(RateLimiter::new(
                settings.sign_ins_per_minute,
                Duration::from_secs(60),
            )),
            lockouts: Arc::new(Lockouts::new(settings.sign_ins_per_account)),
            settings: Arc::new(settings),
        }
    }

    pub async fn apply(self, request: Request, next: Next) -> Response {
        let (mut parts, body) = request.into_parts();
        let client = self.resolve_client(&parts);
        parts.extensions.insert(client);
        if PROBE_PATHS.contains(&parts.uri.path()) {
            return next.run(Request::from_parts(parts, body)).await;
        }
        if let Err(wait) = self.per_ip.check(client.0) {
            return too_many(wait);
        }
        let _in_flight = match self.in_flight.as_ref().map(|gate| gate.admit(client.0)) {
            Some(Err(_)) => {
                tracing::warn!(client = %client.0, "requests in flight from one address capped");
                return busy();
            }
            Some(Ok(slot)) => Some(slot),
            None => None,
        };
        let credentials =
            parts.method == Method::POST && CREDENTIAL_PATHS.contains(&parts.uri.path());
        if !credentials {
            return next.run(Request::from_parts(parts, body)).await;
        }
        if let Err(wait) = self.credentials_per_ip.check(client.0) {
            tracing::warn!(client = %client.0, "sign-in attempts from one address limited");
            return too_many(wait);
        }
        let Ok(bytes) = to_bytes(body, MAX_CREDENTIAL_BODY).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "The form was too large.").into_response();
        };
        let account = (parts.uri.path() == SIGN_IN_PATH)
            .then(|| email_in(&bytes))
            .flatten();
        let Some(account) = account else {
            return next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
        };
        if let Err(wait) = self.lockouts.check(&account, client.0) {
            tracing::warn!("sign-in attempts on one account limited");
            return too_many(wait);
        }
        let check = PasswordCheck::default();
        parts.extensions.insert(check.clone());
        let response = next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
        if check.failed() {
            self.lockouts.failed(&account, client.0);
        } else if response.status().is_success() || response.status().is_redirection() {
            self.lockouts.succeeded(&account);
        }
        response
    }

    fn resolve_client(&self, parts: &Parts) -> ClientAddr {
        let forwarded = self
            .settings
            .trusted_proxy_header
            .as_ref()
            .and_then(|header| {
                let value = parts.headers.get(header)?.to_str().ok()?;
                value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
            });
        forwarded
            .map(ClientAddr)
            .unwrap_or_else(|| client_addr(parts))
    }
}

/// Wrong passwords per account. Only failures count, so trying costs nothing to someone who knows
/// the password. Past `free` failures within the window the account is locked for a time that
/// doubles with each further failure (1 s, 2 s, 4 s … at most the window), but only for addresses
/// that have failed on it: the owner, signing in from an address with no failures, gets in.
struct Lockouts {
    free: u32,
    accounts: Mutex<HashMap<String, Failures>>,
}

struct Failures {
    last: Instant,
    count: u32,
    locked_until: Option<Instant>,
    by_address: HashMap<IpAddr, u32>,
}

/// Failures are forgotten this long after the last one.
const LOCKOUT_WINDOW: Duration = Duration::from_secs(15 * 60);

impl Lockouts {
    fn new(free: u32) -> Self {
        Self {
            free,
            accounts: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.accounts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Refuses an attempt on a locked account from an address that has failed on it.
    fn check(&self, account: &str, client: IpAddr) -> Result<(), Duration> {
        let now = Instant::now();
        let accounts = self.lock();
        let Some(failures) = accounts.get(account) else {
            return Ok(());
        };
        if now.duration_since(failures.last) >= LOCKOUT_WINDOW {
            return Ok(());
        }
        match failures.locked_until {
            Some(until) if until > now && failures.by_address.contains_key(&client) => {
                Err(until - now)
            }
            _ => Ok(()),
        }
    }

    fn failed(&self, account: &str, client: IpAddr) {
        let now = Instant::now();
        let mut accounts = self.lock();
        if accounts.len() > SWEEP_ABOVE {
            accounts.retain(|_, failures| now.duration_since(failures.last) < LOCKOUT_WINDOW);
        }
        let failures = accounts.entry(account.to_owned()).or_insert(Failures {
            last: now,
            count: 0,
            locked_until: None,
            by_address: HashMap::new(),
        });
        if now.duration_since(failures.last) >= LOCKOUT_WINDOW {
            failures.count = 0;
            failures.by_address.clear();
        }
        failures.last = now;
        failures.count = failures.count.saturating_add(1);
        *failures.by_address.entry(client).or_insert(0) += 1;
        if failures.count >= self.free {
            let doublings = (failures.count - self.free).min(20);
            let lock = Duration::from_secs(1u64 << doublings).min(LOCKOUT_WINDOW);
            failures.locked_until = Some(now + lock);
        }
    }

    /// The right password: the account's failures are forgotten.
    fn succeeded(&self, account: &str) {
        self.lock().remove(account);
    }
}

/// The account an attempt is aimed at, normalised as sign-in compares emails.
fn email_in(form: &[u8]) -> Option<String> {
    form_urlencoded::parse(form)
        .find(|(name, _)| name == "email")
        .map(|(_, email)| email.trim().to_lowercase())
        .filter(|email| !email.is_empty())
}

fn too_many(wait: Duration) -> Response {
    let seconds = wait.as_secs().max(1);
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        format!("Too many attempts. Please wait {seconds} seconds and try again."),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_gets_its_own_allowance() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        assert!(limiter.allow(a));
        assert!(limiter.allow(a));
        let wait = limiter
            .check(a)
            .expect_err("the third request in the window is refused");
        assert!(wait > Duration::from_secs(55) && wait <= Duration::from_secs(60));
        assert!(limiter.allow(b), "another client is not affected");
    }

    #[test]
    fn the_allowance_comes_back_after_the_window() {
        let limiter = RateLimiter::new(1, Duration::from_millis(20));
        let a = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert!(limiter.allow(a));
        assert!(!limiter.allow(a));
        std::thread::sleep(Duration::from_millis(30));
        assert!(limiter.allow(a));
    }

    #[test]
    fn only_failures_lock_an_account_and_only_for_addresses_that_failed() {
        let lockouts = Lockouts::new(3);
        let attacker = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));
        let owner = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        for _ in 0..3 {
            assert!(lockouts.check("ada@example.com", attacker).is_ok());
            lockouts.failed("ada@example.com", attacker);
        }
        let wait = lockouts
            .check("ada@example.com", attacker)
            .expect_err("three failures lock the account for the attacker");
        assert!(wait <= Duration::from_secs(1));
        assert!(
            lockouts.check("ada@example.com", owner).is_ok(),
            "an address with no failures is let through"
        );
        lockouts.failed("ada@example.com", attacker);
        let longer = lockouts
            .check("ada@example.com", attacker)
            .expect_err("still locked");
        assert!(
            longer > Duration::from_secs(1),
            "each failure doubles the lock"
        );
        lockouts.succeeded("ada@example.com");
        assert!(lockouts.check("ada@example.com", attacker).is_ok());
    }

    #[test]
    fn attempts_are_counted_per_account_whatever_the_case() {
        assert_eq!(
            email_in(b"email=Ada%40Example.com&password=x").as_deref(),
            Some("ada@example.com")
        );
        assert_eq!(email_in(b"password=x"), None);
    }
}
