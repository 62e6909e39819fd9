//! Links to the pages whose code is loaded lazily (app/src/routes.rs) are followed by the browser,
//! not the router. A tab opened before a deploy still runs the old build, and the new server no
//! longer has that build's parts: the router would fetch them and fail, where a page load brings
//! the new build along with the page.

/// The `rel` that has the router leave a link to the browser.
pub const PAGE_LOAD: &str = "external";

/// Whether `path` is one of the pages whose code is loaded lazily.
pub fn is_lazy_page(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let project_settings = path
        .strip_prefix("/projects/")
        .and_then(|rest| rest.strip_suffix("/settings"))
        .is_some_and(|id| !id.is_empty() && !id.contains('/'));
    matches!(path, "/feedback" | "/account" | "/admin/flags")
        || path.starts_with("/invitations/")
        || project_settings
}

/// Goes to `path` as a link would: a page load for a lazy page, the router for any other.
pub fn go_to(path: &str, navigate: impl Fn(&str, leptos_router::NavigateOptions)) {
    if is_lazy_page(path) {
        let _ = leptos::prelude::window().location().assign(path);
    } else {
        navigate(path, Default::default());
    }
}

#[cfg(test)]
mod tests {
    use super::is_lazy_page;

    #[test]
    fn knows_the_lazy_pages_from_the_others() {
        for lazy in [
            "/feedback",
            "/feedback?event=abc",
            "/account",
            "/admin/flags",
            "/invitations/some-token",
            "/projects/7/settings",
            "/projects/7/settings#labels",
        ] {
            assert!(is_lazy_page(lazy), "{lazy}");
        }
        for eager in [
            "/",
            "/projects",
            "/projects/7",
            "/projects/7/list",
            "/tasks/3",
            "/my-tasks",
            "/login",
            "/projects//settings",
        ] {
            assert!(!is_lazy_page(eager), "{eager}");
        }
    }
}
