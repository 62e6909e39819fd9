//! Input an attacker or a bad day sends: NUL and other control characters, look-alike Unicode,
//! bytes that are not UTF-8, bodies over the limit, very long refused forms, and the same write
//! many times at once. Each gets the right status and a message a person understands, never a 500.

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use reqwest::StatusCode;
use testkit::on_both_databases;
use testkit::{
    board_tasks, create_project, create_task, error_text, unique_email, TestApp, TestClient, TestDb,
};

on_both_databases!(
    control_characters_are_refused_in_every_text,
    line_breaks_only_where_text_may_span_lines,
    look_alike_emails_are_not_new_accounts,
    invisible_and_reordering_text_is_refused,
    text_is_stored_in_nfc,
    bytes_that_are_not_utf8_are_a_bad_request,
    a_body_over_the_limit_is_too_large,
    concurrent_invitations_to_one_email_all_succeed,
    concurrent_saves_of_one_view_name_all_succeed,
    concurrent_labels_with_one_name_are_the_persons_error,
    concurrent_assignments_and_labels_all_succeed,
);

const CONTROL: &str = "Remove the control characters (such as NUL) from this text.";

/// Answers status and body, asserting the status.
async fn refused(response: reqwest::Response, status: StatusCode, what: &str) -> String {
    let got = response.status();
    let body = error_text(response).await;
    assert_eq!(got, status, "{what}: {body}");
    body
}

async fn control_characters_are_refused_in_every_text(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("nul")).await;
    let project = create_project(&client, "Plain").await;
    let p = project.to_string();
    let task = create_task(&client, project, "Clean").await["id"].to_string();
    let label = client
        .call_ok(
            "create_label",
            &[("project_id", &p), ("name", "Clean"), ("colour", "red")],
        )
        .await;
    let nul = "before\0after";
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("create_project", vec![("name", nul)]),
        ("rename_project", vec![("id", &p), ("name", nul)]),
        ("create_task", vec![("project_id", &p), ("title", nul)]),
        (
            "update_task",
            vec![
                ("id", &task),
                ("title", "Clean"),
                ("description", nul),
                ("status", "todo"),
                ("priority", "medium"),
                ("due_date", ""),
            ],
        ),
        ("add_comment", vec![("task_id", &task), ("body", nul)]),
        ("add_subtask", vec![("task_id", &task), ("title", nul)]),
        (
            "create_label",
            vec![("project_id", &p), ("name", nul), ("colour", "red")],
        ),
        (
            "save_view",
            vec![("project_id", &p), ("name", nul), ("query", "")],
        ),
        ("send_feedback", vec![("message", nul), ("event", "")]),
    ];
    for (function, form) in &calls {
        let body = refused(
            client.call(function, form).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            function,
        )
        .await;
        assert!(body.contains(CONTROL), "{function}: {body}");
    }
    let label_id = label["id"].to_string();
    let body = refused(
        client
            .call(
                "update_label",
                &[("id", &label_id), ("name", nul), ("colour", "red")],
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "update_label",
    )
    .await;
    assert!(body.contains(CONTROL), "{body}");

    // Nothing of it was stored: the board still has its one clean task.
    let board = client.board(project).await;
    let tasks = board_tasks(&board);
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].title, "Clean");
    let details = client.call_ok("task_details", &[("id", &task)]).await;
    assert!(!details.to_string().contains("before"), "{details}");

    // Anonymously, through the email of sign-up and sign-in.
    let visitor = app.client();
    let body = refused(
        visitor
            .call(
                "sign_up",
                &[("email", "ada\0@example.com"), ("password", "long enough")],
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sign_up",
    )
    .await;
    assert!(body.contains("Enter a valid email address."), "{body}");
    let body = refused(
        visitor
            .call(
                "sign_in",
                &[("email", "ada\0@example.com"), ("password", "long enough")],
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "sign_in",
    )
    .await;
    assert!(body.contains("Email or password is incorrect."), "{body}");
    // A search with a NUL in it is a search, not a crash.
    let list = client
        .call_ok("list_tasks", &[("project_id", &p), ("filter[search]", nul)])
        .await;
    assert!(list.is_object(), "{list}");
}

async fn line_breaks_only_where_text_may_span_lines(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("lines")).await;
    let project = create_project(&client, "Lines").await;
    let body = refused(
        client
            .call(
                "create_task",
                &[("project_id", &project.to_string()), ("title", "one\ntwo")],
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a title over two lines",
    )
    .await;
    assert!(
        body.contains("Keep this to one line, without line breaks or tabs."),
        "{body}"
    );
    let task = create_task(&client, project, "Lines").await["id"].to_string();
    client
        .call_ok(
            "add_comment",
            &[("task_id", &task), ("body", "first line\r\n\tindented")],
        )
        .await;
    let details = client.call_ok("task_details", &[("id", &task)]).await;
    assert_eq!(
        details["comments"][0]["body"], "first line\r\n\tindented",
        "{details}"
    );
}

async fn look_alike_emails_are_not_new_accounts(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let email = unique_email("ada");
    app.signed_in_client(&email).await;
    let (local, domain) = email.split_once('@').expect("an address");
    for hidden in ['\u{200B}', '\u{202E}', '\u{FEFF}'] {
        let look_alike = format!("{local}{hidden}@{domain}");
        let body = refused(
            app.client()
                .call(
                    "sign_up",
                    &[("email", &look_alike), ("password", "another password")],
                )
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{hidden:?}"),
        )
        .await;
        assert!(body.contains("Enter a valid email address."), "{body}");
    }
}

async fn invisible_and_reordering_text_is_refused(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("invisible")).await;
    let project = create_project(&client, "Invisible").await;
    let p = project.to_string();
    for title in ["\u{200B}\u{200B}\u{200B}", "\u{FEFF}", " \u{200B} "] {
        let body = refused(
            client
                .call("create_task", &[("project_id", &p), ("title", title)])
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{title:?}"),
        )
        .await;
        assert!(
            body.contains("Title must be between 1 and 200 characters."),
            "{body}"
        );
    }
    let body = refused(
        client
            .call(
                "create_task",
                &[("project_id", &p), ("title", "invoice\u{202E}fdp.exe")],
            )
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a right-to-left override",
    )
    .await;
    assert!(body.contains("text-direction control characters"), "{body}");
    assert!(board_tasks(&client.board(project).await).is_empty());
}

