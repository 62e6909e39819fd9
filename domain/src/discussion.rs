//! What people say about a task: comments, written in Markdown. What they did to it is in
//! [`crate::activity`].

use crate::{char_len, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A comment as typed: Markdown, trimmed, 1 to 5,000 characters. Raw HTML in it is shown as text,
/// never run; see the server's Markdown rendering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct CommentBody(String);

impl CommentBody {
    pub const FIELD: &'static str = "body";
    pub const MAX_CHARS: usize = 5_000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let body = crate::multi_line(raw, Self::FIELD)?;
        if body.is_empty() {
            return Err(FieldError::new(Self::FIELD, "Write something to comment."));
        }
        if char_len(&body) > Self::MAX_CHARS {
            return Err(FieldError::new(
                Self::FIELD,
                format!("A comment can be at most {} characters.", Self::MAX_CHARS),
            ));
        }
        Ok(Self(body))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i32,
    /// The author's email; `None` once their account is gone.
    pub author: Option<String>,
    pub author_id: Option<i32>,
    /// The Markdown as written.
    pub body: String,
    /// The Markdown rendered to HTML with everything unsafe removed; set by the server.
    pub html: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_need_words_and_have_a_limit() {
        assert_eq!(
            CommentBody::parse("  ").expect_err("empty").message,
            "Write something to comment."
        );
        assert_eq!(
            CommentBody::parse(" **Done** ").expect("valid").as_str(),
            "**Done**"
        );
        assert!(CommentBody::parse(&"x".repeat(5_000)).is_ok());
        assert!(CommentBody::parse(&"x".repeat(5_001)).is_err());
    }
}
