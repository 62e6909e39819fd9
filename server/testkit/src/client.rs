//! A browser-like client and the typed calls tests make through it.

use reqwest::header::{ACCEPT, LOCATION, REFERER};
use reqwest::{redirect, Client, Response, StatusCode};
use serde_json::Value;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestClient {
    pub address: String,
    pub http: Client,
}

impl TestClient {
    pub(crate) fn new(address: &str) -> Self {
        TestClient {
            address: address.to_owned(),
            http: Client::builder()
                .cookie_store(true)
                .redirect(redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

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

    /// Makes the same call `n` times at once, as a double-clicking person or a script does;
    /// answers each status and body, in the order sent.
    pub async fn at_once(
        &self,
        function: &str,
        form: &[(&str, &str)],
        n: usize,
    ) -> Vec<(StatusCode, String)> {
        let form: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let calls: Vec<_> = (0..n)
            .map(|_| {
                let request = self
                    .http
                    .post(format!("{}/api/{function}", self.address))
                    .header(ACCEPT, "application/json")
                    .form(&form);
                tokio::spawn(async move {
                    let response = request.send().await.expect("request");
                    let status = response.status();
                    (status, response.text().await.expect("body"))
                })
            })
            .collect();
        let mut answers = Vec::new();
        for call in calls {
            answers.push(call.await.expect("the call ran"));
        }
        answers
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

    /// The project's board as this client sees it.
    pub async fn board(&self, project: i32) -> domain::Board {
        let board = self
            .call_ok("get_board", &[("project_id", &project.to_string())])
            .await;
        serde_json::from_value(board).expect("get_board answers a board")
    }

    /// The signed-in account's id.
    pub async fn user_id(&self) -> store::UserId {
        let user = self.call_ok("current_user", &[]).await;
        user["id"]
            .as_i64()
            .and_then(|id| id.try_into().ok())
            .expect("signed in")
    }

    /// Assigns the task to the account, as its page's assignee picker does.
    pub async fn assign(&self, task: &str, user: store::UserId) {
        let user = user.to_string();
        self.call_ok(
            "set_assignee",
            &[("id", task), ("user_id", &user), ("assigned", "true")],
        )
        .await;
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

/// Every card on a board, column after column.
pub fn board_tasks(board: &domain::Board) -> Vec<domain::Task> {
    board
        .columns
        .iter()
        .flat_map(|column| column.tasks.iter().cloned())
        .collect()
}

/// The titles in one column of a board, in order.
pub fn column_titles(board: &domain::Board, status: domain::Status) -> Vec<String> {
    board
        .column(status)
        .map(|column| column.tasks.iter().map(|task| task.title.clone()).collect())
        .unwrap_or_default()
}

/// The owner invites `email` with `role`; answers the invitation's link (`/invitations/{token}`),
/// which the settings page shows the owner once to pass on.
pub async fn invite(owner: &TestClient, project_id: i32, email: &str, role: &str) -> String {
    let link = owner
        .call_ok(
            "invite_member",
            &[
                ("project_id", &project_id.to_string()),
                ("email", email),
                ("role", role),
            ],
        )
        .await;
    link["path"]
        .as_str()
        .unwrap_or_else(|| panic!("invite_member answered {link}"))
        .to_owned()
}

/// The token of an invitation's link.
pub fn token_of(link: &str) -> &str {
    link.rsplit('/').next().unwrap_or_default()
}

/// Shares a project the way people do: the owner invites `email` and passes the link on, and
/// `member` (signed in) opens it and accepts.
pub async fn share(
    owner: &TestClient,
    project_id: i32,
    member: &TestClient,
    email: &str,
    role: &str,
) {
    let link = invite(owner, project_id, email, role).await;
    member
        .call_ok("accept_invitation", &[("token", token_of(&link))])
        .await;
}
