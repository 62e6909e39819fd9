//! Sharing a project with roles: what owners, editors and viewers may each do, enforced by the
//! server whatever the page shows; invitations that wait until their link is accepted; and a
//! project that always keeps an owner.

use reqwest::StatusCode;
use serde_json::Value;
use testkit::on_both_databases;
use testkit::{create_project, create_task, share, token_of, TestApp, TestClient, TestDb};

on_both_databases!(
    each_role_may_do_exactly_what_it_says,
    an_invitation_waits_until_its_link_is_accepted,
    a_project_always_keeps_an_owner,
);

/// A server function, its arguments, and the status for a viewer, an editor and a stranger.
type Case<'a> = (&'static str, Vec<(&'static str, &'a str)>, [StatusCode; 3]);

async fn role_in(client: &TestClient, project: i32) -> Value {
    client
        .call_ok("get_project", &[("id", &project.to_string())])
        .await["role"]
        .clone()
}

async fn each_role_may_do_exactly_what_it_says(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client("owner@example.com").await;
    let editor = app.signed_in_client("editor@example.com").await;
    let viewer = app.signed_in_client("viewer@example.com").await;
    let stranger = app.signed_in_client("stranger@example.com").await;
    let project = create_project(&owner, "Shared").await;
    let task = create_task(&owner, project, "Shared task").await["id"].to_string();
    share(&owner, project, &editor, "editor@example.com", "editor").await;
    share(&owner, project, &viewer, "viewer@example.com", "viewer").await;
    assert_eq!(role_in(&editor, project).await, "Editor");
    assert_eq!(role_in(&viewer, project).await, "Viewer");
    let listed = viewer.call_ok("list_projects", &[]).await;
    assert_eq!(listed[0]["name"], "Shared", "shared projects are listed");

    let p = project.to_string();
    let edit = [
        ("id", task.as_str()),
        ("title", "Edited"),
        ("description", ""),
        ("status", "in_progress"),
        ("priority", "high"),
        ("due_date", ""),
    ];
    let label = |name: &'static str| {
        let owner = &owner;
        let p = p.clone();
        async move {
            owner
                .call_ok(
                    "create_label",
                    &[("project_id", &p), ("name", name), ("colour", "green")],
                )
                .await["id"]
                .to_string()
        }
    };
    let (kept, doomed) = (label("Kept").await, label("Doomed").await);
    owner
        .call_ok("add_subtask", &[("task_id", &task), ("title", "Step")])
        .await;
    owner
        .call_ok(
            "add_comment",
            &[("task_id", &task), ("body", "Owner's note")],
        )
        .await;
    let details = owner.call_ok("task_details", &[("id", &task)]).await;
    let subtask = details["subtasks"][0]["id"].to_string();
    let comment = details["comments"][0]["id"].to_string();
    let editor_id = editor.call_ok("current_user", &[]).await["id"].to_string();
    // Each server function that reads or changes a shared project, and the status each role gets.
    // Strangers get 404 everywhere: they cannot even tell the project exists.
    let cases: Vec<Case> = {
        use StatusCode as S;
        vec![
            //  function          arguments                                         viewer           editor           stranger
            (
                "get_board",
                vec![("project_id", &p)],
                [S::OK, S::OK, S::NOT_FOUND],
            ),
            (
                "get_task",
                vec![("id", &task)],
                [S::OK, S::OK, S::NOT_FOUND],
            ),
            (
                "list_members",
                vec![("project_id", &p)],
                [S::OK, S::OK, S::NOT_FOUND],
            ),
            (
                "task_details",
                vec![("id", &task)],
                [S::OK, S::OK, S::NOT_FOUND],
            ),
            (
                "list_labels",
                vec![("project_id", &p)],
                [S::OK, S::OK, S::NOT_FOUND],
            ),
            (
                "save_view",
                vec![("project_id", &p), ("name", "Mine"), ("query", "q=x")],
                [S::OK, S::OK, S::NOT_FOUND],
            ),
            (
                "create_label",
                vec![("project_id", &p), ("name", "New"), ("colour", "red")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "set_task_label",
                vec![("id", &task), ("label_id", &kept), ("applied", "true")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "delete_label",
                vec![("id", &doomed)],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "set_assignee",
                vec![("id", &task), ("user_id", &editor_id), ("assigned", "true")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "add_subtask",
                vec![("task_id", &task), ("title", "Another step")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "check_subtask",
                vec![("id", &subtask), ("done", "true")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "add_comment",
                vec![("task_id", &task), ("body", "Editor's note")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            // Only its author or an owner may delete a comment.
            (
                "delete_comment",
                vec![("id", &comment)],
                [S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
            ),
            (
                "create_task",
                vec![("project_id", &p), ("title", "Mine")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "move_task",
                vec![("id", &task), ("to", "done")],
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "update_task",
                edit.to_vec(),
                [S::FORBIDDEN, S::OK, S::NOT_FOUND],
            ),
            (
                "rename_project",
                vec![("id", &p), ("name", "Taken")],
                [S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
            ),
            (
                "invite_member",
                vec![
                    ("project_id", &p),
                    ("email", "x@example.com"),
                    ("role", "owner"),
                ],
                [S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
            ),
            (
                "change_member_role",
                vec![("project_id", &p), ("user_id", "1"), ("role", "viewer")],
                [S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
            ),
            (
                "remove_member",
                vec![("project_id", &p), ("user_id", "1")],
                [S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
            ),
            (
                "cancel_invitation",
                vec![("project_id", &p), ("email", "x@example.com")],
                [S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
            ),
            (
                "delete_project",
                vec![("id", &p)],
                [S::FORBIDDEN, S::FORBIDDEN, S::NOT_FOUND],
            ),
        ]
    };
    for (function, arguments, expected) in &cases {
        for (who, client, status) in [
            ("viewer", &viewer, expected[0]),
            ("editor", &editor, expected[1]),
            ("stranger", &stranger, expected[2]),
        ] {
            let response = client.call(function, arguments).await;
            assert_eq!(response.status(), status, "{function} as {who}");
            let body = response.text().await.expect("body");
            if status == StatusCode::FORBIDDEN {
                assert_eq!(body, "\"Forbidden\"", "{function}");
            }
            if status == StatusCode::NOT_FOUND {
                assert!(
                    !body.contains("Shared"),
                    "{function} leaked to {who}: {body}"
                );
            }
        }
    }
    // Only the editor's changes happened; the project is intact.
    let details = owner.call_ok("task_details", &[("id", &task)]).await;
    assert_eq!(details["task"]["labels"][0]["name"], "Kept");
    assert_eq!(
        details["task"]["assignees"][0]["email"],
        "editor@example.com"
    );
    assert_eq!(
        details["task"]["progress"],
        serde_json::json!({"done": 1, "total": 2})
    );
    let said: Vec<&str> = details["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert_eq!(said, ["Owner's note", "Editor's note"]);
    let labels = owner.call_ok("list_labels", &[("project_id", &p)]).await;
    let names: Vec<&str> = labels
        .as_array()
        .expect("labels")
        .iter()
        .filter_map(|l| l["name"].as_str())
        .collect();
    assert_eq!(names, ["Kept", "New"]);
    let board = owner.board(project).await;
    assert_eq!(board.project.name, "Shared");
    let tasks = testkit::board_tasks(&board);
    let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(
        titles.contains(&"Edited") && titles.contains(&"Mine"),
        "{titles:?}"
    );

    // The pages say what a viewer cannot do, and offer no controls for it.
    let page = viewer.page_html(&format!("/projects/{project}")).await;
    assert!(page.contains("You are a viewer of this project"), "{page}");
    assert!(
        !page.contains("Add task") && !page.contains("Move to"),
        "{page}"
    );
    let page = editor.page_html(&format!("/projects/{project}")).await;
    assert!(
        page.contains("Add task") && page.contains("Move to"),
        "{page}"
    );
    let settings = editor
        .page_html(&format!("/projects/{project}/settings"))
        .await;
    assert!(settings.contains("Only its owners can"), "{settings}");
    assert!(settings.contains("owner@example.com"), "members are listed");
    assert!(!settings.contains("Delete project"), "{settings}");

    // Removed members lose access at once.
    let viewer_id = viewer.user_id().await.to_string();
    owner
        .call_ok(
            "remove_member",
            &[("project_id", &p), ("user_id", &viewer_id)],
        )
        .await;
    let gone = viewer.call("get_board", &[("project_id", &p)]).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
}

async fn an_invitation_waits_until_its_link_is_accepted(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client("inviter@example.com").await;
    let project = create_project(&owner, "Waiting room").await;
    let p = project.to_string();
    let link = testkit::invite(&owner, project, "newcomer@example.com", "editor").await;
    assert!(link.starts_with("/invitations/"), "{link}");
    let members = owner.call_ok("list_members", &[("project_id", &p)]).await;
    assert_eq!(members["invitations"][0]["email"], "newcomer@example.com");
    assert_eq!(members["members"].as_array().map(Vec::len), Some(1));

    // A bad email or role is the inviter's mistake, with what they typed kept.
    let refused = owner
        .call(
            "invite_member",
            &[
                ("project_id", &p),
                ("email", "not an email"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text().await.expect("body");
    assert!(
        text.contains("valid email") && text.contains("owner, editor or viewer"),
        "{text}"
    );
    // So is inviting someone who is a member already.
    let member = owner
        .call(
            "invite_member",
            &[
                ("project_id", &p),
                ("email", "inviter@example.com"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(member.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(member
        .text()
        .await
        .expect("body")
        .contains("already a member"));

    // Signing up with the address is not enough: the link is.
    let newcomer = app.signed_in_client("newcomer@example.com").await;
    let none = newcomer.call("get_project", &[("id", &p)]).await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
    newcomer
        .call_ok("accept_invitation", &[("token", token_of(&link))])
        .await;
    assert_eq!(role_in(&newcomer, project).await, "Editor");
    let members = owner.call_ok("list_members", &[("project_id", &p)]).await;
    assert_eq!(members["invitations"], serde_json::json!([]));
    assert_eq!(members["members"].as_array().map(Vec::len), Some(2));

    // An invitation can be withdrawn before anyone uses it; its link then opens nothing.
    let withdrawn = testkit::invite(&owner, project, "never@example.com", "viewer").await;
    owner
        .call_ok(
            "cancel_invitation",
            &[("project_id", &p), ("email", "never@example.com")],
        )
        .await;
    let late = app.signed_in_client("never@example.com").await;
    let dead = late
        .call("accept_invitation", &[("token", token_of(&withdrawn))])
        .await;
    assert_eq!(dead.status(), StatusCode::NOT_FOUND);
    let none = late.call("get_project", &[("id", &p)]).await;
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
}

async fn a_project_always_keeps_an_owner(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client("only-owner@example.com").await;
    let partner = app.signed_in_client("partner@example.com").await;
    let project = create_project(&owner, "Owned").await;
    let p = project.to_string();
    let me = owner.user_id().await.to_string();

    for (function, arguments) in [
        (
            "change_member_role",
            vec![
                ("project_id", p.as_str()),
                ("user_id", me.as_str()),
                ("role", "editor"),
            ],
        ),
        (
            "remove_member",
            vec![("project_id", p.as_str()), ("user_id", me.as_str())],
        ),
    ] {
        let refused = owner.call(function, &arguments).await;
        assert_eq!(
            refused.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{function}"
        );
        assert!(refused
            .text()
            .await
            .expect("body")
            .contains("at least one owner"));
    }
    assert_eq!(role_in(&owner, project).await, "Owner");

    // With a second owner, the first may step down.
    share(&owner, project, &partner, "partner@example.com", "viewer").await;
    let partner_id = partner.user_id().await.to_string();
    owner
        .call_ok(
            "change_member_role",
            &[
                ("project_id", &p),
                ("user_id", &partner_id),
                ("role", "owner"),
            ],
        )
        .await;
    owner
        .call_ok(
            "change_member_role",
            &[("project_id", &p), ("user_id", &me), ("role", "viewer")],
        )
        .await;
    assert_eq!(role_in(&owner, project).await, "Viewer");
    assert_eq!(role_in(&partner, project).await, "Owner");
}
