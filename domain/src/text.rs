//! The rules every typed text follows before its own (length, emptiness): one place, so a name, a
//! comment and an email cannot disagree about what a character is.
//!
//! Text is normalised to NFC, so "é" typed as one or as two code points is one value (and one
//! account). Control characters are refused: PostgreSQL cannot store NUL, and none of them mean
//! anything in a task manager. Bidirectional overrides and isolates are refused: they make text
//! display in a different order than it is stored ("Trojan Source"). Invisible characters
//! (zero-width spaces, the byte-order mark, …) are trimmed from the ends like spaces, so a title of
//! only those is empty, and emails refuse them anywhere, so an address cannot have a look-alike.

use crate::FieldError;
use unicode_normalization::UnicodeNormalization;

/// Whether a text may span lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lines {
    /// Names and titles: no line breaks, no tabs.
    One,
    /// Descriptions, comments, feedback: line breaks and tabs are kept.
    Many,
}

const CONTROL: &str = "Remove the control characters (such as NUL) from this text.";
const ONE_LINE: &str = "Keep this to one line, without line breaks or tabs.";
const DIRECTION: &str =
    "Remove the text-direction control characters (such as U+202E) from this text.";

/// `raw` normalised to NFC and trimmed of whitespace and invisible characters at both ends, or the
/// reason it cannot be stored. Whether it may be empty, and how long it may be, is for the caller.
pub(crate) fn cleaned(raw: &str, field: &str, lines: Lines) -> Result<String, FieldError> {
    let text: String = raw.nfc().collect();
    for c in text.chars() {
        let line_break = matches!(c, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}');
        if line_break {
            if lines == Lines::One {
                return Err(FieldError::new(field, ONE_LINE));
            }
        } else if c.is_control() {
            return Err(FieldError::new(field, CONTROL));
        } else if is_direction_override(c) {
            return Err(FieldError::new(field, DIRECTION));
        }
    }
    Ok(text
        .trim_matches(|c: char| c.is_whitespace() || is_invisible(c))
        .to_owned())
}

/// True for characters an email address may not contain anywhere: controls, and everything
/// invisible or format-changing, so no address has a look-alike that is a different account.
pub(crate) fn is_hidden_in_email(c: char) -> bool {
    c.is_control() || is_direction_override(c) || is_invisible(c)
}

/// NFC, for values that have rules of their own (an email).
pub(crate) fn nfc(raw: &str) -> String {
    raw.nfc().collect()
}

/// Embeddings, overrides and isolates: they reorder how the text around them is shown. The
/// direction marks (U+200E, U+200F, U+061C) only nudge neutral characters and are real in
/// right-to-left writing, so text keeps them (emails do not: they are invisible).
fn is_direction_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing: Unicode's format characters (Cf) and the fillers and selectors
/// that render as blank. Listed by hand rather than pulling in a general-category table, which
/// would weigh on the browser build.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{0600}'..='\u{0605}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_normalised_to_nfc() {
        let decomposed = "Cafe\u{0301}";
        assert_eq!(
            cleaned(decomposed, "f", Lines::One).expect("valid"),
            "Caf\u{e9}"
        );
    }

    #[test]
    fn control_characters_are_refused_with_a_message() {
        for raw in ["a\0b", "\0", "bell\u{7}", "del\u{7f}", "c1\u{85}x"] {
            let err = cleaned(raw, "title", Lines::Many).expect_err(raw);
            assert_eq!(err.field, "title");
            assert_eq!(err.message, CONTROL, "{raw:?}");
        }
    }

    #[test]
    fn line_breaks_and_tabs_only_where_text_may_span_lines() {
        for raw in ["a\nb", "a\r\nb", "a\tb", "a\u{2028}b"] {
            assert_eq!(
                cleaned(raw, "title", Lines::One).expect_err(raw).message,
                ONE_LINE
            );
            assert_eq!(cleaned(raw, "body", Lines::Many).as_deref(), Ok(raw));
        }
    }

    #[test]
    fn direction_overrides_are_refused() {
        for raw in ["evil\u{202E}gpj.exe", "a\u{2066}b\u{2069}"] {
            assert_eq!(
                cleaned(raw, "body", Lines::Many).expect_err(raw).message,
                DIRECTION
            );
        }
        // A right-to-left mark is part of real text.
        assert!(cleaned("שלום\u{200F}!", "body", Lines::Many).is_ok());
    }

    #[test]
    fn invisible_characters_are_trimmed_like_spaces() {
        assert_eq!(
            cleaned("\u{200B}\u{200B}", "t", Lines::One).as_deref(),
            Ok("")
        );
        assert_eq!(cleaned("\u{FEFF}", "t", Lines::One).as_deref(), Ok(""));
        assert_eq!(
            cleaned("\u{FEFF} Plan \u{200B}", "t", Lines::One).as_deref(),
            Ok("Plan")
        );
        // Inside text they may belong to it (an emoji sequence joins with U+200D).
        assert_eq!(
            cleaned("a\u{200D}b", "t", Lines::One).as_deref(),
            Ok("a\u{200D}b")
        );
    }

    #[test]
    fn emails_refuse_every_hidden_character() {
        for c in [
            '\u{200B}', '\u{202E}', '\u{FEFF}', '\u{200E}', '\u{00AD}', '\0',
        ] {
            assert!(is_hidden_in_email(c), "{c:?}");
        }
        assert!(!is_hidden_in_email('a'));
        assert!(!is_hidden_in_email('é'));
    }
}
