//! Taskdeck's interface: pages, components and the server functions behind them. The same code
//! renders on the server (feature `ssr`) and hydrates in the browser (feature `hydrate`).

pub mod api;
mod components;
pub mod error;
#[cfg(feature = "ssr")]
mod markdown;
mod pages;
mod routes;
#[cfg(feature = "ssr")]
mod server;
pub use components::history;
pub use components::theme::SecureCookies;
#[cfg(feature = "ssr")]
pub use server::{AppUrl, PasswordCheck, INTERNAL_ERROR_TARGET};

use components::header::Header;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_query_map;
use leptos_router::{path, Lazy, SsrMode};
use pages::{
    board::BoardPage, home::HomePage, list::ListPage, my_tasks::MyTasksPage, not_found::NotFound,
    projects::ProjectsPage, sign_in::SignInPage, sign_up::SignUpPage, task::TaskPage,
};
use routes::{Account, AdminFlags, Feedback, InvitationLink, ProjectSettings};

/// Where the browser sends its error reports, given by the server when Sentry is configured.
/// Only the DSN's public part reaches the page; the browser posts to Taskdeck's own tunnel.
#[derive(Clone, Debug)]
pub struct BrowserErrorReporting {
    pub dsn: String,
    pub release: String,
    pub environment: String,
}

/// The identity providers this server offers for signing in, given by the server.
#[derive(Clone, Debug, Default)]
pub struct OfferedProviders {
    pub providers: Vec<domain::Provider>,
    /// Origins the sign-in forms end up at (`/auth/…/start` redirects there); the page's
    /// `form-action` must allow them, or the browser stops the redirect.
    pub sign_in_origins: Vec<String>,
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let reporting = use_context::<BrowserErrorReporting>().map(|reporting| {
        view! {
            <meta name="taskdeck-sentry-dsn" content=reporting.dsn />
            <meta name="taskdeck-release" content=reporting.release />
            <meta name="taskdeck-environment" content=reporting.environment />
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=components::theme::current_theme().as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.ico" />
                {reporting}
                <AutoReload options=options.clone() />
                // The build's own names (content-hashed in a release build), read where
                // HydrationScripts reads them, so the page never names another build's files.
                <HashedStylesheet id="leptos" options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only through the per-request nonce (the hydration
/// script, which then loads the WASM), WASM compilation allowed, everything else same-origin, no
/// framing, no inline styles or handlers; forms post to Taskdeck, whose sign-in forms then
/// redirect to the identity providers in `form_targets`.
pub fn content_security_policy(nonce: &str, form_targets: &[String]) -> String {
    let mut form_action = "'self'".to_owned();
    for origin in form_targets {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
    )
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        let form_targets = use_context::<OfferedProviders>()
            .map(|offered| offered.sign_in_origins)
            .unwrap_or_default();
        if let Ok(policy) =
            http::HeaderValue::from_str(&content_security_policy(&nonce.to_string(), &form_targets))
        {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
        }
    }

    view! {
        <Title formatter=|title: String| {
            if title.is_empty() { "Taskdeck".to_owned() } else { format!("{title} · Taskdeck") }
        } />
        <Router>
            <Layout />
        </Router>
    }
}

/// A form posted without JavaScript that the server refused: which server function (`path`) and
/// its encoded error, which carries what was typed. The server keeps it in the session between
/// the post and the page the browser is sent back to, and hands it to that page's request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FailedForm {
    pub path: String,
    pub err: String,
}

impl FailedForm {
    /// The refused form this page was sent back with: from the server for this request, or from
    /// the URL (`__path`, `__err`, where Leptos itself puts it) when the session could not hold
    /// it. Shared with the browser, so the page it hydrates shows the same error.
    fn for_this_page() -> Option<Self> {
        leptos::server::SharedValue::new(|| {
            #[cfg(feature = "ssr")]
            if let Some(failed) = use_context::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<FailedForm>().cloned())
            {
                return Some(failed);
            }
            use_query_map().with_untracked(|query| {
                Some(FailedForm {
                    path: query.get("__path")?,
                    err: query.get("__err")?,
                })
            })
        })
        .into_inner()
    }
}

/// Everything inside the router. A refused form comes back to its page as a `FailedForm`;
/// `<Routes>` would hand one found in the URL only to actions created inside a route, so it is
/// handed here, to every action on the page, including the session's that every page shares.
#[component]
fn Layout() -> impl IntoView {
    if let Some(failed) = FailedForm::for_this_page() {
        provide_context(leptos::server::ServerActionError::new(
            &failed.path,
            &failed.err,
        ));
    }
    components::session::provide_session();
    view! {
        <Header />
        <components::shortcuts::Shortcuts />
        <main class="page">
            // Async rendering waits for the data, so a page can still answer 404 or redirect.
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=SignUpPage ssr=SsrMode::Async />
                <Route path=path!("/login") view=SignInPage ssr=SsrMode::Async />
                <Route path=path!("/projects") view=ProjectsPage ssr=SsrMode::Async />
                <Route path=path!("/my-tasks") view=MyTasksPage ssr=SsrMode::Async />
                <Route path=path!("/projects/:id") view=BoardPage ssr=SsrMode::Async />
                <Route path=path!("/projects/:id/list") view=ListPage ssr=SsrMode::Async />
                <Route
                    path=path!("/projects/:id/settings")
                    view={Lazy::<ProjectSettings>::new()}
                    ssr=SsrMode::Async
                />
                <Route path=path!("/tasks/:id") view=TaskPage ssr=SsrMode::Async />
                <Route path=path!("/feedback") view={Lazy::<Feedback>::new()} ssr=SsrMode::Async />
                <Route path=path!("/account") view={Lazy::<Account>::new()} ssr=SsrMode::Async />
                <Route
                    path=path!("/admin/flags")
                    view={Lazy::<AdminFlags>::new()}
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/invitations/:token")
                    view={Lazy::<InvitationLink>::new()}
                    ssr=SsrMode::Async
                />
            </Routes>
        </main>
    }
}
