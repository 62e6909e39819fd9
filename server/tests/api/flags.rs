//! Feature flags as an operator uses them for a safe release: `taskdeck flags` against the
//! database of a running server turns "Export CSV" on for one account, then for everyone, then
//! off again (the kill switch), and the server follows within its refresh interval without a
//! restart. The admin page does the same for instance admins only. And the feature behind the
//! flag, the CSV export, gives a spreadsheet exactly the tasks, safely quoted.

use reqwest::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use reqwest::StatusCode;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use testkit::on_both_databases;
use testkit::{create_project, create_task, unique_email, TestApp, TestClient, TestDb};

on_both_databases!(
    the_operator_rolls_a_feature_out_and_back_with_the_command,
    only_an_instance_admin_can_see_and_change_the_flags,
    the_export_is_every_task_as_a_spreadsheet_reads_it,
);

/// A short interval keeps the test quick; the default is 10 s.
const SETTINGS: &[(&str, &str)] = &[("FEATURE_FLAGS_REFRESH_SECONDS", "1")];
const FLAG: &str = "project-export";

fn taskdeck(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_taskdeck"))
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("LOG_LEVEL", "error")
        .output()
        .expect("run taskdeck")
}

fn succeeded(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn refused(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "should have been refused: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn export(client: &TestClient, project: i32) -> reqwest::Response {
    client
        .http
        .get(format!("{}/projects/{project}/export.csv", client.address))
        .send()
        .await
        .expect("request")
}

async fn listed(client: &TestClient) -> bool {
    let features = client.call_ok("features_for_me", &[]).await;
    features
        .as_array()
        .expect("a list of features")
        .iter()
        .any(|f| f == "ProjectExport")
}

/// Whether this person is offered the export, checked three ways that must agree: the server
/// function the interface asks, the link on the board, and the route itself. `None` while the
/// server's copy of the flags changed between the first and the last of them.
async fn export_state(client: &TestClient, project: i32) -> Option<bool> {
    let before = listed(client).await;
    let page = client.page_html(&format!("/projects/{project}")).await;
    let status = export(client, project).await.status();
    if listed(client).await != before {
        return None;
    }
    assert_eq!(
        page.contains("Export CSV"),
        before,
        "the board shows the link exactly when the feature is on"
    );
    let wanted = if before {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    assert_eq!(
        status, wanted,
        "the export route exists exactly when the feature is on"
    );
    Some(before)
}

/// Whether the export is on for this person now (no change expected meanwhile).
async fn sees_export(client: &TestClient, project: i32) -> bool {
    export_state(client, project)
        .await
        .expect("the flags did not change during the check")
}

/// Waits (up to 10 s, ten times the refresh interval) until the server shows the export to this
/// person as `wanted`; answers how long that took.
async fn until_export_is(client: &TestClient, project: i32, wanted: bool) -> Duration {
    let started = Instant::now();
    while export_state(client, project).await != Some(wanted) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not follow the flag (wanted {wanted}) within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    started.elapsed()
}

async fn the_operator_rolls_a_feature_out_and_back_with_the_command(db: TestDb) {
    let app = TestApp::spawn_with(&db, SETTINGS).await;
    let alice_email = unique_email("alice");
    let alice = app.signed_in_client(&alice_email).await;
    let bob = app.signed_in_client(&unique_email("bob")).await;
    let alices = create_project(&alice, "Launch").await;
    let bobs = create_project(&bob, "Garden").await;
    create_task(&alice, alices, "Write the plan").await;

    // Off until someone turns it on.
    assert!(!sees_export(&alice, alices).await);
    assert!(!sees_export(&bob, bobs).await);
    let listed = succeeded(&taskdeck(&db, &["flags"]));
    assert!(listed.contains(&format!("{FLAG:<16} off")), "{listed}");

    // Alice first.
    let said = succeeded(&taskdeck(
        &db,
        &["flags", "on", FLAG, "--for", &alice_email],
    ));
    assert!(said.contains(&alice_email), "{said}");
    let waited = until_export_is(&alice, alices, true).await;
    assert!(
        !sees_export(&bob, bobs).await,
        "bob is not in the rollout yet"
    );
    let listed = succeeded(&taskdeck(&db, &["flags"]));
    assert!(
        listed.contains(&format!("on for 1 account ({alice_email})")),
        "{listed}"
    );
    println!("the server saw the change after {waited:?} (refresh interval 1 s)");

    // Then everyone.
    succeeded(&taskdeck(&db, &["flags", "on", FLAG]));
    until_export_is(&bob, bobs, true).await;
    assert!(sees_export(&alice, alices).await);
    // Off for one account while it is on for everyone would change nothing: refused, saying so.
    let message = refused(&taskdeck(
        &db,
        &["flags", "off", FLAG, "--for", &alice_email],
    ));
    assert!(
        message.contains("is on for everyone")
            && message.contains(&format!("taskdeck flags off {FLAG}")),
        "{message}"
    );
    assert!(sees_export(&alice, alices).await);

    // The kill switch: off for everyone, including the accounts it was on for first.
    succeeded(&taskdeck(&db, &["flags", "off", FLAG]));
    until_export_is(&alice, alices, false).await;
    until_export_is(&bob, bobs, false).await;
    let listed = succeeded(&taskdeck(&db, &["flags"]));
    assert!(listed.contains(&format!("{FLAG:<16} off")), "{listed}");

    // Bad input is refused with a message that says what to do, and changes nothing.
    let message = refused(&taskdeck(&db, &["flags", "on", "dark-mode"]));
    assert!(
        message.contains("no feature flag named \"dark-mode\"") && message.contains(FLAG),
        "{message}"
    );
    let message = refused(&taskdeck(
        &db,
        &[
            "flags",
            "on",
            FLAG,
            "--for",
            &alice_email,
            "--for",
            "nobody@example.com",
        ],
    ));
    assert!(
        message.contains("no account has the email nobody@example.com; nothing was changed"),
        "{message}"
    );
    let message = refused(&taskdeck(
        &db,
        &["flags", "on", FLAG, "--for", "not an email"],
    ));
    assert!(message.contains("email"), "{message}");
    let listed = succeeded(&taskdeck(&db, &["flags"]));
    assert!(listed.contains(&format!("{FLAG:<16} off")), "{listed}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(!sees_export(&alice, alices).await, "alice was not added");
    app.shut_down().await;
}

async fn only_an_instance_admin_can_see_and_change_the_flags(db: TestDb) {
    let app = TestApp::spawn_with(&db, SETTINGS).await;
    let admin_email = unique_email("admin");
    let admin = app.signed_in_client(&admin_email).await;
    let member_email = unique_email("member");
    let member = app.signed_in_client(&member_email).await;
    let project = create_project(&member, "Garden").await;

    // Before the grant nobody is an admin, and the page does not exist for them.
    for client in [&admin, &member] {
        assert_eq!(
            client.page("/admin/flags").await.status(),
            StatusCode::NOT_FOUND
        );
        let response = client
            .call("set_flag", &[("name", FLAG), ("everyone", "on")])
            .await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(!client.page_html("/projects").await.contains("/admin/flags"));
    }
    assert!(
        !sees_export(&member, project).await,
        "the refused change changed nothing"
    );
    let message = refused(&taskdeck(&db, &["admin", "grant", "nobody@example.com"]));
    assert!(
        message.contains("no account has the email nobody@example.com"),
        "{message}"
    );

    succeeded(&taskdeck(&db, &["admin", "grant", &admin_email]));
    assert!(admin.page_html("/projects").await.contains("/admin/flags"));
    let page = admin.page_html("/admin/flags").await;
    assert!(page.contains(FLAG) && page.contains("Export CSV"), "{page}");
    assert_eq!(
        member.page("/admin/flags").await.status(),
        StatusCode::NOT_FOUND
    );

    // An unknown email is refused on the form, keeping what was typed; nothing changes.
    let response = admin
        .call(
            "set_flag_account",
            &[
                ("name", FLAG),
                ("email", "nobody@example.com"),
                ("on", "on"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = response.text().await.expect("body");
    assert!(
        text.contains("No account has this email") && text.contains("nobody@example.com"),
        "{text}"
    );
    let response = admin
        .call("set_flag", &[("name", "dark-mode"), ("everyone", "on")])
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    // On for the member, from the page with JavaScript off: this server sees it at once.
    let response = admin
        .post_form(
            "set_flag_account",
            &[("name", FLAG), ("email", &member_email), ("on", "on")],
            "/admin/flags",
        )
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert!(sees_export(&member, project).await);
    let page = admin.page_html("/admin/flags").await;
    assert!(
        page.contains("on for 1 account") && page.contains(&format!("Remove {member_email}")),
        "{page}"
    );
    admin
        .call_ok(
            "set_flag_account",
            &[("name", FLAG), ("email", &member_email), ("on", "off")],
        )
        .await;
    assert!(!sees_export(&member, project).await);
    admin
        .call_ok("set_flag", &[("name", FLAG), ("everyone", "on")])
        .await;
    assert!(sees_export(&member, project).await);
    assert!(admin
        .page_html("/admin/flags")
        .await
        .contains("on for everyone"));
    let response = admin
        .call(
            "set_flag_account",
            &[("name", FLAG), ("email", &member_email), ("on", "off")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.text().await.expect("body");
    assert!(body.contains("on for everyone"), "{body}");
    assert!(sees_export(&member, project).await, "nothing changed");
    admin
        .call_ok("set_flag", &[("name", FLAG), ("everyone", "off")])
        .await;
    assert!(!sees_export(&member, project).await);

    // Revoked, the page is gone again for them.
    succeeded(&taskdeck(&db, &["admin", "revoke", &admin_email]));
    assert_eq!(
        admin.page("/admin/flags").await.status(),
        StatusCode::NOT_FOUND
    );
    app.shut_down().await;
}

async fn the_export_is_every_task_as_a_spreadsheet_reads_it(db: TestDb) {
    let app = TestApp::spawn_with(&db, SETTINGS).await;
    let owner = app.signed_in_client(&unique_email("owner")).await;
    let project = create_project(&owner, "Launch plan 2027").await;
    let plain = create_task(&owner, project, "Write the plan").await;
    let formula = create_task(&owner, project, "=HYPERLINK(\"http://evil.example\",\"x\")").await;
    let done = create_task(&owner, project, "Book the venue, hall B").await;
    let (plain, formula, done) = (
        plain["id"].to_string(),
        formula["id"].to_string(),
        done["id"].to_string(),
    );
    owner
        .call_ok(
            "update_task",
            &[
                ("id", &plain),
                ("title", "Write the plan"),
                ("description", "Say \"why\" first,\nthen how"),
                ("status", "in_progress"),
                ("priority", "high"),
                ("due_date", "2027-01-15"),
            ],
        )
        .await;
    owner
        .call_ok("move_task", &[("id", &done), ("to", "done")])
        .await;
    let label = owner
        .call_ok(
            "create_label",
            &[
                ("project_id", &project.to_string()),
                ("name", "Urgent"),
                ("colour", "red"),
            ],
        )
        .await["id"]
        .to_string();
    owner
        .call_ok(
            "set_task_label",
            &[("id", &plain), ("label_id", &label), ("applied", "true")],
        )
        .await;
    for title in ["Draft", "Review"] {
        owner
            .call_ok("add_subtask", &[("task_id", &plain), ("title", title)])
            .await;
    }
    let me = owner.user_id().await;
    owner.assign(&plain, me).await;
    let owner_email = owner.call_ok("current_user", &[]).await["email"]
        .as_str()
        .expect("email")
        .to_owned();

    store::flags::set_everyone(&app.db, domain::Feature::ProjectExport, true)
        .await
        .expect("flag on");
    until_export_is(&owner, project, true).await;
    let response = export(&owner, project).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header(CONTENT_TYPE), "text/csv; charset=utf-8");
    assert_eq!(
        header(CONTENT_DISPOSITION),
        "attachment; filename=\"launch-plan-2027.csv\""
    );
    assert_eq!(header(CACHE_CONTROL), "no-store");
    let body = response.text().await.expect("body");
    let expected = format!(
        "\u{feff}ID,Title,Status,Priority,Due date,Labels,Assignees,Checklist,Description\r\n\
         {formula},\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",To do,Medium,,,,,\r\n\
         {plain},Write the plan,In progress,High,2027-01-15,Urgent,{owner_email},0 of 2,\"Say \"\"why\"\" first,\nthen how\"\r\n\
         {done},\"Book the venue, hall B\",Done,Medium,,,,,\r\n"
    );
    assert_eq!(body, expected);

    // Another account, even with the feature on, learns nothing of the project.
    let stranger = app.signed_in_client(&unique_email("stranger")).await;
    let response = export(&stranger, project).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(!response
        .text()
        .await
        .expect("body")
        .contains("Write the plan"));
    let anonymous = app.client();
    assert_eq!(
        export(&anonymous, project).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.shut_down().await;
}
