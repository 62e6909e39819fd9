use domain::Status;
use reqwest::StatusCode;
use testkit::on_both_databases;
use testkit::{create_project, create_task, error_text, location, unique_email, TestApp, TestDb};

on_both_databases!(
    projects_can_be_created_renamed_and_deleted,
    tasks_move_through_the_board,
    task_edits_are_validated_and_lose_nothing,
);

use testkit::column_titles as titles;

async fn projects_can_be_created_renamed_and_deleted(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("pm")).await;

    let response = client.call("create_project", &[("name", "   ")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(response)
        .await
        .contains("Project name must be between 1 and 100 characters."));

    let id = create_project(&client, "  Launch  ").await;
    let list = client.call_ok("list_projects", &[]).await;
    assert_eq!(list[0]["name"], "Launch", "names are trimmed");

    let response = client
        .call("rename_project", &[("id", &id.to_string()), ("name", "")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let project = client
        .call_ok("get_project", &[("id", &id.to_string())])
        .await;
    assert_eq!(
        project["name"], "Launch",
        "a rejected rename changes nothing"
    );

    let response = client
        .call(
            "rename_project",
            &[("id", &id.to_string()), ("name", "Relaunch")],
        )
        .await;
    assert_eq!(location(&response), format!("/projects/{id}"));
    let html = client.page_html(&format!("/projects/{id}")).await;
    assert!(html.contains("Relaunch"));

    create_task(&client, id, "Goes with the project").await;
    let response = client
        .call("delete_project", &[("id", &id.to_string())])
        .await;
    assert_eq!(location(&response), "/projects");
    assert_eq!(
        client.call_ok("list_projects", &[]).await,
        serde_json::json!([])
    );
    let response = client.page(&format!("/projects/{id}")).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn tasks_move_through_the_board(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("mover")).await;
    let project = create_project(&client, "Board").await;

    let first = create_task(&client, project, "First").await;
    create_task(&client, project, "Second").await;
    create_task(&client, project, "Third").await;
    let board_now = client.board(project).await;
    assert_eq!(
        titles(&board_now, Status::Todo),
        ["First", "Second", "Third"],
        "new tasks go to the bottom of To do"
    );

    let id = first["id"].to_string();
    let moved = client
        .call_ok("move_task", &[("id", &id), ("to", "in_progress")])
        .await;
    assert_eq!(moved["status"], "InProgress");
    client
        .call_ok("move_task", &[("id", &id), ("to", "done")])
        .await;
    let board_now = client.board(project).await;
    assert_eq!(titles(&board_now, Status::Todo), ["Second", "Third"]);
    assert_eq!(titles(&board_now, Status::Done), ["First"]);

    let response = client
        .call("move_task", &[("id", &id), ("to", "archived")])
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let html = client.page_html(&format!("/projects/{project}")).await;
    for text in [
        "To do",
        "In progress",
        "Done",
        "First",
        "Second",
        "Move to In progress",
    ] {
        assert!(html.contains(text), "the board page shows {text:?}");
    }

    let response = client.call("delete_task", &[("id", &id)]).await;
    assert_eq!(location(&response), format!("/projects/{project}"));
    assert_eq!(
        titles(&client.board(project).await, Status::Done),
        Vec::<String>::new()
    );
}

async fn task_edits_are_validated_and_lose_nothing(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("editor")).await;
    let project = create_project(&client, "Edits").await;
    let task = create_task(&client, project, "Write the docs").await;
    let id = task["id"].to_string();

    let response = client
        .call(
            "create_task",
            &[
                ("project_id", &project.to_string()),
                ("title", &"t".repeat(201)),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_text(response)
        .await
        .contains("Title must be between 1 and 200 characters."));

    let edit = |title: &'static str, due: &'static str| {
        let id = id.clone();
        move || {
            vec![
                ("id", id.clone()),
                ("title", title.to_owned()),
                ("description", "Cover *every* command.".to_owned()),
                ("status", "in_progress".to_owned()),
                ("priority", "urgent".to_owned()),
                ("due_date", due.to_owned()),
            ]
        }
    };
    let as_refs = |pairs: &[(&'static str, String)]| {
        pairs
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<_>>()
    };

    let bad = edit("", "31/12/2026")();
    let form: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = client.call("update_task", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = error_text(response).await;
    assert!(
        body.contains("Title must be between 1 and 200 characters."),
        "{body}"
    );
    assert!(body.contains("Enter the due date as YYYY-MM-DD"), "{body}");
    let unchanged = client.call_ok("get_task", &[("id", &id)]).await;
    assert_eq!(
        unchanged["title"], "Write the docs",
        "a rejected edit changes nothing"
    );
    assert_eq!(unchanged["priority"], "Medium");

    let good = as_refs(&edit("Write the user guide", "2026-12-31")());
    let form: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = client.call("update_task", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(location(&response), format!("/projects/{project}"));
    let saved = client.call_ok("get_task", &[("id", &id)]).await;
    assert_eq!(saved["title"], "Write the user guide");
    assert_eq!(saved["description"], "Cover *every* command.");
    assert_eq!(saved["status"], "InProgress");
    assert_eq!(saved["priority"], "Urgent");
    assert_eq!(saved["due_date"], "2026-12-31");

    let html = client.page_html(&format!("/projects/{project}")).await;
    assert!(
        html.contains("Write the user guide")
            && html.contains("Urgent")
            && html.contains("2026-12-31")
    );
}

on_both_databases!(malformed_arguments_are_the_clients_mistake);

async fn malformed_arguments_are_the_clients_mistake(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("malformed")).await;
    let response = client
        .call(
            "create_task",
            &[("project_id", "not-a-number"), ("title", "x")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("could not be completed") || body.contains("deserializing"),
        "{body}"
    );
    let missing = client
        .call("rename_project", &[("name", "only a name")])
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
}
