//! A project's labels: a short name and one colour from a fixed palette, so every label stays
//! readable in light and dark mode.

use crate::FieldError;
use serde::{Deserialize, Serialize};

/// A label's name: trimmed, 1 to 40 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct LabelName(String);

impl LabelName {
    pub const FIELD: &'static str = "name";
    pub const MAX_CHARS: usize = 40;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let message = format!(
            "Label name must be between 1 and {} characters.",
            Self::MAX_CHARS
        );
        crate::trimmed_within(raw, Self::FIELD, Self::MAX_CHARS, &message).map(Self)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The palette. Each colour has a light and a dark pair in the style sheet, checked by axe-core
/// for contrast.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabelColour {
    #[default]
    Gray,
    Red,
    Orange,
    Yellow,
    Green,
    Teal,
    Blue,
    Purple,
    Pink,
}

impl LabelColour {
    pub const FIELD: &'static str = "colour";
    pub const ALL: [LabelColour; 9] = [
        LabelColour::Gray,
        LabelColour::Red,
        LabelColour::Orange,
        LabelColour::Yellow,
        LabelColour::Green,
        LabelColour::Teal,
        LabelColour::Blue,
        LabelColour::Purple,
        LabelColour::Pink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LabelColour::Gray => "gray",
            LabelColour::Red => "red",
            LabelColour::Orange => "orange",
            LabelColour::Yellow => "yellow",
            LabelColour::Green => "green",
            LabelColour::Teal => "teal",
            LabelColour::Blue => "blue",
            LabelColour::Purple => "purple",
            LabelColour::Pink => "pink",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LabelColour::Gray => "Gray",
            LabelColour::Red => "Red",
            LabelColour::Orange => "Orange",
            LabelColour::Yellow => "Yellow",
            LabelColour::Green => "Green",
            LabelColour::Teal => "Teal",
            LabelColour::Blue => "Blue",
            LabelColour::Purple => "Purple",
            LabelColour::Pink => "Pink",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == raw)
            .ok_or_else(|| FieldError::new(Self::FIELD, "Choose one of the label colours."))
    }
}

/// A label as tasks wear it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub id: i32,
    pub name: String,
    pub colour: LabelColour,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            LabelName::parse(" Bug ").expect("valid").into_inner(),
            "Bug"
        );
        assert!(LabelName::parse("  ").is_err());
        assert!(LabelName::parse(&"é".repeat(40)).is_ok());
        let err = LabelName::parse(&"é".repeat(41)).expect_err("too long");
        assert_eq!(
            err.message,
            "Label name must be between 1 and 40 characters."
        );
    }

    #[test]
    fn colours_come_only_from_the_palette() {
        for colour in LabelColour::ALL {
            assert_eq!(LabelColour::parse(colour.as_str()), Ok(colour));
        }
        let err = LabelColour::parse("#ff0000").expect_err("not in the palette");
        assert_eq!(err.field, "colour");
    }
}
