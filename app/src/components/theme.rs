//! Light, dark, or whatever the system prefers. The choice lives in a cookie, so the server
//! renders the page in it from the first byte (no flash of the wrong theme), and it is switched
//! with plain forms, so it works with JavaScript off too.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    /// The form field (and server function argument) carrying the choice.
    pub const FIELD: &'static str = "theme";
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    pub fn parse(raw: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == raw)
    }
}

#[cfg(feature = "ssr")]
const COOKIE: &str = "taskdeck_theme";

/// Whether cookies set by the app must be `Secure` (APP_URL is https); given by the server.
#[derive(Clone, Copy, Debug, Default)]
pub struct SecureCookies(pub bool);

/// The theme this page is rendered in: the cookie's on the server, the page's in the browser
/// (which the server wrote from the same cookie, so hydration agrees).
pub fn current_theme() -> Theme {
    #[cfg(feature = "ssr")]
    {
        crate::server::request_cookie(COOKIE)
            .and_then(|value| Theme::parse(&value))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("data-theme"))
            .and_then(|value| Theme::parse(&value))
            .unwrap_or_default()
    }
}

#[server(endpoint = "set_theme")]
pub async fn set_theme(theme: String) -> Result<Theme, AppError> {
    use crate::server::answer;
    use domain::FieldError;
    answer((|| {
        let theme = Theme::parse(&theme)
            .ok_or_else(|| FieldError::new(Theme::FIELD, "Choose system, light or dark."))?;
        let secure = use_context::<SecureCookies>().unwrap_or_default().0;
        let cookie = format!(
            "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{}",
            theme.as_str(),
            if secure { "; Secure" } else { "" }
        );
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&cookie),
        ) {
            response.append_header(http::header::SET_COOKIE, value);
        }
        Ok(theme)
    })())
}

/// Three small buttons in the header; the pressed one is the theme in use.
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let action = ServerAction::<SetTheme>::new();
    let theme = RwSignal::new(current_theme());
    Effect::new(move |_| {
        if let Some(Ok(chosen)) = action.value().get() {
            theme.set(chosen);
            if let Some(html) = document().document_element() {
                let _ = html.set_attribute("data-theme", chosen.as_str());
            }
        }
    });
    view! {
        <div class="theme-switch" role="group" aria-label="Theme">
            {Theme::ALL
                .map(|choice| {
                    view! {
                        <ActionForm action attr:class="inline-form">
                            <input type="hidden" name=Theme::FIELD value=choice.as_str() />
                            <button
                                type="submit"
                                class="chip"
                                aria-pressed=move || (theme.get() == choice).to_string()
                            >
                                {choice.label()}
                            </button>
                        </ActionForm>
                    }
                })}
        </div>
    }
}
