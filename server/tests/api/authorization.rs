//! The authorization matrix: every server function, every page and every other route, asked by an
//! anonymous visitor, by another signed-in user and by the owner of the data, with the answer each
//! of them gets. `MATRIX` below is the whole policy on one screen.
//!
//! For every cell where the asker is not the owner:
//! - the answer must not contain the owner's project name, task title, email address or linked
//!   GitHub email (unique marker strings), unless the request itself carried it;
//! - the owner's data, read back as the owner (board, project list, account), must be exactly as
//!   it was, and the owner must still be signed in;
//! - when the request names the owner's project or task by id, the answer must be the same as for
//!   an id that exists nowhere (so a 404 does not tell "someone else's" from "nobody's");
//! - a server function is also posted as a plain form (JavaScript off), which answers with a
//!   redirect instead of a status: it must carry an error exactly when the status above is not a
//!   success, and neither it nor the page it leads to may show the owner's data.
//!
//! For the owner's cell, the answer must show the owner's data the row is about: proof that the
//! row would catch a leak.
//!
//! Every registered server function, every route of the app's router and every route the server
//! mounts must have a row, so none can be added without deciding who may call it.

use domain::{Email, Provider};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::Duration;
use store::identities::ProviderIdentity;
use testkit::on_both_databases;
use testkit::{location, unique_email, TestApp, TestClient, TestDb, PASSWORD};

/// What an actor gets back.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Status(StatusCode),
    /// A redirect with this status to this `Location`; a trailing `*` matches any rest.
    Redirect(StatusCode, &'static str),
}

const OK: Answer = Answer::Status(StatusCode::OK);
const NO_CONTENT: Answer = Answer::Status(StatusCode::NO_CONTENT);
const BAD_REQUEST: Answer = Answer::Status(StatusCode::BAD_REQUEST);
const UNAUTHORIZED: Answer = Answer::Status(StatusCode::UNAUTHORIZED);
const NOT_FOUND: Answer = Answer::Status(StatusCode::NOT_FOUND);
const INVALID: Answer = Answer::Status(StatusCode::UNPROCESSABLE_ENTITY);
/// A page that needs a signed-in person.
const TO_LOGIN: Answer = Answer::Redirect(StatusCode::FOUND, "/login");
/// A page for signed-out people, visited when signed in.
const TO_PROJECTS: Answer = Answer::Redirect(StatusCode::FOUND, "/projects");
/// Linking a provider needs a signed-in person.
const LINK_TO_LOGIN: Answer = Answer::Redirect(StatusCode::SEE_OTHER, "/login");
/// Off to the (stand-in) GitHub with a fresh state.
const TO_GITHUB: Answer = Answer::Redirect(StatusCode::SEE_OTHER, "http://127.0.0.1:9/authorize?*");
/// A callback whose state this session did not start.
const STATE_REFUSED: Answer = Answer::Redirect(
    StatusCode::SEE_OTHER,
    "/login?provider=github&oauth_error=expired",
);

