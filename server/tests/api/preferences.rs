//! Display preferences: the theme chosen is remembered and the server renders pages in it.

use reqwest::StatusCode;
use testkit::{Backend, TestApp, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chosen_theme_is_remembered_and_rendered_from_the_first_byte() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let app = TestApp::spawn(&db).await;
    let browser = app.client();
    let page = browser.page_html("/").await;
    assert!(
        page.contains(r#"data-theme="system""#),
        "follows the system at first"
    );

    let chosen = browser.call("set_theme", &[("theme", "dark")]).await;
    assert_eq!(chosen.status(), StatusCode::OK);
    let cookie = chosen.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        cookie.starts_with("taskdeck_theme=dark;") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    let page = browser.page_html("/login").await;
    assert!(page.contains(r#"data-theme="dark""#));
    let pressed = page
        .split(r#"aria-pressed="true""#)
        .nth(1)
        .and_then(|rest| rest.split("</button>").next())
        .unwrap_or_default();
    assert!(
        pressed.contains("Dark"),
        "the switch shows the choice: {pressed}"
    );

    let refused = browser.call("set_theme", &[("theme", "purple")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = browser.page_html("/").await;
    assert!(
        page.contains(r#"data-theme="dark""#),
        "a bad value changes nothing"
    );
}
