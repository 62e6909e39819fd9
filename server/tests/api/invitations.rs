//! Invitations need the invited person's consent and cannot be claimed by someone else: until
//! emails are verified, an invitation is accepted only through its own secret link, which the
//! owner passes on. Signing up with the invited address joins nothing; an existing account is
//! asked first, and the owner cannot tell whether an email has an account. Members can leave.

use reqwest::StatusCode;
use serde_json::Value;
use testkit::on_both_databases;
use testkit::{
    create_project, create_task, invite, location, share, token_of, unique_email, TestApp,
    TestClient, TestDb, PASSWORD,
};

on_both_databases!(
    signing_up_with_an_invited_address_joins_nothing,
    an_address_registered_in_advance_captures_no_invitation,
    existing_accounts_are_asked_before_they_join,
    the_owner_cannot_tell_which_emails_have_accounts,
    the_link_works_without_javascript_through_sign_in,
    a_new_link_is_shown_to_the_owner_once,
    members_can_leave_and_owners_are_told_why_not,
);

async fn can_open(client: &TestClient, project: i32) -> StatusCode {
    client
        .call("get_project", &[("id", &project.to_string())])
        .await
        .status()
}

async fn members(owner: &TestClient, project: i32) -> Value {
    owner
        .call_ok("list_members", &[("project_id", &project.to_string())])
        .await
}

/// The project names of the invitations sent to this account's email.
async fn invitations_for(client: &TestClient) -> Vec<String> {
    client
        .call_ok("my_invitations", &[])
        .await
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|i| i["project_name"].as_str().map(str::to_owned))
        .collect()
}

