//! "Send feedback": kept in the database, refused when empty, only for signed-in people.

use reqwest::StatusCode;
use testkit::on_both_databases;
use testkit::{unique_email, TestApp, TestDb};

on_both_databases!(feedback_is_kept_and_validated);

async fn feedback_is_kept_and_validated(db: TestDb) {
    let app = TestApp::spawn(&db).await;

    let anonymous = app
        .client()
        .call("send_feedback", &[("message", "hi"), ("event", "")])
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let client = app.signed_in_client(&unique_email("feedback")).await;
    let empty = client
        .call("send_feedback", &[("message", "   "), ("event", "")])
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty
        .text()
        .await
        .expect("body")
        .contains("Tell us what happened."));
    assert!(store::feedback::recent(&app.db, 10)
        .await
        .expect("list")
        .is_empty());

    let sent = client
        .call(
            "send_feedback",
            &[("message", "  Dark mode please "), ("event", "<script>")],
        )
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    let kept = store::feedback::recent(&app.db, 10).await.expect("list");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, "Dark mode please");
    assert_eq!(kept[0].2, None, "a malformed event reference is dropped");

    let page = client.page_html("/feedback?sent=1").await;
    assert!(page.contains("Your feedback was sent."));
}
