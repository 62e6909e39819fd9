use crate::FieldError;
use serde::{Deserialize, Serialize};

/// A project's name: trimmed, 1 to 100 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct ProjectName(String);

impl ProjectName {
    pub const FIELD: &'static str = "name";
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let message = format!(
            "Project name must be between 1 and {} characters.",
            Self::MAX_CHARS
        );
        crate::trimmed_within(raw, Self::FIELD, Self::MAX_CHARS, &message).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            ProjectName::parse("  Launch ").expect("valid").as_str(),
            "Launch"
        );
        assert!(ProjectName::parse("   ").is_err());
        assert!(ProjectName::parse(&"n".repeat(100)).is_ok());
        let err = ProjectName::parse(&"n".repeat(101)).expect_err("too long");
        assert_eq!(
            err.message,
            "Project name must be between 1 and 100 characters."
        );
    }
}

/// A project as people see it, with what the person looking may do in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    pub id: i32,
    pub name: String,
    pub role: crate::Role,
}