/// How a row is asked. `{project}`, `{task}`, `{label}`, `{subtask}`, `{comment}`, `{view}` and
/// `{owner_email}` become the ids of the owner's real things and their email address;
/// `{own_password}` and `{own_id}` the asking actor's own password and user id.
#[derive(Clone, Copy, Debug)]
enum Call {
    /// A server function, posted to `/api/<row name>` as an urlencoded form.
    ServerFn(&'static [(&'static str, &'static str)]),
    /// A page of the app's router, loaded as a browser does.
    Page(&'static str),
    /// A route outside the Leptos router.
    Get(&'static str),
    Post(&'static str, &'static str),
    /// A route that streams (server-sent events): only the first event is read.
    Stream(&'static str),
}
use Call::{Get, Page, Post, ServerFn, Stream};

/// The owner's data.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Marker {
    Project,
    Task,
    Email,
    /// The email of the GitHub account linked to the owner's account.
    GitHub,
}
const ALL_MARKERS: [Marker; 4] = [Marker::Project, Marker::Task, Marker::Email, Marker::GitHub];
const NOTHING: &[Marker] = &[];
const PROJECT: &[Marker] = &[Marker::Project];
const TASK: &[Marker] = &[Marker::Task];
const BOARD: &[Marker] = &[Marker::Project, Marker::Task];
const EMAIL: &[Marker] = &[Marker::Email];
const ACCOUNT: &[Marker] = &[Marker::Email, Marker::GitHub];
const PROJECTS_PAGE: &[Marker] = &[Marker::Project, Marker::Email];
const BOARD_PAGE: &[Marker] = &[Marker::Project, Marker::Task, Marker::Email];
const TASK_PAGE: &[Marker] = &[Marker::Task, Marker::Email];

struct Row {
    /// The server function's name, or the route as the router declares it.
    name: &'static str,
    call: Call,
    anonymous: Answer,
    other_user: Answer,
    owner: Answer,
    /// What of the owner's data the owner's own answer shows.
    owner_sees: &'static [Marker],
}

const fn row(
    name: &'static str,
    call: Call,
    [anonymous, other_user, owner]: [Answer; 3],
    owner_sees: &'static [Marker],
) -> Row {
    Row {
        name,
        call,
        anonymous,
        other_user,
        owner,
        owner_sees,
    }
}

const TASK_EDIT: &[(&str, &str)] = &[
    ("id", "{task}"),
    ("title", "Overwritten"),
    ("description", "Overwritten too"),
    ("status", "done"),
    ("priority", "low"),
    ("due_date", "2030-01-01"),
];
const VITALS: &str = r#"{"path":"/projects/{project}","metrics":[{"name":"LCP","value":1200}]}"#;
/// An envelope for another Sentry project, which the tunnel refuses whoever sends it.
const FOREIGN_ENVELOPE: &str =
    "{\"dsn\":\"http://publickey@127.0.0.1:9/43\"}\n{\"type\":\"event\"}\n{}\n";

/// A well-formed invitation token that no invitation has.
const NO_SUCH_LINK: &str = "00000000000000000000000000000000000000000000000000000000000000ff";
const NO_SUCH_LINK_PAGE: &str =
    "/invitations/00000000000000000000000000000000000000000000000000000000000000ff";

#[rustfmt::skip]
static MATRIX: &[Row] = &[
    //  name                           how it is called                                                  anonymous      another user   owner          the owner's answer shows
    // Accounts
    row("current_user",                ServerFn(&[]),                                                    [OK,           OK,            OK],           EMAIL),
    row("sign_up",                     ServerFn(&[("email", "{owner_email}"), ("password", "another password")]),
                                                                                                         [OK,           OK,            OK],           NOTHING),
    row("sign_in",                     ServerFn(&[("email", "{owner_email}"), ("password", "not the password")]),
                                                                                                         [INVALID,      INVALID,       INVALID],      NOTHING),
    row("sign_out",                    ServerFn(&[]),                                                    [OK,           OK,            OK],           NOTHING),
    row("set_theme",                   ServerFn(&[("theme", "dark")]),                                   [OK,           OK,            OK],           NOTHING),
    row("sign_in_providers",           ServerFn(&[]),                                                    [OK,           OK,            OK],           NOTHING),
    row("account_details",             ServerFn(&[]),                                                    [UNAUTHORIZED, OK,            OK],           ACCOUNT),
    row("unlink_provider",             ServerFn(&[("provider", "github")]),                              [UNAUTHORIZED, OK,            OK],           NOTHING),
    row("change_password",             ServerFn(&[("current_password", "{own_password}"), ("new_password", "{own_password}")]),
                                                                                                         [UNAUTHORIZED, OK,            OK],           NOTHING),
    // Projects
    row("list_projects",               ServerFn(&[]),                                                    [UNAUTHORIZED, OK,            OK],           PROJECT),
    row("get_project",                 ServerFn(&[("id", "{project}")]),                                 [UNAUTHORIZED, NOT_FOUND,     OK],           PROJECT),
    row("create_project",              ServerFn(&[("name", "Planted project")]),                         [UNAUTHORIZED, OK,            OK],           NOTHING),
    row("rename_project",              ServerFn(&[("id", "{project}"), ("name", "Renamed")]),            [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("delete_project",              ServerFn(&[("id", "{project}")]),                                 [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    // Tasks
    row("get_board",                   ServerFn(&[("project_id", "{project}")]),                         [UNAUTHORIZED, NOT_FOUND,     OK],           BOARD),
    row("create_task",                 ServerFn(&[("project_id", "{project}"), ("title", "Planted task")]),
                                                                                                         [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("list_tasks",                  ServerFn(&[("project_id", "{project}")]),                         [UNAUTHORIZED, NOT_FOUND,     OK],           BOARD),
    row("get_task",                    ServerFn(&[("id", "{task}")]),                                    [UNAUTHORIZED, NOT_FOUND,     OK],           TASK),
    row("move_task",                   ServerFn(&[("id", "{task}"), ("to", "done")]),                    [UNAUTHORIZED, NOT_FOUND,     OK],           TASK),
    row("update_task",                 ServerFn(TASK_EDIT),                                              [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("delete_task",                 ServerFn(&[("id", "{task}")]),                                    [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    // Members (editors and viewers are covered role by role in sharing.rs)
    row("task_details",                ServerFn(&[("id", "{task}")]),                                    [UNAUTHORIZED, NOT_FOUND,     OK],           TASK),
    row("set_assignee",                ServerFn(&[("id", "{task}"), ("user_id", "{own_id}"), ("assigned", "true")]),
                                                                                                     [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("my_tasks",                    ServerFn(&[]),                                                    [UNAUTHORIZED, OK,            OK],           NOTHING),
    row("list_labels",                 ServerFn(&[("project_id", "{project}")]),                         [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("create_label",                ServerFn(&[("project_id", "{project}"), ("name", "Planted"), ("colour", "red")]),
                                                                                                     [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("update_label",                ServerFn(&[("id", "{label}"), ("name", "Renamed"), ("colour", "blue")]),
                                                                                                     [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("delete_label",                ServerFn(&[("id", "{label}")]),                                   [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("set_task_label",              ServerFn(&[("id", "{task}"), ("label_id", "{label}"), ("applied", "true")]),
                                                                                                     [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("add_subtask",                 ServerFn(&[("task_id", "{task}"), ("title", "Planted subtask")]), [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("check_subtask",               ServerFn(&[("id", "{subtask}"), ("done", "true")]),               [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("delete_subtask",              ServerFn(&[("id", "{subtask}")]),                                 [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("add_comment",                 ServerFn(&[("task_id", "{task}"), ("body", "Planted comment")]),  [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("delete_comment",              ServerFn(&[("id", "{comment}")]),                                 [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("save_view",                   ServerFn(&[("project_id", "{project}"), ("name", "Planted view"), ("query", "status=done")]),
                                                                                                     [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("delete_view",                 ServerFn(&[("id", "{view}")]),                                    [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("list_members",                ServerFn(&[("project_id", "{project}")]),                         [UNAUTHORIZED, NOT_FOUND,     OK],           EMAIL),
    row("invite_member",               ServerFn(&[("project_id", "{project}"), ("email", "invitee@example.com"), ("role", "viewer")]),
                                                                                                         [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    row("change_member_role",          ServerFn(&[("project_id", "{project}"), ("user_id", "0"), ("role", "viewer")]),
                                                                                                         [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("remove_member",               ServerFn(&[("project_id", "{project}"), ("user_id", "0")]),       [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("cancel_invitation",           ServerFn(&[("project_id", "{project}"), ("email", "nobody@example.com")]),
                                                                                                         [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("new_invitation_link",         ServerFn(&[("project_id", "{project}")]),                         [UNAUTHORIZED, OK,            OK],           NOTHING),
    // An invitation is reached by its link's secret alone; no one holds this one.
    row("invitation",                  ServerFn(&[("token", NO_SUCH_LINK)]),                             [OK,           NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("accept_invitation",           ServerFn(&[("token", NO_SUCH_LINK)]),                             [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("decline_invitation",          ServerFn(&[("token", NO_SUCH_LINK)]),                             [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("my_invitations",              ServerFn(&[]),                                                    [UNAUTHORIZED, OK,            OK],           NOTHING),
    row("decline_my_invitation",       ServerFn(&[("id", "0")]),                                         [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    // An owner cannot leave; anyone else naming the project is a stranger to it.
    row("leave_project",               ServerFn(&[("project_id", "{project}")]),                         [UNAUTHORIZED, NOT_FOUND,     INVALID],      NOTHING),
    // Feature flags: what is on for the asker; the admin's functions exist for admins only.
    row("features_for_me",             ServerFn(&[]),                                                    [OK,           OK,            OK],           NOTHING),
    row("admin_flags",                 ServerFn(&[]),                                                    [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("set_flag",                    ServerFn(&[("name", "project-export"), ("everyone", "off")]),     [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("set_flag_account",            ServerFn(&[("name", "project-export"), ("email", "{owner_email}"), ("on", "off")]),
                                                                                                         [UNAUTHORIZED, NOT_FOUND,     NOT_FOUND],    NOTHING),
    // Feedback
    row("send_feedback",               ServerFn(&[("message", "Something broke"), ("event", "")]),       [UNAUTHORIZED, OK,            OK],           NOTHING),
    // Pages of the app's router
    row("/",                           Page("/"),                                                        [OK,           TO_PROJECTS,   TO_PROJECTS],  NOTHING),
    row("/signup",                     Page("/signup"),                                                  [OK,           TO_PROJECTS,   TO_PROJECTS],  NOTHING),
    row("/login",                      Page("/login"),                                                   [OK,           TO_PROJECTS,   TO_PROJECTS],  NOTHING),
    row("/projects",                   Page("/projects"),                                                [TO_LOGIN,     OK,            OK],           PROJECTS_PAGE),
    row("/projects/:id",               Page("/projects/{project}"),                                      [TO_LOGIN,     NOT_FOUND,     OK],           BOARD_PAGE),
    row("/projects/:id/list",          Page("/projects/{project}/list"),                                 [TO_LOGIN,     NOT_FOUND,     OK],           BOARD_PAGE),
    row("/projects/:id/settings",      Page("/projects/{project}/settings"),                             [TO_LOGIN,     NOT_FOUND,     OK],           PROJECTS_PAGE),
    row("/tasks/:id",                  Page("/tasks/{task}"),                                            [TO_LOGIN,     NOT_FOUND,     OK],           TASK_PAGE),
    row("/my-tasks",                   Page("/my-tasks"),                                                [TO_LOGIN,     OK,            OK],           EMAIL),
    row("/feedback",                   Page("/feedback"),                                                [TO_LOGIN,     OK,            OK],           EMAIL),
    row("/account",                    Page("/account"),                                                 [TO_LOGIN,     OK,            OK],           ACCOUNT),
    row("/admin/flags",                Page("/admin/flags"),                                             [TO_LOGIN,     NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("/invitations/:token",         Page(NO_SUCH_LINK_PAGE),                                          [OK,           NOT_FOUND,     NOT_FOUND],    NOTHING),
    row("no such page (fallback)",     Page("/projects/{project}/tasks"),                                [NOT_FOUND,    NOT_FOUND,     NOT_FOUND],    NOTHING),
    // Routes the server mounts beside the app's router
    row("/auth/{provider}/start",      Post("/auth/github/start", ""),                                   [TO_GITHUB,    TO_GITHUB,     TO_GITHUB],    NOTHING),
    row("/auth/{provider}/link",       Post("/auth/github/link", ""),                                    [LINK_TO_LOGIN, TO_GITHUB,    TO_GITHUB],    NOTHING),
    row("/auth/{provider}/callback",   Get("/auth/github/callback?code=stolen&state=stolen"),            [STATE_REFUSED, STATE_REFUSED, STATE_REFUSED], NOTHING),
    row("/healthz",                    Get("/healthz"),                                                  [OK,           OK,            OK],           NOTHING),
    row("/readyz",                     Get("/readyz"),                                                   [OK,           OK,            OK],           NOTHING),
    row("/projects/{id}/events",       Stream("/projects/{project}/events"),                             [UNAUTHORIZED, NOT_FOUND,     OK],           NOTHING),
    // The matrix runs with the project-export flag on for everyone (see `SETTINGS`' caller).
    row("/projects/{id}/export.csv",   Get("/projects/{project}/export.csv"),                            [UNAUTHORIZED, NOT_FOUND,     OK],           TASK),
    row("/monitoring/vitals",          Post("/monitoring/vitals", VITALS),                               [NO_CONTENT,   NO_CONTENT,    NO_CONTENT],   NOTHING),
    row("/monitoring/sentry",          Post("/monitoring/sentry", FOREIGN_ENVELOPE),                     [BAD_REQUEST,  BAD_REQUEST,   BAD_REQUEST],  NOTHING),
    // Served on the private metrics listener only.
    row("/metrics",                    Get("/metrics"),                                                  [NOT_FOUND,    NOT_FOUND,     NOT_FOUND],    NOTHING),
];

/// The configuration the matrix runs with: every optional route mounted, limits out of the way.
const SETTINGS: &[(&str, &str)] = &[
    // The matrix makes about a thousand requests and a few dozen sign-ins from one address.
    ("RATE_LIMIT_REQUESTS_PER_MINUTE", "100000"),
    ("RATE_LIMIT_SIGN_INS_PER_MINUTE", "1000"),
    ("RATE_LIMIT_SIGN_INS_PER_ACCOUNT", "1000"),
    // The browser's error tunnel exists only with a DSN. Nothing listens there.
    ("SENTRY_DSN", "http://publickey@127.0.0.1:9/42"),
    // GitHub sign-in is offered; nothing listens there either, and the matrix never gets that far.
    ("GITHUB_CLIENT_ID", "taskdeck-matrix"),
    ("GITHUB_CLIENT_SECRET", "matrix-secret"),
    ("GITHUB_AUTH_URL", "http://127.0.0.1:9/authorize"),
    ("GITHUB_TOKEN_URL", "http://127.0.0.1:9/token"),
    ("GITHUB_API_URL", "http://127.0.0.1:9/api"),
];

const OTHER_PASSWORD: &str = "a different horse battery";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    OtherUser,
    Owner,
}

impl Row {
    fn expected(&self, who: Who) -> Answer {
        match who {
            Who::Anonymous => self.anonymous,
            Who::OtherUser => self.other_user,
            Who::Owner => self.owner,
        }
    }
}

impl Call {
    /// Whether the request names the owner's project or task by id.
    fn names_ids(&self) -> bool {
        let mentions = |text: &str| {
            [
                "{project}",
                "{task}",
                "{label}",
                "{subtask}",
                "{comment}",
                "{view}",
            ]
            .iter()
            .any(|id| text.contains(id))
        };
        match *self {
            ServerFn(form) => form.iter().any(|(_, value)| mentions(value)),
            Page(path) | Get(path) | Stream(path) => mentions(path),
            Post(path, body) => mentions(path) || mentions(body),
        }
    }
}

/// The owner's project and task that one row is asked about, made afresh for every row so that
/// the owner's own cell (a delete, say) leaves nothing behind for the next row.
struct Fixture {
    project_id: String,
    task_id: String,
    /// A label of the project, a subtask and a comment of the task, a saved view of the project.
    label_id: String,
    subtask_id: String,
    comment_id: String,
    view_id: String,
    project_name: String,
    task_title: String,
    owner_email: String,
    owner_github_email: String,
}

impl Fixture {
    /// The same fixture with ids that belong to nobody.
    fn ghost(&self) -> Fixture {
        Fixture {
            project_id: i32::MAX.to_string(),
            task_id: i32::MAX.to_string(),
            label_id: i32::MAX.to_string(),
            subtask_id: i32::MAX.to_string(),
            comment_id: i32::MAX.to_string(),
            view_id: i32::MAX.to_string(),
            project_name: self.project_name.clone(),
            task_title: self.task_title.clone(),
            owner_email: self.owner_email.clone(),
            owner_github_email: self.owner_github_email.clone(),
        }
    }

    fn fill(&self, template: &str, actor: &Actor) -> String {
        template
            .replace("{project}", &self.project_id)
            .replace("{task}", &self.task_id)
            .replace("{label}", &self.label_id)
            .replace("{subtask}", &self.subtask_id)
            .replace("{comment}", &self.comment_id)
            .replace("{view}", &self.view_id)
            .replace("{own_id}", &actor.user_id.unwrap_or(0).to_string())
            .replace("{owner_email}", &self.owner_email)
            .replace("{own_password}", actor.password)
    }

    fn form(&self, form: &[(&'static str, &str)], actor: &Actor) -> Vec<(&'static str, String)> {
        form.iter()
            .map(|(name, value)| (*name, self.fill(value, actor)))
            .collect()
    }

    fn marker(&self, marker: Marker) -> (&'static str, &str) {
        match marker {
            Marker::Project => ("the owner's project name", &self.project_name),
            Marker::Task => ("the owner's task title", &self.task_title),
            Marker::Email => ("the owner's email address", &self.owner_email),
            Marker::GitHub => ("the owner's GitHub email", &self.owner_github_email),
        }
    }

    /// Fails when `answer` shows any of the owner's data that the request did not itself carry
    /// (an email typed into a sign-in form comes back with its error, and that is no leak).
    fn assert_not_in(&self, cell: &str, request: &str, answer: &str) {
        for marker in ALL_MARKERS {
            let (what, text) = self.marker(marker);
            if request.contains(text) {
                continue;
            }
            assert!(
                !answer.contains(text),
                "{cell}: the answer shows {what} ({text:?}):\n{answer}"
            );
        }
    }
}

/// One person at a browser.
struct Actor {
    who: Who,
    email: Option<String>,
    password: &'static str,
    user_id: Option<i32>,
    /// A GitHub account linked to this person's account.
    github: Option<ProviderIdentity>,
    client: TestClient,
}

impl Actor {
    async fn sign_up(app: &TestApp, who: Who, password: &'static str) -> Actor {
        let email = unique_email(&format!("{who:?}").to_lowercase());
        let client = app.client();
        for function in ["sign_up", "sign_in"] {
            client
                .call_ok(function, &[("email", &email), ("password", password)])
                .await;
        }
        let me = client.call_ok("current_user", &[]).await;
        let user_id = me["id"].as_i64().and_then(|id| i32::try_from(id).ok());
        let github = ProviderIdentity {
            provider: Provider::GitHub,
            subject: format!("github-{email}"),
            email: Email::parse(&format!("gh-{email}")).expect("email"),
        };
        let mut actor = Actor {
            who,
            email: Some(email),
            password,
            user_id,
            github: Some(github),
            client,
        };
        actor.restore(app).await;
        actor
    }

    /// Puts back what a cell may rightly have taken from the actor: signs in again after a cell
    /// signed it out (and starts a fresh browser for the anonymous visitor), and links its GitHub
    /// account again after a cell unlinked it.
    async fn restore(&mut self, app: &TestApp) {
        let me = self.client.call_ok("current_user", &[]).await;
        if me["email"].as_str() != self.email.as_deref() {
            self.client = app.client();
            if let Some(email) = &self.email {
                self.client
                    .call_ok("sign_in", &[("email", email), ("password", self.password)])
                    .await;
            }
        }
        if let (Some(user_id), Some(github)) = (self.user_id, &self.github) {
            let linked = store::identities::list(&app.db, user_id)
                .await
                .expect("list identities");
            if linked.is_empty() {
                store::identities::link(&app.db, user_id, github)
                    .await
                    .expect("link GitHub");
            }
        }
    }
}

/// What the owner sees of the row's project (its board, its list with their saved views, the
/// task with its labels, checklist, comments and history), of their projects and of their
/// account.
async fn owner_view(owner: &TestClient, fixture: &Fixture, cell: &str) -> [Value; 5] {
    let read = |function: &'static str, form: Vec<(&'static str, String)>| async move {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let response = owner.call(function, &form).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert_eq!(
            status,
            StatusCode::OK,
            "after {cell}, the owner can no longer {function}: {body}"
        );
        serde_json::from_str::<Value>(&body).expect("JSON")
    };
    [
        read(
            "get_board",
            vec![("project_id", fixture.project_id.clone())],
        )
        .await,
        read(
            "list_tasks",
            vec![("project_id", fixture.project_id.clone())],
        )
        .await,
        read("task_details", vec![("id", fixture.task_id.clone())]).await,
        read("list_projects", vec![]).await,
        read("account_details", vec![]).await,
    ]
}

/// Sends a row's request as `actor`; returns the answer and a text of what was sent.
async fn send(actor: &Actor, row: &Row, fixture: &Fixture) -> (Response, String) {
    let client = &actor.client;
    match row.call {
        ServerFn(form) => {
            let form = fixture.form(form, actor);
            let sent = format!("{form:?}");
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            (client.call(row.name, &form).await, sent)
        }
        Page(path) => {
            let path = fixture.fill(path, actor);
            (client.page(&path).await, path)
        }
        Get(path) => {
            let url = format!("{}{}", client.address, fixture.fill(path, actor));
            let response = client.http.request(Method::GET, &url).send().await;
            (response.expect("request"), url)
        }
        Stream(path) => {
            let url = format!("{}{}", client.address, fixture.fill(path, actor));
            let mut response = client.http.get(&url).send().await.expect("request");
            // The stream never ends; its first event (or a refusal's whole body) is the answer.
            let first = tokio::time::timeout(Duration::from_secs(5), response.chunk())
                .await
                .expect("the stream's first event within 5 s")
                .expect("read");
            let mut answer = http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                answer = answer.header(name, value);
            }
            let body = first.map(|bytes| bytes.to_vec()).unwrap_or_default();
            (answer.body(body).expect("response").into(), url)
        }
        Post(path, body) => {
            let url = format!("{}{}", client.address, fixture.fill(path, actor));
            let body = fixture.fill(body, actor);
            let response = client
                .http
                .post(&url)
                .header("content-type", "text/plain;charset=UTF-8")
                .body(body.clone())
                .send()
                .await;
            (response.expect("request"), format!("{url} {body}"))
        }
    }
}

/// Checks the status (and, for a redirect, where it goes); returns the answer's `Location` and
/// body, with the page's CSP nonce (different in every response) replaced by `{nonce}`.
async fn check(cell: &str, expected: Answer, response: Response) -> String {
    let status = response.status();
    let to = location(&response);
    let nonce = response
        .headers()
        .get("content-security-policy")
        .and_then(|csp| csp.to_str().ok())
        .and_then(|csp| csp.split("'nonce-").nth(1))
        .and_then(|rest| rest.split('\'').next())
        .map(str::to_owned);
    let mut body = response.text().await.expect("body");
    if let Some(nonce) = nonce.filter(|n| !n.is_empty()) {
        body = body.replace(&nonce, "{nonce}");
    }
    match expected {
        Answer::Status(wanted) => {
            assert_eq!(status, wanted, "{cell}: Location {to:?}, body:\n{body}")
        }
        Answer::Redirect(wanted, target) => {
            assert_eq!(status, wanted, "{cell}: Location {to:?}, body:\n{body}");
            match target.strip_suffix('*') {
                Some(prefix) => assert!(to.starts_with(prefix), "{cell}: redirected to {to:?}"),
                None => assert_eq!(to, target, "{cell}"),
            }
        }
    }
    format!("{to}\n{body}")
}

on_both_databases!(the_authorization_matrix_holds);

async fn the_authorization_matrix_holds(db: TestDb) {
    let app = TestApp::spawn_with(&db, SETTINGS).await;
    // Read before the first request, so every row sees the export route as its users would.
    store::flags::set_everyone(&app.db, domain::Feature::ProjectExport, true)
        .await
        .expect("the export's flag on");
    let mut owner = Actor::sign_up(&app, Who::Owner, PASSWORD).await;
    let mut other = Actor::sign_up(&app, Who::OtherUser, OTHER_PASSWORD).await;
    let mut anonymous = Actor {
        who: Who::Anonymous,
        email: None,
        password: "",
        user_id: None,
        github: None,
        client: app.client(),
    };
    let owner_email = owner.email.clone().expect("the owner's email");
    let owner_github_email = owner
        .github
        .as_ref()
        .map(|github| github.email.as_str().to_owned())
        .expect("the owner's GitHub account");
    let tag = owner_email.split('@').next().unwrap_or_default().to_owned();

    for (index, row) in MATRIX.iter().enumerate() {
        owner.restore(&app).await;
        let project_name = format!("Matrix project {index}x{tag}");
        let task_title = format!("Matrix task {index}x{tag}");
        let project_id = testkit::create_project(&owner.client, &project_name).await;
        let task = testkit::create_task(&owner.client, project_id, &task_title).await;
        let (project, task_id) = (project_id.to_string(), task["id"].to_string());
        let client = &owner.client;
        let label = client
            .call_ok(
                "create_label",
                &[
                    ("project_id", &project),
                    ("name", "Matrix"),
                    ("colour", "teal"),
                ],
            )
            .await;
        client
            .call_ok(
                "add_subtask",
                &[("task_id", &task_id), ("title", "Matrix step")],
            )
            .await;
        client
            .call_ok(
                "add_comment",
                &[("task_id", &task_id), ("body", "Matrix note")],
            )
            .await;
        let view = client
            .call_ok(
                "save_view",
                &[
                    ("project_id", &project),
                    ("name", "Matrix view"),
                    ("query", ""),
                ],
            )
            .await;
        let details = client.call_ok("task_details", &[("id", &task_id)]).await;
        let fixture = Fixture {
            label_id: label["id"].to_string(),
            subtask_id: details["subtasks"][0]["id"].to_string(),
            comment_id: details["comments"][0]["id"].to_string(),
            view_id: view["id"].to_string(),
            project_id: project_id.to_string(),
            task_id: task["id"].to_string(),
            project_name,
            task_title,
            owner_email: owner_email.clone(),
            owner_github_email: owner_github_email.clone(),
        };
        let before = owner_view(&owner.client, &fixture, "setting up").await;

        for actor in [&mut anonymous, &mut other] {
            let expected = row.expected(actor.who);
            let cell = format!("{} as {:?}", row.name, actor.who);
            actor.restore(&app).await;
            let (response, sent) = send(actor, row, &fixture).await;
            let answer = check(&cell, expected, response).await;
            fixture.assert_not_in(&cell, &sent, &answer);
            owner.restore(&app).await;
            assert_eq!(
                owner_view(&owner.client, &fixture, &cell).await,
                before,
                "{cell} changed the owner's data"
            );

            // The owner's ids are indistinguishable from ids that exist nowhere.
            if row.call.names_ids() {
                actor.restore(&app).await;
                let (response, _) = send(actor, row, &fixture.ghost()).await;
                let missing = check(&format!("{cell}, ids of nothing"), expected, response).await;
                assert_eq!(
                    answer, missing,
                    "{cell}: the answer tells the owner's ids from missing ones"
                );
            }

            // The same server function posted by a browser with JavaScript off.
            let ServerFn(form) = row.call else {
                continue;
            };
            let cell = format!("{cell}, posted as a plain form");
            actor.restore(&app).await;
            let form = fixture.form(form, actor);
            let sent = format!("{form:?}");
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = actor.client.post_form(row.name, &form, "/projects").await;
            let status = response.status();
            let to = location(&response);
            let body = response.text().await.expect("body");
            assert_eq!(status, StatusCode::FOUND, "{cell}: {to:?}\n{body}");
            assert!(!to.contains("__err="), "{cell}: redirected to {to:?}");
            fixture.assert_not_in(&cell, &sent, &format!("{to}\n{body}"));
            actor.restore(&app).await;
            let path = to.strip_prefix(&app.address).unwrap_or(&to);
            let page = actor.client.page(path).await;
            let page_status = page.status();
            let html = page.text().await.expect("body");
            assert!(
                !page_status.is_server_error(),
                "{cell}: the page it leads to, {path}, answered {page_status}"
            );
            // A refusal is handed to the page it leads to, in the data the page hydrates from
            // (a form for this function shows it; these posts come from a page without one).
            let succeeded = matches!(expected, Answer::Status(s) if s.is_success());
            let refused = html.contains(&format!(r#"\"path\":\"/api/{}\""#, row.name));
            assert_eq!(refused, !succeeded, "{cell}: refused, then {path}");
            fixture.assert_not_in(&format!("{cell}, then {path}"), &sent, &html);
            owner.restore(&app).await;
            assert_eq!(
                owner_view(&owner.client, &fixture, &cell).await,
                before,
                "{cell} changed the owner's data"
            );
        }

        let cell = format!("{} as {:?}", row.name, Who::Owner);
        owner.restore(&app).await;
        let (response, _) = send(&owner, row, &fixture).await;
        let answer = check(&cell, row.owner, response).await;
        for &marker in row.owner_sees {
            let (what, text) = fixture.marker(marker);
            assert!(
                answer.contains(text),
                "{cell}: the owner's own answer should show {what} ({text:?}):\n{answer}"
            );
        }
    }

    // No cell changed either account's password.
    for actor in [&owner, &other] {
        let email = actor.email.as_deref().expect("email");
        app.client()
            .call_ok("sign_in", &[("email", email), ("password", actor.password)])
            .await;
    }
}

/// The source of a file in this workspace.
fn source(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|err| panic!("{}: {err}", full.display()))
}

/// Every registered server function, every route of the app's router and every route the server
/// mounts has a row, and every row names something that exists.
#[test]
fn every_server_function_and_route_has_a_row() {
    fn compare(kind: &str, existing: &BTreeSet<String>, rows: &BTreeSet<String>) {
        let missing: Vec<_> = existing.difference(rows).collect();
        assert!(
            missing.is_empty(),
            "{kind} without a row in the authorization matrix: {missing:?}"
        );
        let stale: Vec<_> = rows.difference(existing).collect();
        assert!(
            stale.is_empty(),
            "rows for {kind} that do not exist: {stale:?}"
        );
    }

    // Server functions, as registered at runtime.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            assert_eq!(
                method,
                Method::POST,
                "{path}: the matrix posts forms; a server function with another method needs \
                 another kind of row"
            );
            path.strip_prefix("/api/")
                .unwrap_or_else(|| panic!("{path} is not under /api/"))
                .to_owned()
        })
        .collect();
    assert!(registered.contains("get_board"), "{registered:?}");
    let rows: BTreeSet<String> = MATRIX
        .iter()
        .filter(|row| matches!(row.call, ServerFn(_)))
        .map(|row| row.name.to_owned())
        .collect();
    compare("server functions", &registered, &rows);

    // The app router's pages, as app/src/lib.rs declares them: `path!("/projects/:id")`.
    let pages: BTreeSet<String> = source("../app/src/lib.rs")
        .split("path!(\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\")").map(|(path, _)| path.to_owned()))
        .collect();
    assert!(pages.contains("/projects/:id"), "{pages:?}");
    let rows: BTreeSet<String> = MATRIX
        .iter()
        .filter(|row| matches!(row.call, Page(_)) && row.name.starts_with('/'))
        .map(|row| row.name.to_owned())
        .collect();
    compare("pages", &pages, &rows);

    // The server's own routes: every `.route(PATH, …)` in server/src and its folders, where
    // PATH is a literal or a constant of the same file.
    let mut routes = BTreeSet::new();
    let mut folders = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a folder of server/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).expect("source");
        for rest in text.split(".route(").skip(1) {
            let argument = rest.split(',').next().unwrap_or_default().trim();
            let route = match argument.strip_prefix('"') {
                Some(literal) => literal.trim_end_matches('"').to_owned(),
                None => {
                    let name = argument.rsplit("::").next().unwrap_or(argument);
                    text.split(&format!("const {name}: &str = \""))
                        .nth(1)
                        .and_then(|value| value.split('"').next())
                        .unwrap_or_else(|| {
                            panic!("{}: cannot resolve route {argument}", path.display())
                        })
                        .to_owned()
                }
            };
            routes.insert(route);
        }
    }
    assert!(routes.contains("/healthz"), "{routes:?}");
    let rows: BTreeSet<String> = MATRIX
        .iter()
        .filter(|row| matches!(row.call, Get(_) | Post(..) | Stream(_)))
        .map(|row| row.name.to_owned())
        .collect();
    compare("server routes", &routes, &rows);

    // Each row asks what its name says.
    for row in MATRIX {
        if !row.name.starts_with('/') {
            continue;
        }
        let asked = match row.call {
            Page(path) => path
                .replace("{project}", ":id")
                .replace("{task}", ":id")
                .replace(NO_SUCH_LINK, ":token"),
            Get(path) | Post(path, _) | Stream(path) => path
                .split('?')
                .next()
                .unwrap_or(path)
                .replace("/github/", "/{provider}/")
                .replace("{project}", "{id}"),
            ServerFn(_) => continue,
        };
        assert_eq!(asked, row.name, "the row asks another route than it names");
    }
}