async fn signing_up_with_an_invited_address_joins_nothing(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let project = create_project(&owner, "Payroll").await;
    let invited = unique_email("colleague");
    let link = invite(&owner, project, &invited, "editor").await;

    // Anyone can sign up with any address (it is not verified), in any case.
    let claimer = app
        .signed_in_client(
            &invited
                .to_uppercase()
                .replace("@EXAMPLE.COM", "@example.com"),
        )
        .await;
    assert_eq!(
        can_open(&claimer, project).await,
        StatusCode::NOT_FOUND,
        "signing up with the invited address must not join the project"
    );
    let listed = members(&owner, project).await;
    assert_eq!(listed["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["invitations"][0]["email"], invited.as_str());

    // The person the owner gave the link to joins through it, with whatever account they use.
    let colleague = app.signed_in_client(&unique_email("colleague-home")).await;
    colleague
        .call_ok("accept_invitation", &[("token", token_of(&link))])
        .await;
    assert_eq!(can_open(&colleague, project).await, StatusCode::OK);
    let listed = members(&owner, project).await;
    assert_eq!(listed["members"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed["invitations"], serde_json::json!([]));
    // A link works once.
    let again = claimer
        .call("accept_invitation", &[("token", token_of(&link))])
        .await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    assert_eq!(can_open(&claimer, project).await, StatusCode::NOT_FOUND);
}

async fn an_address_registered_in_advance_captures_no_invitation(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let victim = unique_email("new-hire");
    // Registered before the invitation, by someone who is not the new hire.
    let squatter = app.signed_in_client(&victim).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let project = create_project(&owner, "Roadmap").await;
    let link = invite(&owner, project, &victim, "owner").await;
    assert_eq!(can_open(&squatter, project).await, StatusCode::NOT_FOUND);
    let projects = squatter.call_ok("list_projects", &[]).await;
    assert_eq!(projects, serde_json::json!([]), "{projects}");

    // Without the link there is no way in: not a guessed token, not a made-up one.
    for token in [
        "0".repeat(64),
        "not-a-token".to_owned(),
        link.replace("/invitations/", "").to_uppercase(),
    ] {
        let refused = squatter
            .call("accept_invitation", &[("token", &token)])
            .await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{token}");
    }
    assert_eq!(can_open(&squatter, project).await, StatusCode::NOT_FOUND);

    // The real new hire, given the link, gets in as the owner meant.
    let hire = app.signed_in_client(&unique_email("real-new-hire")).await;
    hire.call_ok("accept_invitation", &[("token", token_of(&link))])
        .await;
    let role = hire
        .call_ok("get_project", &[("id", &project.to_string())])
        .await["role"]
        .clone();
    assert_eq!(role, "Owner");
}

async fn existing_accounts_are_asked_before_they_join(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner_email = unique_email("owner");
    let owner = app.signed_in_client(&owner_email).await;
    let invitee_email = unique_email("invitee");
    let invitee = app.signed_in_client(&invitee_email).await;
    let spam = "Click here: http://evil.example/reset";
    let project = create_project(&owner, spam).await;
    let link = invite(&owner, project, &invitee_email, "viewer").await;

    // Nothing changes for the invitee until they say yes.
    assert_eq!(can_open(&invitee, project).await, StatusCode::NOT_FOUND);
    assert_eq!(
        invitee.call_ok("list_projects", &[]).await,
        serde_json::json!([])
    );
    // They learn of it on their projects page, where they can decline it.
    assert_eq!(invitations_for(&invitee).await, [spam]);
    let mine = invitee.call_ok("my_invitations", &[]).await;
    assert_eq!(mine[0]["invited_by"], owner_email.as_str());
    let page = invitee.page_html("/projects").await;
    assert!(page.contains("Invitations for you"), "{page}");
    assert!(
        !page.contains("href=\"http://evil.example"),
        "a project's name is text, never a link"
    );

    // The link's page names the project and who invited, with Accept and Decline.
    let page = invitee.page_html(&link).await;
    assert!(page.contains(&owner_email), "{page}");
    assert!(
        page.contains("Accept") && page.contains("Decline"),
        "{page}"
    );
    assert!(!page.contains("href=\"http://evil.example"), "{page}");
    invitee
        .call_ok("accept_invitation", &[("token", token_of(&link))])
        .await;
    assert_eq!(can_open(&invitee, project).await, StatusCode::OK);
    assert!(invitations_for(&invitee).await.is_empty());

    // Declining, from the link or from the projects page: nothing joins, the invitation is gone.
    let other = create_project(&owner, "Second").await;
    let link = invite(&owner, other, &invitee_email, "editor").await;
    invitee
        .call_ok("decline_invitation", &[("token", token_of(&link))])
        .await;
    assert_eq!(can_open(&invitee, other).await, StatusCode::NOT_FOUND);
    assert_eq!(
        members(&owner, other).await["invitations"],
        serde_json::json!([])
    );
    let used = invitee
        .call("accept_invitation", &[("token", token_of(&link))])
        .await;
    assert_eq!(
        used.status(),
        StatusCode::NOT_FOUND,
        "a declined link is dead"
    );

    let third = create_project(&owner, "Third").await;
    let link = invite(&owner, third, &invitee_email, "editor").await;
    let id = invitee.call_ok("my_invitations", &[]).await[0]["id"].to_string();
    // Only the account it was sent to can decline it from the list.
    let stranger = app.signed_in_client(&unique_email("stranger")).await;
    let refused = stranger.call("decline_my_invitation", &[("id", &id)]).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert_eq!(invitations_for(&invitee).await, ["Third"]);
    invitee
        .call_ok("decline_my_invitation", &[("id", &id)])
        .await;
    assert!(invitations_for(&invitee).await.is_empty());
    let dead = invitee
        .call("accept_invitation", &[("token", token_of(&link))])
        .await;
    assert_eq!(dead.status(), StatusCode::NOT_FOUND);
}

async fn the_owner_cannot_tell_which_emails_have_accounts(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let with_account = unique_email("has-account");
    app.signed_in_client(&with_account).await;
    let without_account = unique_email("no-account");
    let project = create_project(&owner, "Probe").await;
    let p = project.to_string();

    let mut answers = Vec::new();
    for email in [&with_account, &without_account] {
        let response = owner
            .call(
                "invite_member",
                &[("project_id", &p), ("email", email), ("role", "editor")],
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let mut answer: Value = response.json().await.expect("json");
        // Only the address and the secret differ.
        answer["email"] = Value::Null;
        answer["path"] = Value::Null;
        answer["url"] = Value::Null;
        answers.push(answer);
    }
    assert_eq!(answers[0], answers[1]);
    let listed = members(&owner, project).await;
    assert_eq!(listed["members"].as_array().map(Vec::len), Some(1));
    let pending = listed["invitations"].as_array().expect("invitations");
    assert_eq!(pending.len(), 2, "both wait alike: {listed}");
    let shapes: Vec<Value> = pending
        .iter()
        .map(|i| {
            let mut i = i.clone();
            i["email"] = Value::Null;
            i
        })
        .collect();
    assert_eq!(shapes[0], shapes[1]);
    let page = owner
        .page_html(&format!("/projects/{project}/settings"))
        .await;
    assert_eq!(
        page.matches("waiting for them to accept").count(),
        2,
        "{page}"
    );
}

async fn the_link_works_without_javascript_through_sign_in(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner_email = unique_email("owner");
    let owner = app.signed_in_client(&owner_email).await;
    let invitee_email = unique_email("invitee");
    app.signed_in_client(&invitee_email).await;
    let project = create_project(&owner, "Garden club").await;
    let link = invite(&owner, project, &invitee_email, "editor").await;

    // Signed out, the link asks the visitor to sign in, and tells nothing of the project.
    let visitor = app.client();
    let page = visitor.page_html(&link).await;
    assert!(page.contains("Sign in"), "{page}");
    assert!(!page.contains("Garden club") && !page.contains(&owner_email));
    // Signing in comes back to the link.
    let response = visitor
        .post_form(
            "sign_in",
            &[("email", &invitee_email), ("password", PASSWORD)],
            "/login",
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        location(&response).ends_with(&link),
        "{}",
        location(&response)
    );
    let page = visitor.page_html(&link).await;
    assert!(page.contains("Garden club") && page.contains(&owner_email));
    let response = visitor
        .post_form("accept_invitation", &[("token", token_of(&link))], &link)
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(
        location(&response).ends_with(&format!("/projects/{project}")),
        "{}",
        location(&response)
    );
    assert_eq!(can_open(&visitor, project).await, StatusCode::OK);
    // The used link says so.
    let dead = visitor.page(&link).await;
    assert_eq!(dead.status(), StatusCode::NOT_FOUND);
    let text = dead.text().await.expect("body");
    assert!(text.contains("This invitation link is not valid"), "{text}");
    // A later sign-in goes to the projects as usual.
    let again = app.client();
    let response = again
        .call(
            "sign_in",
            &[("email", &invitee_email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(location(&response), "/projects");
}

async fn a_new_link_is_shown_to_the_owner_once(db: TestDb) {
    let app = TestApp::spawn_with(&db, &[("APP_URL", "http://tasks.example.com")]).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let project = create_project(&owner, "Links").await;
    let settings = format!("/projects/{project}/settings");
    let email = unique_email("friend");
    let response = owner
        .post_form(
            "invite_member",
            &[
                ("project_id", &project.to_string()),
                ("email", &email),
                ("role", "viewer"),
            ],
            &settings,
        )
        .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(location(&response).ends_with(&settings));
    assert!(
        !location(&response).contains("invitations"),
        "no secret in a URL"
    );
    let page = owner.page_html(&settings).await;
    let start = page.find("/invitations/").expect("the link is shown");
    let token: String = page[start + "/invitations/".len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    assert_eq!(token.len(), 64, "256 random bits");
    assert!(
        page.contains(&format!("http://tasks.example.com/invitations/{token}")),
        "a whole link, on the app's address, to copy: {page}"
    );
    let page = owner.page_html(&settings).await;
    assert!(!page.contains(&token), "shown only once");

    // The link is stored only as its hash: the database holds nothing that opens it.
    let stored = stored_hashes(&app).await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&token));
    assert_eq!(stored[0].len(), 64);

    // Inviting again makes a new link; the old one stops working.
    let fresh = invite(&owner, project, &email, "editor").await;
    assert_ne!(token_of(&fresh), token);
    let friend = app.signed_in_client(&unique_email("friend-account")).await;
    let old = friend.call("accept_invitation", &[("token", &token)]).await;
    assert_eq!(old.status(), StatusCode::NOT_FOUND);
    // A withdrawn invitation's link is dead too.
    owner
        .call_ok(
            "cancel_invitation",
            &[("project_id", &project.to_string()), ("email", &email)],
        )
        .await;
    let withdrawn = friend
        .call("accept_invitation", &[("token", token_of(&fresh))])
        .await;
    assert_eq!(withdrawn.status(), StatusCode::NOT_FOUND);
    assert_eq!(can_open(&friend, project).await, StatusCode::NOT_FOUND);
}

async fn stored_hashes(app: &TestApp) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let conn = app.db.conn();
    conn.query_all(Statement::from_string(
        conn.get_database_backend(),
        "SELECT token_hash FROM project_invitations",
    ))
    .await
    .expect("read the invitations")
    .iter()
    .map(|row| row.try_get::<String>("", "token_hash").expect("a hash"))
    .collect()
}

async fn members_can_leave_and_owners_are_told_why_not(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let editor_email = unique_email("editor");
    let editor = app.signed_in_client(&editor_email).await;
    let project = create_project(&owner, "Leaving").await;
    let p = project.to_string();
    share(&owner, project, &editor, &editor_email, "editor").await;
    let task = create_task(&owner, project, "Theirs").await["id"].to_string();
    owner.assign(&task, editor.user_id().await).await;

    let page = editor
        .page_html(&format!("/projects/{project}/settings"))
        .await;
    assert!(page.contains("Leave project"), "{page}");
    editor.call_ok("leave_project", &[("project_id", &p)]).await;
    assert_eq!(can_open(&editor, project).await, StatusCode::NOT_FOUND);
    assert_eq!(
        members(&owner, project).await["members"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let details = owner.call_ok("task_details", &[("id", &task)]).await;
    assert_eq!(details["task"]["assignees"], serde_json::json!([]));
    // Once gone, leaving again is like naming any project that is not theirs.
    let again = editor.call("leave_project", &[("project_id", &p)]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);

    let refused = owner.call("leave_project", &[("project_id", &p)]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text().await.expect("body");
    assert!(text.contains("An owner cannot leave the project"), "{text}");
    assert_eq!(can_open(&owner, project).await, StatusCode::OK);
    let page = owner
        .page_html(&format!("/projects/{project}/settings"))
        .await;
    assert!(page.contains("As an owner you cannot leave"), "{page}");
    assert!(!page.contains(">Leave project<"), "{page}");
}
