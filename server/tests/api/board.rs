//! The board as people use it together: cards go exactly where they were put, many moves at
//! once never corrupt the order, long columns come a page at a time, and every open board hears
//! of a change within a second, on this instance or another one on the same PostgreSQL.

use domain::Status::{InProgress, Todo};
use futures_util::future::join_all;
use reqwest::StatusCode;
use std::collections::HashMap;
use std::time::Duration;
use testkit::on_both_databases;
use testkit::{
    board_tasks, column_titles, create_project, create_task, share, unique_email, Backend, TestApp,
    TestClient, TestDb,
};

on_both_databases!(
    cards_go_exactly_where_they_are_put,
    many_moves_at_once_keep_a_sound_order,
    long_columns_come_a_page_at_a_time,
    open_boards_hear_of_every_change_within_a_second,
    a_viewer_follows_a_project_without_changing_it,
    the_list_filters_searches_and_sorts,
);

async fn move_to(client: &TestClient, task: &str, to: &str) {
    client
        .call_ok("move_task", &[("id", task), ("to", to)])
        .await;
}

/// Creates tasks with these titles (in this order) and returns title → id.
async fn tasks(client: &TestClient, project: i32, titles: &[&str]) -> HashMap<String, String> {
    let mut ids = HashMap::new();
    for title in titles {
        let task = create_task(client, project, title).await;
        ids.insert((*title).to_owned(), task["id"].to_string());
    }
    ids
}

async fn cards_go_exactly_where_they_are_put(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("placer")).await;
    let project = create_project(&client, "Order").await;
    let id = tasks(&client, project, &["A", "B", "C", "D"]).await;

    move_to(&client, &id["D"], &format!("todo:{}", id["A"])).await;
    assert_eq!(
        column_titles(&client.board(project).await, Todo),
        ["D", "A", "B", "C"]
    );
    move_to(&client, &id["D"], "todo").await;
    assert_eq!(
        column_titles(&client.board(project).await, Todo),
        ["A", "B", "C", "D"]
    );

    move_to(&client, &id["B"], "in_progress").await;
    move_to(&client, &id["C"], &format!("in_progress:{}", id["B"])).await;
    let now = client.board(project).await;
    assert_eq!(column_titles(&now, Todo), ["A", "D"]);
    assert_eq!(column_titles(&now, InProgress), ["C", "B"]);

    // Again and again into the same gap: the column is spaced out anew when the gap runs out,
    // and nothing changes order on the way.
    let mut expected = vec!["A".to_owned(), "D".to_owned()];
    for n in 0..14 {
        let title = format!("N{n}");
        let task = create_task(&client, project, &title).await;
        move_to(
            &client,
            &task["id"].to_string(),
            &format!("todo:{}", id["D"]),
        )
        .await;
        expected.insert(expected.len() - 1, title);
        assert_eq!(column_titles(&client.board(project).await, Todo), expected);
    }

    // A card named as the neighbour that has meanwhile left the column: the bottom.
    move_to(&client, &id["A"], &format!("todo:{}", id["C"])).await;
    assert_eq!(
        column_titles(&client.board(project).await, Todo)
            .last()
            .map(String::as_str),
        Some("A")
    );

    for bad in ["", "sideways", "todo:", "todo:x"] {
        let response = client
            .call("move_task", &[("id", &id["A"]), ("to", bad)])
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad:?}"
        );
        let text = response.text().await.expect("body");
        assert!(text.contains("Choose where the card goes."), "{text}");
    }

    // With JavaScript off, a card's "Move up" button is a form post that comes back to the board.
    let before = client.board(project).await;
    let todo = column_titles(&before, Todo);
    let last = board_tasks(&before)
        .into_iter()
        .find(|t| t.title == todo[todo.len() - 1])
        .expect("last card");
    let above = board_tasks(&before)
        .into_iter()
        .find(|t| t.title == todo[todo.len() - 2])
        .expect("card above");
    let page = client.page_html(&format!("/projects/{project}")).await;
    let up = format!("value=\"todo:{}\"", above.id);
    assert!(page.contains(&up), "the last card offers Move up: {up}");
    let response = client
        .post_form(
            "move_task",
            &[
                ("id", &last.id.to_string()),
                ("to", &format!("todo:{}", above.id)),
            ],
            &format!("/projects/{project}"),
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let after = column_titles(&client.board(project).await, Todo);
    assert_eq!(after[after.len() - 2], todo[todo.len() - 1]);
    assert_eq!(after[after.len() - 1], todo[todo.len() - 2]);
}

