//! The tests' own PostgreSQL databases are dropped when a test ends, also when it fails, so a
//! run leaves nothing behind on the developer's or CI's server.

use testkit::{postgres_database_exists, Backend, TestApp, TestDb, TEST_DATABASE_PREFIX};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_database_is_dropped_when_its_test_ends() {
    let Some(db) = TestDb::create(Backend::Postgres).await else {
        return;
    };
    let name = db
        .postgres_name()
        .expect("a PostgreSQL database")
        .to_owned();
    assert!(name.starts_with(TEST_DATABASE_PREFIX), "{name}");
    // A running app holds connections to it, as in every test.
    let app = TestApp::spawn(&db).await;
    app.signed_in_client("dropped@example.com").await;
    assert!(postgres_database_exists(&name).await);
    drop(app);
    drop(db);
    assert!(
        !postgres_database_exists(&name).await,
        "{name} is still there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_database_is_dropped_when_its_test_panics() {
    if TestDb::create(Backend::Postgres).await.is_none() {
        return;
    }
    // The failing test runs on a runtime of its own, as `#[tokio::test]` would run it.
    let (name_tx, name_rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.block_on(async move {
                let db = TestDb::create(Backend::Postgres).await.expect("PostgreSQL");
                let name = db
                    .postgres_name()
                    .expect("a PostgreSQL database")
                    .to_owned();
                name_tx.send(name).expect("send the name");
                let _app = TestApp::spawn(&db).await;
                panic!("a test that fails half-way");
            })
        }))
    })
    .join()
    .expect("the thread itself ends");
    assert!(outcome.is_err(), "the test inside failed");
    let name = name_rx.recv().expect("the database's name");
    assert!(
        !postgres_database_exists(&name).await,
        "{name} is still there"
    );
}
