use reqwest::StatusCode;
use testkit::on_both_databases;
use testkit::{create_project, create_task, unique_email, TestApp, TestDb};

on_both_databases!(another_account_sees_and_changes_nothing);

async fn another_account_sees_and_changes_nothing(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let project = create_project(&owner, "Secret plans").await;
    let task = create_task(&owner, project, "Confidential task").await;
    let task_id = task["id"].to_string();
    let project_id = project.to_string();

    let other = app.signed_in_client(&unique_email("other")).await;
    assert_eq!(
        other.call_ok("list_projects", &[]).await,
        serde_json::json!([])
    );

    let attempts: &[(&str, Vec<(&str, &str)>)] = &[
        ("get_project", vec![("id", &project_id)]),
        ("get_board", vec![("project_id", &project_id)]),
        (
            "rename_project",
            vec![("id", &project_id), ("name", "Mine now")],
        ),
        ("delete_project", vec![("id", &project_id)]),
        (
            "create_task",
            vec![("project_id", &project_id), ("title", "Planted")],
        ),
        ("get_task", vec![("id", &task_id)]),
        ("move_task", vec![("id", &task_id), ("to", "done")]),
        (
            "update_task",
            vec![
                ("id", &task_id),
                ("title", "Overwritten"),
                ("description", ""),
                ("status", "done"),
                ("priority", "low"),
                ("due_date", ""),
            ],
        ),
        ("delete_task", vec![("id", &task_id)]),
    ];
    for (function, form) in attempts {
        let response = other.call(function, form).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{function}");
        let body = response.text().await.expect("body");
        assert!(
            !body.contains("Secret plans") && !body.contains("Confidential"),
            "{function}: {body}"
        );
    }
    for path in [
        format!("/projects/{project}"),
        format!("/projects/{project}/settings"),
        format!("/tasks/{task_id}"),
    ] {
        let response = other.page(&path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let html = response.text().await.expect("body");
        assert!(html.contains("Not found"), "{path}");
        assert!(
            !html.contains("Secret plans") && !html.contains("Confidential"),
            "{path}"
        );
    }

    // The owner's data is untouched.
    let board = owner.board(project).await;
    assert_eq!(board.project.name, "Secret plans");
    let tasks = testkit::board_tasks(&board);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].title, "Confidential task");
    assert_eq!(tasks[0].status, domain::Status::Todo);
}