async fn many_moves_at_once_keep_a_sound_order(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("rush")).await;
    let project = create_project(&client, "Rush").await;

    // Twenty cards added at once still get a place each.
    let titles: Vec<String> = (0..20).map(|n| format!("Card {n}")).collect();
    let created = join_all(titles.iter().map(|t| create_task(&client, project, t))).await;
    let ids: Vec<String> = created.iter().map(|t| t["id"].to_string()).collect();

    // Everyone moves a card at once: odd ones above card 0 in "In progress" (which card 0 is
    // also moving to), even ones above the card after them.
    move_to(&client, &ids[0], "in_progress").await;
    let moves = (1..20).map(|n| {
        let to = if n % 2 == 1 {
            format!("in_progress:{}", ids[0])
        } else {
            format!("todo:{}", ids[(n + 1) % 20])
        };
        let (client, id) = (&client, ids[n].clone());
        async move { move_to(client, &id, &to).await }
    });
    join_all(moves).await;

    let now = client.board(project).await;
    let all = board_tasks(&now);
    assert_eq!(all.len(), 20, "no card lost or doubled");
    let mut seen: Vec<i32> = all.iter().map(|t| t.id).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 20, "no card lost or doubled");
    for column in &now.columns {
        let positions: Vec<i64> = column.tasks.iter().map(|t| t.position).collect();
        assert!(
            positions.windows(2).all(|pair| pair[0] < pair[1]),
            "every card of {:?} has a place of its own: {positions:?}",
            column.status
        );
    }
    let in_progress = column_titles(&now, InProgress);
    assert_eq!(in_progress.len(), 11, "{in_progress:?}");
    assert_eq!(in_progress.last().map(String::as_str), Some("Card 0"));
}

async fn long_columns_come_a_page_at_a_time(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("pager")).await;
    let project = create_project(&client, "Long").await;
    for n in 0..60 {
        create_task(&client, project, &format!("Item {n:02}")).await;
    }
    let first = client.board(project).await;
    let todo = &first.columns[0];
    assert_eq!(todo.total, 60);
    assert_eq!(todo.tasks.len(), 50);

    let more = client
        .call_ok(
            "get_board",
            &[
                ("project_id", &project.to_string()),
                ("limits[todo]", "100"),
            ],
        )
        .await;
    assert_eq!(
        more["columns"][0]["tasks"].as_array().map(Vec::len),
        Some(60)
    );

    // The page says how many are shown and links to the next page.
    let html = client.page_html(&format!("/projects/{project}")).await;
    assert!(html.contains("Show more (50 of 60 shown)"), "{html}");
    assert!(html.contains("href=\"?todo=100\""), "{html}");
    assert!(!html.contains("Item 50"), "the second page is not sent");
    let html = client
        .page_html(&format!("/projects/{project}?todo=100"))
        .await;
    assert!(html.contains("Item 59"));
    assert!(!html.contains("Show more"));
}

/// An open event stream on a project, and what has arrived of it but not been read.
pub(crate) struct Events(reqwest::Response, String);

impl Events {
    pub(crate) async fn open(client: &TestClient, project: i32) -> Self {
        let response = client
            .http
            .get(format!("{}/projects/{project}/events", client.address))
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Events(response, String::new())
    }

    /// The next event's data, waiting at most `within`.
    pub(crate) async fn next(&mut self, within: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            while let Some(end) = self.1.find("\n\n") {
                let block: String = self.1.drain(..end + 2).collect();
                if block.lines().any(|line| line == "event: change") {
                    let data = block.lines().find_map(|line| line.strip_prefix("data: "));
                    return data.map(str::to_owned);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.0.chunk())
                .await
                .ok()?;
            self.1.push_str(&String::from_utf8_lossy(&chunk.ok()??));
        }
    }

