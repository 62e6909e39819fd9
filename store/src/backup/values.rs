//! A value's portable form in a backup file, and the typed value a restore binds for it.
//!
//! The databases hand rows over as JSON (`json_build_array` / `json_array`), each in its own
//! dialect: SQLite keeps booleans as 0 and 1 and instants as whatever text was written,
//! PostgreSQL writes instants with the session's offset. The file holds one form per
//! [`Class`], so that a table's checksum is the same whichever database it was read from.

use super::schema::Class;
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::Value as Json;

/// The portable form of one value read from a column of the given class.
pub(super) fn portable(class: Class, value: Json) -> Result<Json, String> {
    if value.is_null() {
        return Ok(Json::Null);
    }
    Ok(match class {
        Class::Bool => Json::Bool(boolean(&value)?),
        Class::Int32 | Class::Int64 => Json::from(integer(&value)?),
        Class::Float => match value.as_f64() {
            Some(_) => value,
            None => return Err(format!("expected a number, found {value}")),
        },
        Class::Text => match value {
            Json::String(_) => value,
            // SQLite's column affinity can hand a number back for a text column.
            other => Json::String(other.to_string()),
        },
        Class::Timestamp => {
            Json::String(instant(text(&value)?)?.to_rfc3339_opts(SecondsFormat::Micros, true))
        }
        Class::Date => Json::String(date(text(&value)?)?.format("%Y-%m-%d").to_string()),
    })
}

/// The typed value to bind for a portable value going into a column of the given class; a null
/// keeps its type, which PostgreSQL needs.
pub(super) fn bind(class: Class, value: &Json) -> Result<sea_orm::Value, String> {
    let null = value.is_null();
    Ok(match class {
        Class::Bool => (!null).then(|| boolean(value)).transpose()?.into(),
        Class::Int32 => (!null)
            .then(|| {
                integer(value).and_then(|n| {
                    i32::try_from(n).map_err(|_| format!("{n} does not fit this column"))
                })
            })
            .transpose()?
            .into(),
        Class::Int64 => (!null).then(|| integer(value)).transpose()?.into(),
        Class::Float => (!null)
            .then(|| {
                value
                    .as_f64()
                    .ok_or_else(|| format!("expected a number, found {value}"))
            })
            .transpose()?
            .into(),
        Class::Text => (!null)
            .then(|| match value {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            })
            .into(),
        Class::Timestamp => (!null)
            .then(|| text(value).and_then(instant))
            .transpose()?
            .into(),
        Class::Date => (!null)
            .then(|| text(value).and_then(date))
            .transpose()?
            .into(),
    })
}

fn boolean(value: &Json) -> Result<bool, String> {
    match value {
        Json::Bool(b) => Ok(*b),
        Json::Number(n) if n.as_i64() == Some(0) => Ok(false),
        Json::Number(n) if n.as_i64() == Some(1) => Ok(true),
        other => Err(format!("expected true or false, found {other}")),
    }
}

fn integer(value: &Json) -> Result<i64, String> {
    value
        .as_i64()
        .ok_or_else(|| format!("expected a whole number, found {value}"))
}

fn text(value: &Json) -> Result<&str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("expected text, found {value}"))
}

/// Instants as either database writes them: RFC 3339 with any offset (sqlx, PostgreSQL's JSON),
/// or SQLite's `YYYY-MM-DD HH:MM:SS[.fff]` in UTC.
fn instant(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(t.and_utc());
        }
    }
    Err(format!("{s:?} is not a date and time"))
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("{s:?} is not a date"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_dialects_give_one_portable_form() {
        let cases = [
            (Class::Bool, json!(1), json!(true)),
            (Class::Bool, json!(false), json!(false)),
            (
                Class::Timestamp,
                json!("2026-12-01T11:00:00.123456789+01:00"),
                json!("2026-12-01T10:00:00.123456Z"),
            ),
            (
                Class::Timestamp,
                json!("2026-12-01T10:00:00+00:00"),
                json!("2026-12-01T10:00:00.000000Z"),
            ),
            (
                Class::Timestamp,
                json!("2026-12-01 10:00:00"),
                json!("2026-12-01T10:00:00.000000Z"),
            ),
            (Class::Date, json!("2026-12-05"), json!("2026-12-05")),
            (Class::Text, json!(42), json!("42")),
            (
                Class::Int64,
                json!(9_007_199_254_740_993_i64),
                json!(9_007_199_254_740_993_i64),
            ),
            (Class::Int32, Json::Null, Json::Null),
        ];
        for (class, raw, want) in cases {
            assert_eq!(portable(class, raw.clone()), Ok(want), "{class:?} {raw}");
        }
    }

    #[test]
    fn values_that_do_not_fit_their_column_are_refused() {
        assert!(portable(Class::Bool, json!("yes")).is_err());
        assert!(portable(Class::Timestamp, json!("yesterday")).is_err());
        assert!(bind(Class::Int32, &json!(5_000_000_000_i64)).is_err());
        assert!(bind(Class::Date, &json!("2026-13-01")).is_err());
        assert_eq!(
            bind(Class::Int32, &Json::Null),
            Ok(sea_orm::Value::Int(None))
        );
    }
}
