//! The one error type of the web layer: what a server function can answer, in words a person
//! understands. Internal details stay in the server's logs and never travel to the browser.

use domain::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};
use std::collections::BTreeMap;

/// How long a client should wait before retrying a request the database could not serve.
pub const RETRY_AFTER_SECS: u32 = 5;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The form had problems; `values` holds what was typed (never a password) so a page that was
    /// reloaded without JavaScript can show it again.
    #[error("{errors}")]
    Invalid {
        errors: Invalid,
        values: BTreeMap<String, String>,
    },
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("Not found.")]
    NotFound,
    /// A project member asked for more than their role allows (a viewer editing, say).
    #[error("Your role in this project does not allow this. Ask an owner for more access.")]
    Forbidden,
    /// `reference` is the error tracker's id for the event, when one was recorded, so that
    /// feedback about it can be linked to it.
    #[error("Something went wrong on our side, and nothing was changed. Please try again.")]
    Internal { reference: Option<String> },
    /// The database could not be reached (or its disk is full) for a moment; answered 503 with
    /// `Retry-After`. Whatever the request wanted was not acknowledged.
    #[error("Taskdeck cannot reach its database right now. Please try again in a few seconds.")]
    Unavailable,
    /// The request did not reach the server function intact (bad encoding, network trouble).
    #[error("The request could not be completed: {0}")]
    Request(String),
}

impl AppError {
    pub fn invalid(errors: Invalid) -> Self {
        AppError::Invalid {
            errors,
            values: BTreeMap::new(),
        }
    }

    /// Keeps the typed values alongside the errors.
    pub fn with_values<'a>(self, values: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        match self {
            AppError::Invalid { errors, .. } => AppError::Invalid {
                errors,
                values: values
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
            },
            other => other,
        }
    }

    /// The message for one form field, when this error is about that field.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { errors, .. } => errors.message_for(field).map(str::to_owned),
            _ => None,
        }
    }

    /// A message for the whole form: a form-level problem, or anything that is not about a field.
    pub fn form_message(&self) -> Option<String> {
        match self {
            AppError::Invalid { errors, .. } => errors.message_for(FORM).map(str::to_owned),
            other => Some(other.to_string()),
        }
    }

    /// What the person typed into a field, when the server sent it back.
    pub fn typed_value(&self, field: &str) -> Option<String> {
        match self {
            AppError::Invalid { values, .. } => values.get(field).cloned(),
            _ => None,
        }
    }
}

/// The pseudo-field for problems that belong to the whole form.
pub const FORM: &str = "form";

impl From<FieldError> for AppError {
    fn from(error: FieldError) -> Self {
        AppError::invalid(error.into())
    }
}

impl From<Invalid> for AppError {
    fn from(errors: Invalid) -> Self {
        AppError::invalid(errors)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}
