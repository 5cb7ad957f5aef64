//! The compilation (*sammanställning*) of a dialogue: what people answered, by group and area,
//! the themes ranked, a handful of anonymised quotes, and who was reached. Built at the service
//! layer with the n<5 rule applied, so the page, every export and the JSON agree.

use crate::dashboard::Distribution;
use crate::text::LocalizedText;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A theme's count: overall and per target group (`None`: fewer than 5, or protecting one that is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeCount {
    pub theme_id: i64,
    pub code: String,
    pub name: LocalizedText,
    pub overall: Option<i64>,
    pub by_group: Vec<Option<i64>>,
}

/// A quote the officer picked (never a hidden answer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub answer_id: i64,
    pub text: String,
}

/// One target group's reach: answers (suppressed under 5) against the target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    pub group_name: LocalizedText,
    pub target: i64,
    pub count: Option<i64>,
    /// Whole percent of the target, when the count may be shown.
    pub percent: Option<i64>,
}

/// A compilation as shown, exported and frozen at approval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compilation {
    pub dialogue_id: i64,
    pub title: LocalizedText,
    pub lpo_name: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// `None` for the working draft; the version number once approved.
    pub version: Option<i32>,
    pub approved_at: Option<DateTime<Utc>>,
    pub approved_by: Option<String>,
    pub total: Option<i64>,
    pub groups: Vec<LocalizedText>,
    pub reach: Vec<Reach>,
    pub distributions: Vec<Distribution>,
    /// Ranked by overall count, highest first.
    pub themes: Vec<ThemeCount>,
    pub quotes: Vec<Quote>,
}

/// The most quotes a compilation carries.
pub const MAX_QUOTES: usize = 8;

/// A text cell as a spreadsheet must receive it: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return would make Excel or LibreOffice read it as a formula, so it gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// A CSV cell: quoted, inner quotes doubled, and a formula start neutralised.
pub fn csv_cell(s: &str) -> String {
    format!("\"{}\"", neutralise(s).replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+1+1",
            "-2",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert!(neutralise(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(neutralise("Trygghet"), "Trygghet");
        assert_eq!(neutralise(""), "");
    }
}
