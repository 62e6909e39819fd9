use leptos::prelude::*;
use leptos_meta::Title;

/// Answers 404 for unknown pages and for anything that is not the visitor's to see; the two look
/// the same, so an id reveals nothing about whether it exists.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::set_page_status(http::StatusCode::NOT_FOUND);
    view! {
        <Title text="Not found" />
        <section class="panel narrow">
            <h1>"Not found"</h1>
            <p>"This page does not exist, or you do not have access to it."</p>
            <p>
                <a href="/projects">"Go to your projects"</a>
            </p>
        </section>
    }
}
