//! What a task carries besides its own fields, as its members use it: labels with colours,
//! assignees, a checklist whose progress shows on the card, comments in safe Markdown, and the
//! history of who changed what. Also "My tasks" across projects, and saved list views.

use crate::board::Events;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::Duration;
use testkit::on_both_databases;
use testkit::{
    board_tasks, create_project, create_task, error_text, location, share, unique_email, TestApp,
    TestClient, TestDb,
};

on_both_databases!(
    a_task_carries_labels_assignees_a_checklist_and_comments,
    comments_never_carry_script,
    my_tasks_gathers_open_work_across_projects,
    saved_views_are_each_persons_own,
    each_page_reads_what_it_shows_once,
);

async fn details(client: &TestClient, task: &str) -> Value {
    client.call_ok("task_details", &[("id", task)]).await
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The task's history lines as the server sends them, newest first.
fn activity_of(details: &Value) -> Vec<domain::Activity> {
    serde_json::from_value(details["activity"].clone()).expect("history lines")
}

async fn a_task_carries_labels_assignees_a_checklist_and_comments(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner_email = unique_email("carrier");
    let owner = app.signed_in_client(&owner_email).await;
    let teammate_email = unique_email("teammate");
    let teammate = app.signed_in_client(&teammate_email).await;
    let outsider = app.signed_in_client(&unique_email("outsider")).await;
    let project = create_project(&owner, "Carried").await;
    let p = project.to_string();
    share(&owner, project, &teammate, &teammate_email, "editor").await;
    let task = create_task(&owner, project, "Ship it").await["id"].to_string();
    let other = create_task(&owner, project, "Something else").await["id"].to_string();
    let mut events = Events::open(&teammate, project).await;
    let start = events.revision(Duration::from_secs(5)).await;

    // Labels: a name the project already has, a colour outside the palette, an empty name.
    let bug = owner
        .call_ok(
            "create_label",
            &[("project_id", &p), ("name", "Bug"), ("colour", "red")],
        )
        .await;
    assert_eq!(bug["colour"], "Red");
    let ui = owner
        .call_ok(
            "create_label",
            &[("project_id", &p), ("name", "UI"), ("colour", "blue")],
        )
        .await;
    for (name, colour, message) in [
        (
            " Bug ",
            "green",
            "This project already has a label with that name.",
        ),
        ("Docs", "#ff0000", "Choose one of the label colours."),
        (
            "  ",
            "green",
            "Label name must be between 1 and 40 characters.",
        ),
    ] {
        let response = owner
            .call(
                "create_label",
                &[("project_id", &p), ("name", name), ("colour", colour)],
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}"
        );
        let text = error_text(response).await;
        assert!(text.contains(message), "{text}");
    }
    let (bug, ui) = (bug["id"].to_string(), ui["id"].to_string());
    for label in [&bug, &ui] {
        owner
            .call_ok(
                "set_task_label",
                &[("id", &task), ("label_id", label), ("applied", "true")],
            )
            .await;
    }
    // Applying it twice changes nothing; a label of another project is not found.
    owner
        .call_ok(
            "set_task_label",
            &[("id", &task), ("label_id", &bug), ("applied", "true")],
        )
        .await;
    let elsewhere = create_project(&owner, "Elsewhere").await;
    let foreign = owner
        .call_ok(
            "create_label",
            &[
                ("project_id", &elsewhere.to_string()),
                ("name", "Foreign"),
                ("colour", "pink"),
            ],
        )
        .await["id"]
        .to_string();
    let response = owner
        .call(
            "set_task_label",
            &[("id", &task), ("label_id", &foreign), ("applied", "true")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // Assignees: members only.
    let me = owner.user_id().await.to_string();
    let mate = teammate.user_id().await.to_string();
    for person in [&me, &mate] {
        owner
            .call_ok(
                "set_assignee",
                &[("id", &task), ("user_id", person), ("assigned", "true")],
            )
            .await;
    }
    let stranger = outsider.user_id().await.to_string();
    let response = owner
        .call(
            "set_assignee",
            &[("id", &task), ("user_id", &stranger), ("assigned", "true")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "only members");

    // The checklist, from the teammate.
    for title in ["Write the changelog", "Tag the release", "Announce it"] {
        teammate
            .call_ok("add_subtask", &[("task_id", &task), ("title", title)])
            .await;
    }
    let response = teammate
        .call("add_subtask", &[("task_id", &task), ("title", "   ")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let seen = details(&teammate, &task).await;
    let first = seen["subtasks"][0]["id"].to_string();
    let last = seen["subtasks"][2]["id"].to_string();
    teammate
        .call_ok("check_subtask", &[("id", &first), ("done", "true")])
        .await;
    teammate.call_ok("delete_subtask", &[("id", &last)]).await;

    // The card shows all of it, and the board that watched heard of every change.
    let board = owner.board(project).await;
    let card = board_tasks(&board)
        .into_iter()
        .find(|t| t.id.to_string() == task)
        .expect("the card");
    let labels: Vec<&str> = card.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(labels, ["Bug", "UI"]);
    let mut assigned: Vec<String> = card.assignees.iter().map(|a| a.email.clone()).collect();
    assigned.sort();
    let mut expected = vec![owner_email.clone(), teammate_email.clone()];
    expected.sort();
    assert_eq!(assigned, expected);
    assert_eq!((card.progress.done, card.progress.total), (1, 2));
    let plain = board_tasks(&board)
        .into_iter()
        .find(|t| t.id.to_string() == other)
        .expect("the other card");
    assert!(plain.labels.is_empty());
    let mut last_seen = start;
    for _ in 0..8 {
        let revision = events.revision(Duration::from_secs(1)).await;
        assert!(revision > last_seen);
        last_seen = revision;
    }

    // The list filters by label and by assignee.
    let listed = |query: Vec<(&'static str, String)>| {
        let owner = &owner;
        let p = p.clone();
        async move {
            let mut form = vec![("project_id".to_owned(), p)];
            form.extend(query.into_iter().map(|(k, v)| (format!("filter[{k}]"), v)));
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            names(&owner.call_ok("list_tasks", &form).await["tasks"], "title")
        }
    };
    assert_eq!(listed(vec![("label", ui.clone())]).await, ["Ship it"]);
    // (The server function takes the filter's own serde form; the page reads `?assignee=me`.)
    assert_eq!(listed(vec![("assignee", "Me".into())]).await, ["Ship it"]);
    assert_eq!(
        listed(vec![("assignee", "Nobody".into())]).await,
        ["Something else"]
    );
    assert_eq!(
        listed(vec![("assignee][User", mate.clone())]).await,
        ["Ship it"]
    );
    let page = owner
        .page_html(&format!(
            "/projects/{project}/list?label={bug}&assignee=none"
        ))
        .await;
    assert!(page.contains("No task matches these filters."), "{page}");

    // Comments, and their history.
    let response = teammate
        .call("add_comment", &[("task_id", &task), ("body", "  ")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(response)
        .await
        .contains("Write something to comment."));
    teammate
        .call_ok(
            "add_comment",
            &[("task_id", &task), ("body", "Looks **good** to me")],
        )
        .await;
    let seen = details(&owner, &task).await;
    assert_eq!(seen["comments"][0]["author"], teammate_email.as_str());
    assert_eq!(
        seen["comments"][0]["html"],
        "<p>Looks <strong>good</strong> to me</p>\n"
    );
    let comment = seen["comments"][0]["id"].to_string();
    let history: Vec<String> = activity_of(&seen)
        .iter()
        .rev()
        .map(|line| {
            let actor = line.actor.as_deref().unwrap_or("?");
            format!("{actor} {}", app::history::sentence(line))
        })
        .collect();
    let o = &owner_email;
    let t = &teammate_email;
    assert_eq!(
        history,
        [
            format!("{o} created the task"),
            format!("{o} added the label “Bug”"),
            format!("{o} added the label “UI”"),
            format!("{o} assigned {o}"),
            format!("{o} assigned {t}"),
            format!("{t} added the subtask “Write the changelog”"),
            format!("{t} added the subtask “Tag the release”"),
            format!("{t} added the subtask “Announce it”"),
            format!("{t} checked “Write the changelog”"),
            format!("{t} removed the subtask “Announce it”"),
            format!("{t} commented"),
        ]
    );
    // Editing the task writes what changed.
    owner
        .call_ok(
            "update_task",
            &[
                ("id", &task),
                ("title", "Ship it now"),
                ("description", ""),
                ("status", "in_progress"),
                ("priority", "urgent"),
                ("due_date", "2030-01-31"),
            ],
        )
        .await;
    let seen = details(&owner, &task).await;
    let newest: Vec<String> = activity_of(&seen)
        .iter()
        .take(4)
        .map(app::history::sentence)
        .collect();
    assert_eq!(
        newest,
        [
            "set the due date to 2030-01-31",
            "changed the priority from Medium to Urgent",
            "moved it from To do to In progress",
            "renamed it to “Ship it now”",
        ]
    );

    // The page shows it all, JavaScript off.
    let page = owner.page_html(&format!("/tasks/{task}")).await;
    for shown in [
        "Bug",
        "Write the changelog",
        "1 of 2 done",
        "Looks <strong>good</strong> to me",
        "checked “Write the changelog”",
    ] {
        assert!(page.contains(shown), "the task page lacks {shown:?}");
    }
    // A form posted without JavaScript comes back to the page it came from.
    let response = owner
        .post_form(
            "add_comment",
            &[("task_id", &task), ("body", "From a plain form")],
            &format!("/tasks/{task}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = location(&response);
    assert!(back.contains(&format!("/tasks/{task}")), "{back}");
    let page = owner.page_html(&format!("/tasks/{task}")).await;
    assert!(page.contains("From a plain form"));

    // Only its author or an owner deletes a comment; the owner may.
    owner.call_ok("delete_comment", &[("id", &comment)]).await;
    assert_eq!(
        details(&owner, &task).await["comments"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Removing a label takes it off the cards; a member who leaves is unassigned, and open
    // boards hear of both (as of a role change) so no card keeps showing them.
    let mut watching = Events::open(&owner, project).await;
    let mut seen_revision = watching.revision(Duration::from_secs(5)).await;
    owner.call_ok("delete_label", &[("id", &bug)]).await;
    owner
        .call_ok(
            "change_member_role",
            &[("project_id", &p), ("user_id", &mate), ("role", "viewer")],
        )
        .await;
    owner
        .call_ok("remove_member", &[("project_id", &p), ("user_id", &mate)])
        .await;
    for change in ["the label's deletion", "the role change", "the removal"] {
        let revision = watching.revision(Duration::from_secs(1)).await;
        assert!(revision > seen_revision, "{change} was not announced");
        seen_revision = revision;
    }
    let card = details(&owner, &task).await["task"].clone();
    assert_eq!(names(&card["labels"], "name"), ["UI"]);
    assert_eq!(names(&card["assignees"], "email"), [owner_email.as_str()]);
}

async fn comments_never_carry_script(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("scripter")).await;
    let project = create_project(&owner, "Scripted").await;
    let task = create_task(&owner, project, "Target").await["id"].to_string();
    let attack =
        "<script>alert('x')</script> <img src=x onerror=alert(1)> [link](javascript:alert(1))";
    owner
        .call_ok("add_comment", &[("task_id", &task), ("body", attack)])
        .await;
    let html = details(&owner, &task).await["comments"][0]["html"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("href=\"javascript:"), "{html}");
    assert!(
        html.contains("&lt;script&gt;"),
        "typed HTML shows as text: {html}"
    );
    let page = owner.page_html(&format!("/tasks/{task}")).await;
    assert!(
        !page.contains("<script>alert"),
        "the page runs nothing typed"
    );
    assert!(!page.contains("<img src=x"), "the page runs nothing typed");
}

/// The titles in one part of My tasks, in order.
fn section_titles(mine: &Value, section: &str) -> Vec<String> {
    mine[section]
        .as_array()
        .expect("section")
        .iter()
        .filter_map(|row| row["task"]["title"].as_str().map(str::to_owned))
        .collect()
}

async fn my_tasks_gathers_open_work_across_projects(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let me_email = unique_email("mine");
    let me = app.signed_in_client(&me_email).await;
    let colleague_email = unique_email("colleague");
    let colleague = app.signed_in_client(&colleague_email).await;
    let today = chrono::Utc::now().date_naive();
    let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
    let my_id = me.user_id().await.to_string();
    let their_id = colleague.user_id().await.to_string();
    let first = create_project(&me, "First").await;
    let second = create_project(&colleague, "Second").await;
    share(&colleague, second, &me, &me_email, "editor").await;
    let private = create_project(&colleague, "Theirs alone").await;
    /// Who makes it, in which project, its title, due date, assignee and status.
    type Row<'a> = (
        &'a TestClient,
        i32,
        &'a str,
        String,
        Option<&'a str>,
        &'a str,
    );
    let rows: [Row; 7] = [
        (&me, first, "Late and mine", day(-2), Some(&my_id), "todo"),
        (&me, first, "Late, nobody's", day(-1), None, "in_progress"),
        (
            &colleague,
            second,
            "Late, theirs",
            day(-1),
            Some(&their_id),
            "todo",
        ),
        (&colleague, second, "Soon, nobody's", day(2), None, "todo"),
        (
            &colleague,
            second,
            "Mine, no date",
            String::new(),
            Some(&my_id),
            "todo",
        ),
        (&me, first, "Done and mine", day(-3), Some(&my_id), "done"),
        (&colleague, private, "Not my project", day(-1), None, "todo"),
    ];
    for (client, project, title, due, assignee, status) in &rows {
        let task = create_task(client, *project, title).await["id"].to_string();
        client
            .call_ok(
                "update_task",
                &[
                    ("id", &task),
                    ("title", title),
                    ("description", ""),
                    ("status", status),
                    ("priority", "medium"),
                    ("due_date", due),
                ],
            )
            .await;
        if let Some(person) = assignee {
            client
                .call_ok(
                    "set_assignee",
                    &[("id", &task), ("user_id", person), ("assigned", "true")],
                )
                .await;
        }
    }
    let mine = me.call_ok("my_tasks", &[]).await;
    let titles = |section: &str| section_titles(&mine, section);
    assert_eq!(titles("overdue"), ["Late and mine", "Late, nobody's"]);
    assert_eq!(titles("due_soon"), ["Soon, nobody's"]);
    assert_eq!(titles("assigned"), ["Late and mine", "Mine, no date"]);
    assert_eq!(mine["due_soon"][0]["project"], "Second");
    let page = me.page_html("/my-tasks").await;
    for shown in ["Overdue", "Late and mine", "Soon, nobody", "Mine, no date"] {
        assert!(page.contains(shown), "My tasks lacks {shown:?}");
    }
    assert!(!page.contains("Not my project"));
    assert!(!page.contains("Done and mine"));

    // Changed after it was assigned, a task moves in My tasks at once: given a date, it is
    // soonest; finished, it leaves (each assignment carries copies of these fields).
    let id_of = |section: &str, title: &str| -> String {
        mine[section]
            .as_array()
            .and_then(|rows| rows.iter().find(|row| row["task"]["title"] == title))
            .map(|row| row["task"]["id"].to_string())
            .expect("listed")
    };
    let undated = id_of("assigned", "Mine, no date");
    let late = id_of("assigned", "Late and mine");
    me.call_ok(
        "update_task",
        &[
            ("id", &undated),
            ("title", "Mine, now dated"),
            ("description", ""),
            ("status", "in_progress"),
            ("priority", "urgent"),
            ("due_date", &day(-5)),
        ],
    )
    .await;
    me.call_ok("move_task", &[("id", &late), ("to", "done")])
        .await;
    let mine = me.call_ok("my_tasks", &[]).await;
    let titles = |section: &str| section_titles(&mine, section);
    assert_eq!(titles("assigned"), ["Mine, now dated"]);
    assert_eq!(titles("overdue"), ["Mine, now dated", "Late, nobody's"]);
}

async fn saved_views_are_each_persons_own(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("saver")).await;
    let viewer_email = unique_email("onlooker");
    let viewer = app.signed_in_client(&viewer_email).await;
    let project = create_project(&owner, "Viewed").await;
    let p = project.to_string();
    share(&owner, project, &viewer, &viewer_email, "viewer").await;
    let saved = owner
        .call_ok(
            "save_view",
            &[
                ("project_id", &p),
                ("name", "Urgent work"),
                ("query", "priority=urgent&bogus=1&sort=due"),
            ],
        )
        .await;
    // Only what the list understands is kept, in its own order.
    assert_eq!(saved["query"], "priority=urgent&sort=due");
    // Saving again under the same name replaces the view.
    owner
        .call_ok(
            "save_view",
            &[
                ("project_id", &p),
                ("name", "Urgent work"),
                ("query", "priority=high"),
            ],
        )
        .await;
    viewer
        .call_ok(
            "save_view",
            &[
                ("project_id", &p),
                ("name", "Mine"),
                ("query", "assignee=me"),
            ],
        )
        .await;
    let response = owner
        .call(
            "save_view",
            &[("project_id", &p), ("name", " "), ("query", "")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(response).await.contains("Give the view a name"));
    async fn views(client: &TestClient, project: &str) -> Value {
        client
            .call_ok("list_tasks", &[("project_id", project)])
            .await["views"]
            .clone()
    }
    let own = views(&owner, &p).await;
    assert_eq!(names(&own, "name"), ["Urgent work"]);
    assert_eq!(names(&own, "query"), ["priority=high"]);
    assert_eq!(names(&views(&viewer, &p).await, "name"), ["Mine"]);
    // The list page links to it; someone else's view cannot be deleted.
    let page = owner.page_html(&format!("/projects/{project}/list")).await;
    assert!(
        page.contains(&format!("/projects/{project}/list?priority=high")),
        "{page}"
    );
    let id = own[0]["id"].to_string();
    let response = viewer.call("delete_view", &[("id", &id)]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    owner.call_ok("delete_view", &[("id", &id)]).await;
    assert_eq!(views(&owner, &p).await, serde_json::json!([]));
}

/// Statements the task page may run, all told (session, account, the task and its parts): 17
/// since it reads the task once; about 31 when it read it twice.
const TASK_PAGE_STATEMENTS: u64 = 17;
/// Statements the list page may run: 14 since one read serves it all; about 18 when it read the
/// project twice and the invitations for the assignee filter.
const LIST_PAGE_STATEMENTS: u64 = 14;

/// The statements one page render costs, as the app's own pool counts them.
async fn statements_for(app: &TestApp, client: &TestClient, path: &str) -> u64 {
    let before = app.db.statements_run();
    client.page_html(path).await;
    app.db.statements_run() - before
}

async fn each_page_reads_what_it_shows_once(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("counted")).await;
    let project = create_project(&owner, "Counted").await;
    let task = create_task(&owner, project, "Count the queries").await["id"].to_string();
    // Something in every part, so no read is skipped for want of rows.
    let p = project.to_string();
    owner
        .call_ok(
            "create_label",
            &[("project_id", &p), ("name", "Bug"), ("colour", "red")],
        )
        .await;
    owner.assign(&task, owner.user_id().await).await;
    owner
        .call_ok("add_subtask", &[("task_id", &task), ("title", "One")])
        .await;
    owner
        .call_ok("add_comment", &[("task_id", &task), ("body", "Counted")])
        .await;

    let task_page = statements_for(&app, &owner, &format!("/tasks/{task}")).await;
    assert!(
        task_page <= TASK_PAGE_STATEMENTS,
        "the task page ran {task_page} statements"
    );
    let list_page = statements_for(&app, &owner, &format!("/projects/{project}/list")).await;
    assert!(
        list_page <= LIST_PAGE_STATEMENTS,
        "the list page ran {list_page} statements"
    );
}
