//! A running Taskdeck on random ports, started through `server::startup` exactly as the binary
//! starts: same router, listeners, change listener and background jobs.

use crate::client::{TestClient, PASSWORD};
use crate::db::TestDb;
use reqwest::StatusCode;
use server::startup::Application;
use server::Config;
use std::collections::HashMap;
use store::Db;
use tokio::sync::oneshot;

pub struct TestApp {
    pub address: String,
    /// Where the private `/metrics` listener answers.
    pub metrics_address: String,
    pub db: Db,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Abort rather than wait: a dropped app must stop answering at once (the health-check
        // test relies on it), and its jobs stop with it.
        self.server.abort();
    }
}

impl TestApp {
    pub async fn spawn(test_db: &TestDb) -> TestApp {
        Self::spawn_with(test_db, &[]).await
    }

    /// Starts the app with extra (or overriding) configuration variables.
    pub async fn spawn_with(test_db: &TestDb, overrides: &[(&str, &str)]) -> TestApp {
        Self::start(&test_db.url, overrides).await
    }

    /// Starts another instance on a database that a [`TestDb`] owns elsewhere (replicas).
    pub async fn spawn_at(database_url: &str) -> TestApp {
        Self::start(database_url, &[]).await
    }

    async fn start(database_url: &str, overrides: &[(&str, &str)]) -> TestApp {
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", database_url.to_owned()),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
            ("METRICS_ADDR", "127.0.0.1:0".to_owned()),
            ("LOG_LEVEL", "warn".to_owned()),
            // Tests shut down at once; the drain itself has a test that asks for one.
            ("SHUTDOWN_DRAIN_SECS", "0".to_owned()),
        ]);
        for (name, value) in overrides {
            vars.insert(name, (*value).to_owned());
        }
        let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");
        if std::env::var_os("TEST_LOG").is_some() {
            server::telemetry::init(&config.log);
        }
        let app = Application::build(&config, true).await.expect("start");
        let address = format!("http://{}", app.address());
        let metrics_address = format!("http://{}", app.metrics_address());
        let db = app.db().clone();
        let (stop, stopped) = oneshot::channel();
        let server = tokio::spawn(async move {
            app.run_until(async {
                // A dropped sender stops the server too.
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
        TestApp {
            address,
            metrics_address,
            db,
            stop: Some(stop),
            server,
        }
    }

    /// Shuts the server down the way SIGTERM does (requests in flight finish, background jobs
    /// stop) and waits until it has.
    pub async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.server)
            .await
            .expect("the server shut down cleanly");
    }

    /// A browser-like client with its own cookie jar, that does not follow redirects so tests can
    /// see them.
    pub fn client(&self) -> TestClient {
        TestClient::new(&self.address)
    }

    /// A client that has signed up with a fresh account, then signed in (signing up alone does
    /// not: it says nothing about whether the address already had an account).
    pub async fn signed_in_client(&self, email: &str) -> TestClient {
        let client = self.client();
        for function in ["sign_up", "sign_in"] {
            let response = client
                .call(function, &[("email", email), ("password", PASSWORD)])
                .await;
            assert_eq!(
                response.status(),
                StatusCode::OK,
                "{function} of {email} failed"
            );
        }
        client
    }

    /// What `/metrics` says right now.
    pub async fn metrics(&self) -> String {
        reqwest::get(format!("{}/metrics", self.metrics_address))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics body")
    }

    /// The value of one metric line (`name{labels}` exactly as rendered), 0 when absent.
    pub async fn metric(&self, series: &str) -> f64 {
        self.metrics()
            .await
            .lines()
            .find_map(|line| {
                let (name, value) = line.rsplit_once(' ')?;
                (name == series).then(|| value.parse().ok()).flatten()
            })
            .unwrap_or(0.0)
    }
}