    pub(crate) async fn revision(&mut self, within: Duration) -> i64 {
        let data = self.next(within).await.expect("an event in time");
        data.parse()
            .unwrap_or_else(|_| panic!("a revision, not {data:?}"))
    }
}

async fn open_boards_hear_of_every_change_within_a_second(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("live")).await;
    let project = create_project(&owner, "Live").await;
    let task = create_task(&owner, project, "Watched").await;
    let id = task["id"].to_string();

    let mut events = Events::open(&owner, project).await;
    let opened_at = events.revision(Duration::from_secs(5)).await;
    assert!(opened_at >= 1, "the first event is the current revision");

    move_to(&owner, &id, "done").await;
    let moved = events.revision(Duration::from_secs(1)).await;
    assert!(moved > opened_at);
    create_task(&owner, project, "Another").await;
    assert!(events.revision(Duration::from_secs(1)).await > moved);

    // Another project's changes are not this stream's business.
    let elsewhere = create_project(&owner, "Elsewhere").await;
    create_task(&owner, elsewhere, "Quiet").await;
    assert_eq!(events.next(Duration::from_millis(500)).await, None);

    // Strangers and signed-out visitors get nothing.
    let stranger = app.signed_in_client(&unique_email("stranger")).await;
    let url = format!("{}/projects/{project}/events", app.address);
    let response = stranger.http.get(&url).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app.client().http.get(&url).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // A browser that reconnects hears the current revision first, so it knows what it missed.
    drop(events);
    move_to(&owner, &id, "todo").await;
    let mut again = Events::open(&owner, project).await;
    assert!(again.revision(Duration::from_secs(5)).await > moved + 1);
}

async fn a_viewer_follows_a_project_without_changing_it(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let viewer_email = unique_email("viewer");
    let viewer = app.signed_in_client(&viewer_email).await;
    let project = create_project(&owner, "Shared").await;
    let task = create_task(&owner, project, "Card").await;
    share(&owner, project, &viewer, &viewer_email, "viewer").await;
    let mut events = Events::open(&viewer, project).await;
    let start = events.revision(Duration::from_secs(5)).await;
    let response = viewer
        .call(
            "move_task",
            &[("id", &task["id"].to_string()), ("to", "done")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        events.next(Duration::from_millis(500)).await,
        None,
        "a refused move is no change"
    );
    move_to(&owner, &task["id"].to_string(), "done").await;
    assert!(events.revision(Duration::from_secs(1)).await > start);
}

/// Two instances on one PostgreSQL: a change made through one reaches a board open on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_cross_instances_through_postgres() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let first = TestApp::spawn(&db).await;
    let second = TestApp::spawn(&db).await;
    let email = unique_email("two");
    let on_first = first.signed_in_client(&email).await;
    let on_second = second.client();
    on_second
        .call_ok(
            "sign_in",
            &[("email", &email), ("password", testkit::PASSWORD)],
        )
        .await;
    let project = create_project(&on_first, "Everywhere").await;
    let task = create_task(&on_first, project, "Travels").await;

    let mut events = Events::open(&on_second, project).await;
    let start = events.revision(Duration::from_secs(5)).await;
    move_to(&on_first, &task["id"].to_string(), "in_progress").await;
    let seen = events.revision(Duration::from_secs(1)).await;
    assert!(
        seen > start,
        "the second instance heard of the first one's move"
    );
    let board = on_second.board(project).await;
    assert_eq!(column_titles(&board, InProgress), ["Travels"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_listening_connection_makes_open_boards_read_again() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("cut")).await;
    let project = create_project(&owner, "Cut off").await;
    let task = create_task(&owner, project, "Survives").await;
    let mut events = Events::open(&owner, project).await;
    let start = events.revision(Duration::from_secs(5)).await;

    // What a database restart or a dropped network link does to the instance's LISTEN.
    let direct = store::Db::connect(&store::DbSettings::for_url(&db.url))
        .await
        .expect("connect");
    use sea_orm::ConnectionTrait;
    let cut = direct
        .conn()
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%' \
             AND pid <> pg_backend_pid()",
        )
        .await
        .expect("terminate the listening connection");
    assert_eq!(cut.rows_affected(), 1, "one connection listens");

    // Changes may have gone unannounced meanwhile, so the board is told to read itself again...
    assert_eq!(
        events.next(Duration::from_secs(5)).await.as_deref(),
        Some("resync")
    );
    // ...and from then on it hears of changes as before.
    move_to(&owner, &task["id"].to_string(), "done").await;
    assert!(events.revision(Duration::from_secs(1)).await > start);
}

