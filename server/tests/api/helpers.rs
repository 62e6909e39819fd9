use reqwest::header::{ACCEPT, LOCATION, REFERER};
use reqwest::{redirect, Client, Response, StatusCode};
use serde_json::Value;
use server::Config;
use std::collections::HashMap;
use store::{Db, DbSettings};
use tempfile::TempDir;

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one scenario on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(db) = $crate::helpers::TestDb::create($crate::helpers::Backend::Sqlite).await {
                        super::$scenario(db).await;
                    }
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(db) = $crate::helpers::TestDb::create($crate::helpers::Backend::Postgres).await {
                        super::$scenario(db).await;
                    }
                }
            }
        )*
    };
}

/// A fresh, migrated database that exists for one test.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// `None` only outside CI when PostgreSQL cannot be reached; in CI that is a failure.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}/taskdeck.db?mode=rwc", dir.path().display());
                Some(TestDb {
                    url,
                    backend,
                    _dir: Some(dir),
                })
            }
            Backend::Postgres => {
                let admin_url = std::env::var("TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
                let admin = match Db::connect(&DbSettings::for_url(&admin_url)).await {
                    Ok(db) => db,
                    Err(err) if std::env::var_os("CI").is_none() => {
                        eprintln!(
                            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                             !!! PostgreSQL is not reachable at {admin_url} ({err}).\n\
                             !!! SKIPPING the PostgreSQL half of this test. In CI this fails.\n\
                             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                        );
                        return None;
                    }
                    Err(err) => {
                        panic!("PostgreSQL is required in CI but {admin_url} is unreachable: {err}")
                    }
                };
                let name = format!("taskdeck_test_{}", random_suffix());
                use sea_orm::ConnectionTrait;
                admin
                    .conn()
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .unwrap_or(&admin_url);
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    backend,
                    _dir: None,
                })
            }
        }
    }
}

fn random_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}

/// A running Taskdeck on a random port.
pub struct TestApp {
    pub address: String,
    /// Where the private `/metrics` listener answers.
    pub metrics_address: String,
    pub db: Db,
    server: tokio::task::JoinHandle<()>,
    metrics_server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.metrics_server.abort();
    }
}

impl TestApp {
    pub async fn spawn(test_db: &TestDb) -> TestApp {
        Self::spawn_with(test_db, &[]).await
    }

    /// Starts the app with extra (or overriding) configuration variables.
    pub async fn spawn_with(test_db: &TestDb, overrides: &[(&str, &str)]) -> TestApp {
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("DATABASE_URL", test_db.url.clone()),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
            ("METRICS_ADDR", "127.0.0.1:0".to_owned()),
            ("LOG_LEVEL", "warn".to_owned()),
        ]);
        for (name, value) in overrides {
            vars.insert(name, (*value).to_owned());
        }
        let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");
        if std::env::var_os("TEST_LOG").is_some() {
            server::telemetry::init(&config.log);
        }
        let db = Db::connect(&config.database).await.expect("connect");
        db.migrate_up().await.expect("migrate");
        let leptos_options = leptos::config::LeptosOptions::builder()
            .output_name("taskdeck")
            .site_root("target/site")
            .build();
        let health = server::health::Health::new(db.clone());
        let router = server::http::router(&config, db.clone(), leptos_options, &health);
        let listener = server::http::bind(config.site_addr).await.expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("local addr"));
        let server = tokio::spawn(async move {
            server::http::serve(listener, router, health)
                .await
                .expect("serve");
        });
        let metrics_router = server::metrics::router(server::metrics::recorder(), db.clone());
        let metrics_listener = server::http::bind(config.metrics_addr)
            .await
            .expect("bind metrics");
        let metrics_address = format!(
            "http://{}",
            metrics_listener.local_addr().expect("local addr")
        );
        let metrics_server = tokio::spawn(async move {
            server::metrics::serve(metrics_listener, metrics_router)
                .await
                .expect("serve metrics");
        });
        TestApp {
            address,
            metrics_address,
            db,
            server,
            metrics_server,
        }
    }

    /// A browser-like client with its own cookie jar, that does not follow redirects so tests can
    /// see them.
    pub fn client(&self) -> TestClient {
        TestClient {
            address: self.address.clone(),
            http: Client::builder()
                .cookie_store(true)
                .redirect(redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// A client that has signed up (and so is signed in) with a fresh account.
    pub async fn signed_in_client(&self, email: &str) -> TestClient {
        let client = self.client();
        let response = client
            .call("sign_up", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "sign-up of {email} failed"
        );
        client
    }
}

pub const PASSWORD: &str = "correct horse battery";

pub struct TestClient {
    pub address: String,
    pub http: Client,
}

impl TestClient {
    /// Calls a server function as the hydrated app does.
    pub async fn call(&self, function: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(format!("{}/api/{function}", self.address))
            .header(ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request")
    }

    /// Calls a server function and decodes its JSON answer, asserting success.
    pub async fn call_ok(&self, function: &str, form: &[(&str, &str)]) -> Value {
        let response = self.call(function, form).await;
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status.is_success(), "{function} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Submits a form as a browser with JavaScript off does.
    pub async fn post_form(
        &self,
        function: &str,
        form: &[(&str, &str)],
        from_page: &str,
    ) -> Response {
        self.http
            .post(format!("{}/api/{function}", self.address))
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .header(REFERER, format!("{}{from_page}", self.address))
            .form(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn page(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.address))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .expect("request")
    }

    /// Loads a page, asserting 200, and returns its HTML.
    pub async fn page_html(&self, path: &str) -> String {
        let response = self.page(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.expect("body")
    }
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The error message texts of a failed server function answer.
pub async fn error_text(response: Response) -> String {
    response.text().await.expect("body")
}

pub fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", random_suffix())
}

/// Creates a project through the API and returns its id.
pub async fn create_project(client: &TestClient, name: &str) -> i32 {
    let response = client.call("create_project", &[("name", name)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let to = location(&response);
    to.strip_prefix("/projects/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("create_project redirected to {to:?}"))
}

/// Creates a task through the API and returns it.
pub async fn create_task(client: &TestClient, project_id: i32, title: &str) -> Value {
    client
        .call_ok(
            "create_task",
            &[("project_id", &project_id.to_string()), ("title", title)],
        )
        .await
}

/// Every card on a `get_board` answer, column after column.
pub fn board_tasks(board: &Value) -> Vec<Value> {
    board["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .flat_map(|column| column["tasks"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The titles in one column of a `get_board` answer (`"Todo"`, `"InProgress"`, `"Done"`), in order.
pub fn column_titles(board: &Value, status: &str) -> Vec<String> {
    board["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter(|column| column["status"] == status)
        .flat_map(|column| column["tasks"].as_array().cloned().unwrap_or_default())
        .map(|task| task["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}
