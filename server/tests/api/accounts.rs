use reqwest::StatusCode;
use testkit::on_both_databases;
use testkit::{
    create_project, create_task, error_text, location, unique_email, TestApp, TestDb, PASSWORD,
};

on_both_databases!(
    sign_up_sends_the_browser_to_sign_in,
    sign_up_rejects_bad_input_and_keeps_the_account,
    sign_up_never_says_whether_an_address_has_an_account,
    concurrent_sign_ups_with_one_email_answer_alike,
    sign_in_and_sign_out,
    sessions_survive_a_restart,
    anonymous_visitors_are_sent_to_sign_in,
    plain_form_errors_come_back_to_the_form,
    refused_forms_keep_what_was_typed_out_of_the_url,
);

/// What the sign-in page says to someone who has just signed up.
const SIGNED_UP: &str = "Your account is ready. Sign in with the email and password you chose.";

async fn sign_up_sends_the_browser_to_sign_in(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.client();
    let email = unique_email("ada");
    let response = client
        .call("sign_up", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(location(&response), "/login?signed_up=1");

    // Not signed in: signing up says nothing about the address, so it cannot open a session.
    let response = client.page("/projects").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/login");
    let html = client.page_html("/login?signed_up=1").await;
    assert!(html.contains(SIGNED_UP), "{html}");
    assert!(!client.page_html("/login").await.contains(SIGNED_UP));

    client
        .call_ok("sign_in", &[("email", &email), ("password", PASSWORD)])
        .await;
    let html = client.page_html("/projects").await;
    assert!(html.contains(&email), "the header shows who is signed in");
    assert!(html.contains("No projects yet."));
}

async fn sign_up_rejects_bad_input_and_keeps_the_account(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.client();

    let response = client
        .call(
            "sign_up",
            &[("email", "not-an-email"), ("password", "short")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = error_text(response).await;
    assert!(body.contains("Enter a valid email address."), "{body}");
    assert!(
        body.contains("Password must be at least 8 characters."),
        "{body}"
    );
    assert!(
        !body.contains("short"),
        "a password is never echoed back: {body}"
    );

    let email = unique_email("grace");
    client
        .call_ok("sign_up", &[("email", &email), ("password", PASSWORD)])
        .await;

    // The same address in another case is the same account: signing up again changes nothing.
    let other = app.client();
    other
        .call_ok(
            "sign_up",
            &[
                ("email", &email.to_uppercase()),
                ("password", "another password"),
            ],
        )
        .await;

    // The first account still signs in with its own password, not the second one's.
    let response = other
        .call(
            "sign_in",
            &[("email", &email), ("password", "another password")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    other
        .call_ok("sign_in", &[("email", &email), ("password", PASSWORD)])
        .await;
}

/// Whoever signs up, with an address that has an account or not, gets the same answer, with
/// JavaScript and without: sign-up does not tell which addresses have accounts.
async fn sign_up_never_says_whether_an_address_has_an_account(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let taken = unique_email("taken");
    app.signed_in_client(&taken).await;

    let answer = |response: reqwest::Response| async move {
        let status = response.status();
        let to = location(&response);
        (status, to, response.text().await.expect("body"))
    };
    let fresh = answer(
        app.client()
            .call(
                "sign_up",
                &[("email", &unique_email("fresh")), ("password", PASSWORD)],
            )
            .await,
    )
    .await;
    let again = answer(
        app.client()
            .call(
                "sign_up",
                &[("email", &taken), ("password", "another password")],
            )
            .await,
    )
    .await;
    assert_eq!(fresh, again);
    assert!(!again.2.contains("already exists"), "{}", again.2);

    let fresh = app
        .client()
        .post_form(
            "sign_up",
            &[("email", &unique_email("nojs")), ("password", PASSWORD)],
            "/signup",
        )
        .await;
    let again = app
        .client()
        .post_form(
            "sign_up",
            &[("email", &taken), ("password", "another password")],
            "/signup",
        )
        .await;
    assert_eq!(fresh.status(), StatusCode::FOUND);
    assert_eq!(again.status(), StatusCode::FOUND);
    assert_eq!(location(&fresh), location(&again));
    assert!(location(&again).ends_with("/login?signed_up=1"));
}

/// Ten sign-ups with one address at once: one account, and ten identical answers.
async fn concurrent_sign_ups_with_one_email_answer_alike(db: TestDb) {
    // Ten sign-ups for one account in a second are past the sign-in limits, tested elsewhere.
    let limits = [
        ("RATE_LIMIT_SIGN_INS_PER_MINUTE", "100"),
        ("RATE_LIMIT_SIGN_INS_PER_ACCOUNT", "100"),
    ];
    let app = TestApp::spawn_with(&db, &limits).await;
    let email = unique_email("rush");
    let client = app.client();
    let answers = client
        .at_once("sign_up", &[("email", &email), ("password", PASSWORD)], 10)
        .await;
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::OK, "{body}");
        assert_eq!(body, &answers[0].1);
    }
    app.client()
        .call_ok("sign_in", &[("email", &email), ("password", PASSWORD)])
        .await;
}

async fn sign_in_and_sign_out(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let email = unique_email("linus");
    app.signed_in_client(&email).await;

    let client = app.client();
    let response = client
        .call(
            "sign_in",
            &[("email", &email), ("password", "wrong password")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = error_text(response).await;
    assert!(body.contains("Email or password is incorrect."), "{body}");

    let response = client
        .call(
            "sign_in",
            &[("email", "nobody@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert!(
        error_text(response)
            .await
            .contains("Email or password is incorrect."),
        "an unknown email gets the same answer"
    );

    let response = client
        .call("sign_in", &[("email", &email), ("password", PASSWORD)])
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(location(&response), "/projects");
    assert!(client.page_html("/projects").await.contains(&email));

    client.call_ok("sign_out", &[]).await;
    let response = client.page("/projects").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(location(&response), "/login");
    let response = client.call("list_projects", &[]).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn sessions_survive_a_restart(db: TestDb) {
    let first = TestApp::spawn(&db).await;
    let email = unique_email("restart");
    let client = first.signed_in_client(&email).await;
    drop(first);

    // A new server process on the same database knows the session.
    let second = TestApp::spawn(&db).await;
    let client = testkit::TestClient {
        address: second.address.clone(),
        http: client.http,
    };
    let html = client.page_html("/projects").await;
    assert!(html.contains(&email), "still signed in after the restart");
}

async fn anonymous_visitors_are_sent_to_sign_in(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.client();
    for path in [
        "/projects",
        "/projects/1",
        "/projects/1/settings",
        "/tasks/1",
    ] {
        let response = client.page(path).await;
        assert_eq!(response.status(), StatusCode::FOUND, "{path}");
        assert_eq!(location(&response), "/login", "{path}");
    }
    for function in ["list_projects", "get_board", "get_task", "create_project"] {
        let response = client
            .call(function, &[("project_id", "1"), ("id", "1"), ("name", "x")])
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{function}");
    }
    let html = client.page_html("/").await;
    assert!(html.contains("Sign up") && html.contains("Sign in"));
    let response = client.page("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

async fn plain_form_errors_come_back_to_the_form(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let client = app.signed_in_client(&unique_email("nojs")).await;

    let too_long = "x".repeat(101);
    let response = client
        .post_form("create_project", &[("name", &too_long)], "/projects")
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(
        location(&response),
        format!("{}/projects", client.address),
        "back to the form, with nothing of the error or of what was typed in the URL"
    );

    let html = client.page_html("/projects").await;
    assert!(html.contains("Project name must be between 1 and 100 characters."));
    assert!(
        html.contains(&too_long),
        "what was typed is still in the field"
    );
    // Shown once: coming back to the page later starts afresh.
    let html = client.page_html("/projects").await;
    assert!(!html.contains("Project name must be between 1 and 100 characters."));
    assert!(!html.contains(&too_long));

    let response = client
        .post_form("create_project", &[("name", "Garden")], "/projects")
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let to = location(&response);
    assert!(to.starts_with("/projects/"), "{to}");
    assert!(client.page_html(&to).await.contains("Garden"));
}

/// A refused form's page keeps what was typed, however long, and the URL carries none of it:
/// URLs end up in history and logs, and a long one is refused by reverse proxies (nginx: 8 KB).
async fn refused_forms_keep_what_was_typed_out_of_the_url(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let email = unique_email("private");
    app.signed_in_client(&email).await;

    let visitor = app.client();
    let response = visitor
        .post_form(
            "sign_in",
            &[("email", &email), ("password", "not the password")],
            "/login",
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let back = location(&response);
    assert_eq!(back, format!("{}/login", app.address));
    let html = visitor.page_html("/login").await;
    assert!(html.contains("Email or password is incorrect."), "{html}");
    assert!(
        html.contains(&format!("value=\"{email}\"")),
        "the email is kept"
    );

    let owner = app.signed_in_client(&unique_email("writer")).await;
    let project = create_project(&owner, "Essays").await;
    let task = create_task(&owner, project, "Long read").await["id"].to_string();
    let page = format!("/tasks/{task}");
    // Past 6 KB, and past 200 KB: a `Uri` stops at 64 KB, and a 200 KB comment once left a
    // 267 KB `Location`.
    for repeats in [300, 10_000] {
        let essay = "All work and no play. ".repeat(repeats);
        let response = owner
            .post_form(
                "add_comment",
                &[("task_id", &task), ("body", &essay)],
                &page,
            )
            .await;
        assert_eq!(response.status(), StatusCode::FOUND);
        let back = location(&response);
        assert_eq!(
            back,
            format!("{}{page}", app.address),
            "{} bytes",
            essay.len()
        );
        let html = owner.page_html(&page).await;
        assert!(html.contains("A comment can be at most 5000 characters."));
        assert!(html.contains(essay.trim()), "the essay is still in the box");
    }
}