async fn the_list_filters_searches_and_sorts(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("lister")).await;
    let project = create_project(&client, "Listed").await;
    let today = chrono::Utc::now().date_naive();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let rows = [
        (
            "Write release notes",
            "for the deployment",
            "todo",
            "high",
            day(0),
        ),
        (
            "Fix login bug",
            "users cannot sign in",
            "in_progress",
            "urgent",
            day(-1),
        ),
        ("Plan the offsite", "", "done", "medium", String::new()),
        ("Deploy version two", "", "todo", "low", day(3)),
    ];
    for (title, description, status, priority, due) in &rows {
        let task = create_task(&client, project, title).await;
        client
            .call_ok(
                "update_task",
                &[
                    ("id", &task["id"].to_string()),
                    ("title", title),
                    ("description", description),
                    ("status", status),
                    ("priority", priority),
                    ("due_date", due),
                ],
            )
            .await;
    }
    let list = |query: &'static [(&'static str, &'static str)]| {
        let client = &client;
        async move {
            let mut form = vec![("project_id".to_owned(), project.to_string())];
            form.extend(
                query
                    .iter()
                    .map(|(k, v)| (format!("filter[{k}]"), (*v).to_owned())),
            );
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let answer = client.call_ok("list_tasks", &form).await;
            answer["tasks"]
                .as_array()
                .expect("tasks")
                .iter()
                .map(|t| t["title"].as_str().unwrap_or_default().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(&[]).await,
        [
            "Write release notes",
            "Deploy version two",
            "Fix login bug",
            "Plan the offsite"
        ],
        "board order: column by column"
    );
    assert_eq!(
        list(&[("search", "deploy")]).await,
        ["Write release notes", "Deploy version two"]
    );
    assert_eq!(list(&[("search", "SIGN")]).await, ["Fix login bug"]);
    assert_eq!(list(&[("search", "100%_")]).await, Vec::<String>::new());
    assert_eq!(list(&[("due", "Overdue")]).await, ["Fix login bug"]);
    assert_eq!(list(&[("due", "Today")]).await, ["Write release notes"]);
    assert_eq!(
        list(&[("due", "ThisWeek")]).await,
        ["Write release notes", "Deploy version two"]
    );
    assert_eq!(list(&[("due", "NoDate")]).await, ["Plan the offsite"]);
    assert_eq!(list(&[("status", "Done")]).await, ["Plan the offsite"]);
    assert_eq!(list(&[("priority", "Urgent")]).await, ["Fix login bug"]);
    assert_eq!(
        list(&[("sort", "Priority")]).await,
        [
            "Fix login bug",
            "Write release notes",
            "Plan the offsite",
            "Deploy version two"
        ]
    );
    assert_eq!(
        list(&[("sort", "Due")]).await,
        [
            "Fix login bug",
            "Write release notes",
            "Deploy version two",
            "Plan the offsite"
        ]
    );

    // The page reads the same filter from its URL and keeps it in the form.
    let html = client
        .page_html(&format!(
            "/projects/{project}/list?q=deploy&sort=due&status=todo"
        ))
        .await;
    assert!(html.contains("Deploy version two") && html.contains("Write release notes"));
    assert!(!html.contains("Fix login bug"));
    assert!(
        html.contains("value=\"deploy\""),
        "the search stays in its field"
    );
    assert!(html.contains("2 tasks"));
    let html = client
        .page_html(&format!("/projects/{project}/list?due=none&sort=nonsense"))
        .await;
    assert!(html.contains("Plan the offsite") && html.contains("1 task"));
    let html = client
        .page_html(&format!("/projects/{project}/list?q=nothing+like+it"))
        .await;
    assert!(html.contains("No task matches these filters."));
}
