//! The pages that are loaded lazily: each one's code is a part of the WASM of its own
//! (cargo-leptos `--split`), fetched the first time the page is shown, so the pages a team uses
//! all day do not carry the code of the ones it opens now and then. The server renders such a page
//! as before and names its parts in the HTML (`<link rel=preload>`), so they download beside the
//! main bundle instead of after it.
//!
//! Only the occasional pages are split. The board, the list and the task page stay in the main
//! bundle: split, each needed some 70 parts, which the browser compiles one by one on its main
//! thread, and Lighthouse's mobile score for the board fell from 97 to 68 (bench/README.md).
//! With only these split it measured 80–81, in a sitting where every page scored lower.
//!
//! Links to these pages load the page (components/lazy_links.rs): a tab opened before a deploy
//! would otherwise fetch its old build's parts, which the new server no longer has.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use crate::pages::{
    account::AccountPage, admin::AdminFlagsPage, feedback::FeedbackPage,
    invitation::InvitationLinkPage, settings::ProjectSettingsPage,
};

/// A route for each page, loading nothing ahead of its view: the pages fetch their own data, and
/// on the first page that data already came with the HTML.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident),* $(,)?) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    ProjectSettings => ProjectSettingsPage,
    Feedback => FeedbackPage,
    Account => AccountPage,
    AdminFlags => AdminFlagsPage,
    InvitationLink => InvitationLinkPage,
}