async fn text_is_stored_in_nfc(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("nfc")).await;
    let project = create_project(&client, "Cafe\u{301}").await;
    let task = create_task(&client, project, "Re\u{301}sume\u{301}").await;
    assert_eq!(task["title"], "R\u{e9}sum\u{e9}");
    let projects = client.call_ok("list_projects", &[]).await;
    assert_eq!(projects[0]["name"], "Caf\u{e9}", "{projects}");
}

/// Posts `body` as a form, as a hydrated page would.
async fn post_raw(client: &TestClient, function: &str, body: Vec<u8>) -> reqwest::Response {
    client
        .http
        .post(format!("{}/api/{function}", client.address))
        .header(ACCEPT, "application/json")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("request")
}

async fn bytes_that_are_not_utf8_are_a_bad_request(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("bytes")).await;
    let project = create_project(&client, "Bytes").await;
    // Percent-encoded bytes that are not UTF-8, and raw ones.
    let encoded = format!("project_id={project}&title=%FF%FE").into_bytes();
    let mut raw = format!("project_id={project}&title=").into_bytes();
    raw.extend_from_slice(&[0xff, 0xfe]);
    for body in [encoded, raw] {
        let text = refused(
            post_raw(&client, "create_task", body).await,
            StatusCode::BAD_REQUEST,
            "not UTF-8",
        )
        .await;
        assert!(text.contains("not valid UTF-8 text"), "{text}");
        assert!(!text.contains("results"), "{text}");
    }
    assert!(
        board_tasks(&client.board(project).await).is_empty(),
        "nothing stored as U+FFFD"
    );
}

async fn a_body_over_the_limit_is_too_large(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("large")).await;
    let project = create_project(&client, "Large").await;
    let task = create_task(&client, project, "Large").await["id"].to_string();
    let huge = "x".repeat(3 * 1024 * 1024);
    let body = format!("task_id={task}&body={huge}").into_bytes();
    let text = refused(
        post_raw(&client, "add_comment", body).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "a 3 MB comment",
    )
    .await;
    assert!(text.contains("too large"), "{text}");
    assert!(!text.contains("results"), "{text}");
}

async fn concurrent_invitations_to_one_email_all_succeed(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("host")).await;
    let project = create_project(&owner, "Party").await;
    let p = project.to_string();
    let guest = unique_email("guest");
    let form = [
        ("project_id", p.as_str()),
        ("email", &guest),
        ("role", "editor"),
    ];
    for (status, body) in owner.at_once("invite_member", &form, 10).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let members = owner.call_ok("list_members", &[("project_id", &p)]).await;
    let invitations = members["invitations"].as_array().expect("invitations");
    assert_eq!(invitations.len(), 1, "{members}");
    assert_eq!(invitations[0]["email"], guest.as_str());
}

async fn concurrent_saves_of_one_view_name_all_succeed(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("viewer")).await;
    let project = create_project(&client, "Views").await;
    let p = project.to_string();
    let form = [
        ("project_id", p.as_str()),
        ("name", "Done"),
        ("query", "status=done"),
    ];
    for (status, body) in client.at_once("save_view", &form, 10).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let list = client.call_ok("list_tasks", &[("project_id", &p)]).await;
    let views = list["views"].as_array().expect("views");
    assert_eq!(views.len(), 1, "{list}");
}

async fn concurrent_labels_with_one_name_are_the_persons_error(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("labeller")).await;
    let project = create_project(&client, "Labels").await;
    let p = project.to_string();
    let form = [
        ("project_id", p.as_str()),
        ("name", "Bug"),
        ("colour", "red"),
    ];
    let answers = client.at_once("create_label", &form, 10).await;
    let created = answers
        .iter()
        .filter(|(status, _)| *status == StatusCode::OK)
        .count();
    assert_eq!(created, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.contains("already has a label with that name"),
            "{body}"
        );
    }
}

async fn concurrent_assignments_and_labels_all_succeed(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("assigner")).await;
    let me = client.user_id().await.to_string();
    let project = create_project(&client, "Assigned").await;
    let p = project.to_string();
    let task = create_task(&client, project, "Busy").await["id"].to_string();
    let label = client
        .call_ok(
            "create_label",
            &[("project_id", &p), ("name", "Hot"), ("colour", "red")],
        )
        .await["id"]
        .to_string();
    let assign = [
        ("id", task.as_str()),
        ("user_id", &me),
        ("assigned", "true"),
    ];
    let attach = [
        ("id", task.as_str()),
        ("label_id", &label),
        ("applied", "true"),
    ];
    for (status, body) in client.at_once("set_assignee", &assign, 10).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    for (status, body) in client.at_once("set_task_label", &attach, 10).await {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let details = client.call_ok("task_details", &[("id", &task)]).await;
    assert_eq!(
        details["task"]["assignees"].as_array().map(Vec::len),
        Some(1),
        "{details}"
    );
    assert_eq!(
        details["task"]["labels"].as_array().map(Vec::len),
        Some(1),
        "{details}"
    );
}
