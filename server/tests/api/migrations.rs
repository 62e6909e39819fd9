use testkit::on_both_databases;
use testkit::{TestApp, TestDb};

on_both_databases!(migrations_go_down_and_up_again);

async fn migrations_go_down_and_up_again(db: TestDb) {
    let app = TestApp::spawn(&db).await;
    let status = app.db.migration_status().await.expect("status");
    assert!(
        !status.is_empty() && status.iter().all(|(_, applied)| *applied),
        "{status:?}"
    );

    let all = u32::try_from(status.len()).expect("few migrations");
    app.db
        .migrate_down(all)
        .await
        .expect("every down migration works");
    let status = app.db.migration_status().await.expect("status");
    assert!(status.iter().all(|(_, applied)| !*applied), "{status:?}");

    app.db.migrate_up().await.expect("and up again");
    let status = app.db.migration_status().await.expect("status");
    assert!(status.iter().all(|(_, applied)| *applied), "{status:?}");
    let _ = db.backend;
}
