//! Form fields that show their error next to the input and keep what was typed.

use crate::error::AppError;
use leptos::prelude::*;
use server_fn::ServerFn;

/// The latest error of a server action, if its last run failed.
pub fn last_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|result| result.err()))
}

/// The message for one field from an action's last error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(field)))
}

/// What was typed into a field before a failed submit, else `fallback`.
pub fn typed_or(
    error: Signal<Option<AppError>>,
    field: &'static str,
    fallback: String,
) -> Signal<String> {
    Signal::derive(move || {
        error
            .get()
            .and_then(|e| e.typed_value(field))
            .unwrap_or_else(|| fallback.clone())
    })
}

/// For a form that stays on the page after it is sent (add a comment, add a subtask): what was
/// typed into `field` when the last submit was refused, else empty. A saved entry leaves the box,
/// as it does when the page reloads without JavaScript.
pub fn typed_until_saved<S>(action: ServerAction<S>, field: &'static str) -> Signal<String>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let error = last_error(action);
    Signal::derive(move || {
        action.version().track();
        error
            .get()
            .and_then(|e| e.typed_value(field))
            .unwrap_or_default()
    })
}

/// An always-empty value that is written again after every submit of `action`: a password field
/// is emptied after a failed attempt, as it is when the page reloads without JavaScript.
pub fn emptied_after_submit<S>(action: ServerAction<S>) -> Signal<String>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.version().track();
        String::new()
    })
}

/// A labelled input with its error message.
#[component]
pub fn Field(
    /// Unique on the page: ties the label and the message to the input.
    id: &'static str,
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(into, optional)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let message_id = format!("{id}-error");
    let described_by = message_id.clone();
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                name=name
                type=kind
                prop:value=move || value.get()
                value=move || value.get()
                autocomplete=autocomplete
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().is_some().then(|| described_by.clone())
            />
            <FieldMessage id=message_id error />
        </div>
    }
}

/// A labelled multi-line text box with its error message.
#[component]
pub fn TextArea(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = 6)] rows: u32,
) -> impl IntoView {
    let message_id = format!("{id}-error");
    let described_by = message_id.clone();
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                prop:value=move || value.get()
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=move || error.get().is_some().then(|| described_by.clone())
            >
                {value.get_untracked()}
            </textarea>
            <FieldMessage id=message_id error />
        </div>
    }
}

/// The error line under a field; renders nothing when the field is fine.
#[component]
pub fn FieldMessage(id: String, #[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" id=id.clone() role="alert">
                    {message}
                </p>
            }
        })
    }
}

/// A problem with the whole form (wrong password, server trouble), shown above its buttons.
#[component]
pub fn FormMessage(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.form_message()).map(|message| {
            view! {
                <p class="form-error" role="alert">
                    {message}
                </p>
            }
        })
    }
}
